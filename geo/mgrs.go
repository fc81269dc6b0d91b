package geo

import "errors"

// MGRSToLatLon resolves an MGRS reference (any precision, spaces allowed)
// to the centre of the square it names.
func MGRSToLatLon(ref string) (Point, error) {
	return Point{}, errors.New("mgrs: conversion not built yet")
}

// LatLonToMGRS formats p as an MGRS reference with digits digits per axis
// (0..5: 100 km .. 1 m).
func LatLonToMGRS(p Point, digits int) (string, error) {
	return "", errors.New("mgrs: conversion not built yet")
}
