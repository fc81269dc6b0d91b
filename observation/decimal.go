package observation

// The intake schema's bounds are compared with the number as the sender
// wrote it, not with its nearest double: 90.0000000000000001 is more than
// 90 even though no double tells it apart from 90, and 1.0 is an integer.
// That is what a JSON Schema validator working on exact decimals does.

// decimal is a number literal in a normal form: its value is
// sign × 0.d1d2…dn × 10^exp, d1 ≠ 0, dn ≠ 0; zero has n == 0. The digits
// are read from two slices of the literal (hi, then lo) so that no copy is
// made.
type decimal struct {
	neg    bool
	hi, lo string
	n      int   // significant digits, trailing zeros dropped
	exp    int64 // decimal exponent as above
}

// maxExp bounds exponents while they are read, far beyond any literal a
// body of 32 MiB can write, so arithmetic on them cannot overflow.
const maxExp = 1 << 40

// parseDecimal reads a literal that follows the JSON number grammar.
func parseDecimal(lit string) decimal {
	var d decimal
	i := 0
	if i < len(lit) && lit[i] == '-' {
		d.neg = true
		i++
	}
	intStart := i
	for i < len(lit) && lit[i] >= '0' && lit[i] <= '9' {
		i++
	}
	intPart := lit[intStart:i]
	frac := ""
	if i < len(lit) && lit[i] == '.' {
		i++
		fs := i
		for i < len(lit) && lit[i] >= '0' && lit[i] <= '9' {
			i++
		}
		frac = lit[fs:i]
	}
	var e int64
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		eneg := false
		if i < len(lit) && (lit[i] == '+' || lit[i] == '-') {
			eneg = lit[i] == '-'
			i++
		}
		for ; i < len(lit); i++ {
			if e < maxExp {
				e = e*10 + int64(lit[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
	}
	if intPart != "0" {
		d.hi, d.lo = intPart, frac
		d.exp = int64(len(intPart)) + e
	} else {
		z := 0
		for z < len(frac) && frac[z] == '0' {
			z++
		}
		if z == len(frac) {
			d.neg = false
			return d // zero
		}
		d.lo = frac[z:]
		d.exp = e - int64(z)
	}
	d.n = len(d.hi) + len(d.lo)
	for d.n > 0 && d.digit(d.n-1) == '0' {
		d.n--
	}
	return d
}

func (d *decimal) digit(i int) byte {
	if i < len(d.hi) {
		return d.hi[i]
	}
	return d.lo[i-len(d.hi)]
}

func (d *decimal) sign() int {
	switch {
	case d.n == 0:
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// isInteger reports whether the value is a whole number, as JSON Schema's
// "integer" means it (1.0 and 1e2 are integers).
func (d *decimal) isInteger() bool { return d.n == 0 || int64(d.n) <= d.exp }

// int64 returns the value of an integer that fits; ok is false otherwise.
func (d *decimal) int64() (v int64, ok bool) {
	if !d.isInteger() || d.exp > 18 {
		return 0, false
	}
	for i := 0; i < int(d.exp); i++ {
		c := byte('0')
		if i < d.n {
			c = d.digit(i)
		}
		v = v*10 + int64(c-'0')
	}
	if d.neg {
		v = -v
	}
	return v, true
}

// cmpInt compares the value with the integer b: -1, 0 or +1.
func (d *decimal) cmpInt(b int64) int {
	var bd [20]byte
	bneg := b < 0
	if bneg {
		b = -b
	}
	k := len(bd)
	for x := b; x > 0; x /= 10 {
		k--
		bd[k] = byte('0' + x%10)
	}
	digits := bd[k:]
	bexp := int64(len(digits))
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	bs := 0
	if len(digits) > 0 {
		bs = 1
		if bneg {
			bs = -1
		}
	}
	as := d.sign()
	if as != bs {
		if as < bs {
			return -1
		}
		return 1
	}
	if as == 0 {
		return 0
	}
	m := 0
	switch {
	case d.exp > bexp:
		m = 1
	case d.exp < bexp:
		m = -1
	default:
		for i := 0; i < d.n || i < len(digits); i++ {
			var x, y byte
			if i < d.n {
				x = d.digit(i)
			}
			if i < len(digits) {
				y = digits[i]
			}
			if x != y {
				if x > y {
					m = 1
				} else {
					m = -1
				}
				break
			}
		}
	}
	return m * as
}
