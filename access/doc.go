// Package access decides who may see and do what: markings on records and
// the reader they are checked against. Every read path asks a Reader before
// a record leaves the process, so a record a reader may not see does not
// exist for that reader (404, never 403).
//
// Today it knows two readers: the anonymous public (PUBLIC records only, no
// writes) and the demo user of `truce serve --demo` (everything).
// Organisations, users, tokens and sessions build on the same Reader.
package access
