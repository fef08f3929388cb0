//! The judgments made from the file and its header, before any pixel is decoded: the
//! transport's sizes, the geometry, the format, the EXIF orientation, the JPEG quality,
//! and how much `prepare` will enlarge the picture.

use std::borrow::Cow;

use super::findings::{finding, from_error, size};
use super::options::{CheckOptions, Role, Transport};
use super::quality;
use super::report::{Measure, Report, Severity, Value};
use crate::face::Face;
use crate::pipeline::geometry::plan;
use crate::pipeline::header::Header;
use crate::pipeline::orient::Transform;
use crate::{Crop, Orientation, Rule, Spec, Turn};

/// The form field the Base64 text is sent in (the SDK puts it in the form body).
const FORM_FIELD: &str = "FacePictureBase64=";

/// The length of `FacePictureBase64=<Base64 of data>` form-encoded: `+`, `/` and `=`
/// each become three bytes (`%2B`, `%2F`, `%3D`).
pub(super) fn form_len(data: &[u8]) -> usize {
    let special = |sextet: u8| usize::from(sextet >= 62);
    let mut specials = 0;
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        specials += special(c[0] >> 2)
            + special((c[0] & 3) << 4 | c[1] >> 4)
            + special((c[1] & 15) << 2 | c[2] >> 6)
            + special(c[2] & 63);
    }
    match *chunks.remainder() {
        [a] => specials += special(a >> 2) + special((a & 3) << 4) + 2,
        [a, b] => {
            specials +=
                special(a >> 2) + special((a & 3) << 4 | b >> 4) + special((b & 15) << 2) + 1
        }
        _ => {}
    }
    FORM_FIELD.len() + Spec::base64_len(data.len()) + 2 * specials
}

/// File, Base64 and form-body sizes against the transport's limits.
pub(super) fn transport_sizes(
    report: &mut Report,
    data: &[u8],
    spec: &Spec,
    options: &CheckOptions,
) {
    let bytes = data.len();
    let mut over = |measure: Measure, measured: usize, limit: usize, what: &str| {
        let rule = match measure {
            Measure::FileBytes => Rule::FileSize,
            _ => Rule::Base64Size,
        };
        report.findings.push(finding(
            rule,
            Severity::WillFix,
            measure,
            Value::Bytes(measured as u64),
            Value::Bytes(limit as u64),
            format!("{what} is {measured} bytes, over {limit}: `prepare` re-encodes it within the limit"),
        ));
    };
    match options.transport {
        Transport::Base64 => {
            let b64 = Spec::base64_len(bytes);
            if bytes > spec.max_bytes {
                over(
                    Measure::FileBytes,
                    bytes,
                    spec.max_bytes,
                    "the file (sent as Base64)",
                );
            }
            if b64 > spec.max_base64_bytes {
                over(
                    Measure::Base64Bytes,
                    b64,
                    spec.max_base64_bytes,
                    "its Base64 text",
                );
            } else {
                let form = form_len(data);
                if form > spec.max_base64_bytes {
                    over(
                        Measure::FormBytes,
                        form,
                        spec.max_base64_bytes,
                        "its form-encoded Base64 field",
                    );
                }
            }
        }
        Transport::Url => {
            if bytes > spec.max_base64_bytes {
                over(Measure::FileBytes, bytes, spec.max_base64_bytes, "the file");
            }
        }
    }
    let advised = spec.recommended_min_bytes..=spec.recommended_max_bytes;
    if !advised.contains(&bytes) && !report.has(Rule::FileSize) && !report.has(Rule::Base64Size) {
        let todo = if bytes > spec.recommended_max_bytes {
            "smaller files upload faster; `prepare` re-encodes at 720 short side"
        } else {
            "a file this small may lack detail; send a larger or less compressed picture"
        };
        report.findings.push(finding(
            Rule::RecommendedSize,
            Severity::Advice,
            Measure::FileBytes,
            Value::Bytes(bytes as u64),
            Value::ByteRange {
                min: spec.recommended_min_bytes as u64,
                max: spec.recommended_max_bytes as u64,
            },
            format!(
                "{bytes} bytes, outside the advised {}–{} KB: {todo}",
                spec.recommended_min_bytes / 1000,
                spec.recommended_max_bytes / 1000
            ),
        ));
    }
}

