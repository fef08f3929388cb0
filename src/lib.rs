#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(unreachable_pub)]
#![warn(missing_docs)]

mod batch;
mod check;
mod checked;
mod error;
mod face;
mod input;
mod names;
mod pipeline;
mod prepared;
mod rule;
mod size;
mod spec;

#[cfg(feature = "api")]
pub mod api;

#[doc(hidden)]
pub mod stages;

pub use check::{
    check, check_with, CheckOptions, Checker, FaceMetrics, Finding, Measure, Metrics, Report, Role,
    Severity, Transport, Value, Verdict,
};
pub use checked::Checked;
pub use error::{Error, ReadError};
pub use face::{Face, Landmarks};
pub use names::ParseOptionError;
pub use pipeline::geometry::{Rect, TurnedBy};
pub use pipeline::orientation::Orientation;
pub use pipeline::preprocessor::Preprocessor;
pub use pipeline::sniff::Format;
pub use prepared::{PrepareReport, Prepared, Turned};
pub use rule::{ApiCode, Rule};
pub use size::Size;
pub use spec::{
    Crop, FaceWindow, Limits, Spec, Subsampling, Turn, FACE_WINDOW, PORTRAIT_WINDOW_ASPECT,
};

/// A small landscape PNG (1000 × 750 gradient) for the documentation's examples.
#[doc(hidden)]
pub fn doc_sample_png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(1000, 750, |x, y| {
        image::Rgb([(x / 4) as u8, (y / 3) as u8, ((x + y) / 7) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG in memory cannot fail");
    out.into_inner()
}
