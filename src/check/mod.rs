//! The preflight verdict: judge an image as it stands, from its header, its EXIF and an
//! analysis of a small decoded copy, without re-encoding it.

mod analysis;
pub(crate) mod face;
mod options;
mod quality;
mod report;

use std::borrow::Cow;

pub use analysis::{FaceMetrics, Metrics};
pub use face::{Face, Landmarks};
pub use options::{CheckOptions, Role, Transport};
pub use report::{Finding, Measure, Report, Severity, Value, Verdict};

use crate::decode::{decode_shrunk, Decoded, Image8, Picture, Planes};
use crate::geometry::plan;
use crate::orient::Transform;
use crate::probe::{probe, Header};
use crate::{Crop, Error, Orientation, Rule, Size, Spec, Turn};

/// The form field the Base64 text is sent in (the SDK puts it in the form body).
const FORM_FIELD: &str = "FacePictureBase64=";

/// Judges `data` against the API document's rules ([`Spec::default`]) with the default
/// thresholds ([`CheckOptions::default`]). Never panics: any input, however hostile,
/// gets a report (an unreadable one a `Reject` finding saying why).
///
/// ```
/// use ekyc_preflight::{check, Rule, Verdict};
/// let report = check(&ekyc_preflight::doc_sample_png());
/// // 1000 × 750 landscape: `prepare` turns it to portrait.
/// assert!(report.has(Rule::Portrait));
/// assert_ne!(report.verdict, Verdict::Pass);
/// ```
pub fn check(data: &[u8]) -> Report {
    check_with(data, &Spec::default(), &CheckOptions::default())
}

/// Judges `data` against `spec`'s rules with `options`' thresholds.
///
/// `spec` decides what `prepare` could rescue (with [`Spec::upscale`] off a picture below
/// the minimum is a `Reject`; with it, `Fixable`) and the size limits; `options` the
/// transport and the image-quality thresholds.
///
/// ```
/// use ekyc_preflight::{check_with, CheckOptions, Rule, Spec, Turn, Verdict};
/// let photo = ekyc_preflight::doc_sample_png();
/// let no_turn = Spec { turn: Turn::Off, ..Spec::default() };
/// let report = check_with(&photo, &no_turn, &CheckOptions::default());
/// assert_eq!(report.verdict, Verdict::Reject);
/// assert!(report.has(Rule::Portrait));
/// ```
pub fn check_with(data: &[u8], spec: &Spec, options: &CheckOptions) -> Report {
    Checker::new(*spec, *options).check(data)
}

/// [`check_with`] for many inputs: keeps the memory of its decoded copy and of the
/// luminance it analyses from one call to the next, and checks a batch in parallel with
/// one per worker thread ([`check_batch`](Self::check_batch),
/// [`map_batch`](Self::map_batch)). Its reports are exactly `check_with`'s.
///
/// ```
/// use ekyc_preflight::{check_with, CheckOptions, Checker, Spec};
/// let photo = ekyc_preflight::doc_sample_png();
/// let mut checker = Checker::new(Spec::default(), CheckOptions::default());
/// let report = checker.check(&photo);
/// assert_eq!(report, check_with(&photo, &Spec::default(), &CheckOptions::default()));
/// ```
#[derive(Debug)]
pub struct Checker {
    spec: Spec,
    options: CheckOptions,
    /// The planes of the last JPEG decoded for analysis, their memory kept for the next.
    planes: Planes,
    /// The memory of the last luminance copy.
    luma: Vec<f32>,
    /// The face detector's buffers.
    detector: face::Detector,
    /// The memory of the RGB copy faces are looked for on.
    rgb: Image8,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new(Spec::default(), CheckOptions::default())
    }
}

impl Clone for Checker {
    /// The same settings, none of the memory.
    fn clone(&self) -> Self {
        Self::new(self.spec, self.options)
    }
}

impl Checker {
    /// Looks for faces on a decoded `picture` with this checker's role and score, in its
    /// detector's memory.
    pub(crate) fn locate(&mut self, picture: Picture) -> face::Located {
        face::locate(
            &mut self.detector,
            picture,
            self.options.role,
            self.options.min_face_score,
            &mut self.rgb,
        )
    }

    /// The options it judges with.
    pub(crate) fn options(&self) -> &CheckOptions {
        &self.options
    }

