// Package notify tells the outside that the Commission or the guarantees
// recorded something: every procedure record (store.ProcedureRecord) is
// published as a Notification to live subscribers (the server's
// server-sent events stream) and delivered to webhook subscriptions,
// signed, retried with backoff, and logged.
//
// Both paths apply the reader's markings (DESIGN.md, invariant 4): a
// stream subscriber's filter is its reader's CanSee, a webhook is sent
// what a reader of its organisation may see.
//
// The Broker is live and lossy by design: a subscriber that cannot keep
// up is dropped, never waited for, and resumes from the store with the
// last sequence it saw (Last-Event-ID). Webhooks are durable: the
// Dispatcher follows the store's procedure feed with a cursor per
// subscription, stores each delivery before its first attempt, and
// retries it until a 2xx or MaxAttempts; a restart resumes what was
// pending. A receiver may get a delivery more than once (a crash between
// its answer and the log), so it deduplicates on the Truce-Delivery
// header. Several nodes may each run a Dispatcher on one store: a
// delivery due on two of them is sent twice and logged once. A deactivated
// subscription's pending deliveries stay pending, and are not attempted.
//
// # Signatures
//
// Every delivery carries
//
//	Truce-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//	Truce-Delivery:  <delivery id>
//	Truce-Event:     <record kind>
//
// the scheme Stripe uses: the timestamp is signed with the body, so a
// captured delivery cannot be replayed later than the receiver's
// tolerance; the key is the subscription's secret, as text. A receiver
// checks it with Verify. More than one v1 may appear (a secret being
// rotated); one that matches is enough.
package notify
