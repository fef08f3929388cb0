//! `check` and what it predicts: verdicts and findings, their calibration, the face, and
//! agreement with `prepare`. One test binary rather than one per file, each of which
//! linked the library and its dependencies (BENCHMARKS.md, "The test command"). A
//! module's tests keep their names under its prefix (`check::…`).

#[path = "../common/mod.rs"]
mod common;

mod check;
mod check_and_prepare;
mod check_calibration;
mod faces;
mod one_truth;
