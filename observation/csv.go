package observation

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/truce-mechanism/truce/canonical"
)

// cellKind says how a CSV cell becomes a JSON value.
type cellKind uint8

const (
	cellString   cellKind = iota
	cellNumber            // a JSON number when it reads as one, else the text
	cellEvidence          // sha256 hashes separated by ';'
)

// csvColumns is the flat header of CSV.md: dotted paths into the report.
// Keep the two in step.
var csvColumns = map[string]cellKind{
	"id": cellString, "source": cellString, "observed_at": cellString,
	"time_sigma_s": cellNumber, "kind": cellString, "count": cellNumber, "fire": cellString,
	"weapon.class": cellString, "weapon.caliber_mm": cellNumber, "weapon.system": cellString,
	"observer.lat": cellNumber, "observer.lon": cellNumber, "observer.mgrs": cellString, "observer.cep_m": cellNumber,
	"location.lat": cellNumber, "location.lon": cellNumber, "location.mgrs": cellString, "location.cep_m": cellNumber,
	"origin.lat": cellNumber, "origin.lon": cellNumber, "origin.mgrs": cellString, "origin.cep_m": cellNumber,
	"bearing_deg": cellNumber, "bearing_sigma_deg": cellNumber,
	"range_m.min": cellNumber, "range_m.max": cellNumber,
	"origin_bearing_deg": cellNumber, "origin_bearing_sigma_deg": cellNumber,
	"reported_party":      cellString,
	"grading.reliability": cellString, "grading.credibility": cellNumber,
	"marking": cellString, "notes": cellString,
	"evidence":         cellEvidence,
	"signature.key_id": cellString, "signature.sig": cellString,
}

type csvColumn struct {
	top, sub string // "observer", "lat"; sub is "" for a top-level field
	kind     cellKind
}

// csv reads a CSV body with the header of CSV.md. An empty cell is an
// absent field.
func (d *decoder) csv(body []byte) ([]Document, error) {
	d.buf = make([]byte, 0, len(body)*2+64)
	r := csv.NewReader(bytes.NewReader(body))
	r.ReuseRecord = true
	fail := func(index, row, line, col int, detail string) error {
		return &DecodeError{Encoding: "csv", Index: index, Row: row, Line: line, Column: col, Detail: detail}
	}
	readErr := func(index, row int, err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			detail := pe.Err.Error()
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				detail = "this row has a different number of cells than the header"
			}
			return fail(index, row, pe.Line, pe.Column, detail)
		}
		return fail(index, row, 0, 0, err.Error())
	}

	header, err := r.Read()
	if err == io.EOF {
		return nil, fail(0, 1, 1, 0, "empty CSV: the first row must name the columns (see CSV.md)")
	}
	if err != nil {
		return nil, readErr(0, 1, err)
	}
	cols := make([]csvColumn, len(header))
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		name := strings.TrimSpace(h)
		kind, ok := csvColumns[name]
		if !ok {
			return nil, fail(0, 1, 1, 0, fmt.Sprintf("column %d is named %q, which is not a field of a report (see CSV.md for the header)", i+1, clip(h, 40)))
		}
		if seen[name] {
			return nil, fail(0, 1, 1, 0, fmt.Sprintf("column %q appears twice", name))
		}
		seen[name] = true
		top, sub, _ := strings.Cut(name, ".")
		cols[i] = csvColumn{top: top, sub: sub, kind: kind}
	}

	var docs []Document
	for row := 2; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		index := len(docs)
		if err != nil {
			return nil, readErr(index, row, err)
		}
		line, _ := r.FieldPos(0)
		v, err := csvReport(cols, rec)
		if err != nil {
			return nil, fail(index, row, line, 0, err.Error())
		}
		c, err := d.canon(&v)
		if err != nil {
			return nil, fail(index, row, line, 0, err.Error())
		}
		docs = append(docs, Document{Value: v, Canonical: c, Index: index, Row: row, Line: line})
	}
	return docs, nil
}

// csvReport builds a report from one row: fields in header order, the
// members of an object (observer.lat, observer.lon) gathered under it.
func csvReport(cols []csvColumn, rec []string) (canonical.Value, error) {
	members := make([]canonical.Member, 0, len(rec))
	for i, cell := range rec {
		if cell == "" {
			continue
		}
		if !utf8.ValidString(cell) {
			return canonical.Value{}, fmt.Errorf("column %s: the cell is not valid UTF-8", cols[i].name())
		}
		val, err := cellValue(cols[i].kind, cell)
		if err != nil {
			return canonical.Value{}, fmt.Errorf("column %s: %v", cols[i].name(), err)
		}
		c := cols[i]
		if c.sub == "" {
			members = append(members, canonical.Member{Name: c.top, Value: val})
			continue
		}
		parent := -1
		for j := range members {
			if members[j].Name == c.top {
				parent = j
				break
			}
		}
		if parent < 0 {
			members = append(members, canonical.Member{Name: c.top, Value: canonical.ObjectValue()})
			parent = len(members) - 1
		}
		pm := &members[parent].Value
		pm.Members = append(pm.Members, canonical.Member{Name: c.sub, Value: val})
	}
	return canonical.ObjectValue(members...), nil
}

func (c csvColumn) name() string {
	if c.sub == "" {
		return c.top
	}
	return c.top + "." + c.sub
}

func cellValue(kind cellKind, cell string) (canonical.Value, error) {
	switch kind {
	case cellNumber:
		// A cell that reads as a JSON number is one; anything else goes on
		// as text, so that validation names the field ("must be a number").
		if t := strings.TrimSpace(cell); canonical.IsNumberLiteral(t) {
			return canonical.NumberValue(t)
		}
	case cellEvidence:
		var items []canonical.Value
		for part := range strings.SplitSeq(cell, ";") {
			if part = strings.TrimSpace(part); part != "" {
				items = append(items, canonical.ObjectValue(canonical.Member{Name: "sha256", Value: canonical.StringValue(part)}))
			}
		}
		if items == nil {
			items = []canonical.Value{}
		}
		return canonical.ArrayValue(items...), nil
	}
	return canonical.StringValue(cell), nil
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
