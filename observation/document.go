package observation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/truce-mechanism/truce/canonical"
)

// Document is one report as decoded from a submission, before validation.
type Document struct {
	// Value is the report as a JSON value, number literals as sent. For
	// GeoJSON and CSV it is the report built from the feature or the row.
	Value canonical.Value
	// Canonical is the RFC 8785 form of Value: what is stored, hashed and
	// signed.
	Canonical []byte
	// Index is the document's 0-based place in the batch: the element of a
	// JSON array, the n-th non-blank NDJSON line, the feature of a
	// FeatureCollection, the data row of a CSV file.
	Index int
	// Line is the 1-based line of an NDJSON document, or the line a CSV
	// record starts on; 0 for the other encodings.
	Line int
	// Row is the 1-based row of a CSV record as a spreadsheet numbers it
	// (the header is row 1, so the first report is row 2); 0 otherwise.
	Row int
	// Single is true when the body was one JSON object (or one GeoJSON
	// Feature) rather than a batch, so that it is answered with one record.
	Single bool
}

// where prefixes a message with the place of a document: "line 3",
// "row 5" or "document 2".
func where(index, line, row int) string {
	switch {
	case row > 0:
		return "row " + strconv.Itoa(row)
	case line > 0:
		return "line " + strconv.Itoa(line)
	}
	return "document " + strconv.Itoa(index)
}

// FieldError is one bad field of one document.
type FieldError struct {
	// Pointer is the JSON pointer (RFC 6901) of the bad field within the
	// document, e.g. /observer/lat; "" is the document itself. A missing
	// field is named by the pointer it would have.
	Pointer string
	// Index, Line and Row place the document as Document does.
	Index, Line, Row int
	// Detail says what is wrong, e.g. "must be at most 90 (got 91.5)".
	Detail string
}

// Error reads like "line 3: /observer/lat: must be at most 90 (got 91.5)".
func (e FieldError) Error() string {
	ptr := e.Pointer
	if ptr == "" {
		ptr = "(document)"
	}
	return where(e.Index, e.Line, e.Row) + ": " + ptr + ": " + e.Detail
}

// Summary writes errors for a person: one per line, at most limit of them
// (all when limit <= 0), then how many more there were.
func Summary(errs []FieldError, limit int) string {
	var b strings.Builder
	for i, e := range errs {
		if limit > 0 && i == limit {
			fmt.Fprintf(&b, "… and %d more\n", len(errs)-limit)
			break
		}
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// DecodeError says where a body could not be read as the encoding it was
// sent in. Nothing of such a body is taken.
type DecodeError struct {
	// Encoding is "json", "ndjson", "geojson" or "csv".
	Encoding string
	// Index is the document the fault lies in, when that is known (an
	// NDJSON line, an array element, a feature, a CSV row), else 0.
	Index int
	// Line and Column are 1-based and place the fault in the body (for CSV,
	// the line of the record); 0 when they do not apply.
	Line, Column int
	// Row is the CSV row (the header is row 1); 0 otherwise.
	Row int
	// Pointer is the JSON pointer of the offending value within the
	// document, when there is one.
	Pointer string
	// Detail says what is wrong.
	Detail string
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString(e.Encoding)
	switch {
	case e.Row > 0:
		fmt.Fprintf(&b, " row %d", e.Row)
		if e.Line > 0 && e.Line != e.Row {
			fmt.Fprintf(&b, " (line %d)", e.Line)
		}
	case e.Line > 0:
		fmt.Fprintf(&b, " line %d, column %d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(e.Detail)
	return b.String()
}
