//! The judgments made from the pixels: exposure, contrast and sharpness, on the face's
//! region where one was found, on the whole picture otherwise.

use super::analysis::{self, FaceMetrics};
use super::findings::{finding, from_error};
use super::options::CheckOptions;
use super::report::{Measure, Report, Severity, Value};
use crate::face::Face;
use crate::pipeline::decode::Picture;
use crate::{Error, Rule};

/// Judges `picture` on its luminance copy, made in the memory of `luma_memory` and left
/// there for the next call: on the region of `face` (in `picture`'s pixels) where one was
/// found, on the whole picture otherwise.
pub(super) fn judge_picture(
    report: &mut Report,
    picture: Picture,
    face: Option<&Face>,
    enlarge: f64,
    options: &CheckOptions,
    luma_memory: &mut Vec<f32>,
) {
    let reuse = std::mem::take(luma_memory);
    let short_side = options.analysis_short_side.max(1);
    let luma = if enlarge > 1.0 {
        analysis::luma_of(picture, u32::MAX, reuse)
            .map(|luma| analysis::enlarged(luma, enlarge, short_side))
    } else {
        analysis::luma_of(picture, short_side, reuse)
    };
    if let (Some(luma), Some(face)) = (luma.as_ref(), face) {
        let (pw, ph) = picture.size();
        let sx = luma.width as f32 / pw.max(1) as f32;
        let sy = luma.height as f32 / ph.max(1) as f32;
        let clamp = |v: f32, max: usize| (v.max(0.0).round() as usize).min(max);
        let region = (
            clamp(face.x * sx, luma.width),
            clamp(face.y * sy, luma.height),
            clamp((face.x + face.width) * sx, luma.width),
            clamp((face.y + face.height) * sy, luma.height),
        );
        report.face_metrics =
            analysis::measure_region(luma, region, options.dark_level, options.bright_level).map(
                |(region, surround_luma)| FaceMetrics {
                    backlight: i16::from(surround_luma) - i16::from(region.median_luma),
                    region,
                    surround_luma,
                },
            );
    }
    judge(report, luma.as_ref(), options);
    if let Some(luma) = luma {
        *luma_memory = luma.pixels;
    }
}

/// Measures `luma` and adds a finding for each judgement it fails.
pub(super) fn judge(report: &mut Report, luma: Option<&analysis::Luma>, options: &CheckOptions) {
    let Some(luma) = luma else {
        report.findings.push(from_error(&Error::Internal {
            reason: "decoded buffer shorter than its size".into(),
        }));
        return;
    };
    let whole = analysis::measure(luma, options.dark_level, options.bright_level);
    report.metrics = Some(whole);
    // The face's region where one was found (the service judges the face), with the
    // thresholds calibrated for it; the whole picture otherwise.
    let face = report.face_metrics;
    let (m, t, what) = match face {
        Some(f) => (f.region, Thresholds::face(options), "the face: "),
        None => (whole, Thresholds::whole(options), ""),
    };
    let mut push = |rule: Rule, measure: Measure, measured: f64, limit: f64, message: String| {
        report.findings.push(finding(
            rule,
            Severity::Reject,
            measure,
            Value::Number(measured),
            Value::Number(limit),
            message,
        ));
    };
    if let Some(f) = face
        && f.backlight > options.max_backlight
    {
        push(
                Rule::Exposure,
                Measure::Backlight,
                f64::from(f.backlight),
                f64::from(options.max_backlight),
                format!(
                    "backlit (the background is {} levels brighter than the face, at most {} wanted): retake it facing the light",
                    f.backlight, options.max_backlight
                ),
            );
    }
    if m.sharpness < t.min_sharpness {
        push(
            Rule::Blur,
            Measure::Sharpness,
            m.sharpness,
            t.min_sharpness,
            format!(
                "{what}looks blurred (sharpness {:.2}, at least {:.2} wanted): retake it in focus, holding still",
                m.sharpness, t.min_sharpness
            ),
        );
    }
    if m.median_luma < t.min_median_luma {
        push(
            Rule::Exposure,
            Measure::MedianLuma,
            f64::from(m.median_luma),
            f64::from(t.min_median_luma),
            format!(
                "{what}under-exposed (median brightness {}, at least {} wanted): retake it in more light",
                m.median_luma, t.min_median_luma
            ),
        );
    } else if m.dark_fraction > t.max_dark_fraction {
        push(
            Rule::Exposure,
            Measure::DarkFraction,
            m.dark_fraction,
            t.max_dark_fraction,
            format!(
                "{what}under-exposed ({:.0}% of pixels clipped black, at most {:.0}%): retake it in more light",
                100.0 * m.dark_fraction,
                100.0 * t.max_dark_fraction
            ),
        );
    }
    if m.median_luma > t.max_median_luma {
        push(
            Rule::Exposure,
            Measure::MedianLuma,
            f64::from(m.median_luma),
            f64::from(t.max_median_luma),
            format!(
                "{what}over-exposed (median brightness {}, at most {} wanted): retake it out of direct light",
                m.median_luma, t.max_median_luma
            ),
        );
    } else if m.bright_fraction > t.max_bright_fraction {
        push(
            Rule::Exposure,
            Measure::BrightFraction,
            m.bright_fraction,
            t.max_bright_fraction,
            format!(
                "{what}over-exposed ({:.0}% of pixels clipped white, at most {:.0}%): retake it out of direct light",
                100.0 * m.bright_fraction,
                100.0 * t.max_bright_fraction
            ),
        );
    }
    if m.contrast < t.min_contrast {
        push(
            Rule::Contrast,
            Measure::Contrast,
            m.contrast,
            t.min_contrast,
            format!(
                "{what}very low contrast ({:.2}, at least {:.2} wanted): retake it in clear, even light",
                m.contrast, t.min_contrast
            ),
        );
    }
}

/// The limits the image-quality rules judge a picture's or a face's measures by.
struct Thresholds {
    min_sharpness: f64,
    min_median_luma: u8,
    max_dark_fraction: f64,
    max_median_luma: u8,
    max_bright_fraction: f64,
    min_contrast: f64,
}

impl Thresholds {
    fn whole(o: &CheckOptions) -> Self {
        Thresholds {
            min_sharpness: o.min_sharpness,
            min_median_luma: o.min_median_luma,
            max_dark_fraction: o.max_dark_fraction,
            max_median_luma: o.max_median_luma,
            max_bright_fraction: o.max_bright_fraction,
            min_contrast: o.min_contrast,
        }
    }

    fn face(o: &CheckOptions) -> Self {
        Thresholds {
            min_sharpness: o.min_face_sharpness,
            min_median_luma: o.min_face_luma,
            max_dark_fraction: o.max_face_dark_fraction,
            max_median_luma: o.max_face_luma,
            max_bright_fraction: o.max_face_bright_fraction,
            min_contrast: o.min_face_contrast,
        }
    }
}
