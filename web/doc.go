// Package web holds the UI's templates and static assets, embedded in the
// binary so the UI needs no network and no files beside the binary.
package web
