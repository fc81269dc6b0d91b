// Package commission runs the procedure of the Special Commission that,
// under the Paris Declaration of 6 January 2026, addresses breaches of the
// ceasefire, attributes responsibility and determines remedies.
//
// A Case is the fold of its Actions, in order: opened (automatically for a
// breach at or above the agreement's severity threshold, or by a member
// citing events and incidents), the accused party notified with the reply
// deadline the agreement sets, its reply, motions put to the vote, votes,
// the finding, the remedies ordered from the agreement's ladder, reports
// and assessments of compliance, closing, and reopening on new evidence.
// Nothing is edited in place (invariant 2): a reopened case gets a new
// round and a new finding that names the one it supersedes.
//
// The package decides nothing. It enforces the procedure the agreement
// sets — who may act, one vote per member, the quorum, the majority,
// the accused party's right to be heard before a finding — and refuses
// anything else with a Refusal that names the rule broken in the words a
// Commission member would use. People decide: every action carries the
// user and organisation that took it, its time and its marking.
//
// There is no clock and no storage here. Every function takes the
// action's own time, or the time a question is asked at (now); the store
// persists the actions Apply accepts, and the API shows them.
package commission
