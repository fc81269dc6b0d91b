package canonical

import (
	"strconv"
	"strings"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON types. The zero Kind is Null so that a zero Value is JSON null.
const (
	Null Kind = iota
	False
	True
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case False, True:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "invalid"
}

// Value is a decoded JSON value. Numbers keep the literal as sent (Text)
// beside its nearest double (Num), because a bound such as "at most 90" must
// be checked against what the sender wrote, not against a rounded double.
// Object members keep the order they were sent in; the canonical form
// sorts them.
type Value struct {
	Kind Kind
	// Text is the decoded string of a String and the literal of a Number.
	Text string
	// Num is the IEEE 754 double nearest to a Number's literal.
	Num     float64
	Items   []Value  // elements of an Array
	Members []Member // members of an Object, in the order sent
}

// Member is one name/value pair of an object.
type Member struct {
	Name  string
	Value Value
}

// Get returns the member of an object with the given name, or nil.
func (v *Value) Get(name string) *Value {
	for i := range v.Members {
		if v.Members[i].Name == name {
			return &v.Members[i].Value
		}
	}
	return nil
}

// StringValue returns a JSON string.
func StringValue(s string) Value { return Value{Kind: String, Text: s} }

// BoolValue returns JSON true or false.
func BoolValue(b bool) Value {
	if b {
		return Value{Kind: True}
	}
	return Value{Kind: False}
}

// NumberValue returns the JSON number written as lit, which must follow the
// JSON number grammar (RFC 8259 section 6) and lie within the range of a
// double.
func NumberValue(lit string) (Value, error) {
	if !IsNumberLiteral(lit) {
		return Value{}, &SyntaxError{Msg: "not a JSON number: " + strconv.Quote(lit)}
	}
	f, err := parseFloat(lit)
	if err != nil {
		return Value{}, &SyntaxError{Msg: err.Error()}
	}
	return Value{Kind: Number, Text: lit, Num: f}, nil
}

// ObjectValue returns a JSON object with the given members.
func ObjectValue(members ...Member) Value { return Value{Kind: Object, Members: members} }

// ArrayValue returns a JSON array with the given elements.
func ArrayValue(items ...Value) Value { return Value{Kind: Array, Items: items} }

// IsNumberLiteral reports whether s is a number as the JSON grammar writes
// one: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func IsNumberLiteral(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
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
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return false
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
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Pointer escapes one reference token of a JSON pointer (RFC 6901).
func Pointer(token string) string {
	if !strings.ContainsAny(token, "~/") {
		return token
	}
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}
