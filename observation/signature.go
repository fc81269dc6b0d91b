package observation

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/truce-mechanism/truce/canonical"
)

// SignedBytes is what a report's signature covers, as the schema says:
// the RFC 8785 form of the report without its "signature" member.
func SignedBytes(d Document) ([]byte, error) {
	v, err := withoutSignature(d.Value)
	if err != nil {
		return nil, err
	}
	return canonical.Marshal(&v)
}

// withoutSignature is a report without its "signature" member.
func withoutSignature(v canonical.Value) (canonical.Value, error) {
	if v.Kind != canonical.Object {
		return v, errors.New("a report is a JSON object")
	}
	members := make([]canonical.Member, 0, len(v.Members)+1)
	for _, m := range v.Members {
		if m.Name != "signature" {
			members = append(members, m)
		}
	}
	v.Members = members
	return v, nil
}

// VerifySignature checks a report's signature with an Ed25519 public key.
// The error says what is wrong, for the sender.
func VerifySignature(d Document, sig Signature, pub ed25519.PublicKey) error {
	raw, err := base64.StdEncoding.DecodeString(sig.Sig)
	if err != nil {
		return errors.New("signature.sig is not base64")
	}
	if len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("signature.sig is %d bytes; an Ed25519 signature is %d", len(raw), ed25519.SignatureSize)
	}
	msg, err := SignedBytes(d)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, msg, raw) {
		return fmt.Errorf("the signature does not verify with key %q over the report's RFC 8785 form without \"signature\": the report was changed after signing, or signed with another key", sig.KeyID)
	}
	return nil
}

// Sign adds an Ed25519 signature to a report (a JSON object) and returns
// the signed report in canonical form: what a monitor's device or
// `truce sign` does before sending.
func Sign(report []byte, keyID string, priv ed25519.PrivateKey) ([]byte, error) {
	v, err := canonical.Unmarshal(report)
	if err != nil {
		return nil, err
	}
	if v, err = withoutSignature(v); err != nil {
		return nil, err
	}
	msg, err := canonical.Marshal(&v)
	if err != nil {
		return nil, err
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, msg))
	v.Members = append(v.Members, canonical.Member{Name: "signature", Value: canonical.ObjectValue(
		canonical.Member{Name: "key_id", Value: canonical.StringValue(keyID)},
		canonical.Member{Name: "sig", Value: canonical.StringValue(sig)},
	)})
	return canonical.Marshal(&v)
}
