package evaluate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/geo"
)

// Event is an established event as GET /api/v1/events shows it. Fields
// the scorer does not read are kept so that a report can be traced back
// to the event it judged; fields the API may add later are ignored.
type Event struct {
	ID       string    `json:"id"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Location *Point    `json:"location,omitempty"`
	Error    *Ellipse  `json:"error,omitempty"`
	// LocationBasis is "measured" (or absent) for a location the event's
	// reports fix; anything else — "sight_line", "launch" — is a stand-in
	// the server shows for the reader, scored apart.
	LocationBasis string       `json:"location_basis,omitempty"`
	Kind          string       `json:"kind"`
	Weapon        *Weapon      `json:"weapon,omitempty"`
	Count         int          `json:"count"`
	Observations  []ReportKey  `json:"observations"`
	Corroboration string       `json:"corroboration"`
	Violations    []Violation  `json:"violations"`
	Attribution   *Attribution `json:"attribution,omitempty"`
	Origin        *Origin      `json:"origin,omitempty"`
	Marking       Marking      `json:"marking,omitempty"`
	// Tentative: the server judges the event a probable false alarm and
	// lists it only when asked; Score leaves it out, as a reader of the
	// default list would, and counts it apart.
	Tentative bool `json:"tentative,omitempty"`
}

// Point is a WGS 84 position in degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Ellipse is the 95 % error ellipse of a location: semi-axes in metres,
// the major axis clockwise from north in degrees.
type Ellipse struct {
	SemiMajorM     float64 `json:"semi_major_m"`
	SemiMinorM     float64 `json:"semi_minor_m"`
	OrientationDeg float64 `json:"orientation_deg"`
}

// Weapon is the weapon fusion assessed.
type Weapon struct {
	Class     string  `json:"class,omitempty"`
	CaliberMM float64 `json:"caliber_mm,omitempty"`
	System    string  `json:"system,omitempty"`
}

// ReportKey names a report by its source and the source's id for it.
type ReportKey struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// Violation is a rule of the agreement the event breaks.
type Violation struct {
	Rule string `json:"rule"`
	// AgreementVersion names the version in force: the API may give a
	// number or a digest, so it is kept as text.
	AgreementVersion Text   `json:"agreement_version,omitempty"`
	Severity         string `json:"severity,omitempty"`
}

// Attribution is who fired (whose weapons, who restricted), with the
// probability of each party; Party is "undetermined" below the
// agreement's threshold.
type Attribution struct {
	Party         string             `json:"party"`
	Probability   float64            `json:"probability"`
	Probabilities map[string]float64 `json:"probabilities,omitempty"`
}

// Origin is the estimated point of origin of fire.
type Origin struct {
	Lat   float64  `json:"lat"`
	Lon   float64  `json:"lon"`
	Error *Ellipse `json:"error,omitempty"`
	Basis string   `json:"basis,omitempty"` // as Event.LocationBasis
}

// Bases of a location or origin: Measured, or a stand-in such as
// SightLine (one sight line, at its source's usual distance).
const (
	Measured  = "measured"
	SightLine = "sight_line"
)

// standIn: a basis that is not a measurement.
func standIn(basis string) bool { return basis != "" && basis != Measured }

// inEllipse reports whether truth lies inside the ellipse el centred on p.
func inEllipse(p Point, el *Ellipse, truth Point) bool {
	tp := geo.NewTangent(geo.Point{Lat: p.Lat, Lon: p.Lon})
	e, n := tp.ToENU(geo.Point{Lat: truth.Lat, Lon: truth.Lon})
	sin, cos := math.Sincos(el.OrientationDeg * math.Pi / 180)
	major, minor := e*sin+n*cos, e*cos-n*sin
	a, b := max(el.SemiMajorM, 1e-9), max(el.SemiMinorM, 1e-9)
	return (major/a)*(major/a)+(minor/b)*(minor/b) <= 1
}

// Undetermined is the attribution party of an event that no party can be
// held responsible for with enough confidence.
const Undetermined = "undetermined"

// Text is a JSON string or number kept as its text, for fields whose
// type the API leaves open.
type Text string

// UnmarshalJSON accepts a string, a number or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("want a string or a number")
		}
		*t = Text(n.String())
	}
	return nil
}

// Marking is the handling marking of an event: the API gives the
// conjunction of its reports' markings as a list; a single string is
// taken as a list of one.
type Marking []string

// UnmarshalJSON accepts a string, a list of strings or null.
func (m *Marking) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*m = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*m = Marking{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*m = l
	return nil
}

// Page is one page of GET /api/v1/events.
type Page struct {
	Records []Event `json:"records"`
	// NextCursor asks for the following page; empty on the last.
	NextCursor string `json:"next_cursor,omitempty"`
}

// DecodePage reads one page of GET /api/v1/events. Errors name the record
// (by its place in the page and its id) and the field at fault, so a
// server that publishes something the scorer cannot read is told what.
func DecodePage(data []byte) (Page, error) {
	var raw struct {
		Records    *[]json.RawMessage `json:"records"`
		NextCursor *string            `json:"next_cursor"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Page{}, fmt.Errorf("events page: %w", describe(err))
	}
	if raw.Records == nil {
		return Page{}, errors.New(`events page: no "records" list`)
	}
	p := Page{Records: make([]Event, 0, len(*raw.Records))}
	if raw.NextCursor != nil {
		p.NextCursor = *raw.NextCursor
	}
	for i, r := range *raw.Records {
		var e Event
		if err := json.Unmarshal(r, &e); err != nil {
			return Page{}, fmt.Errorf("events page: record %d%s: %w", i, idOf(r), describe(err))
		}
		if err := e.check(); err != nil {
			return Page{}, fmt.Errorf("events page: record %d (id %q): %w", i, e.ID, err)
		}
		p.Records = append(p.Records, e)
	}
	return p, nil
}

