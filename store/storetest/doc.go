// Package storetest is the storage contract as a test suite: every adapter
// of store.Store runs the same cases, so "SQLite and PostgreSQL behave
// alike" is something a test proves rather than something a reader hopes.
//
// An adapter's test calls Run with a function that opens an empty store,
// and RunReopen with one that can open the same database a second time.
// The fixtures build documents themselves: the store treats Document as
// opaque bytes, so the suite does not depend on the observation decoder.
package storetest
