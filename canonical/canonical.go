package canonical

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Transform returns the RFC 8785 canonical form of one JSON text.
func Transform(data []byte) ([]byte, error) {
	var p Parser
	v, err := p.Parse(string(data))
	if err != nil {
		return nil, err
	}
	return Append(make([]byte, 0, len(data)), &v)
}

// Marshal returns the canonical form of v.
func Marshal(v *Value) ([]byte, error) { return Append(nil, v) }

// ErrDuplicateName is returned when an object built in code (not decoded)
// holds a member name twice.
var ErrDuplicateName = errors.New("canonical: member name given twice (I-JSON, RFC 7493)")

// Append appends the canonical form of v to dst: members sorted by the
// UTF-16 code units of their names, no white space, strings escaped as
// ECMAScript's JSON.stringify escapes them and numbers written as
// ECMAScript writes a double.
func Append(dst []byte, v *Value) ([]byte, error) {
	switch v.Kind {
	case Null:
		return append(dst, "null"...), nil
	case False:
		return append(dst, "false"...), nil
	case True:
		return append(dst, "true"...), nil
	case Number:
		if s, ok := shortNumber(v.Text); ok {
			return append(dst, s...), nil
		}
		return AppendFloat(dst, v.Num)
	case String:
		if !utf8.ValidString(v.Text) {
			return dst, errors.New("canonical: string is not valid UTF-8")
		}
		return AppendString(dst, v.Text), nil
	case Array:
		dst = append(dst, '[')
		for i := range v.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = Append(dst, &v.Items[i]); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case Object:
		return appendObject(dst, v.Members)
	}
	return dst, errors.New("canonical: value of unknown kind")
}

func appendObject(dst []byte, ms []Member) ([]byte, error) {
	var buf [24]int32
	var order []int32
	if len(ms) <= len(buf) {
		order = buf[:len(ms)]
	} else {
		order = make([]int32, len(ms))
	}
	for i := range order {
		order[i] = int32(i)
	}
	if len(order) <= len(buf) {
		// Insertion sort: objects are small and often nearly sorted.
		for i := 1; i < len(order); i++ {
			for j := i; j > 0 && Less(ms[order[j]].Name, ms[order[j-1]].Name); j-- {
				order[j], order[j-1] = order[j-1], order[j]
			}
		}
	} else {
		slices.SortFunc(order, func(a, b int32) int {
			switch {
			case Less(ms[a].Name, ms[b].Name):
				return -1
			case Less(ms[b].Name, ms[a].Name):
				return 1
			}
			return 0
		})
	}
	dst = append(dst, '{')
	for k, i := range order {
		m := &ms[i]
		if k > 0 {
			if ms[order[k-1]].Name == m.Name {
				return dst, ErrDuplicateName
			}
			dst = append(dst, ',')
		}
		if !utf8.ValidString(m.Name) {
			return dst, errors.New("canonical: member name is not valid UTF-8")
		}
		dst = AppendString(dst, m.Name)
		dst = append(dst, ':')
		var err error
		if dst, err = Append(dst, &m.Value); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// Less orders member names as RFC 8785 section 3.2.3 requires: by their
// UTF-16 code units, compared as unsigned integers. That is the order of
// UTF-8 bytes except where a character beyond U+FFFF (two UTF-16 units,
// starting 0xD8..0xDB) meets one in U+E000..U+FFFF.
func Less(a, b string) bool {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) < len(b)
	}
	if a[i] < 0x80 || b[i] < 0x80 {
		return a[i] < b[i]
	}
	// Back up to the start of the character both strings differ in.
	for i > 0 && a[i]&0xC0 == 0x80 {
		i--
	}
	ra, _ := utf8.DecodeRuneInString(a[i:])
	rb, _ := utf8.DecodeRuneInString(b[i:])
	return utf16Key(ra) < utf16Key(rb)
}

// utf16Key maps a character to a number that orders as its UTF-16 units
// do: characters beyond U+FFFF start with a high surrogate (0xD800..0xDBFF)
// and so sort below U+E000..U+FFFF.
func utf16Key(r rune) uint32 {
	if r < 0x10000 {
		return uint32(r) << 10
	}
	r -= 0x10000
	hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
	return uint32(hi)<<10 | uint32(lo-0xDC00)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string the way RFC 8785 section 3.2.2.2
// requires: only '"', '\\' and the controls below U+0020 escaped, the
// controls with a short form (\b \t \n \f \r) in that form, the others as
// \u00xx in lowercase hexadecimal; everything else as UTF-8.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// ErrNotFinite is returned for NaN and the infinities, which JSON cannot
// write.
var ErrNotFinite = errors.New("canonical: NaN and infinity have no JSON form")

// AppendFloat appends f as ECMAScript's Number.prototype.toString writes it
// (ECMA-262 section 6.1.6.1.20), which RFC 8785 section 3.2.2.3 adopts: the
// shortest digits that read back as f, plain notation for magnitudes in
// [1e-6, 1e21), exponent notation ("1e+21", "1.5e-7") outside, and 0 for
// negative zero.
func AppendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, ErrNotFinite
	}
	if f == 0 {
		return append(dst, '0'), nil
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// strconv's shortest form is the digit string ECMAScript asks for: the
	// fewest digits that round-trip, the closest to f among them.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // d[.ddd]e±xx
	ePos := len(e) - 1
	for e[ePos] != 'e' {
		ePos--
	}
	var digits [20]byte
	k := 0
	for _, c := range e[:ePos] {
		if c != '.' {
			digits[k] = c
			k++
		}
	}
	exp, _ := strconv.Atoi(string(e[ePos+1:]))
	n := exp + 1 // f = 0.d1d2..dk × 10^n
	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits[:k]...)
		for range n - k {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:k]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		dst = append(dst, digits[:k]...)
	default:
		dst = append(dst, digits[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:k]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst, nil
}

// shortNumber returns the canonical form of a number literal without
// going through a double, when that is certain to give the same result: a
// plain decimal of at most 15 significant digits (every such decimal
// survives the round trip through a double, so its shortest form is its own
// digits) with a magnitude of at least 1e-6. Trailing zeros of the fraction
// go, and so does the sign of zero.
func shortNumber(lit string) (string, bool) {
	if len(lit) > 17 {
		return "", false
	}
	i := 0
	if i < len(lit) && lit[i] == '-' {
		i++
	}
	intStart := i
	for i < len(lit) && isDigit(lit[i]) {
		i++
	}
	intEnd := i
	if intEnd == intStart {
		return "", false
	}
	fracStart, fracEnd := i, i
	if i < len(lit) && lit[i] == '.' {
		i++
		fracStart = i
		for i < len(lit) && isDigit(lit[i]) {
			i++
		}
		fracEnd = i
		for fracEnd > fracStart && lit[fracEnd-1] == '0' {
			fracEnd--
		}
	}
	if i != len(lit) {
		return "", false // exponent
	}
	if lit[intStart:intEnd] == "0" {
		if fracEnd == fracStart {
			return "0", true
		}
		z := 0
		for fracStart+z < fracEnd && lit[fracStart+z] == '0' {
			z++
		}
		if z > 5 || fracEnd-fracStart-z > 15 {
			return "", false
		}
	} else if intEnd-intStart+fracEnd-fracStart > 15 {
		return "", false
	}
	if fracEnd == fracStart {
		return lit[:intEnd], true
	}
	if fracEnd == len(lit) {
		return lit, true
	}
	return lit[:fracEnd], true
}
