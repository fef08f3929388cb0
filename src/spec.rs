//! The rules an output must meet, and the limits an input must stay within.
//!
//! Every number the pipeline uses is named here, with where it comes from. "The document"
//! is Alibaba Cloud's `EkycVerify` API reference ("Input image format requirements").

/// How the picture is turned to make it portrait, and its face upright.
///
/// The document asks for "height greater than width" and a face "facing the camera". With
/// [`Turn::Auto`] (the default) the largest face decides: the picture is turned so that
/// the face is upright, and a landscape picture whose face is already upright is cropped
/// to a portrait window around the face rather than laid on its side. Without a face a
/// landscape picture is turned a quarter turn clockwise, the camera most likely held
/// sideways. The other values turn by the aspect ratio alone.
///
/// ```
/// use ekyc_preflight::{Spec, Turn};
/// assert_eq!(Spec::default().turn, Turn::Auto);
/// let spec = Spec { turn: Turn::CounterClockwise, ..Spec::default() };
/// assert_eq!(spec.turn, Turn::CounterClockwise);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Turn {
    /// Turn so that the largest face is upright (a landscape picture whose face is upright
    /// is cropped to portrait around the face); with no face, as [`Turn::Clockwise`]. The
    /// default.
    Auto,
    /// Turn a landscape picture a quarter turn clockwise.
    Clockwise,
    /// Turn a quarter turn counter-clockwise.
    CounterClockwise,
    /// Never turn: a landscape input is refused, since its output could not be portrait.
    Off,
}

/// Whether `prepare` crops the picture to the face.
///
/// The document recommends "one face covering over 60% of the image". With
/// [`Crop::Face`], `prepare` keeps a portrait window around the largest face: the face and
/// the margin a passport photo keeps around it ([`FACE_WINDOW`]), widened only as far as
/// the minimum size needs and never beyond the picture, so the face is as large a share of
/// the output as the bounds allow without enlarging the source.
///
/// ```
/// use ekyc_preflight::{Crop, Spec};
/// assert_eq!(Spec::default().crop, Crop::None);
/// let selfie = Spec { crop: Crop::Face, ..Spec::default() };
/// # let _ = selfie;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Crop {
    /// Keep the whole picture (a landscape picture with an upright face is still cropped to
    /// portrait by [`Turn::Auto`]). The default.
    None,
    /// Crop to a portrait window around the largest face (no crop when no face is found).
    Face,
}

/// The margin kept around a face's box (as found by the detector: brows to chin, ear to
/// ear) when a window is cropped around it, as fractions of the box's height: above (hair
/// and forehead), below (chin and neck), and at each side. A passport photo shows the
/// whole head with a little room: ICAO 9303 puts the chin-to-crown height at 70–80% of
/// the photo's; with these margins a face box covers about 60% of its window, the
/// document's recommendation ("one face covering over 60% of the image").
///
/// ```
/// let m = ekyc_preflight::FACE_WINDOW;
/// assert!(m.above > m.below);
/// ```
pub const FACE_WINDOW: FaceWindow = FaceWindow {
    above: 0.25,
    below: 0.15,
    side: 0.05,
};

/// Margins around a face box, as fractions of its height ([`FACE_WINDOW`]).
///
/// ```
/// let m = ekyc_preflight::FACE_WINDOW;
/// assert!(m.side >= 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceWindow {
    /// Room above the box.
    pub above: f32,
    /// Room below the box.
    pub below: f32,
    /// Room at each side.
    pub side: f32,
}

/// The window of the whole picture kept when a landscape picture's upright face is
/// cropped to portrait by [`Turn::Auto`]: its width over its height, 3 : 4, the shape of
/// the document's recommended output (720 pixels across, 960 down).
///
/// ```
/// assert!(ekyc_preflight::PORTRAIT_WINDOW_ASPECT < 1.0);
/// ```
pub const PORTRAIT_WINDOW_ASPECT: f32 = 0.75;

/// Resource limits enforced on an input before the expensive work starts.
///
/// The header is probed first; a file over any of these is refused before a pixel buffer
/// is allocated. The defaults suit phone photos up to 100 MP (a 108 MP sensor writes
/// 12000 × 9000) and keep the worst-case decode well under a gigabyte.
///
/// ```
/// use ekyc_preflight::Limits;
/// let tight = Limits { max_input_bytes: 10 << 20, ..Limits::default() };
/// assert!(tight.max_input_bytes < Limits::default().max_input_bytes);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Limits {
    /// Largest input file, in bytes. Default 64 MiB: a 12 MP phone JPEG is 2.5–5 MB, a
    /// 12 MP PNG about 20 MB.
    pub max_input_bytes: usize,
    /// Largest width or height the header may claim. Default 30,000 (JPEG and PNG allow
    /// 65,535 and 2³¹−1; no camera comes near this).
    pub max_side: u32,
    /// Most pixels the header may claim (width × height). Default 100,000,000.
    pub max_pixels: u64,
    /// Largest buffer the decoder may allocate, in bytes (passed to the decoder as
    /// `image::Limits::max_alloc`, and checked by us against the probed header first).
    /// Default 512 MiB.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 64 << 20,
            max_side: 30_000,
            max_pixels: 100_000_000,
            max_alloc: 512 << 20,
        }
    }
}