/// Resolution (of the stored pixels, which the service reads), portrait (as shown), the
/// short side advice, and whether `prepare` could bring it within the rules at all.
pub(super) fn geometry(report: &mut Report, header: &Header, spec: &Spec) {
    let (w, h) = (header.width, header.height);
    let stored = size(w, h);
    let (uw, uh) = Transform::from(header.orientation).output_size(w, h);
    let planned = match plan(w, h, header.orientation, spec, None, 1.0) {
        Ok(p) => p,
        Err(e) => {
            report.findings.push(from_error(&e));
            return;
        }
    };
    let out = size(planned.out.0, planned.out.1);
    let bounds = Value::SizeRange {
        min: size(spec.min_width, spec.min_height),
        max: size(spec.max_width, spec.max_height),
    };
    let below = w < spec.min_width || h < spec.min_height;
    let above = w > spec.max_width || h > spec.max_height;
    for (broken, rule, how) in [
        (below, Rule::MinResolution, "below"),
        (above, Rule::MaxResolution, "above"),
    ] {
        if broken {
            report.findings.push(finding(
                rule,
                Severity::WillFix,
                Measure::Resolution,
                Value::Size(stored),
                bounds.clone(),
                format!(
                    "stored {stored} (width × height) is {how} the {bounds} allowed: `prepare` makes it {out}"
                ),
            ));
        }
    }
    if uh <= uw {
        report.findings.push(finding(
            Rule::Portrait,
            Severity::WillFix,
            Measure::Resolution,
            Value::Size(size(uw, uh)),
            Value::Text(Cow::Borrowed("height above width")),
            format!("{uw}x{uh} as shown is not portrait: `prepare` turns it to {out}"),
        ));
    }
    let short = uw.min(uh);
    if !below && !above && short != spec.target_short_side {
        let todo = if short > spec.target_short_side {
            format!("`prepare` scales it to {out}")
        } else {
            "a larger picture is advised (`prepare` does not enlarge it beyond the minimum size)"
                .to_owned()
        };
        report.findings.push(finding(
            Rule::ShortSide,
            Severity::Advice,
            Measure::ShortSide,
            Value::Pixels(short),
            Value::Pixels(spec.target_short_side),
            format!(
                "short side {short} px, {} px advised: {todo}",
                spec.target_short_side
            ),
        ));
    }
}

/// A format the pipeline reads but the API does not take (WebP): `prepare` writes it
/// as a JPEG.
pub(super) fn format_conversion(report: &mut Report, format: crate::Format) {
    if !format.accepted_by_api() {
        report.findings.push(finding(
            Rule::Format,
            Severity::WillFix,
            Measure::Format,
            Value::Text(Cow::Borrowed(format.as_str())),
            Value::Text(Cow::Borrowed("JPEG or PNG")),
            format!(
                "{} is not a format the service takes: `prepare` converts it to JPEG",
                format.as_str()
            ),
        ));
    }
}

pub(super) fn exif_orientation(report: &mut Report, orientation: Orientation) {
    if orientation != Orientation::Normal {
        let v = orientation.exif_value();
        report.findings.push(finding(
            Rule::Orientation,
            Severity::WillFix,
            Measure::ExifOrientation,
            Value::Exif(v),
            Value::Exif(Orientation::Normal.exif_value()),
            format!("EXIF orientation {v}: the service may show it sideways; `prepare` turns the pixels and drops the tag"),
        ));
    }
}

pub(super) fn jpeg_quality(report: &mut Report, header: &Header, options: &CheckOptions) {
    let Some(table) = header.jpeg.as_ref().and_then(|j| j.luma_table) else {
        return;
    };
    let (q, _exact) = quality::estimate_quality(&table);
    report.jpeg_quality = Some(q);
    if q < options.min_jpeg_quality {
        report.findings.push(finding(
            Rule::Quality,
            Severity::Advice,
            Measure::JpegQuality,
            Value::Quality(q),
            Value::Quality(options.min_jpeg_quality),
            format!(
                "JPEG quality about {q}, {} or more advised: save from the original at a higher quality (re-encoding cannot restore detail)",
                options.min_jpeg_quality
            ),
        ));
    }
}

/// How many times `prepare` will enlarge the picture `header` describes (1 when it does
/// not): its plan as `prepare` makes it, with the largest face (in stored pixels) where
/// one was found.
pub(super) fn enlargement(header: &Header, spec: &Spec, role: Role, face: Option<&Face>) -> f64 {
    let planned = |face: Option<&Face>| {
        let spec = Spec {
            turn: match (spec.turn, face) {
                (Turn::Auto, None) => Turn::Clockwise,
                (turn, _) => turn,
            },
            ..*spec
        };
        plan(
            header.width,
            header.height,
            header.orientation,
            &spec,
            face,
            1.0,
        )
        .ok()
    };
    let mut chosen = planned(face);
    // A document is not cropped to its portrait unless asked (as in `prepare`).
    if role == Role::Id
        && spec.crop == Crop::None
        && chosen.as_ref().is_some_and(|p| p.crop.is_some())
    {
        chosen = planned(None);
    }
    chosen.map_or(1.0, |p| {
        (f64::from(p.out.0) / f64::from(p.upright.0.max(1))).max(1.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_len_counts_what_percent_encoding_grows() {
        for data in [
            &b""[..],
            b"\xfb",
            b"\xfb\xff",
            b"\xfb\xff\xbf",
            b"hello world",
            &[0xFF; 100],
            &(0..=255).collect::<Vec<u8>>(),
        ] {
            let text = base64_simd::STANDARD.encode_to_string(data);
            let grown: usize = text
                .chars()
                .map(|c| if matches!(c, '+' | '/' | '=') { 3 } else { 1 })
                .sum();
            assert_eq!(form_len(data), FORM_FIELD.len() + grown, "{data:?}");
        }
    }
}
