//! The preflight verdict: judge an image as it stands, from its header, its EXIF and an
//! analysis of a small decoded copy, without re-encoding it.

mod analysis;
pub(crate) mod face;
mod file;
mod findings;
mod input;
mod options;
mod picture;
mod quality;
mod report;

pub use analysis::{FaceMetrics, Metrics};
pub use options::{CheckOptions, Role, Transport};
pub use report::{Finding, Measure, Report, Severity, Value, Verdict};

// `finding` is named here by the face judge (src/check/face/judge.rs).
use file::{
    enlargement, exif_orientation, format_conversion, geometry, jpeg_quality, transport_sizes,
};
pub(crate) use findings::finding;
use findings::from_error;
use picture::judge_picture;

use crate::face::Face;
use crate::pipeline::decode::{decode_shrunk, Decoded, Image8, Picture, Planes};
use crate::pipeline::header::Header;
use crate::pipeline::orient::Transform;
use crate::pipeline::probe::probe;
use crate::{Size, Spec};

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
                report.format = crate::pipeline::sniff::sniff(data).ok();
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
