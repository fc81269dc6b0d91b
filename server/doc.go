// Package server is truce's HTTP face: the REST API under /api/v1, health
// and metrics endpoints, and the web UI's handlers. It translates between
// HTTP and the domain packages and holds no domain logic of its own: every
// status code comes from one table (problem.go), every read applies the
// reader's markings before anything leaves the process.
package server
