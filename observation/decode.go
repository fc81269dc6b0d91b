package observation

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"

	"github.com/truce-mechanism/truce/canonical"
)

// The media types Decode reads.
const (
	MediaJSON    = "application/json"     // one object, or an array of them
	MediaNDJSON  = "application/x-ndjson" // one object per line
	MediaGeoJSON = "application/geo+json" // a FeatureCollection (or one Feature)
	MediaCSV     = "text/csv"             // the flat header of CSV.md
)

// ErrUnsupportedMediaType is returned by Decode for a media type it does
// not read.
var ErrUnsupportedMediaType = errors.New("observation: unsupported media type; send application/json, application/x-ndjson, application/geo+json or text/csv")

// normalMediaType maps a Content-Type (parameters allowed) and its common
// aliases to one of the Media constants; "" means "sniff the body".
func normalMediaType(mt string) (string, error) {
	if mt == "" {
		return "", nil
	}
	if strings.IndexByte(mt, ';') >= 0 {
		parsed, _, err := mime.ParseMediaType(mt)
		if err != nil {
			return "", fmt.Errorf("%w: %q", ErrUnsupportedMediaType, mt)
		}
		mt = parsed
	}
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case MediaJSON, "text/json":
		return MediaJSON, nil
	case MediaNDJSON, "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines":
		return MediaNDJSON, nil
	case MediaGeoJSON, "application/vnd.geo+json":
		return MediaGeoJSON, nil
	case MediaCSV, "application/csv", "text/comma-separated-values":
		return MediaCSV, nil
	case "text/plain", "application/octet-stream":
		return "", nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnsupportedMediaType, mt)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode reads a submission body of the given media type ("" to sniff it
// as Detect does) into documents, each with its canonical form. A body that
// cannot be read yields a *DecodeError and no documents: a batch is taken
// whole or not at all. Decode does not validate: Parse does.
//
// A JSON body may be one value (a single report) or an array (a batch);
// an object whose "type" is "FeatureCollection" or "Feature" is read as
// GeoJSON. An NDJSON body holds one value per line; blank lines are
// skipped. A leading UTF-8 byte order mark is ignored.
func Decode(mediaType string, body []byte) ([]Document, error) {
	mt, err := normalMediaType(mediaType)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimPrefix(body, utf8BOM)
	var d decoder
	switch mt {
	case MediaJSON:
		return d.json(string(body), false)
	case MediaNDJSON:
		return d.ndjson(string(body))
	case MediaGeoJSON:
		return d.json(string(body), true)
	case MediaCSV:
		return d.csv(body)
	}
	switch Detect(body) {
	case MediaCSV:
		return d.csv(body)
	case MediaNDJSON:
		return d.ndjson(string(body))
	}
	return d.json(string(body), false)
}

// Detect names the encoding of a body by its content, for files and for
// requests sent without a Content-Type: a body that starts with '[' is
// JSON; one that starts with '{' is GeoJSON when its "type" says so, NDJSON
// when a second value follows on a later line, JSON otherwise; anything
// else is CSV.
func Detect(body []byte) string {
	body = bytes.TrimPrefix(body, utf8BOM)
	i := 0
	for i < len(body) && isSpace(body[i]) {
		i++
	}
	if i == len(body) {
		return MediaJSON
	}
	switch body[i] {
	case '[':
		return MediaJSON
	case '{':
	default:
		return MediaCSV
	}
	var p canonical.Parser
	src := string(body)
	v, end, err := p.ParsePrefix(src)
	if err != nil {
		return MediaJSON // the JSON decoder will say what is wrong
	}
	newline := false
	for end < len(src) && isSpace(src[end]) {
		newline = newline || src[end] == '\n'
		end++
	}
	if end < len(src) {
		if newline {
			return MediaNDJSON
		}
		return MediaJSON
	}
	if geoJSONType(&v) != "" {
		return MediaGeoJSON
	}
	return MediaJSON
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decoder holds what the documents of one body share: the parser's arenas
// and the buffer their canonical forms are cut from.
type decoder struct {
	p   canonical.Parser
	buf []byte
}

// canon appends v's canonical form to the shared buffer and returns it as
// a slice of its own (capacity clipped, so appending to it never writes
// into a neighbour).
func (d *decoder) canon(v *canonical.Value) ([]byte, error) {
	start := len(d.buf)
	var err error
	d.buf, err = canonical.Append(d.buf, v)
	if err != nil {
		return nil, err
	}
	return d.buf[start:len(d.buf):len(d.buf)], nil
}

func (d *decoder) json(src string, geo bool) ([]Document, error) {
	d.buf = make([]byte, 0, len(src)+len(src)/8+64)
	v, err := d.p.Parse(src)
	if err != nil {
		return nil, jsonDecodeError("json", src, err)
	}
	if t := geoJSONType(&v); t != "" || geo {
		return d.geojson(&v, t)
	}
	if v.Kind != canonical.Array {
		c, err := d.canon(&v)
		if err != nil {
			return nil, &DecodeError{Encoding: "json", Detail: err.Error()}
		}
		return []Document{{Value: v, Canonical: c, Single: true}}, nil
	}
	docs := make([]Document, len(v.Items))
	for i := range v.Items {
		c, err := d.canon(&v.Items[i])
		if err != nil {
			return nil, &DecodeError{Encoding: "json", Index: i, Pointer: "/" + strconv.Itoa(i), Detail: err.Error()}
		}
		docs[i] = Document{Value: v.Items[i], Canonical: c, Index: i}
	}
	return docs, nil
}

// jsonDecodeError places a syntax error of a JSON body; inside a batch
// array the pointer is made relative to the document it lies in.
func jsonDecodeError(enc, src string, err error) error {
	var se *canonical.SyntaxError
	if !errors.As(err, &se) {
		return &DecodeError{Encoding: enc, Detail: err.Error()}
	}
	de := &DecodeError{Encoding: enc, Line: se.Line, Column: se.Column, Pointer: se.Pointer, Detail: se.Msg}
	if first := strings.TrimLeft(src, " \t\r\n"); strings.HasPrefix(first, "[") && len(se.Pointer) > 1 {
		rest := se.Pointer[1:]
		seg, tail, _ := strings.Cut(rest, "/")
		if n, err := strconv.Atoi(seg); err == nil {
			de.Index = n
			if tail != "" {
				de.Pointer = "/" + tail
			} else {
				de.Pointer = ""
			}
		}
	}
	return de
}

func (d *decoder) ndjson(src string) ([]Document, error) {
	d.buf = make([]byte, 0, len(src)+len(src)/8+64)
	docs := make([]Document, 0, strings.Count(src, "\n")+1)
	line := 0
	for len(src) > 0 {
		line++
		text := src
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			text, src = src[:i], src[i+1:]
		} else {
			src = ""
		}
		if blank(text) {
			continue
		}
		v, err := d.p.Parse(text)
		if err != nil {
			var se *canonical.SyntaxError
			de := &DecodeError{Encoding: "ndjson", Index: len(docs), Line: line, Detail: err.Error()}
			if errors.As(err, &se) {
				de.Column, de.Pointer, de.Detail = se.Column, se.Pointer, se.Msg
			}
			return nil, de
		}
		c, err := d.canon(&v)
		if err != nil {
			return nil, &DecodeError{Encoding: "ndjson", Index: len(docs), Line: line, Detail: err.Error()}
		}
		docs = append(docs, Document{Value: v, Canonical: c, Index: len(docs), Line: line})
	}
	return docs, nil
}

func blank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}
