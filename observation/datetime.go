package observation

import (
	"time"
)

// parseDateTime reads an RFC 3339 date-time (section 5.6): full-date "T"
// full-time, with a numeric offset or Z, "t" and "z" allowed as RFC 3339
// allows them, any number of fraction digits, and a leap second (:60) when
// it falls at 23:59 UTC, which is what JSON Schema's "date-time" format
// asks a validator to check. A leap second is read as the first instant of
// the next minute: Go's time has no 61st second. The reason is "" when s
// is valid.
func parseDateTime(s string) (t time.Time, reason string) {
	if len(s) < 20 {
		return t, "too short"
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' {
		return t, "the date must read YYYY-MM-DD"
	}
	if month < 1 || month > 12 {
		return t, "there is no month " + s[5:7]
	}
	if day < 1 || day > daysIn(month, year) {
		return t, "there is no day " + s[8:10] + " in " + s[0:7]
	}
	if s[10] != 'T' && s[10] != 't' {
		return t, "the date and the time must be separated by T"
	}
	hour, ok1 := num(11, 2)
	minute, ok2 := num(14, 2)
	sec, ok3 := num(17, 2)
	if !ok1 || !ok2 || !ok3 || s[13] != ':' || s[16] != ':' {
		return t, "the time must read hh:mm:ss"
	}
	if hour > 23 || minute > 59 || sec > 60 {
		return t, "the time " + s[11:19] + " does not exist"
	}
	i := 19
	nsec := 0
	if s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if i-start < 9 {
				nsec = nsec*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start {
			return t, "a decimal point must be followed by digits"
		}
		for k := i - start; k < 9; k++ {
			nsec *= 10
		}
	}
	rest := s[i:]
	offset := 0 // minutes east of UTC
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(i+1, 2)
		om, ok2 := num(i+4, 2)
		if !ok1 || !ok2 {
			return t, "the offset must read +hh:mm or -hh:mm"
		}
		if oh > 23 || om > 59 {
			return t, "the offset " + rest + " does not exist"
		}
		offset = oh*60 + om
		if rest[0] == '-' {
			offset = -offset
		}
	case rest == "":
		return t, "an offset (Z or ±hh:mm) is required"
	default:
		return t, "the offset must be Z, +hh:mm or -hh:mm"
	}
	if sec == 60 {
		utc := ((hour*60+minute-offset)%1440 + 1440) % 1440
		if utc != 23*60+59 {
			return t, "a leap second can only be 23:59:60 UTC"
		}
	}
	loc := time.UTC
	if offset != 0 || (rest != "Z" && rest != "z") {
		loc = time.FixedZone("", offset*60)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), ""
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
