// Package guarantee runs the guarantees of the Paris Declaration of
// 6 January 2026 as the coordination cell and the Special Commission see
// them: the status of the ceasefire, the indicators computed beside each
// determination, the commitments of each guarantor, the obligations they
// create when their trigger fires, and the Multinational Force's
// reassurance measures.
//
// The ceasefire is not in force, then in force from the agreement's
// effective time; a credible cessation of hostilities, a breach and an
// armed attack are determined by people — a record signed by the user who
// made it, resting on a Commission vote that carried (invariant 6). The
// package computes the indicators the agreement names (verified
// violations per day per party over 7, 14 and 30 days with exact Poisson
// confidence intervals, heavy-weapon violations, coverage, the signs of
// an armed attack) and says when the criteria are met; it never
// determines anything itself.
//
// Commitments (declaration components 2–5: military assistance and
// capabilities, intelligence, logistics, diplomatic initiatives,
// sanctions, financing, training, rapid support from defence depots,
// force contributions) each have a trigger, a response time and a legal
// basis. A trigger that fires creates obligations with deadlines; the
// guarantors acknowledge them and report their fulfilment; an obligation
// overdue escalates. Reassurance measures start only at Ukraine's
// request and once a credible cessation has been determined; the package
// refuses otherwise and says which is missing.
//
// Like package commission, it keeps no clock and no storage: records are
// plain values, every function takes the record's time or now, and a
// change is a new record pointing to the one it supersedes (invariant 2).
package guarantee
