//! Findings: how one is built, the API document's words for each rule, and the finding
//! an error of the probe, the plan or the decoder gives.

use std::borrow::Cow;

use super::report::{Finding, Measure, Severity, Value};
use crate::{Error, Rule, Size};

/// Builds a finding; `api_code` follows the rule, except for advice, which draws none.
pub(crate) fn finding(
    rule: Rule,
    severity: Severity,
    measure: Measure,
    measured: Value,
    limit: Value,
    message: String,
) -> Finding {
    Finding {
        rule,
        severity,
        measure,
        measured,
        limit,
        api_code: (severity != Severity::Advice).then(|| rule.api_code()),
        document: Cow::Borrowed(document(rule)),
        message,
    }
}

/// The API document's words for each rule.
pub(super) fn document(rule: Rule) -> &'static str {
    match rule {
        Rule::Format => "Image format: JPG, JPEG, or PNG.",
        Rule::Readable => "The uploaded image is unreadable or the image resolution does not meet requirements.",
        Rule::InputLimit => "Not the document's: our resource limits on inputs (Limits), checked before decoding.",
        Rule::FileSize => "The maximum size is 1 MB. To pass parameters in Base64 format, ensure that the original image size does not exceed 0.6 MB.",
        Rule::Base64Size => "Converting an image to Base64 format increases its data size: avoid exceeding the 1 MB data transfer limit.",
        Rule::MinResolution | Rule::MaxResolution => "The resolution must be between 640 × 480 pixels (height × width) and 1920 × 1080 pixels.",
        Rule::Portrait => "The image height should be greater than the width. If the width is greater than the height, detection accuracy may be reduced.",
        Rule::AspectRatio => "The resolution must be between 640 × 480 pixels (height × width) and 1920 × 1080 pixels. The image height should be greater than the width.",
        Rule::ShortSide => "We recommend scaling the shorter side to 720 pixels.",
        Rule::RecommendedSize => "Image size: 50 KB to 100 KB is recommended.",
        Rule::Quality => "We recommend scaling the shorter side to 720 pixels with a compression ratio greater than 0.9.",
        Rule::Orientation => "Not in the document: the service may ignore the EXIF orientation tag and see the face sideways (the face must be complete and facing the camera).",
        Rule::Blur => "Ensure the photo is clear.",
        Rule::Exposure => "Ensure the photo has normal exposure.",
        Rule::Contrast => "Ensure the photo is clear and has normal exposure.",
        Rule::Face => "NoFaceDetected: No face detected in the uploaded image.",
        Rule::Faces => "If there are multiple faces in the image, the algorithm crops the largest face by default. We recommend avoiding images with multiple faces.",
        Rule::FaceArea => "The face should occupy more than 60% of the image area. A smaller face may reduce detection accuracy.",
        Rule::FaceComplete => "The face in the image must be complete, clear, and unobstructed.",
        Rule::FaceUpright | Rule::FaceFrontal => "The subject should be facing the camera directly. (UnqualifiedPhoto: … has no significant angle deviation.)",
        _ => "",
    }
}

pub(super) fn size(width: u32, height: u32) -> Size {
    Size { width, height }
}

/// A `Reject` finding for an error of the probe, the plan or the decoder.
pub(super) fn from_error(e: &Error) -> Finding {
    let text = |s: &'static str| Value::Text(Cow::Borrowed(s));
    let owned = |s: String| Value::Text(Cow::Owned(s));
    let (measure, measured, limit) = match e {
        Error::UnsupportedFormat { found } => (Measure::Format, text(found), text("JPEG or PNG")),
        Error::UnsupportedJpeg { process } => (
            Measure::Format,
            text(process),
            text("baseline or progressive 8-bit JPEG"),
        ),
        Error::InputTooLarge { bytes, limit } => (
            Measure::FileBytes,
            Value::Bytes(*bytes as u64),
            Value::Bytes(*limit as u64),
        ),
        Error::Dimensions {
            width,
            height,
            reason,
        } => (
            Measure::Resolution,
            Value::Size(size(*width, *height)),
            text(reason),
        ),
        Error::MemoryLimit { needed, limit } => (
            Measure::DecodeBytes,
            Value::Bytes(*needed),
            Value::Bytes(*limit),
        ),
        Error::Corrupt { reason, .. } => (
            Measure::Decode,
            owned(reason.clone()),
            text("a complete, decodable file"),
        ),
        Error::TooSmall {
            width,
            height,
            min_width,
            min_height,
        } => (
            Measure::Resolution,
            Value::Size(size(*width, *height)),
            Value::Size(size(*min_width, *min_height)),
        ),
        Error::AspectRatio {
            width,
            height,
            min_width,
            max_width,
            min_height,
            max_height,
        } => (
            Measure::Resolution,
            Value::Size(size(*width, *height)),
            Value::SizeRange {
                min: size(*min_width, *min_height),
                max: size(*max_width, *max_height),
            },
        ),
        Error::Landscape { width, height } => (
            Measure::Resolution,
            Value::Size(size(*width, *height)),
            text("height above width (turning is off)"),
        ),
        Error::OverBudget { bytes, budget, .. } => (
            Measure::FileBytes,
            Value::Bytes(*bytes as u64),
            Value::Bytes(*budget as u64),
        ),
        Error::InvalidSpec { reason } | Error::Internal { reason } => (
            Measure::Options,
            owned(reason.clone()),
            text("consistent options"),
        ),
    };
    let mut f = finding(
        e.rule(),
        Severity::Reject,
        measure,
        measured,
        limit,
        e.to_string(),
    );
    f.api_code = Some(e.api_code());
    f
}
