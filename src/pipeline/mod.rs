//! The pipeline: one module a stage, declared in the order the data flows through them,
//! and [`preprocessor`], the driver that runs them.
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | 1 | [`sniff`] | the format, from the bytes |
//! | 2 | [`probe`] | the header: size, orientation, tables; limits before any allocation |
//! | 3 | [`decode`] | pixels, shrunk on load where the format allows |
//! | 3b | [`colour`] | an embedded ICC profile converted to sRGB |
//! | 4a | [`geometry`] | the plan: orientation, portrait turn, crop and scale |
//! | 4b | [`resize`] | Lanczos3 to the planned size |
//! | 4c | [`orient`] | EXIF orientation and the turn, as one transform |
//! | 5 | [`encode`] | the JPEG, under the byte budget |
//! | driver | [`preprocessor`] | runs the stages, then checks what it wrote |

pub(crate) mod sniff;

pub(crate) mod probe;

pub(crate) mod decode;

pub(crate) mod colour;

pub(crate) mod geometry;

pub(crate) mod resize;

pub(crate) mod orient;

pub(crate) mod encode;

pub(crate) mod preprocessor;
