//! What `check` hands back: a verdict and the findings behind it.

use std::borrow::Cow;
use std::fmt;

use super::analysis::Metrics;
use crate::{ApiCode, Format, Orientation, Rule, Size};

/// Whether an image will pass `EkycVerify`'s checks as it stands.
///
/// ```
/// use ekyc_preflight::{check, Verdict};
/// // The sample is landscape: `prepare` would turn it.
/// assert_ne!(check(&ekyc_preflight::doc_sample_png()).verdict, Verdict::Pass);
/// assert_eq!(check(b"GIF89a").verdict, Verdict::Reject);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Verdict {
    /// Nothing stands in the way: send it as it is (advice may still apply).
    Pass,
    /// It would be refused as it is, and `prepare` would make it pass.
    Fixable,
    /// It would be refused, and nothing `prepare` does can change that: the picture must
    /// be taken again (or the options changed, as the findings say).
    Reject,
}

impl Verdict {
    /// The verdict's name in reports: `pass`, `fixable`, `reject`.
    ///
    /// ```
    /// use ekyc_preflight::Verdict;
    /// assert_eq!(Verdict::Fixable.as_str(), "fixable");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fixable => "fixable",
            Verdict::Reject => "reject",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding matters. Ordered: `Advice < WillFix < Reject`.
///
/// ```
/// use ekyc_preflight::Severity;
/// assert!(Severity::Advice < Severity::WillFix && Severity::WillFix < Severity::Reject);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Severity {
    /// The document's advice is not met; the call should still succeed.
    Advice,
    /// The call would fail (or risks failing) as the image stands; `prepare` fixes it.
    WillFix,
    /// The call would fail and `prepare` cannot fix it.
    Reject,
}

impl Severity {
    /// The severity's name in reports: `advice`, `will_fix`, `reject`.
    ///
    /// ```
    /// use ekyc_preflight::Severity;
    /// assert_eq!(Severity::WillFix.as_str(), "will_fix");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Advice => "advice",
            Severity::WillFix => "will_fix",
            Severity::Reject => "reject",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding measured (a rule such as [`Rule::Base64Size`] can be broken by more
/// than one quantity).
///
/// ```
/// use ekyc_preflight::Measure;
/// assert_eq!(Measure::FormBytes.as_str(), "form_bytes");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Measure {
    /// The format sniffed from the bytes (or what they looked like instead).
    Format,
    /// Whether the file decodes.
    Decode,
    /// The file's size in bytes.
    FileBytes,
    /// The length of the file's Base64 text (standard alphabet, padded).
    Base64Bytes,
    /// The size of the form field `FacePictureBase64=…` as sent: the Base64 text with
    /// `+`, `/` and `=` percent-encoded to three bytes each.
    FormBytes,
    /// Bytes the decoder would need.
    DecodeBytes,
    /// Width × height in pixels.
    Resolution,
    /// The short side after EXIF orientation.
    ShortSide,
    /// The EXIF orientation tag (1–8).
    ExifOrientation,
    /// The estimated JPEG quality (IJG scale, 1–100).
    JpegQuality,
    /// [`Metrics::sharpness`].
    Sharpness,
    /// [`Metrics::median_luma`].
    MedianLuma,
    /// [`Metrics::dark_fraction`].
    DarkFraction,
    /// [`Metrics::bright_fraction`].
    BrightFraction,
    /// [`Metrics::contrast`].
    Contrast,
    /// The options themselves.
    Options,
    /// The number of faces found.
    Faces,
    /// The largest face's box as a share of the image (0–1).
    FaceArea,
    /// The share of the face's box (or its landmarks) outside the picture (0–1).
    FaceOutside,
    /// The face's roll in degrees, from its eye line (0 upright, ±90 sideways, 180
    /// upside down).
    FaceRoll,
    /// How far the nose sits off the centre between the eyes, as a share of the face's
    /// width (0 frontal).
    FaceYaw,
    /// [`FaceMetrics::backlight`](crate::FaceMetrics).
    Backlight,
}

impl Measure {
    /// The measure's name in reports (snake case).
    ///
    /// ```
    /// use ekyc_preflight::Measure;
    /// assert_eq!(Measure::MedianLuma.as_str(), "median_luma");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Format => "format",
            Measure::Decode => "decode",
            Measure::FileBytes => "file_bytes",
            Measure::Base64Bytes => "base64_bytes",
            Measure::FormBytes => "form_bytes",
            Measure::DecodeBytes => "decode_bytes",
            Measure::Resolution => "resolution",
            Measure::ShortSide => "short_side",
            Measure::ExifOrientation => "exif_orientation",
            Measure::JpegQuality => "jpeg_quality",
            Measure::Sharpness => "sharpness",
            Measure::MedianLuma => "median_luma",
            Measure::DarkFraction => "dark_fraction",
            Measure::BrightFraction => "bright_fraction",
            Measure::Contrast => "contrast",
            Measure::Options => "options",
            Measure::Faces => "faces",
            Measure::FaceArea => "face_area",
            Measure::FaceOutside => "face_outside",
            Measure::FaceRoll => "face_roll",
            Measure::FaceYaw => "face_yaw",
            Measure::Backlight => "backlight",
        }
    }
}

