//! The thresholds `check` judges pictures by: every number is named here, with where it
//! comes from.

/// How an image will be sent to `EkycVerify`, which decides its size limits.
///
/// ```
/// use ekyc_preflight::{CheckOptions, Transport};
/// let by_url = CheckOptions { transport: Transport::Url, ..CheckOptions::default() };
/// assert_eq!(by_url.transport, Transport::Url);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Transport {
    /// As Base64 text in the form body (`FacePictureBase64`), the default. Document: "To
    /// pass parameters in Base64 format, ensure that the original image size does not
    /// exceed 0.6 MB to avoid exceeding the 1 MB data transfer limit." The file must be
    /// within [`Spec::max_bytes`](crate::Spec), its Base64 text and that text
    /// form-encoded within [`Spec::max_base64_bytes`](crate::Spec).
    Base64,
    /// By URL (`FacePictureUrl`): the file must be within "the maximum size is 1 MB"
    /// ([`Spec::max_base64_bytes`](crate::Spec), the same megabyte).
    Url,
}

/// Which of the two images of an `EkycVerify` call is being judged.
///
/// The call takes a certificate image (`IdFacePicture…`, the ID document, whose portrait
/// is small) and a face image (`FacePicture…`, a selfie). The face rules judge a selfie's
/// face as the service will; on a document they look for the portrait with the detector
/// made for small faces and do not ask it to fill the picture.
///
/// ```
/// use ekyc_preflight::{CheckOptions, Role};
/// assert_eq!(CheckOptions::default().role, Role::Face);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Role {
    /// The face image (a selfie): the default.
    Face,
    /// The certificate image (an ID document with a small portrait).
    Id,
}

