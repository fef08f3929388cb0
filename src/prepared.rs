//! What `prepare` hands back: the JPEG, its Base64 text on request, and a report of what
//! was done.

use crate::{Format, Orientation, Rect, Report, Size, TurnedBy};

/// A turn `prepare` made after the EXIF orientation.
///
/// ```
/// use ekyc_preflight::Turned;
/// assert_eq!(Turned::from_quarter_turns(1), Some(Turned::Clockwise));
/// assert_eq!(Turned::from_quarter_turns(0), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Turned {
    /// A quarter turn clockwise.
    Clockwise,
    /// A half turn (an upside-down face).
    HalfTurn,
    /// A quarter turn counter-clockwise.
    CounterClockwise,
}

impl Turned {
    /// The turn of `n` quarter turns clockwise (`None` for none).
    ///
    /// ```
    /// use ekyc_preflight::Turned;
    /// assert_eq!(Turned::from_quarter_turns(3), Some(Turned::CounterClockwise));
    /// ```
    pub fn from_quarter_turns(n: u8) -> Option<Turned> {
        match n % 4 {
            1 => Some(Turned::Clockwise),
            2 => Some(Turned::HalfTurn),
            3 => Some(Turned::CounterClockwise),
            _ => None,
        }
    }

    /// The turn's name in reports (snake case).
    ///
    /// ```
    /// assert_eq!(ekyc_preflight::Turned::HalfTurn.as_str(), "half_turn");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Turned::Clockwise => "clockwise",
            Turned::HalfTurn => "half_turn",
            Turned::CounterClockwise => "counter_clockwise",
        }
    }
}

/// What `prepare` did to an input.
///
/// ```
/// use ekyc_preflight::{Format, Preprocessor};
/// # let photo = ekyc_preflight::doc_sample_png();
/// let prepared = Preprocessor::default().prepare(&photo)?;
/// let report = prepared.report();
/// assert_eq!(report.source_format, Format::Png);
/// assert!(report.resized_to.is_portrait());
/// # Ok::<(), ekyc_preflight::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PrepareReport {
    /// The input's format, as sniffed from its bytes.
    pub source_format: Format,
    /// The input's size in bytes.
    pub source_bytes: usize,
    /// The input's stored size (before EXIF orientation).
    pub source_size: Size,
    /// The input's orientation (`Normal` when it had none): its EXIF tag, or for a PNG
    /// without one, ImageMagick's EXIF text or XMP's `tiff:Orientation`, read as Pillow
    /// reads them.
    pub orientation: Orientation,
    /// Whether the input carried EXIF metadata (all of it is dropped).
    pub had_exif: bool,
    /// Whether the input's embedded ICC colour profile was applied: the pixels converted
    /// to sRGB (the README's colour policy). `false` without a profile, and for one that
    /// is sRGB already, unreadable, or not RGB.
    #[cfg_attr(feature = "serde", serde(default))]
    pub converted_to_srgb: bool,
    /// The turn made after the EXIF orientation, if any: to make a landscape picture
    /// portrait, or the face upright.
    pub turned: Option<Turned>,
    /// What decided the turn: the face ([`Turn::Auto`](crate::Turn::Auto)) or the aspect ratio.
    pub turned_by: Option<TurnedBy>,
    /// The window kept, in the source's stored pixels (before EXIF orientation); `None`
    /// when the whole picture was kept.
    pub crop: Option<Rect>,
    /// The size decoded (smaller than the stored size where the JPEG was shrunk on load).
    pub decoded_size: Size,
    /// The upright size the picture was resized from (after orientation and turn).
    pub resized_from: Size,
    /// The output size.
    pub resized_to: Size,
    /// The JPEG quality of the output.
    pub quality: u8,
    /// The output's size in bytes.
    pub bytes: usize,
    /// The length of the output's Base64 text.
    pub base64_bytes: usize,
    /// How many times the encoder ran: to meet the byte budget (1 in the common case),
    /// and once more for trellis quantisation when the plain encoding was above the
    /// advised size.
    pub encodes: u32,
    /// Whether the output was encoded with trellis quantisation ([`Spec::trellis`](crate::Spec::trellis),
    /// on by default): its plain encoding was above
    /// [`Spec::recommended_max_bytes`](crate::Spec::recommended_max_bytes), and `check`
    /// judged the trellis encoding as it judged the plain one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub trellis: bool,
    /// [`check`](crate::check) run on the output itself: its verdict is `Pass` unless the
    /// picture's content (blur, exposure, contrast) predicts a refusal that no resize or
    /// re-encode can fix.
    pub check: Report,
}

/// An image ready for `EkycVerify`: a JPEG that meets every rule of the [`Spec`](crate::Spec)
/// it was prepared under, checked again after encoding.
///
/// ```
/// use ekyc_preflight::Preprocessor;
/// # let photo = ekyc_preflight::doc_sample_png();
/// let prepared = Preprocessor::default().with_base64(true).prepare(&photo)?;
/// assert!(prepared.height() > prepared.width());
/// assert_eq!(prepared.base64().unwrap().len(), prepared.report().base64_bytes);
/// # Ok::<(), ekyc_preflight::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub(crate) jpeg: Vec<u8>,
    pub(crate) base64: Option<String>,
    pub(crate) report: PrepareReport,
}

impl Prepared {
    /// The JPEG bytes.
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// assert!(prepared.jpeg().starts_with(&[0xFF, 0xD8]));
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn jpeg(&self) -> &[u8] {
        &self.jpeg
    }

    /// The JPEG bytes, by value.
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// let bytes: Vec<u8> = prepared.into_jpeg();
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn into_jpeg(self) -> Vec<u8> {
        self.jpeg
    }

    /// The Base64 text (standard alphabet, padded), if it was asked for with
    /// [`Preprocessor::with_base64`](crate::Preprocessor::with_base64).
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// assert!(prepared.base64().is_none());
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn base64(&self) -> Option<&str> {
        self.base64.as_deref()
    }

    /// The Base64 text, computed now if it was not asked for up front.
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// assert_eq!(prepared.to_base64().len(), prepared.report().base64_bytes);
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn to_base64(&self) -> String {
        match &self.base64 {
            Some(text) => text.clone(),
            None => base64_simd::STANDARD.encode_to_string(&self.jpeg),
        }
    }

    /// Output width in pixels.
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// assert!(prepared.width() >= 480);
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn width(&self) -> u32 {
        self.report.resized_to.width
    }

    /// Output height in pixels.
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// assert!(prepared.height() >= 640);
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn height(&self) -> u32 {
        self.report.resized_to.height
    }

    /// The JPEG quality used.
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// assert_eq!(prepared.quality(), 90);
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn quality(&self) -> u8 {
        self.report.quality
    }

    /// What was done to the input.
    ///
    /// ```
    /// # let prepared = ekyc_preflight::Preprocessor::default().prepare(&ekyc_preflight::doc_sample_png())?;
    /// assert_eq!(prepared.report().bytes, prepared.jpeg().len());
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn report(&self) -> &PrepareReport {
        &self.report
    }
}