/// A measured value, or the limit it was held to.
///
/// Serialized (feature `serde`) as a one-key object naming the kind: `{"bytes": 712345}`,
/// `{"size": {"width": 1800, "height": 1200}}`, `{"number": 0.21}`.
///
/// ```
/// use ekyc_preflight::Value;
/// assert_eq!(Value::Bytes(600_000).to_string(), "600000 bytes");
/// assert_eq!(Value::ByteRange { min: 50_000, max: 100_000 }.to_string(), "50000–100000 bytes");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Value {
    /// A number of bytes.
    Bytes(u64),
    /// A range of byte counts, inclusive.
    ByteRange {
        /// Smallest.
        min: u64,
        /// Largest.
        max: u64,
    },
    /// A width and height.
    Size(Size),
    /// A range of sizes, inclusive on each side.
    SizeRange {
        /// Smallest width and height.
        min: Size,
        /// Largest width and height.
        max: Size,
    },
    /// A length in pixels.
    Pixels(u32),
    /// A JPEG quality (IJG scale).
    Quality(u8),
    /// An EXIF orientation tag value.
    Exif(u8),
    /// A measure of the analysis (see [`Metrics`]).
    Number(f64),
    /// Anything else, in words.
    Text(Cow<'static, str>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bytes(n) => write!(f, "{n} bytes"),
            Value::ByteRange { min, max } => write!(f, "{min}–{max} bytes"),
            Value::Size(s) => write!(f, "{s}"),
            Value::SizeRange { min, max } => write!(
                f,
                "{}–{} × {}–{}",
                min.width, max.width, min.height, max.height
            ),
            Value::Pixels(n) => write!(f, "{n} px"),
            Value::Quality(q) => write!(f, "quality {q}"),
            Value::Exif(o) => write!(f, "EXIF orientation {o}"),
            Value::Number(x) => write!(f, "{x:.3}"),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// One thing `check` found: the rule, how much it matters, what was measured against
/// what limit, the `EkycVerify` error it would cause, and what to do.
///
/// ```
/// use ekyc_preflight::{check, ApiCode, Rule, Severity};
/// let report = check(b"GIF89a");
/// let f = &report.findings[0];
/// assert_eq!((f.rule, f.severity), (Rule::Format, Severity::Reject));
/// assert_eq!(f.api_code, Some(ApiCode::UnqualifiedPhoto));
/// assert!(f.message.contains("JPEG"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// How much it matters.
    pub severity: Severity,
    /// What was measured.
    pub measure: Measure,
    /// The measured value.
    pub measured: Value,
    /// The limit it was held to.
    pub limit: Value,
    /// The `EkycVerify` error the image would draw as it stands; `None` for advice,
    /// which draws none.
    pub api_code: Option<ApiCode>,
    /// The API document's words for the rule (or, for our own limits, why they exist).
    pub document: Cow<'static, str>,
    /// One line for a person: what is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.severity, self.rule, self.message)?;
        if let Some(code) = self.api_code {
            write!(f, " (EkycVerify: {code})")?;
        }
        Ok(())
    }
}

