// Package assess turns a fused event into what the mechanism establishes
// about it under the agreement version in force at its start (DESIGN.md,
// flow step 3): the rules it breaks and their severity, who is
// responsible with what probability, and how well the reports behind it
// corroborate each other.
//
//   - Violations: the agreement's CEL rules applied to the event at its
//     place, and to a firing's weapon at its point of origin (a heavy gun
//     firing from inside its withdrawal zone breaks the withdrawal rule).
//     Every violation names the version that found it (invariant 5).
//   - Attribution: the probability that the origin lies in each party's
//     controlled area, integrated over the origin estimate's normal
//     distribution, widened by a measured model-error allowance; mass on
//     no party's ground stays nobody's. Never from a reporter's claim of
//     who fired. "undetermined" below the agreement's threshold.
//   - Corroboration: reported, corroborated, verified, from independent
//     sources and their grading; the Commission's confirmed, disputed or
//     rejected come in as a review, set by people (invariant 6).
//
// Assess is a pure function of the event, its reports, the review, the
// agreement versions and the source registry (invariant 3): the same
// inputs give the same Assessment. ATTRIBUTION.md records how the
// integration and the model-error allowance were chosen and measured.
//
// Domain logic only: no storage, no HTTP. The caller fetches the member
// reports and supplies the source registry.
package assess
