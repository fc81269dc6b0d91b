// Package witness is a C2SP tlog-witness (https://c2sp.org/tlog-witness):
// a small server that each participant of the mechanism — a party, the
// United States, a coalition state — can run so that nobody has to take the
// operator's word that the ledger is append-only.
//
// The ledger sends every new checkpoint here with a consistency proof from
// the last checkpoint this witness cosigned. The witness checks the log's
// signature, checks the proof, records the new checkpoint durably and only
// then answers with a timestamped cosignature (c2sp.org/tlog-cosignature,
// cosignature/v1, Ed25519). A checkpoint that would fork the log is refused,
// so a reader who demands the witnesses' cosignatures cannot be shown a
// rewritten history, and the refused request is kept as evidence.
//
// The wire format (POST /add-checkpoint):
//
//	request body:  old <size>\n
//	               <base64 hash>\n   (0–63 consistency proof lines)
//	               \n
//	               <checkpoint signed note>
//	200            — <witness name> <base64(key ID || timestamp || signature)>\n
//	400            body malformed, or old size greater than the checkpoint's
//	403            no signature verifies against the origin's log key
//	404            the checkpoint's origin is not a log this witness follows
//	409            Content-Type text/x.tlog.size, body "<held size>\n":
//	               old size is not the size this witness last cosigned
//	409            (text/plain) same size as the held checkpoint, other root
//	422            the consistency proof does not verify (or is not empty
//	               when it must be: old size 0, or old size = checkpoint size)
//	405, 413       not a POST; body over MaxRequestBytes
//	500            the new state could not be saved: nothing was cosigned
//	503            the witness is closing
//
// Refusals other than the size conflict carry one line of text/plain
// saying why: the protocol is line-oriented and its clients (Tessera's among
// them) read only the status.
//
// State lives in one directory: the witness key (witness.key, 0600, made on
// first start), one file per log holding the last cosigned checkpoint
// (logs/<sha256 of origin>), refused-but-signed requests (evidence/) and a
// lock file that keeps a second witness process off the same state. Losing
// the state directory means the witness forgets what it signed: retire its
// key rather than restart it empty.
package witness