    /// A checker judging against `spec`'s rules with `options`' thresholds.
    ///
    /// ```
    /// use ekyc_preflight::{CheckOptions, Checker, Spec};
    /// let checker = Checker::new(Spec::default(), CheckOptions { analyse: false, ..CheckOptions::default() });
    /// ```
    pub fn new(spec: Spec, options: CheckOptions) -> Self {
        Self {
            spec,
            options,
            planes: Planes::default(),
            luma: Vec::new(),
            detector: face::Detector::new(),
            rgb: Image8::default(),
        }
    }

    /// Judges `data`, as [`check_with`] does.
    ///
    /// ```
    /// use ekyc_preflight::{Checker, Verdict};
    /// let report = Checker::default().check(b"not an image");
    /// assert_eq!(report.verdict, Verdict::Reject);
    /// ```
    pub fn check(&mut self, data: &[u8]) -> Report {
        self.check_knowing(data, None, None)
    }

    /// [`check`](Self::check) of `data` with its faces already known (`Some`, in the
    /// upright picture's pixels, largest first) instead of looked for: how `prepare`
    /// judges the bytes it wrote, with the faces it found on the larger source. With
    /// `decoded`, the analysis runs on that picture (`data` decoded, in its stored
    /// orientation) instead of a copy of its own.
    pub(crate) fn check_knowing(
        &mut self,
        data: &[u8],
        faces: Option<&[Face]>,
        decoded: Option<Picture>,
    ) -> Report {
        let (spec, options) = (&self.spec, &self.options);
        let mut report = Report::new(data.len());
        if let Err(e) = spec.validate() {
            report.findings.push(from_error(&e));
            return report.finish();
        }
        let header = match probe(data, &spec.limits) {
            Ok(h) => h,
            Err(e) => {
                report.format = crate::sniff::sniff(data).ok();
                report.findings.push(from_error(&e));
                return report.finish();
            }
        };
        report.format = Some(header.format);
        report.size = Some(Size {
            width: header.width,
            height: header.height,
        });
        report.orientation = Some(header.orientation);

        format_conversion(&mut report, header.format);
        transport_sizes(&mut report, data, spec, options);
        geometry(&mut report, &header, spec);
        exif_orientation(&mut report, header.orientation);
        jpeg_quality(&mut report, &header, options);
        if options.analyse {
            self.analyse(&mut report, data, &header, faces, decoded);
        }
        report.finish()
    }

    /// Checks many inputs in parallel on the current `rayon` thread pool (one `Checker`
    /// per worker thread, with this one's settings); reports come back in input order.
    ///
    /// ```
    /// use ekyc_preflight::{Checker, Verdict};
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let reports = Checker::default().check_batch(&[photo, b"not an image".to_vec()]);
    /// assert_eq!(reports[1].verdict, Verdict::Reject);
    /// ```
    pub fn check_batch<T: AsRef<[u8]> + Sync>(&self, inputs: &[T]) -> Vec<Report> {
        self.map_batch(inputs, |checker, data| checker.check(data.as_ref()))
    }

    /// Runs `f` over `items` in parallel on the current `rayon` thread pool, collecting
    /// its results in input order, and hands each call a `Checker` with this one's
    /// settings that its worker thread keeps from one item to the next: the way to wrap
    /// [`check`](Self::check) in work of your own (reading each input) per item.
    ///
    /// ```
    /// use ekyc_preflight::Checker;
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let inputs = vec![photo.clone(), photo];
    /// let verdicts = Checker::default().map_batch(&inputs, |c, data| c.check(data).verdict);
    /// assert_eq!(verdicts[0], verdicts[1]);
    /// ```
    pub fn map_batch<T, R, F>(&self, items: &[T], f: F) -> Vec<R>
    where
        T: Sync,
        R: Send,
        F: Fn(&mut Checker, &T) -> R + Sync,
    {
        crate::batch::map_kept(items, || self.clone(), f)
    }