// check refuses what would make a score meaningless: an event without an
// id, positions off the globe, probabilities outside [0, 1].
func (e *Event) check() error {
	if e.ID == "" {
		return errors.New("/id: missing")
	}
	if p := e.Location; p != nil && !onGlobe(p.Lat, p.Lon) {
		return fmt.Errorf("/location: %v, %v is not a WGS 84 position", p.Lat, p.Lon)
	}
	if p := e.Origin; p != nil && !onGlobe(p.Lat, p.Lon) {
		return fmt.Errorf("/origin: %v, %v is not a WGS 84 position", p.Lat, p.Lon)
	}
	for i, o := range e.Observations {
		if o.Source == "" || o.ID == "" {
			return fmt.Errorf("/observations/%d: a report needs a source and an id", i)
		}
	}
	if a := e.Attribution; a != nil {
		if !isProbability(a.Probability) {
			return fmt.Errorf("/attribution/probability: %v is not a probability", a.Probability)
		}
		for _, party := range sortedKeys(a.Probabilities) {
			if p := a.Probabilities[party]; !isProbability(p) {
				return fmt.Errorf("/attribution/probabilities/%s: %v is not a probability", party, p)
			}
		}
	}
	return nil
}

func onGlobe(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

func isProbability(p float64) bool { return p >= 0 && p <= 1 && !math.IsNaN(p) }

// idOf finds a record's id for an error message, if it has one.
func idOf(r json.RawMessage) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(r, &v) != nil || v.ID == nil {
		return ""
	}
	if s, ok := v.ID.(string); ok {
		return " (id " + strconv.Quote(s) + ")"
	}
	return ""
}

// describe turns encoding/json's errors into one naming the field.
func describe(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("field %s: want %s, got JSON %s", field, te.Type, te.Value)
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("a time is not RFC 3339: %q", pe.Value)
	}
	return err
}
