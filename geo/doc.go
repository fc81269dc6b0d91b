// Package geo is the mechanism's geography on WGS 84: points, MGRS
// references, and S2 indexes of lines and areas that answer the questions an
// agreement asks of a place — how far is it from the line of contact, which
// party controls it, which zones contain it — in metres, not degrees.
package geo
