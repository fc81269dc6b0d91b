// Package store is the storage contract: what truce keeps and how it is
// read back, free of any particular database. The adapters live in
// store/sqlite (the embedded default) and store/postgres; one contract
// suite, store/storetest, runs against both.
package store
