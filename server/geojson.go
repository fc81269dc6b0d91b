package server

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/truce-mechanism/truce/geo"
)

// GeoJSON (RFC 7946) answers for readers that ask for them with
// Accept: application/geo+json: the same records, as features whose
// properties are the JSON record itself.

const geoJSONType = "application/geo+json"

// wantsGeoJSON reports whether the request's Accept header names GeoJSON
// (ahead of plain JSON when both are listed).
func wantsGeoJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case geoJSONType:
			return true
		case "application/json":
			return false
		}
	}
	return false
}

type geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// pointGeometry is a GeoJSON point, or nil (a feature without a place).
func pointGeometry(p *pointJSON) *geometry {
	if p == nil {
		return nil
	}
	return &geometry{"Point", [2]float64{p.Lon, p.Lat}}
}

// polygonGeometry closes ring and writes it in GeoJSON's lon, lat order.
func polygonGeometry(ring []geo.Point) *geometry {
	coords := make([][2]float64, 0, len(ring)+1)
	for _, p := range ring {
		coords = append(coords, [2]float64{round(p.Lon, 6), round(p.Lat, 6)})
	}
	if len(coords) > 0 && coords[0] != coords[len(coords)-1] {
		coords = append(coords, coords[0])
	}
	return &geometry{"Polygon", [][][2]float64{coords}}
}

type feature struct {
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Geometry   *geometry `json:"geometry"`
	Properties any       `json:"properties"`
}

type featureCollection struct {
	Type       string    `json:"type"`
	Features   []feature `json:"features"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

func newFeatureCollection() *featureCollection {
	return &featureCollection{Type: "FeatureCollection", Features: []feature{}}
}

func (fc *featureCollection) add(id string, g *geometry, props any) {
	fc.Features = append(fc.Features, feature{"Feature", id, g, props})
}

func (fc *featureCollection) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", geoJSONType)
	_ = json.NewEncoder(w).Encode(fc)
}
