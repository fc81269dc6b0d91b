package store

import (
	"fmt"
	"net/url"
	"time"
)

// WebhookSubscription is a receiver of the procedure records' notifications:
// an HTTPS (or HTTP) endpoint that an admin registered for an
// organisation. It is sent what a reader of that organisation with Roles
// may see, nothing more (DESIGN.md, invariant 4).
type WebhookSubscription struct {
	ID  string
	URL string
	// Secret keys the HMAC of every delivery. The store keeps it as given:
	// it must sign, so it cannot be hashed; the API never shows it again.
	Secret string
	Org    string
	Roles  []string
	Active bool
	// Cursor is the last procedure Sequence whose deliveries are queued;
	// PutWebhookSubscription sets it to the last record stored, so a new
	// subscription is sent what is recorded after it.
	Cursor      int64
	Created     time.Time
	CreatedBy   string
	Deactivated time.Time // zero while Active
}

// States of a webhook delivery.
const (
	DeliveryPending   = "pending"   // queued; attempted when NextAttempt is due
	DeliveryDelivered = "delivered" // a 2xx answered an attempt
	DeliveryFailed    = "failed"    // every attempt failed; given up
)

// WebhookDelivery is one notification owed to one subscription. It is
// stored before its first attempt, so a restart resumes it: a receiver
// may get it twice (at least once), never zero times.
type WebhookDelivery struct {
	// Sequence orders deliveries in the log, in the order they were queued.
	Sequence     int64
	ID           string // the Truce-Delivery header; the receiver's idempotency key
	Subscription string
	Event        string // the Truce-Event header: the record's kind
	RecordKey    string // the record's ledger key, kind/key/seq
	Record       int64  // the record's procedure Sequence
	Body         []byte // exactly what is POSTed, and signed, on every attempt
	State        string
	Attempts     int
	NextAttempt  time.Time // when pending: not before
	Created      time.Time
	// Log is the delivery's attempts, oldest first (filled by
	// WebhookDeliveries).
	Log []WebhookAttempt
}

// WebhookAttempt is one POST of a delivery, as the delivery log keeps it.
type WebhookAttempt struct {
	Delivery     string
	Subscription string
	RecordKey    string
	Attempt      int    // 1-based
	Status       int    // the HTTP status; 0 when no answer came
	Error        string // why it failed without a status (timeout, refused …)
	At           time.Time
	// State is the delivery's state after this attempt, and NextAttempt
	// when it is pending (zero otherwise).
	State       string
	NextAttempt time.Time
}

// CheckWebhookSubscription refuses a subscription the store must not keep.
func CheckWebhookSubscription(s WebhookSubscription) error {
	u, err := url.Parse(s.URL)
	switch {
	case s.ID == "" || len(s.ID) > 100:
		return fmt.Errorf("webhook subscription: an id is 1 to 100 characters")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("webhook subscription %s: the URL must be an absolute http or https URL", s.ID)
	case s.Secret == "":
		return fmt.Errorf("webhook subscription %s: no secret", s.ID)
	case s.Org == "":
		return fmt.Errorf("webhook subscription %s: no organisation", s.ID)
	case s.Created.IsZero():
		return fmt.Errorf("webhook subscription %s: no creation time", s.ID)
	}
	return nil
}