/// The thresholds of `check`'s image-quality analysis and its other choices.
///
/// The analysis runs on a luminance copy scaled (area average) so that its short side is
/// [`analysis_short_side`](Self::analysis_short_side); every threshold below is measured
/// on that copy, on the 0–255 scale. The defaults were chosen on the labelled set
/// described in the README ("## check", calibration): sharp photos against Gaussian- and
/// motion-blurred copies, and exposure shifted up and down by whole stops.
///
/// ```
/// use ekyc_preflight::CheckOptions;
/// let strict = CheckOptions { min_sharpness: 0.7, ..CheckOptions::default() };
/// assert!(strict.min_sharpness > CheckOptions::default().min_sharpness);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckOptions {
    /// How the image will be sent. Default [`Transport::Base64`], as `prepare` and the
    /// `request` command send it.
    pub transport: Transport,
    /// Run the pixel analysis (blur, exposure, contrast). Default `true`; without it
    /// `check` reads only the header and never decodes.
    pub analyse: bool,
    /// Short side of the luminance copy the analysis runs on, in pixels. Default 480:
    /// small enough for a 12 MP JPEG to be decoded at a quarter of its size, large enough
    /// that a Gaussian blur of σ 3 on a 1200-pixel short side (σ 1.2 on the copy) still
    /// shows.
    pub analysis_short_side: u32,
    /// Lowest [`Metrics::sharpness`](crate::Metrics) before a picture is judged blurred.
    /// Default 0.45. On the labelled set (README), sharp photos score 0.55 and up (0.38
    /// when also over-exposed by two stops or more), Gaussian blur of σ ≥ 3 and motion
    /// blur of 15 pixels at most 0.44.
    pub min_sharpness: f64,
    /// Lowest [`Metrics::median_luma`](crate::Metrics) before a picture is judged
    /// under-exposed. Default 55: photos as taken have medians of 68 and up; three stops
    /// under a mid-grey median (118) gives 42, two stops 60.
    pub min_median_luma: u8,
    /// Luminance at or below which a pixel counts as clipped black. Default 10.
    pub dark_level: u8,
    /// Largest share of clipped-black pixels before a picture is judged under-exposed.
    /// Default 0.5.
    pub max_dark_fraction: f64,
    /// Highest [`Metrics::median_luma`](crate::Metrics) before a picture is judged
    /// over-exposed. Default 190: photos as taken have medians of at most 161; two stops
    /// over a mid-grey median gives about 218, three stops about 242.
    pub max_median_luma: u8,
    /// Luminance at or above which a pixel counts as clipped white. Default 245.
    pub bright_level: u8,
    /// Largest share of clipped-white pixels before a picture is judged over-exposed.
    /// Default 0.5.
    pub max_bright_fraction: f64,
    /// Lowest [`Metrics::contrast`](crate::Metrics) before a picture is judged too flat
    /// (haze, fog, a washed-out scan). Default 0.25: photos as taken score 0.55 and up,
    /// their contrast scaled by a quarter at most 0.23.
    pub min_contrast: f64,
    /// Lowest [`Metrics::sharpness`](crate::Metrics) of the face's region
    /// ([`FaceMetrics`](crate::FaceMetrics)) before the face is judged blurred. The face
    /// thresholds replace the whole-picture ones when a face is found. Every face default
    /// was chosen on the `fit` half of the labelled set of `tools/calibration/` and
    /// reported on the `held` half (README, "Calibration on the face"). Default 0.17:
    /// Gaussian blur σ 1 scores 0.20 and up, σ 3 (with or without noise σ 10) at most
    /// 0.17.
    pub min_face_sharpness: f64,
    /// Lowest median luminance of the face before it is judged under-exposed. Default 70.
    pub min_face_luma: u8,
    /// Highest median luminance of the face before it is judged over-exposed. Default 200.
    pub max_face_luma: u8,
    /// Largest share of the face's pixels clipped black. Default 0.3.
    pub max_face_dark_fraction: f64,
    /// Largest share of the face's pixels clipped white (a face blown out to white).
    /// Default 0.2.
    pub max_face_bright_fraction: f64,
    /// Lowest contrast of the face's region. Default 0.3: faces as taken score 0.55 and
    /// up, squeezed to a quarter at most 0.27.
    pub min_face_contrast: f64,
    /// Most luminance levels by which the face's surroundings may be brighter than the
    /// face before it is judged backlit. Default 100 (a photo as taken against a bright
    /// wall measured 83).
    pub max_backlight: i16,
    /// Which image of the call this is. Default [`Role::Face`].
    pub role: Role,
    /// Look for faces and judge the face rules (`face`, `faces`, `face_area`,
    /// `face_complete`, `face_upright`, `face_frontal`). Default `true`; off for pictures
    /// that are not of a person (tests, a pipeline that checks faces elsewhere).
    pub detect_faces: bool,
    /// Lowest detector confidence (0–1) for a face to count. Default 0.75: MediaPipe's own
    /// default for BlazeFace is 0.5; on our test photos real faces score 0.88–0.97, and
    /// false or sideways hits reached 0.62.
    pub min_face_score: f32,
    /// Smallest share of the image the largest face's box should cover before the advice
    /// `face_area` is given. Document: "one face covering over 60% of the image" is
    /// recommended. Default 0.6. Not judged for [`Role::Id`].
    pub min_face_area: f64,
    /// Largest tilt of the face (roll, from the eye line) in degrees before the advice
    /// `face_upright` is given. Default 20: beyond it the service's face crop is tilted
    /// noticeably ("facing the camera"); a turn of 45° or more is a quarter turn `prepare`
    /// makes.
    pub max_roll: f64,
    /// Largest share of a face's box (its width) by which the nose may sit off the centre
    /// between the eyes before the head counts as turned away (advice `face_frontal`).
    /// Default 0.25: a frontal face measures under 0.1, a head turned 45° about 0.3.
    pub max_yaw_offset: f64,
    /// Lowest JPEG quality (IJG scale, estimated from the luminance quantisation table)
    /// before the advice "compression ratio greater than 0.9" is reported as missed.
    /// Default 90, the same reading of the document as [`Spec::quality`](crate::Spec).
    pub min_jpeg_quality: u8,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            transport: Transport::Base64,
            analyse: true,
            analysis_short_side: 480,
            min_sharpness: 0.45,
            min_median_luma: 55,
            dark_level: 10,
            max_dark_fraction: 0.5,
            max_median_luma: 190,
            bright_level: 245,
            max_bright_fraction: 0.5,
            min_contrast: 0.25,
            min_jpeg_quality: 90,
            min_face_sharpness: 0.17,
            min_face_luma: 70,
            max_face_luma: 200,
            max_face_dark_fraction: 0.3,
            max_face_bright_fraction: 0.2,
            min_face_contrast: 0.3,
            max_backlight: 100,
            role: Role::Face,
            detect_faces: true,
            min_face_score: 0.75,
            min_face_area: 0.6,
            max_roll: 20.0,
            max_yaw_offset: 0.25,
        }
    }
}
