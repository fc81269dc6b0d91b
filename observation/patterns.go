package observation

// Hand-written matchers for the patterns of the intake schema: a regexp
// per field would cost more than the rest of validation together. Each is
// checked against the schema's regular expression in patterns_test.go.

// The schema's patterns, as written there.
const (
	patternID      = `^[A-Za-z0-9._:-]+$`
	patternParty   = `^[A-Z][A-Z0-9_]{1,15}$`
	patternSHA256  = `^[0-9a-f]{64}$`
	patternMarking = `^(PUBLIC|MISSION|COMMISSION|REL TO [A-Z][A-Z0-9_]{1,15}(, ?[A-Z][A-Z0-9_]{1,15})*)$`
	patternMGRS    = `^[0-9]{1,2}[C-HJ-NP-X] ?[A-HJ-NP-Z]{2} ?([0-9] ?[0-9]|[0-9]{2} ?[0-9]{2}|[0-9]{3} ?[0-9]{3}|[0-9]{4} ?[0-9]{4}|[0-9]{5} ?[0-9]{5})?$`
)

// matchID: ^[A-Za-z0-9._:-]+$
func matchID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// partyCode returns the length of a party code at the start of s:
// [A-Z][A-Z0-9_]{1,15}, taking as many characters as the class allows
// (none of them can begin what follows a code, so greed is safe), or -1.
func partyCode(s string) int {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return -1
	}
	n := 1
	for n < len(s) && (s[n] >= 'A' && s[n] <= 'Z' || s[n] >= '0' && s[n] <= '9' || s[n] == '_') {
		n++
	}
	if n < 2 || n > 16 {
		return -1
	}
	return n
}

// matchParty: ^[A-Z][A-Z0-9_]{1,15}$
func matchParty(s string) bool { return partyCode(s) == len(s) }

// matchSHA256: ^[0-9a-f]{64}$
func matchSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// matchMarking: PUBLIC, MISSION, COMMISSION, or "REL TO " and a list of
// codes separated by "," and an optional space.
func matchMarking(s string) bool {
	switch s {
	case "PUBLIC", "MISSION", "COMMISSION":
		return true
	}
	const rel = "REL TO "
	if len(s) <= len(rel) || s[:len(rel)] != rel {
		return false
	}
	s = s[len(rel):]
	for {
		n := partyCode(s)
		if n < 0 {
			return false
		}
		s = s[n:]
		if s == "" {
			return true
		}
		if s[0] != ',' {
			return false
		}
		s = s[1:]
		if s != "" && s[0] == ' ' {
			s = s[1:]
		}
	}
}

// matchMGRS: grid zone (1-2 digits and a latitude band), the 100 km
// square's two letters, and 0 to 5 digits per axis, easting and northing
// the same length; a single space may separate the three parts and the two
// halves of the digits.
func matchMGRS(s string) bool {
	i := 0
	for i < len(s) && i < 3 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i < 1 || i > 2 || i >= len(s) || !isBand(s[i]) {
		return false
	}
	i++
	if i < len(s) && s[i] == ' ' {
		i++
	}
	if i+2 > len(s) || !isSquareLetter(s[i]) || !isSquareLetter(s[i+1]) {
		return false
	}
	i += 2
	if i < len(s) && s[i] == ' ' {
		i++
	}
	rest := s[i:]
	if rest == "" {
		return true
	}
	// Digits with at most one space, which must then split them in halves.
	left, right, digits, spaces := 0, 0, 0, 0
	for j := 0; j < len(rest); j++ {
		switch c := rest[j]; {
		case c >= '0' && c <= '9':
			digits++
			if spaces == 0 {
				left++
			} else {
				right++
			}
		case c == ' ':
			spaces++
		default:
			return false
		}
	}
	switch spaces {
	case 0:
		return digits%2 == 0 && digits >= 2 && digits <= 10
	case 1:
		return left == right && left >= 1 && left <= 5
	}
	return false
}

// isBand: [C-HJ-NP-X]
func isBand(c byte) bool { return c >= 'C' && c <= 'X' && c != 'I' && c != 'O' }

// isSquareLetter: [A-HJ-NP-Z]
func isSquareLetter(c byte) bool { return c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' }
