// Package ledger is the verifiable record: every record truce keeps has a
// leaf in an append-only Merkle log (C2SP tlog-tiles, built with Tessera's
// POSIX driver) whose checkpoints are signed by the mechanism's key and
// cosigned by witnesses the parties run.
//
// The log holds commitments, not content, so it can be public while the
// records are not. A record's commitment is the SHA-256 of its RFC 8785
// canonical form, together with its type and key (Commitment). Records are
// committed in batches: one log entry (Batch) carries the RFC 6962 Merkle
// root of a run of consecutive records of one type, so the log takes a
// few entries a second while intake stores a hundred thousand records.
// A record's proof therefore has two levels (Proof): record → batch root
// inside the entry, entry → checkpoint.
//
// The store is the source of truth for what was acknowledged; the
// Committer follows it in sequence order and is the log's only writer. On
// start it reconciles the store's batch table with the log itself, so a
// kill -9 at any moment leaves every acknowledged record in the log exactly
// once.
package ledger