impl Limits {
    /// No limits at all (each at its type's maximum): for trusted inputs only.
    ///
    /// ```
    /// use ekyc_preflight::Limits;
    /// assert_eq!(Limits::no_limits().max_pixels, u64::MAX);
    /// ```
    pub fn no_limits() -> Self {
        Self {
            max_input_bytes: usize::MAX,
            max_side: u32::MAX,
            max_pixels: u64::MAX,
            max_alloc: u64::MAX,
        }
    }
}

/// The rules an `EkycVerify` image must meet, and how `prepare` meets them.
///
/// `Spec::default()` holds the API document's values. Heights and widths follow the
/// document's "height × width" order: an output is portrait, between 640 × 480 and
/// 1920 × 1080.
///
/// ```
/// use ekyc_preflight::Spec;
/// let spec = Spec::default();
/// assert_eq!((spec.min_height, spec.min_width), (640, 480));
/// assert_eq!((spec.max_height, spec.max_width), (1920, 1080));
/// assert_eq!(spec.max_bytes, 600_000);
/// ```
///
/// Deserialised (feature `serde`), every field left out takes its default, so a service's
/// configuration names only what it changes:
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use ekyc_preflight::{Spec, Subsampling};
/// let spec: Spec = serde_json::from_str(r#"{"upscale": true, "limits": {"max_side": 8000}}"#).unwrap();
/// assert!(spec.upscale);
/// assert_eq!(spec.limits.max_side, 8000);
/// assert_eq!(spec.max_bytes, Spec::default().max_bytes);
/// assert_eq!(spec.limits.max_pixels, Spec::default().limits.max_pixels);
/// // Subsampling is spelt in snake case, as every other option (`"S420"` still reads).
/// let s: Subsampling = serde_json::from_str(r#""s444""#).unwrap();
/// assert_eq!(s, Subsampling::S444);
/// assert_eq!(serde_json::to_string(&Subsampling::S420).unwrap(), r#""s420""#);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Spec {
    /// Smallest output height. Document: "between 640 × 480 pixels (height × width)".
    pub min_height: u32,
    /// Smallest output width. Document: as `min_height`.
    pub min_width: u32,
    /// Largest output height. Document: "and 1920 × 1080 pixels".
    pub max_height: u32,
    /// Largest output width. Document: as `max_height`.
    pub max_width: u32,
    /// The short side an output is scaled to where the source allows it. Document: "We
    /// recommend scaling the shorter side to 720 pixels".
    pub target_short_side: u32,
    /// Most bytes of the JPEG itself. Document: "ensure that the original image size does
    /// not exceed 0.6 MB": which megabyte is not said, so the safe reading, 600,000.
    pub max_bytes: usize,
    /// Most bytes of the Base64 text. Document: "The maximum size is 1 MB" (the data
    /// transfer limit); the safe reading, 1,000,000.
    pub max_base64_bytes: usize,
    /// Smallest recommended file size. Document: "50 KB to 100 KB is recommended" (advice;
    /// `check` reports it, `prepare` does not pad files to reach it).
    pub recommended_min_bytes: usize,
    /// Largest recommended file size. Document: as `recommended_min_bytes`.
    pub recommended_max_bytes: usize,
    /// JPEG quality `prepare` encodes at first. Document: "a compression ratio greater
    /// than 0.9"; 90 is the usual scale's reading of it.
    pub quality: u8,
    /// The lowest quality the byte-budget search may go to before the picture is made
    /// smaller instead. Ours, not the document's: below 70 block artefacts start to show
    /// on faces and ID print.
    pub min_quality: u8,
    /// Chroma subsampling of the output. Default 4:2:0 (box-averaged chroma): the encoder
    /// would otherwise switch to 4:4:4 at quality ≥ 90, about 30% more bytes for no
    /// visible gain on photos.
    pub subsampling: Subsampling,
    /// Encode an output again with trellis quantisation (mozjpeg's, at the same quality
    /// and quantisation tables) when its plain encoding is above `recommended_max_bytes`,
    /// and keep the smaller; at 4:2:0 only (the default subsampling, the one measured).
    /// Default off. On 20 photos at 720 pixels short side and quality 90 it saves 10% of
    /// the bytes (median) for 0.5 dB PSNR, and brings the README's sample under the
    /// document's "50 KB to 100 KB is recommended" (BENCHMARKS.md, "Output size"); but
    /// it costs several plain encodings' time for such outputs (measured on the 12 MP
    /// photo's `prepare`, see BENCHMARKS.md), and on a blurred, noisy photo it smooths
    /// the noise enough that the output's blur measure no longer rejects what the
    /// input's does (`tests/quality/one_truth.rs`). The advice is only advice; the verdict and
    /// the speed come first.
    pub trellis: bool,
    /// Scale an input below the minimum up to the minimum (never further) instead of
    /// refusing it. Default off: upscaling adds no detail, and the service may still judge
    /// the face too small.
    pub upscale: bool,
    /// How a landscape picture is made portrait and a face upright. Document: "The image
    /// height should be greater than the width", and the face "facing the camera".
    /// Default [`Turn::Auto`].
    pub turn: Turn,
    /// Whether to crop to the face. Document: "one face covering over 60% of the image"
    /// is recommended. Default [`Crop::None`].
    pub crop: Crop,
    /// How much the aspect ratio may be stretched to reach "height greater than width"
    /// when the picture is square or rounding would make it so (0.01 = 1%, which on a
    /// 720-pixel side is at most 7 pixels). Default 0.01: invisible, and better than a
    /// refusal.
    pub max_stretch: f64,
    /// Resource limits on inputs.
    pub limits: Limits,
}