    /// Decodes a small copy (shrink-on-load where the format has it) and judges
    /// sharpness, exposure and contrast on its luminance.
    fn analyse(
        &mut self,
        report: &mut Report,
        data: &[u8],
        header: &Header,
        known: Option<&[Face]>,
        given: Option<Picture>,
    ) {
        let (spec, options) = (&self.spec, &self.options);
        let n = options.analysis_short_side.max(1);
        let short = header.width.min(header.height).max(1);
        // The stored size scaled so its short side is `short_side` (never enlarged).
        let scaled = |short_side: u32| {
            if short > short_side {
                let side = |s: u32| {
                    (u64::from(s) * u64::from(short_side)).div_ceil(u64::from(short)) as u32
                };
                (side(header.width), side(header.height))
            } else {
                (header.width, header.height)
            }
        };
        // The smallest the decoder can give at least that large: a 12 MP JPEG is decoded
        // at 1/4 of its size.
        let own = match given {
            Some(_) => None,
            None => {
                let reuse = std::mem::take(&mut self.planes);
                match decode_shrunk(data, header, &spec.limits, scaled(n), reuse) {
                    Ok(decoded) => Some(decoded),
                    Err(e) => {
                        report.findings.push(from_error(&e));
                        return;
                    }
                }
            }
        };
        let Some(picture) = given.or(own.as_ref().map(Decoded::picture)) else {
            return;
        };
        let mut largest = None;
        if options.detect_faces {
            // Decoded pixels ↔ stored pixels ↔ the upright picture's.
            let stored = (header.width, header.height);
            let decoded_size = picture.size();
            let exif = Transform::from(header.orientation);
            let upright = exif.output_size(stored.0, stored.1);
            let faces: Vec<Face> = match known {
                Some(faces) => {
                    // The largest, back in the decoded picture's pixels, where it is measured.
                    let back = exif.inverted();
                    let (sx, sy) = (
                        decoded_size.0 as f32 / stored.0.max(1) as f32,
                        decoded_size.1 as f32 / stored.1.max(1) as f32,
                    );
                    largest = faces.first().map(|f| {
                        f.mapped(
                            |[x, y]| {
                                let (x, y) = back.map_point((x, y), upright.0, upright.1);
                                [x * sx, y * sy]
                            },
                            back.mirrors(),
                        )
                    });
                    faces.to_vec()
                }
                None => {
                    let located = face::locate(
                        &mut self.detector,
                        picture,
                        options.role,
                        options.min_face_score,
                        &mut self.rgb,
                    );
                    largest = located.faces.first().copied();
                    located
                        .scaled_to(stored)
                        .iter()
                        .map(|f| {
                            f.mapped(
                                |[x, y]| {
                                    let (x, y) = exif.map_point((x, y), stored.0, stored.1);
                                    [x, y]
                                },
                                exif.mirrors(),
                            )
                        })
                        .collect()
                }
            };
            face::judge_faces(report, &faces, upright, spec, options);
            report.faces = faces;
        }
        // With `upscale`, a picture below the minimum is judged as `prepare` will enlarge it.
        let enlarge = if spec.upscale {
            let (dw, dh) = picture.size();
            let (sx, sy) = (
                header.width as f32 / dw.max(1) as f32,
                header.height as f32 / dh.max(1) as f32,
            );
            let face = largest
                .as_ref()
                .map(|f| f.mapped(|[x, y]| [x * sx, y * sy], false));
            enlargement(header, spec, options.role, face.as_ref())
        } else {
            1.0
        };
        judge_picture(
            report,
            picture,
            largest.as_ref(),
            enlarge,
            options,
            &mut self.luma,
        );
        // A JPEG's planes are kept for the next call; a packed picture (a full decode, up
        // to the limits) is let go.
        if let Some(Decoded::Planes(planes)) = own {
            self.planes = planes;
        }
    }
}

/// Builds a finding; `api_code` follows the rule, except for advice, which draws none.
fn finding(
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
fn document(rule: Rule) -> &'static str {
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

fn size(width: u32, height: u32) -> Size {
    Size { width, height }
}

/// A `Reject` finding for an error of the probe, the plan or the decoder.
fn from_error(e: &Error) -> Finding {
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

/// The length of `FacePictureBase64=<Base64 of data>` form-encoded: `+`, `/` and `=`
/// each become three bytes (`%2B`, `%2F`, `%3D`).
fn form_len(data: &[u8]) -> usize {
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
fn transport_sizes(report: &mut Report, data: &[u8], spec: &Spec, options: &CheckOptions) {
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
fn geometry(report: &mut Report, header: &Header, spec: &Spec) {
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
fn format_conversion(report: &mut Report, format: crate::Format) {
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

fn exif_orientation(report: &mut Report, orientation: Orientation) {
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

fn jpeg_quality(report: &mut Report, header: &Header, options: &CheckOptions) {
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
fn enlargement(header: &Header, spec: &Spec, role: Role, face: Option<&Face>) -> f64 {
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

/// Judges `picture` on its luminance copy, made in the memory of `luma_memory` and left
/// there for the next call: on the region of `face` (in `picture`'s pixels) where one was
/// found, on the whole picture otherwise.
fn judge_picture(
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
fn judge(report: &mut Report, luma: Option<&analysis::Luma>, options: &CheckOptions) {
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
    if let Some(f) = face {
        if f.backlight > options.max_backlight {
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
