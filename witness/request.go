package witness

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxProofLines is the most consistency proof lines a request may carry
// (tlog-witness): 63 hashes cover any proof in a tree of 2^63 leaves.
const MaxProofLines = 63

// AddCheckpoint is one add-checkpoint request: the size the client believes
// this witness last cosigned, a consistency proof from that size to the
// checkpoint's, and the checkpoint as a signed note.
type AddCheckpoint struct {
	OldSize    uint64
	Proof      [][]byte // RFC 6962 SHA-256 hashes, 32 bytes each
	Checkpoint []byte   // signed note, as sent
}

// Encode writes the request body the way the protocol wants it, so
// ParseAddCheckpoint(r.Encode()) gives r back.
func (r AddCheckpoint) Encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", r.OldSize)
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// errMalformed marks a request the protocol cannot read (400).
var errMalformed = errors.New("malformed request")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// ParseAddCheckpoint reads an add-checkpoint request body. It is strict:
// every line ends in a newline, sizes are decimal without leading zeroes,
// each proof line is one base64 SHA-256 hash, at most MaxProofLines of them.
// Errors name the line. The checkpoint itself is only split off here;
// its signatures and fields are checked against the log it names.
func ParseAddCheckpoint(body []byte) (AddCheckpoint, error) {
	var r AddCheckpoint
	rest := body
	line, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return r, malformed("line 1: want \"old <size>\" ending in a newline")
	}
	size, found := bytes.CutPrefix(line, []byte("old "))
	if !found {
		return r, malformed("line 1: want \"old <size>\", got %q", clip(line))
	}
	n, err := parseSize(size)
	if err != nil {
		return r, malformed("line 1: old size: %v", err)
	}
	r.OldSize = n
	for lineNo := 2; ; lineNo++ {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return r, malformed("line %d: the proof lines must end with an empty line before the checkpoint", lineNo)
		}
		if len(line) == 0 {
			break
		}
		if len(r.Proof) == MaxProofLines {
			return r, malformed("line %d: more than %d consistency proof lines", lineNo, MaxProofLines)
		}
		h, err := parseHash(line)
		if err != nil {
			return r, malformed("line %d: consistency proof hash: %v", lineNo, err)
		}
		r.Proof = append(r.Proof, h)
	}
	if len(rest) == 0 {
		return r, malformed("no checkpoint after the empty line")
	}
	r.Checkpoint = rest
	return r, nil
}

// parseSize reads a tree size: ASCII decimal, no sign, no leading zeroes
// (tlog-witness and tlog-checkpoint both say so), at most 2^64-1.
func parseSize(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, errors.New("empty")
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a decimal number", clip(b))
		}
	}
	if len(b) > 1 && b[0] == '0' {
		return 0, fmt.Errorf("%q has leading zeroes", clip(b))
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q does not fit in 64 bits", clip(b))
	}
	return n, nil
}

// parseHash reads one base64 SHA-256 hash, refusing any other length: an
// RFC 6962 log with SHA-256 is all this witness follows.
func parseHash(b []byte) ([]byte, error) {
	if bytes.IndexByte(b, '\r') >= 0 { // the decoder would skip it silently
		return nil, fmt.Errorf("%q holds a carriage return", clip(b))
	}
	h := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Strict().Decode(h, b)
	if err != nil {
		return nil, fmt.Errorf("%q is not standard base64", clip(b))
	}
	if n != sha256.Size {
		return nil, fmt.Errorf("%d bytes, want %d (SHA-256)", n, sha256.Size)
	}
	return h[:n], nil
}

// checkpoint is the body of a C2SP tlog-checkpoint: origin, size, root hash
// and any extension lines (which the cosignature covers but vouches for
// nothing about).
type checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
}

// splitNote cuts a signed note into its text (ending in a newline) and its
// signature block, the way golang.org/x/mod/sumdb/note does: at the last
// blank line.
func splitNote(msg []byte) (text, sigs []byte, err error) {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		return nil, nil, malformed("checkpoint: no blank line before the signatures")
	}
	return msg[:i+1], msg[i+2:], nil
}

// parseCheckpoint reads a checkpoint note's text strictly: the lines are
// numbered as in the checkpoint, not the request.
func parseCheckpoint(text []byte) (checkpoint, error) {
	var c checkpoint
	if !utf8.Valid(text) {
		return c, malformed("checkpoint: not UTF-8")
	}
	lines := bytes.Split(text, []byte("\n"))
	// text ends in "\n", so the last element is empty.
	if len(lines) < 4 || len(lines[len(lines)-1]) != 0 {
		return c, malformed("checkpoint: want origin, size and root hash lines, each ending in a newline")
	}
	lines = lines[:len(lines)-1]
	if len(lines[0]) == 0 {
		return c, malformed("checkpoint line 1: empty origin")
	}
	c.Origin = string(lines[0])
	n, err := parseSize(lines[1])
	if err != nil {
		return c, malformed("checkpoint line 2: tree size: %v", err)
	}
	c.Size = n
	if c.Root, err = parseHash(lines[2]); err != nil {
		return c, malformed("checkpoint line 3: root hash: %v", err)
	}
	for i, ext := range lines[3:] {
		if len(ext) == 0 {
			return c, malformed("checkpoint line %d: empty extension line", i+4)
		}
	}
	return c, nil
}

// clip keeps quoted input in an error message short.
func clip(b []byte) []byte {
	const max = 40
	if len(b) > max {
		return append(bytes.Clone(b[:max]), "…"...)
	}
	return b
}