/// `check`'s judgement of an image as it stands.
///
/// The verdict follows from the findings: `Reject` if any finding is `Reject`, else
/// `Fixable` if any is `WillFix`, else `Pass`.
///
/// ```
/// use ekyc_preflight::{check, Severity, Verdict};
/// let report = check(&ekyc_preflight::doc_sample_png());
/// assert_eq!(report.size.unwrap().width, 1000);
/// let worst = report.findings.iter().map(|f| f.severity).max();
/// assert_eq!(report.verdict == Verdict::Pass, worst <= Some(Severity::Advice));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// The file's size in bytes.
    pub bytes: usize,
    /// The format sniffed from the bytes; `None` when it is neither JPEG nor PNG.
    pub format: Option<Format>,
    /// The stored size (before EXIF orientation); `None` when the header is unreadable.
    pub size: Option<Size>,
    /// The EXIF orientation (`normal` without a tag); `None` when unreadable.
    pub orientation: Option<Orientation>,
    /// The JPEG quality estimated from the luminance quantisation table (IJG scale).
    pub jpeg_quality: Option<u8>,
    /// The analysis' measures; `None` when it did not run.
    pub metrics: Option<Metrics>,
    /// The faces found, largest first, in the upright picture's pixels (empty when none
    /// were found or none were looked for).
    pub faces: Vec<crate::Face>,
    /// The measures of the largest face's region, which the blur, exposure and contrast
    /// rules judge when a face was found (`metrics` is the whole picture's).
    pub face_metrics: Option<crate::FaceMetrics>,
    /// What was found, most severe first.
    pub findings: Vec<Finding>,
}

impl Report {
    pub(crate) fn new(bytes: usize) -> Self {
        Report {
            verdict: Verdict::Pass,
            bytes,
            format: None,
            size: None,
            orientation: None,
            jpeg_quality: None,
            metrics: None,
            faces: Vec::new(),
            face_metrics: None,
            findings: Vec::new(),
        }
    }

    /// Orders the findings (most severe first, stable) and sets the verdict.
    pub(crate) fn finish(mut self) -> Self {
        self.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        self.verdict = match self.findings.first().map(|f| f.severity) {
            Some(Severity::Reject) => Verdict::Reject,
            Some(Severity::WillFix) => Verdict::Fixable,
            _ => Verdict::Pass,
        };
        self
    }

    /// Whether the image passes as it stands (advice aside).
    ///
    /// ```
    /// assert!(!ekyc_preflight::check(b"").passes());
    /// ```
    pub fn passes(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// The findings of `severity` or worse.
    ///
    /// ```
    /// use ekyc_preflight::{check, Severity};
    /// let report = check(&ekyc_preflight::doc_sample_png());
    /// assert!(report.findings_at_least(Severity::Reject).all(|f| f.severity == Severity::Reject));
    /// ```
    pub fn findings_at_least(&self, severity: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity >= severity)
    }

    /// Whether some finding is about `rule`.
    ///
    /// ```
    /// use ekyc_preflight::{check, Rule};
    /// assert!(check(b"GIF89a").has(Rule::Format));
    /// ```
    pub fn has(&self, rule: Rule) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }
}

/// One line: the verdict, then each finding above advice (or the advice, if that is all).
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verdict.as_str())?;
        let floor = if self.verdict == Verdict::Pass {
            Severity::Advice
        } else {
            Severity::WillFix
        };
        for (i, finding) in self.findings_at_least(floor).enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{}: {}", finding.rule, finding.message)?;
        }
        Ok(())
    }
}
