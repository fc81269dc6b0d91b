package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook delivery.
const (
	HeaderSignature = "Truce-Signature"
	HeaderDelivery  = "Truce-Delivery"
	HeaderEvent     = "Truce-Event"
)

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock before Verify refuses it (a replay, or a clock gone).
const DefaultTolerance = 5 * time.Minute

// secretPrefix marks a generated secret, so one found in a log or a
// repository is recognisable.
const secretPrefix = "whsec_"

// NewSecret is a fresh webhook secret: "whsec_" and 64 hex digits.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return secretPrefix + hex.EncodeToString(b[:]), nil
}

// Sign is the Truce-Signature header of body sent at t under secret.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Signature is a parsed Truce-Signature header.
type Signature struct {
	Timestamp int64
	V1        [][]byte // every v1 signature, decoded
}

// Errors of Verify.
var (
	ErrMalformedSignature = errors.New("malformed Truce-Signature header")
	ErrStaleSignature     = errors.New("Truce-Signature timestamp outside the tolerance")
	ErrBadSignature       = errors.New("no Truce-Signature matches the body")
)

// maxSignatureHeader bounds what ParseSignature reads.
const maxSignatureHeader = 4096

// ParseSignature reads a Truce-Signature header: comma-separated k=v
// pairs, one t (unix seconds), one or more v1 (64 hex digits); other keys
// are ignored, so a later scheme (v2) can be added beside v1.
func ParseSignature(header string) (Signature, error) {
	var sig Signature
	if len(header) > maxSignatureHeader {
		return sig, fmt.Errorf("%w: longer than %d bytes", ErrMalformedSignature, maxSignatureHeader)
	}
	seenT := false
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sig, fmt.Errorf("%w: %q is not key=value", ErrMalformedSignature, part)
		}
		switch k {
		case "t":
			ts, err := strconv.ParseInt(v, 10, 64)
			if err != nil || seenT || ts < 0 {
				return sig, fmt.Errorf("%w: t must appear once, in unix seconds", ErrMalformedSignature)
			}
			sig.Timestamp, seenT = ts, true
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return sig, fmt.Errorf("%w: v1 must be %d hex digits", ErrMalformedSignature, 2*sha256.Size)
			}
			sig.V1 = append(sig.V1, b)
		}
	}
	if !seenT || len(sig.V1) == 0 {
		return sig, fmt.Errorf("%w: t and v1 are required", ErrMalformedSignature)
	}
	return sig, nil
}

// Verify checks a delivery as its receiver: the header parses, its
// timestamp is within tolerance of now, and one of its v1 signatures is
// the HMAC of the timestamp and the body under secret (compared in
// constant time). tolerance <= 0 means DefaultTolerance.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	sig, err := ParseSignature(header)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if d := now.Unix() - sig.Timestamp; d > int64(tolerance/time.Second) || -d > int64(tolerance/time.Second) {
		return ErrStaleSignature
	}
	want := mac(secret, strconv.FormatInt(sig.Timestamp, 10), body)
	for _, v := range sig.V1 {
		if hmac.Equal(v, want) {
			return nil
		}
	}
	return ErrBadSignature
}
