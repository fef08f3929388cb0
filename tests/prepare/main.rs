//! `prepare`'s pipeline: decoding (truth against libjpeg, damage, the shrink-on-load
//! decoder, bad images, fuzz findings), the rules' edges, the hot path, the output's size
//! and the promise as a property. One test binary rather than one per file, each of which
//! linked the library and its dependencies (BENCHMARKS.md, "The test command"). A
//! module's tests keep their names under its prefix (`decode_truth::…`).
//! `tests/hostile_files.rs` stays a binary of its own: it runs its cases again in child
//! processes of itself, by test name, and bounds their peak memory.

#[path = "../common/mod.rs"]
mod common;

mod bad_images;
mod decode_damage;
mod decode_truth;
mod edge_images;
mod fuzz_regressions;
mod hot_path;
mod output_size;
mod promise_proptest;
mod scaled_decoder;