/// Chroma subsampling of the output JPEG.
///
/// ```
/// use ekyc_preflight::{Spec, Subsampling};
/// assert_eq!(Spec::default().subsampling, Subsampling::S420);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Subsampling {
    /// 4:2:0, chroma halved both ways and box-averaged (the default).
    #[cfg_attr(feature = "serde", serde(alias = "S420"))]
    S420,
    /// 4:2:2, chroma halved horizontally.
    #[cfg_attr(feature = "serde", serde(alias = "S422"))]
    S422,
    /// 4:4:4, full-resolution chroma.
    #[cfg_attr(feature = "serde", serde(alias = "S444"))]
    S444,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            min_height: 640,
            min_width: 480,
            max_height: 1920,
            max_width: 1080,
            target_short_side: 720,
            max_bytes: 600_000,
            max_base64_bytes: 1_000_000,
            recommended_min_bytes: 50_000,
            recommended_max_bytes: 100_000,
            quality: 90,
            min_quality: 70,
            subsampling: Subsampling::S420,
            trellis: false,
            upscale: false,
            turn: Turn::Auto,
            crop: Crop::None,
            max_stretch: 0.01,
            limits: Limits::default(),
        }
    }
}

impl Spec {
    /// The most JPEG bytes an output may have: `max_bytes`, lowered if need be so that its
    /// Base64 text (4 characters per 3 bytes, padded) stays within `max_base64_bytes`.
    ///
    /// ```
    /// use ekyc_preflight::Spec;
    /// assert_eq!(Spec::default().byte_budget(), 600_000);
    /// let tight = Spec { max_base64_bytes: 400, ..Spec::default() };
    /// assert_eq!(tight.byte_budget(), 300);
    /// ```
    pub fn byte_budget(&self) -> usize {
        self.max_bytes.min(self.max_base64_bytes / 4 * 3)
    }

    /// Length of the Base64 text of `bytes` bytes (standard alphabet, padded).
    ///
    /// ```
    /// use ekyc_preflight::Spec;
    /// assert_eq!(Spec::base64_len(600_000), 800_000);
    /// assert_eq!(Spec::base64_len(1), 4);
    /// ```
    pub fn base64_len(bytes: usize) -> usize {
        bytes.div_ceil(3) * 4
    }

    /// The spec itself when it is consistent and within the document's bounds: check a
    /// spec once where it is built (from a config file, say) and fail there.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`](crate::Error::InvalidSpec) naming the first rule it breaks,
    /// as [`validate`](Self::validate).
    ///
    /// ```
    /// use ekyc_preflight::{Error, Spec};
    /// let spec = Spec { upscale: true, ..Spec::default() }.validated()?;
    /// assert!(spec.upscale);
    /// let err = Spec { max_bytes: 0, ..Spec::default() }.validated().unwrap_err();
    /// assert!(matches!(err, Error::InvalidSpec { .. }));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn validated(self) -> Result<Spec, crate::Error> {
        self.validate().map(|()| self)
    }

    /// Checks that the spec is consistent and within the document's bounds; `prepare`
    /// calls this first.
    ///
    /// ```
    /// use ekyc_preflight::Spec;
    /// assert!(Spec::default().validate().is_ok());
    /// assert!(Spec { min_width: 2000, ..Spec::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), crate::Error> {
        let bad = |reason: &str| {
            Err(crate::Error::InvalidSpec {
                reason: reason.to_owned(),
            })
        };
        if self.min_width == 0 || self.min_height == 0 {
            return bad("minimum width and height must be positive");
        }
        if self.min_width > self.max_width || self.min_height > self.max_height {
            return bad("each minimum must be at most its maximum");
        }
        if self.max_width >= self.max_height {
            return bad("max_width must be below max_height: outputs are portrait");
        }
        if !(1..=100).contains(&self.quality) || !(1..=100).contains(&self.min_quality) {
            return bad("qualities must be within 1..=100");
        }
        if self.min_quality > self.quality {
            return bad("min_quality must be at most quality");
        }
        if self.byte_budget() == 0 {
            return bad("the byte budget is zero");
        }
        if !(0.0..=0.5).contains(&self.max_stretch) {
            return bad("max_stretch must be within 0.0..=0.5");
        }
        Ok(())
    }
}
