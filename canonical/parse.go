package canonical

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DefaultMaxDepth is how deeply arrays and objects may nest. Records of the
// mechanism nest a few levels; the bound keeps a hostile body from
// exhausting the stack.
const DefaultMaxDepth = 100

// SyntaxError says where a JSON text is malformed or breaks I-JSON.
type SyntaxError struct {
	// Offset is the byte offset of the fault in the input.
	Offset int
	// Line and Column are 1-based; Column counts characters, not bytes.
	Line, Column int
	// Pointer is the JSON pointer (RFC 6901) of the value being read when
	// the fault was found, "" for the top level.
	Pointer string
	Msg     string
}

func (e *SyntaxError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Parser decodes JSON texts. It allocates the members and elements of the
// values it returns in chunks it shares between them, so a batch of
// documents decoded by one Parser costs few allocations. Values returned
// stay valid after later calls. A Parser is not safe for concurrent use;
// its zero value is ready.
type Parser struct {
	// MaxDepth bounds nesting; 0 means DefaultMaxDepth.
	MaxDepth int

	src   string
	pos   int
	depth int
	path  []frame

	members []Member // arena of finished objects' members
	items   []Value  // arena of finished arrays' elements
	stackM  []Member // members of objects being read
	stackV  []Value  // elements of arrays being read
}

// frame is one level of the path to the value being read, kept so that an
// error can name where it happened.
type frame struct {
	name  string
	index int
	array bool
}

// Parse decodes one JSON text: a single value with optional white space
// around it.
func (p *Parser) Parse(src string) (Value, error) {
	v, _, err := p.ParsePrefix(src)
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos != len(src) {
		return Value{}, p.errAt(p.pos, "unexpected data after the JSON value")
	}
	return v, nil
}

// ParsePrefix decodes the value at the start of src (after white space)
// and returns the offset just past it; what follows is left unread.
func (p *Parser) ParsePrefix(src string) (Value, int, error) {
	p.src, p.pos, p.depth = src, 0, 0
	p.path = p.path[:0]
	p.stackM = p.stackM[:0]
	p.stackV = p.stackV[:0]
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return Value{}, 0, err
	}
	return v, p.pos, nil
}

// Unmarshal decodes one JSON text with a fresh Parser.
func Unmarshal(data []byte) (Value, error) {
	var p Parser
	return p.Parse(string(data))
}

func (p *Parser) maxDepth() int {
	if p.MaxDepth > 0 {
		return p.MaxDepth
	}
	return DefaultMaxDepth
}

func (p *Parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *Parser) value() (Value, error) {
	if p.pos >= len(p.src) {
		return Value{}, p.errAt(p.pos, "unexpected end of input, expected a value")
	}
	switch c := p.src[p.pos]; c {
	case '{':
		return p.object()
	case '[':
		return p.array()
	case '"':
		s, err := p.str()
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: String, Text: s}, nil
	case 't':
		return p.literal("true", True)
	case 'f':
		return p.literal("false", False)
	case 'n':
		return p.literal("null", Null)
	default:
		if c == '-' || isDigit(c) {
			return p.number()
		}
		return Value{}, p.errAt(p.pos, "unexpected "+describe(p.src, p.pos)+", expected a value")
	}
}

func (p *Parser) literal(lit string, k Kind) (Value, error) {
	if !strings.HasPrefix(p.src[p.pos:], lit) {
		return Value{}, p.errAt(p.pos, "unexpected "+describe(p.src, p.pos)+", expected a value")
	}
	p.pos += len(lit)
	return Value{Kind: k}, nil
}

func (p *Parser) enter(array bool) error {
	p.depth++
	if p.depth > p.maxDepth() {
		return p.errAt(p.pos, fmt.Sprintf("nested deeper than %d levels", p.maxDepth()))
	}
	p.path = append(p.path, frame{array: array, index: -1})
	return nil
}

func (p *Parser) leave() {
	p.depth--
	p.path = p.path[:len(p.path)-1]
}

