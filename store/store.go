package store

import (
	"context"
	"errors"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/observation"
)

// Errors every adapter returns, so callers decide without knowing the
// database behind.
var (
	// ErrNotFound: no such record.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a record exists under the same key with other content.
	ErrConflict = errors.New("conflict")
)

// ConflictError names the keys of a batch whose stored content differs from
// what was sent. The whole batch was rejected.
type ConflictError struct {
	Keys []observation.Key
	// Indexes are the positions in the batch of the conflicting documents.
	Indexes []int
}

func (e *ConflictError) Error() string {
	return "conflict: different content under an existing (source, id)"
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Outcome is what happened to one document of a batch.
type Outcome int

const (
	// Created: the document is new and now durable.
	Created Outcome = iota + 1
	// Existing: the same content was already stored under this key; the
	// stored record is returned, nothing was written.
	Existing
)

// Stored is one document's result in a batch append.
type Stored struct {
	Record  observation.Record
	Outcome Outcome
}

// ObservationQuery selects observations. Zero fields do not filter.
type ObservationQuery struct {
	Since, Until time.Time // on observed_at: Since <= t < Until
	// BBox is west, south, east, north in degrees; nil means everywhere.
	// West > east crosses the antimeridian. Edges are inclusive. A box
	// selects only observations with a resolved location.
	BBox    *BBox
	Kinds   []observation.Kind
	Sources []string
	// Markings restricts the result to records whose marking the reader
	// may see; nil means no restriction (a trusted internal reader).
	Markings MarkingFilter
	Limit    int // 0: no limit
	// After is the cursor: the (observed_at, sequence) of the last record
	// of the previous page. Paging is stable: a page never repeats or skips
	// a record that existed when the first page was read. A report accepted
	// later with an earlier observed_at lands before the cursor; readers
	// that must see late reports follow ObservationsAfter instead.
	After *Cursor
}

// BBox is a longitude/latitude rectangle in degrees.
type BBox struct {
	West, South, East, North float64
}

// Cursor is a position in a page order: (observed_at, sequence) for
// observations, (start, id) for events.
type Cursor struct {
	ObservedAt time.Time // an observation's observed_at, an event's Start
	Sequence   int64     // observations only
	ID         string    // events only: the event's ID
}

// MarkingFilter decides which markings a reader may see. The store asks it
// once per distinct marking, so it may be as rich as access control needs.
type MarkingFilter func(marking string) bool

// Source is a registered origin of reports: a monitor team, a sensor, a UAV
// crew, an OSINT desk.
type Source struct {
	ID      string
	Org     string
	Kind    string // monitor, sensor, uav, radar, osint
	Grading string // default Admiralty grading, e.g. "B2"; "" if none
	Created time.Time
	// RequireSignature: every report must be signed by one of the
	// source's keys (SourceKey).
	RequireSignature bool
}

// SourceKey is an Ed25519 public key registered to a source; reports name
// it by KeyID in their signature.
type SourceKey struct {
	Source    string
	KeyID     string
	PublicKey []byte // 32 bytes
	Added     time.Time
}

// AgreementVersion is one immutable, dated version of the agreement.
type AgreementVersion struct {
	ID            string    // agreement identifier, e.g. "demo-2026-08-22"
	Version       int       // 1, 2, … per ID
	EffectiveFrom time.Time // when this version governs
	Document      []byte    // the agreement file exactly as loaded
	SHA256        string    // hex of Document
	Loaded        time.Time
}

// LedgerBatch is one entry of the verifiable log as the store remembers
// it: which records it commits, where it is in the log, and the leaf
// hashes of its records (so a proof needs one row, not the records).
type LedgerBatch struct {
	LogIndex uint64
	Type     string
	First    int64 // sequence of the first record
	Count    int
	Root     [32]byte
	Leaves   [][32]byte // Count leaf hashes, in sequence order
	// Chunks are nodes of the batch tree the ledger derives from Leaves
	// and keeps so that a proof needs no rehashing of the whole batch;
	// opaque to the store.
	Chunks [][32]byte
}

// Withdrawal takes a record back without deleting it — a false report, or
// content that must be withheld. The record keeps its ledger leaf; the
// withdrawal is itself a record, committed like any other.
type Withdrawal struct {
	Sequence   int64
	RecordType string // "observation"
	RecordKey  string // "source/id"
	Reason     string
	// Withhold: the record's content is no longer served to anyone.
	Withhold bool
	By       string // who withdrew it
	At       time.Time
}

// AuditEvent is one entry of the audit trail: who did what, when.
type AuditEvent struct {
	Sequence int64
	At       time.Time
	Actor    string // a user name, "anonymous", "demo", "cli:<account>", or the mechanism (commission.SystemUser) for what it does itself
	Org      string // the actor's organisation, "" for none
	Token    string // the id of the token used, "" for none
	Action   string // request, read, submit, withdraw, org, user, token, …
	Target   string // what it was about: a route, a record's key, a user
	Detail   string
}

// Store is everything truce keeps. Every method is safe for concurrent use.
// Times are stored to the microsecond (sub-microsecond digits are cut, in
// stored times and query bounds alike); the Document keeps what was sent.
type Store interface {
	// AppendObservations stores a batch atomically and durably: when it
	// returns nil every document is on disk (fsynced) and every Created
	// record has a new Sequence. A document whose key exists with the same
	// Document bytes is Existing; with other bytes the whole batch is
	// rejected with a *ConflictError and nothing is written. The same key
	// twice in one batch is treated like a resubmission. Created records
	// get sequences in batch order.
	AppendObservations(ctx context.Context, batch []observation.Observation, receivedAt time.Time) ([]Stored, error)
	// Observation returns one stored observation, or ErrNotFound.
	Observation(ctx context.Context, key observation.Key) (observation.Record, error)
	// Observations returns a page of observations in (observed_at,
	// sequence) order, and the cursor of the next page (nil at the end).
	Observations(ctx context.Context, q ObservationQuery) ([]observation.Record, *Cursor, error)
	// ObservationsAfter returns up to limit observations with Sequence >
	// seq, in sequence order: the feed that fusion and the ledger follow.
	// A sequence never becomes visible after a higher one did. limit <= 0:
	// no limit.
	ObservationsAfter(ctx context.Context, seq int64, limit int) ([]observation.Record, error)
	// LastSequence is the highest observation sequence stored (0 when
	// none): how far a follower has to go.
	LastSequence(ctx context.Context) (int64, error)

	// PutSource registers or updates a source.
	PutSource(ctx context.Context, s Source) error
	// Source returns a source, or ErrNotFound.
	Source(ctx context.Context, id string) (Source, error)
	// Sources lists every source by id.
	Sources(ctx context.Context) ([]Source, error)
	// PutSourceKey registers a key; the same key again is a no-op, another
	// key under the same id ErrConflict (keys are never replaced, or old
	// signatures would stop verifying); ErrNotFound for an unknown source.
	PutSourceKey(ctx context.Context, k SourceKey) error
	// SourceKeys lists a source's keys by id.
	SourceKeys(ctx context.Context, source string) ([]SourceKey, error)

	// PutAgreementVersion stores a new version; the same (ID, Version)
	// with the same bytes is a no-op, with other bytes ErrConflict
	// (versions are immutable).
	PutAgreementVersion(ctx context.Context, v AgreementVersion) error
	// AgreementVersions lists every version in (ID, Version) order.
	AgreementVersions(ctx context.Context) ([]AgreementVersion, error)

	// PutLedgerBatches records log entries the ledger committed, in one
	// transaction. A batch already recorded at the same LogIndex with the
	// same content is a no-op; with other content the call fails with
	// ErrConflict and records nothing.
	PutLedgerBatches(ctx context.Context, batches []LedgerBatch) error
	// LedgerBatchAt returns the batch logged at index, or ErrNotFound.
	LedgerBatchAt(ctx context.Context, logIndex uint64) (LedgerBatch, error)
	// LedgerBatchFor returns the batch of type typ that holds sequence
	// seq, or ErrNotFound when it is not committed yet.
	LedgerBatchFor(ctx context.Context, typ string, seq int64) (LedgerBatch, error)
	// LastLedgerBatch returns the last batch: of any type (highest
	// LogIndex) when typ is "", else of type typ (highest First); or
	// ErrNotFound when there is none.
	LastLedgerBatch(ctx context.Context, typ string) (LedgerBatch, error)

	// AppendWithdrawal stores a withdrawal durably and gives it the next
	// withdrawal Sequence. The withdrawn record must exist (ErrNotFound).
	// A withheld observation disappears from Observations; Observation
	// still returns it, and the caller decides what to show.
	AppendWithdrawal(ctx context.Context, w Withdrawal) (Withdrawal, error)
	// Withdrawals lists the withdrawals of one record in sequence order.
	Withdrawals(ctx context.Context, recordType, recordKey string) ([]Withdrawal, error)
	// WithdrawalsAfter returns up to limit withdrawals with Sequence > seq,
	// in sequence order (limit <= 0: no limit).
	WithdrawalsAfter(ctx context.Context, seq int64, limit int) ([]Withdrawal, error)

	// PutOrganisation registers an organisation or updates its name, kind
	// and Commission membership (its code never changes).
	PutOrganisation(ctx context.Context, o access.Organisation) error
	// Organisation returns one, or ErrNotFound.
	Organisation(ctx context.Context, code string) (access.Organisation, error)
	// Organisations lists every organisation by code.
	Organisations(ctx context.Context) ([]access.Organisation, error)
	// PutUser registers a user or updates its organisation, roles and
	// state; ErrNotFound when the organisation is unknown.
	PutUser(ctx context.Context, u access.User) error
	// User returns one, or ErrNotFound.
	User(ctx context.Context, name string) (access.User, error)
	// Users lists every user by name.
	Users(ctx context.Context) ([]access.User, error)
	// PutToken stores a new token; ErrConflict when its id exists,
	// ErrNotFound when its user does not.
	PutToken(ctx context.Context, t access.Token) error
	// Token returns a token by id, or ErrNotFound.
	Token(ctx context.Context, id string) (access.Token, error)
	// Tokens lists a user's tokens, newest first.
	Tokens(ctx context.Context, user string) ([]access.Token, error)
	// RevokeToken marks a token revoked at at (the first revocation
	// stands); ErrNotFound when there is no such token.
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// SetPassword stores a user's password hash; ErrNotFound for an
	// unknown user.
	SetPassword(ctx context.Context, user, hash string) error
	// PasswordHash returns a user's password hash ("" when none is set),
	// or ErrNotFound.
	PasswordHash(ctx context.Context, user string) (string, error)
	// PutSession stores a new session; ErrNotFound for an unknown user.
	PutSession(ctx context.Context, s access.Session) error
	// Session returns a session by its hash, or ErrNotFound.
	Session(ctx context.Context, hash [32]byte) (access.Session, error)
	// RevokeSession ends a session (the first revocation stands);
	// ErrNotFound when there is no such session.
	RevokeSession(ctx context.Context, hash [32]byte, at time.Time) error

	// AppendAudit stores audit events durably, in order, giving each the
	// next audit Sequence; it returns them with their sequences.
	AppendAudit(ctx context.Context, events []AuditEvent) ([]AuditEvent, error)
	// AuditAfter returns up to limit events with Sequence > seq, in order
	// (limit <= 0: no limit).
	AuditAfter(ctx context.Context, seq int64, limit int) ([]AuditEvent, error)

	// PutEvents appends event versions atomically and durably: all or
	// nothing. A version whose (ID, Version) is stored with the same
	// content (SameEvent) is a no-op, so a replay after a crash is
	// harmless; with other content the whole batch is rejected with an
	// *EventConflictError (errors.Is ErrConflict) and nothing is written. A
	// version is never overwritten; the latest of an event is its highest
	// Version, whatever the order versions arrive in. A version CheckEvent
	// refuses fails the batch.
	PutEvents(ctx context.Context, versions []EventRecord) error
	// Events returns a page of events — the latest version of each — in
	// (Start, ID) order, and the cursor of the next page (nil at the end).
	Events(ctx context.Context, q EventQuery) ([]EventRecord, *Cursor, error)
	// Event returns the latest version of an event, or ErrNotFound. It
	// does not filter by marking: the caller decides what to show.
	Event(ctx context.Context, id string) (EventRecord, error)
	// EventVersions returns every stored version of an event in ascending
	// Version order, or ErrNotFound when there is none.
	EventVersions(ctx context.Context, id string) ([]EventRecord, error)
	// LastEventSequence is the highest Sequence over stored event versions
	// (0 when none): the observations after it are to be fused again.
	LastEventSequence(ctx context.Context) (int64, error)
	// EventVersionsAfter returns up to limit event versions with Recorded
	// > seq, in Recorded order (limit <= 0: no limit): the feed the ledger
	// commits event versions from. A Recorded never becomes visible after
	// a higher one did.
	EventVersionsAfter(ctx context.Context, seq int64, limit int) ([]EventRecord, error)

	// AppendRelease stores a sanitised release durably and gives it the
	// next release Sequence; CheckRelease refuses what cannot be kept. The
	// same ID again with the same content (SameRelease) returns the stored
	// release and writes nothing; with other content it is ErrConflict.
	// The released record need not be stored: an event may be released
	// while fusion can still change it.
	AppendRelease(ctx context.Context, r Release) (Release, error)
	// Release returns a release by ID, or ErrNotFound. It does not filter
	// by marking: the caller decides what to show.
	Release(ctx context.Context, id string) (Release, error)
	// Releases returns a page of releases in sequence order.
	Releases(ctx context.Context, q ReleaseQuery) ([]Release, error)
	// ReleasesAfter returns up to limit releases with Sequence > seq, in
	// sequence order (limit <= 0: no limit): the ledger's feed.
	ReleasesAfter(ctx context.Context, seq int64, limit int) ([]Release, error)

	// AppendProcedureRecords stores records of the Commission's and the
	// guarantees' procedures atomically and durably, giving each the next
	// procedure Sequence in batch order; CheckProcedureRecord refuses what
	// cannot be kept. A record whose (Kind, Key, Seq) is stored already
	// fails the whole batch with ErrConflict (records are never
	// replaced): the caller folds again and retries, or tells its user.
	AppendProcedureRecords(ctx context.Context, rs []ProcedureRecord) ([]ProcedureRecord, error)
	// ProcedureRecords returns the records a query selects, in sequence
	// order (so a key's records are in Seq order).
	ProcedureRecords(ctx context.Context, q ProcedureQuery) ([]ProcedureRecord, error)
	// ProcedureRecordsAfter returns up to limit records with Sequence >
	// seq, in sequence order (limit <= 0: no limit): the ledger's feed.
	ProcedureRecordsAfter(ctx context.Context, seq int64, limit int) ([]ProcedureRecord, error)

	// PutWebhookSubscription stores a new, active webhook subscription
	// whose Cursor is the last procedure record stored (it is sent what
	// is recorded after it); ErrConflict when its ID exists.
	// CheckWebhookSubscription refuses what cannot be kept.
	PutWebhookSubscription(ctx context.Context, s WebhookSubscription) (WebhookSubscription, error)
	// WebhookSubscription returns one, or ErrNotFound.
	WebhookSubscription(ctx context.Context, id string) (WebhookSubscription, error)
	// WebhookSubscriptions lists every subscription, active or not, by
	// creation time then ID.
	WebhookSubscriptions(ctx context.Context) ([]WebhookSubscription, error)
	// DeactivateWebhookSubscription stops a subscription at at (the first
	// deactivation stands): its pending deliveries are no longer due.
	// ErrNotFound when there is no such subscription.
	DeactivateWebhookSubscription(ctx context.Context, id string, at time.Time) error
	// EnqueueWebhookDeliveries stores pending deliveries of a subscription
	// and moves its Cursor to cursor, in one transaction: a delivery whose
	// ID is stored already is kept as it is (a replay after a crash is
	// harmless), and the cursor never moves back. ErrNotFound for an
	// unknown subscription.
	EnqueueWebhookDeliveries(ctx context.Context, subscription string, cursor int64, ds []WebhookDelivery) error
	// DueWebhookDeliveries returns up to limit pending deliveries of
	// active subscriptions whose NextAttempt is at or before due, oldest
	// NextAttempt first (limit <= 0: no limit).
	DueWebhookDeliveries(ctx context.Context, due time.Time, limit int) ([]WebhookDelivery, error)
	// RecordWebhookAttempt appends an attempt to the delivery log and sets
	// the delivery's Attempts, State and NextAttempt from it, in one
	// transaction. ErrNotFound for an unknown delivery; ErrConflict when
	// the attempt's number is not the delivery's next.
	RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) error
	// WebhookDeliveries returns up to limit deliveries of a subscription
	// with Sequence > after, in sequence order, each with its Log (limit
	// <= 0: no limit).
	WebhookDeliveries(ctx context.Context, subscription string, after int64, limit int) ([]WebhookDelivery, error)

	// Ping reports whether the store can serve (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}
