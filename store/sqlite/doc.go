// Package sqlite is the embedded store: one SQLite file (with its -wal and
// -shm companions) in the data folder, through modernc.org/sqlite, which is
// pure Go, so truce stays one binary with nothing else to install.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so when
// AppendObservations returns, the WAL holding the batch has been fsynced
// (see Open for why NORMAL is not enough).
//
// Concurrency: SQLite has one writer at a time. The store owns a single
// write connection and queues writers in Go, so they wait in order instead
// of spinning on SQLITE_BUSY; readers use a separate pool and, in WAL mode,
// never block the writer nor wait for it. Sequences are assigned under the
// write lock, so a reader following ObservationsAfter sees them in order.
//
// Indexes: a B-tree on observed_at (which SQLite extends with the rowid,
// the sequence) gives the (observed_at, sequence) order of pages; a B-tree
// on (day, S2 cell, observed_at) answers bounding box and time window
// queries together: the box becomes a few S2 cell ranges, each day of the
// window one range scan per cell range. A query with a bounding box walks
// its time range in growing windows of days, so an open-ended query stops
// as soon as it has a page instead of collecting every match in history
// and sorting it. (An R*Tree answers the same queries; it was measured and
// set aside because inserting into it cost six times as much: see the
// migration.)
//
// Events: every version is a row of event_versions, never changed;
// events_latest holds one row per event, pointing at its highest version,
// with the same day and cell keys, and moves only forward. Queries choose
// a page from events_latest's covering indexes alone, so an event's old
// versions cost a query nothing, then read the page's versions by key.
package sqlite