func (p *Parser) object() (Value, error) {
	if err := p.enter(false); err != nil {
		return Value{}, err
	}
	p.pos++ // {
	base := len(p.stackM)
	var seen map[string]struct{}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.leave()
		return Value{Kind: Object, Members: []Member{}}, nil
	}
	for {
		if p.pos >= len(p.src) {
			return Value{}, p.errAt(p.pos, "unexpected end of input inside an object")
		}
		if p.src[p.pos] != '"' {
			return Value{}, p.errAt(p.pos, "unexpected "+describe(p.src, p.pos)+", expected a member name in double quotes")
		}
		namePos := p.pos
		name, err := p.str()
		if err != nil {
			return Value{}, err
		}
		top := &p.path[len(p.path)-1]
		top.name, top.index = name, 0
		// Objects of the mechanism are small: a scan beats a map. A map
		// takes over for large ones so that a hostile body cannot make the
		// check quadratic.
		dup := false
		if seen != nil {
			_, dup = seen[name]
			seen[name] = struct{}{}
		} else {
			for i := base; i < len(p.stackM); i++ {
				if p.stackM[i].Name == name {
					dup = true
					break
				}
			}
			if len(p.stackM)-base >= 32 {
				seen = make(map[string]struct{}, 64)
				for i := base; i < len(p.stackM); i++ {
					seen[p.stackM[i].Name] = struct{}{}
				}
				seen[name] = struct{}{}
			}
		}
		if dup {
			return Value{}, p.errAt(namePos, "member name given twice: I-JSON (RFC 7493) forbids it, because a record and its signature must have one meaning")
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return Value{}, p.errAt(p.pos, "unexpected "+describe(p.src, p.pos)+", expected ':' after a member name")
		}
		p.pos++
		p.skipSpace()
		// The value is read before it joins the stack: reading it may
		// grow the stack and move it.
		mv, err := p.value()
		if err != nil {
			return Value{}, err
		}
		p.stackM = append(p.stackM, Member{Name: name, Value: mv})
		p.skipSpace()
		if p.pos >= len(p.src) {
			return Value{}, p.errAt(p.pos, "unexpected end of input inside an object, expected ',' or '}'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
			continue
		case '}':
			p.pos++
		default:
			return Value{}, p.errAt(p.pos, "unexpected "+describe(p.src, p.pos)+", expected ',' or '}'")
		}
		break
	}
	n := len(p.stackM) - base
	if cap(p.members)-len(p.members) < n {
		p.members = make([]Member, 0, max(n, 512))
	}
	m := p.members[len(p.members) : len(p.members)+n : len(p.members)+n]
	p.members = p.members[:len(p.members)+n]
	copy(m, p.stackM[base:])
	clear(p.stackM[base:])
	p.stackM = p.stackM[:base]
	p.leave()
	return Value{Kind: Object, Members: m}, nil
}

func (p *Parser) array() (Value, error) {
	if err := p.enter(true); err != nil {
		return Value{}, err
	}
	p.pos++ // [
	base := len(p.stackV)
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.leave()
		return Value{Kind: Array, Items: []Value{}}, nil
	}
	for i := 0; ; i++ {
		p.path[len(p.path)-1].index = i
		ev, err := p.value()
		if err != nil {
			return Value{}, err
		}
		p.stackV = append(p.stackV, ev)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return Value{}, p.errAt(p.pos, "unexpected end of input inside an array, expected ',' or ']'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
			continue
		case ']':
			p.pos++
		default:
			return Value{}, p.errAt(p.pos, "unexpected "+describe(p.src, p.pos)+", expected ',' or ']'")
		}
		break
	}
	n := len(p.stackV) - base
	if cap(p.items)-len(p.items) < n {
		p.items = make([]Value, 0, max(n, 256))
	}
	it := p.items[len(p.items) : len(p.items)+n : len(p.items)+n]
	p.items = p.items[:len(p.items)+n]
	copy(it, p.stackV[base:])
	clear(p.stackV[base:])
	p.stackV = p.stackV[:base]
	p.leave()
	return Value{Kind: Array, Items: it}, nil
}

func (p *Parser) number() (Value, error) {
	start := p.pos
	s := p.src
	i := p.pos
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return Value{}, p.errAt(i, "a number needs a digit after '-'")
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return Value{}, p.errAt(i, "a number needs a digit after '.'")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return Value{}, p.errAt(i, "a number needs a digit in its exponent")
		}
	}
	lit := s[start:i]
	f, err := parseFloat(lit)
	if err != nil {
		return Value{}, p.errAt(start, err.Error())
	}
	p.pos = i
	return Value{Kind: Number, Text: lit, Num: f}, nil
}

