// Package intake is step 1 of the main flow: it takes decoded reports,
// validates each against the intake contract, refuses reports from sources
// nobody registered, and stores the batch atomically and durably. The HTTP
// API and `truce ingest --data` both go through it, so a report is judged
// the same way whichever door it came in by.
package intake
