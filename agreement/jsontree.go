package agreement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// The agreement file is read into a tree of JSON values that remembers
// where each value starts, so that every problem can name its line and
// column, duplicate keys can be caught (encoding/json keeps the last one
// silently), and type errors can be reported all at once instead of the
// first only.

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "true/false", "a number", "a string", "a list", "an object"}[k]
}

type jnode struct {
	kind  jkind
	off   int    // byte offset of the value's first byte
	text  string // string value, or the number as written
	b     bool
	keys  []string // object members, in file order
	vals  []*jnode
	items []*jnode // array elements
}

// member returns the value of key, or nil.
func (n *jnode) member(key string) *jnode {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// syntaxError is malformed JSON, at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// maxDepth bounds nesting; a MultiPolygon needs 5 levels below a zone.
const maxDepth = 64

type treeReader struct {
	data []byte
	dec  *json.Decoder
	dups []dupKey
}

type dupKey struct {
	path string // of the object holding the key twice
	key  string
	off  int
}

// readTree parses data as exactly one JSON value.
func readTree(data []byte) (*jnode, []dupKey, error) {
	r := &treeReader{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	r.dec.UseNumber()
	n, err := r.value(0, "")
	if err != nil {
		return nil, nil, err
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, nil, &syntaxError{r.next(), "there is more after the end of the agreement object: only one JSON object is allowed"}
	}
	return n, r.dups, nil
}

// next is the offset where the next token starts: past whitespace and
// the separators encoding/json consumes silently.
func (r *treeReader) next() int {
	i := int(r.dec.InputOffset())
	for i < len(r.data) {
		switch r.data[i] {
		case ' ', '\t', '\r', '\n', ':', ',':
			i++
			continue
		}
		break
	}
	return i
}

func (r *treeReader) token() (json.Token, int, error) {
	off := r.next()
	tok, err := r.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, int(se.Offset), &syntaxError{int(se.Offset), "the file is not valid JSON: " + se.Error()}
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, len(r.data), &syntaxError{len(r.data), "the file ends in the middle of the agreement: a closing } or ] is missing"}
		default:
			return nil, off, &syntaxError{off, "the file is not valid JSON: " + err.Error()}
		}
	}
	return tok, off, nil
}

func (r *treeReader) value(depth int, path string) (*jnode, error) {
	tok, off, err := r.token()
	if err != nil {
		return nil, err
	}
	return r.fromToken(tok, off, depth, path)
}

func (r *treeReader) fromToken(tok json.Token, off, depth int, path string) (*jnode, error) {
	if depth > maxDepth {
		return nil, &syntaxError{off, fmt.Sprintf("values are nested more than %d deep", maxDepth)}
	}
	n := &jnode{off: off}
	switch t := tok.(type) {
	case nil:
		n.kind = jNull
	case bool:
		n.kind, n.b = jBool, t
	case json.Number:
		n.kind, n.text = jNumber, string(t)
	case string:
		n.kind, n.text = jString, t
	case json.Delim:
		switch t {
		case '[':
			n.kind = jArray
			for r.dec.More() {
				item, err := r.value(depth+1, pointer(path, len(n.items)))
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			if _, _, err := r.token(); err != nil { // ]
				return nil, err
			}
		case '{':
			n.kind = jObject
			for r.dec.More() {
				ktok, koff, err := r.token()
				if err != nil {
					return nil, err
				}
				key, _ := ktok.(string)
				if n.member(key) != nil {
					r.dups = append(r.dups, dupKey{path, key, koff})
				}
				v, err := r.value(depth+1, pointer(path, key))
				if err != nil {
					return nil, err
				}
				n.keys, n.vals = append(n.keys, key), append(n.vals, v)
			}
			if _, _, err := r.token(); err != nil { // }
				return nil, err
			}
		default:
			return nil, &syntaxError{off, fmt.Sprintf("unexpected %q", rune(t))}
		}
	}
	return n, nil
}

// lineCol turns a byte offset into a 1-based line and column (in
// characters).
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(data[start:off])
}