// parseFloat converts a JSON number literal to the nearest double. A
// literal beyond the largest double is refused: I-JSON leaves it without a
// meaning, and the canonical form has no way to write it.
func parseFloat(lit string) (float64, error) {
	// Small integers are common (counts, sizes) and exact as doubles.
	if len(lit) <= 15 {
		n, neg, ok := 0, false, true
		for i := 0; i < len(lit); i++ {
			c := lit[i]
			switch {
			case isDigit(c):
				n = n*10 + int(c-'0')
			case c == '-' && i == 0:
				neg = true
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			if neg {
				if n == 0 {
					return math.Copysign(0, -1), nil
				}
				return -float64(n), nil
			}
			return float64(n), nil
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange && math.IsInf(f, 0) {
			return 0, fmt.Errorf("number %s lies beyond the range of an IEEE 754 double (I-JSON, RFC 7493)", clip(lit))
		}
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil // underflow to zero or a subnormal is a faithful reading
		}
		return 0, fmt.Errorf("unreadable number %s", clip(lit))
	}
	return f, nil
}

// str reads a string literal at p.pos and returns its decoded text. Without
// escapes the result shares memory with the input.
func (p *Parser) str() (string, error) {
	s := p.src
	start := p.pos + 1
	i := start
	high := false
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			text := s[start:i]
			if high && !utf8.ValidString(text) {
				return "", p.badUTF8(start, i)
			}
			p.pos = i + 1
			return text, nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			return "", p.errAt(i, fmt.Sprintf("control character U+%04X must be escaped inside a string", c))
		case c >= 0x80:
			high = true
		}
		i++
	}
	return "", p.errAt(len(s), "unexpected end of input inside a string")
}

func (p *Parser) badUTF8(from, to int) error {
	for i := from; i < to; {
		r, size := utf8.DecodeRuneInString(p.src[i:to])
		if r == utf8.RuneError && size <= 1 {
			return p.errAt(i, "string is not valid UTF-8 (I-JSON, RFC 7493)")
		}
		i += size
	}
	return p.errAt(from, "string is not valid UTF-8 (I-JSON, RFC 7493)")
}

func (p *Parser) strEscaped(start, i int) (string, error) {
	s := p.src
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, s[start:i]...)
	high := false
	for _, c := range buf {
		if c >= 0x80 {
			high = true
		}
	}
	segStart := i
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			if high && !utf8.Valid(buf) {
				return "", p.badUTF8(start, i)
			}
			p.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			return "", p.errAt(i, fmt.Sprintf("control character U+%04X must be escaped inside a string", c))
		case c >= 0x80:
			high = true
			buf = append(buf, c)
			i++
		case c != '\\':
			buf = append(buf, c)
			i++
		default:
			segStart = i
			if i+1 >= len(s) {
				return "", p.errAt(len(s), "unexpected end of input inside a string")
			}
			e := s[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(s, i)
				if !ok {
					return "", p.errAt(segStart, "a \\u escape needs four hexadecimal digits")
				}
				i += 4
				switch {
				case utf16.IsSurrogate(r) && r < 0xDC00:
					r2, ok := rune(0), false
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2, ok = hex4(s, i+2)
					}
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						return "", p.errAt(segStart, "lone surrogate in a \\u escape: the string is not Unicode (I-JSON, RFC 7493)")
					}
					i += 6
					r = utf16.DecodeRune(r, r2)
				case utf16.IsSurrogate(r):
					return "", p.errAt(segStart, "lone surrogate in a \\u escape: the string is not Unicode (I-JSON, RFC 7493)")
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errAt(segStart, fmt.Sprintf("unknown escape \\%c", e))
			}
		}
	}
	return "", p.errAt(len(s), "unexpected end of input inside a string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *Parser) errAt(off int, msg string) error {
	line, col := Position(p.src, off)
	return &SyntaxError{Offset: off, Line: line, Column: col, Pointer: p.pointer(), Msg: msg}
}

func (p *Parser) pointer() string {
	var b strings.Builder
	for _, f := range p.path {
		switch {
		case f.array && f.index >= 0:
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(f.index))
		case !f.array && f.index >= 0:
			b.WriteByte('/')
			b.WriteString(Pointer(f.name))
		}
	}
	return b.String()
}

// Position returns the 1-based line and character column of byte offset
// off in src.
func Position(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line = 1 + strings.Count(src[:off], "\n")
	ls := strings.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(src[ls:off])
}

// describe names the character at off for an error message.
func describe(src string, off int) string {
	if off >= len(src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(src[off:])
	if r == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", src[off])
	}
	return strconv.QuoteRune(r)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
