// Package postgres is the store for more than one machine: PostgreSQL
// through pgx's connection pool, with nothing beyond built-in types (no
// PostGIS, no extension).
//
// Durability: every connection runs with synchronous_commit=on, so a
// commit returns once its WAL is flushed; Open refuses a server with
// fsync=off.
//
// Intake: a batch is written with COPY (binary) in one transaction.
// Sequences come from a one-row counter that each append locks until it
// commits. A plain PostgreSQL sequence would not do: nextval is not
// transactional, so two concurrent appends can commit out of order
// (sequence 11 visible before 10), and a reader following
// ObservationsAfter(10) would step past 10 for good. Under the counter's
// row lock appends commit one after another, in sequence order, and the
// counter has no gaps. (The contract suite's follower test fails with
// nextval-like allocation.)
//
// Indexes: the same as the SQLite store's. A B-tree on (observed_at,
// sequence) gives the order of pages; a B-tree on (day, S2 cell,
// observed_at) answers bounding box and time window queries, the box
// covered by a few S2 cell ranges and each day of the window scanned once
// per range.
//
// Events: as in the SQLite store, event_versions keeps every version and
// events_latest one row per event pointing at its highest version, indexed
// like observations; event ids collate as "C" so that (start, id) order is
// bytewise in both stores whatever the database's locale.
package postgres
