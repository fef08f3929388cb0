//! `check` and what it predicts: verdicts and findings, their calibration, the face, and
//! agreement with `prepare`, in one test binary: a binary per file linked the library and
//! its dependencies once each (BENCHMARKS.md, "The test command"). A module's tests keep
//! their names under its prefix (`check::…`).

#[path = "../common/mod.rs"]
mod common;

mod check;
mod check_and_prepare;
mod check_calibration;
mod faces;
mod one_truth;
