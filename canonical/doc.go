// Package canonical implements the JSON Canonicalization Scheme of
// RFC 8785 (JCS): one byte sequence for every JSON text that means the same
// thing, so that a record can be hashed into the ledger and signed by its
// source, and anyone holding the record can recompute the hash.
//
// JCS stands on I-JSON (RFC 7493), so the decoder here is stricter than
// encoding/json where meaning would otherwise be ambiguous: a member name
// given twice, a string that is not UTF-8 or holds a lone surrogate, and a
// number beyond the range of an IEEE 754 double are errors, never silently
// "fixed". Number literals are kept exactly as sent (Value.Text) beside
// their nearest double, so that a validator can compare them exactly with
// a bound while the canonical form still follows ECMAScript.
package canonical
