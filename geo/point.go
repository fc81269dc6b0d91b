package geo

// Point is a WGS 84 position in decimal degrees.
type Point struct {
	Lat, Lon float64
}
