package observation

// The conformance corpus is generated, not written by hand; see
// testdata/corpus/README.md.
//go:generate go run testdata/gen_corpus.go
