//! The pipeline: one module a stage, declared in the order the data flows through them,
//! and [`preprocessor`], the driver that runs them.
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | 1 | [`sniff`] | the format, from the bytes |
//! | 2 | [`probe`] | the header: size, orientation, tables; limits before any allocation |
//! | 3 | [`decode`] | pixels, shrunk on load where the format allows |
//! | 3b | [`colour`] | an embedded ICC profile converted to sRGB |
//! | 4a | [`orient`] | EXIF orientation and the turn as one transform (applied to the resized picture) |
//! | 4b | [`geometry`] | the plan: orientation, portrait turn, crop and scale |
//! | 4c | [`resize`] | Lanczos3 to the planned size |
//! | 5 | [`encode`] | the JPEG, under the byte budget |
//! | 5b | [`trellis`] | the JPEG again with trellis quantisation, when above the advised size |
//! | driver | [`preprocessor`] | runs the stages, then checks what it wrote |
//!
//! The nouns they pass along live below them and import no stage: [`orientation`] (the
//! EXIF tag), [`pixels`] (packed RGB, a JPEG's planes) and [`header`] (what `probe` read).
//! Stages import the nouns and the stages before them; one looks ahead, without a cycle:
//! `probe` asks the JPEG decoder whether a scan with no end marker is whole. No module
//! imports one that imports it back (`tests/layout.rs` fails on any cycle).

// The nouns the stages pass along, in low rooms that import no stage: the EXIF
// orientation, the decoded pixels, and (after `sniff`, whose `Format` it names) the header.
pub(crate) mod orientation;

pub(crate) mod pixels;

// The stages, in flow order.
pub(crate) mod sniff;

pub(crate) mod header;

pub(crate) mod probe;

pub(crate) mod decode;

pub(crate) mod colour;

pub(crate) mod orient;

pub(crate) mod geometry;

pub(crate) mod resize;

pub(crate) mod encode;

// Encoding again with trellis quantisation, when the plain encoding is above the advised
// size.
pub(crate) mod trellis;

// The driver.
pub(crate) mod preprocessor;
