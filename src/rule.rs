//! The document's rules and the `EkycVerify` errors that breaking them draws.

/// An error code `EkycVerify` answers with (the document's "Return Code" table).
///
/// ```
/// use ekyc_preflight::ApiCode;
/// assert_eq!(ApiCode::ToolargeImage.as_str(), "ToolargeImage");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ApiCode {
    /// 401: "The uploaded image is unreadable or the image resolution does not meet
    /// requirements."
    UnqualifiedPhoto,
    /// 401: "The image size is too large."
    ToolargeImage,
    /// 401: "No face detected in the uploaded image."
    NoFaceDetected,
    /// 401: "Both Base64-encoded image and URL image address are provided."
    DataDuplication,
    /// 400: "Invalid parameter."
    InvalidParameter,
    /// 400: "Parameter cannot be empty."
    MissingParameter,
    /// 500: "Internal system error." Ours: what an [`Error::Internal`](crate::Error::Internal)
    /// (a bug of this crate, not a fault of the input) reports.
    InternalError,
}

impl ApiCode {
    /// The code as the API spells it.
    ///
    /// ```
    /// use ekyc_preflight::ApiCode;
    /// assert_eq!(ApiCode::UnqualifiedPhoto.as_str(), "UnqualifiedPhoto");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ApiCode::UnqualifiedPhoto => "UnqualifiedPhoto",
            ApiCode::ToolargeImage => "ToolargeImage",
            ApiCode::NoFaceDetected => "NoFaceDetected",
            ApiCode::DataDuplication => "DataDuplication",
            ApiCode::InvalidParameter => "InvalidParameter",
            ApiCode::MissingParameter => "MissingParameter",
            ApiCode::InternalError => "InternalError",
        }
    }

    /// The HTTP status the document's "Return Code" table gives this code.
    ///
    /// ```
    /// use ekyc_preflight::ApiCode;
    /// assert_eq!(ApiCode::ToolargeImage.http_status(), 401);
    /// assert_eq!(ApiCode::InvalidParameter.http_status(), 400);
    /// assert_eq!(ApiCode::InternalError.http_status(), 500);
    /// ```
    pub fn http_status(self) -> u16 {
        match self {
            ApiCode::UnqualifiedPhoto
            | ApiCode::ToolargeImage
            | ApiCode::NoFaceDetected
            | ApiCode::DataDuplication => 401,
            ApiCode::InvalidParameter | ApiCode::MissingParameter => 400,
            ApiCode::InternalError => 500,
        }
    }
}

impl std::fmt::Display for ApiCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule of the API document (or a limit of ours) that an image can break.
///
/// ```
/// use ekyc_preflight::{ApiCode, Rule};
/// assert_eq!(Rule::MaxResolution.api_code(), ApiCode::UnqualifiedPhoto);
/// assert_eq!(Rule::Base64Size.api_code(), ApiCode::ToolargeImage);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Rule {
    /// "Image format: JPG, JPEG, or PNG."
    Format,
    /// The file must decode ("The uploaded image is unreadable").
    Readable,
    /// Our resource limits on inputs ([`Limits`](crate::Limits)).
    InputLimit,
    /// "The maximum size is 1 MB" / "the original image size does not exceed 0.6 MB".
    FileSize,
    /// The Base64 text (and its form-encoded form) within the 1 MB transfer limit.
    Base64Size,
    /// At least 640 × 480 (height × width).
    MinResolution,
    /// At most 1920 × 1080 (height × width).
    MaxResolution,
    /// "The image height should be greater than the width."
    Portrait,
    /// An aspect ratio no crop-free resize can bring within the bounds.
    AspectRatio,
    /// "We recommend scaling the shorter side to 720 pixels" (advice).
    ShortSide,
    /// "50 KB to 100 KB is recommended" (advice).
    RecommendedSize,
    /// "A compression ratio greater than 0.9" (advice): JPEG quality above 90.
    Quality,
    /// An EXIF orientation other than 1, which the service may not apply.
    Orientation,
    /// A blurred picture ("Ensure the photo is clear").
    Blur,
    /// Under- or over-exposure ("has normal exposure").
    Exposure,
    /// Very low contrast.
    Contrast,
    /// The options themselves are inconsistent.
    Spec,
    /// Not a rule: a bug of this crate ([`Error::Internal`](crate::Error::Internal)), to be
    /// reported, never the input's fault.
    Internal,
    /// No face found (`NoFaceDetected`: "No face is detected in the image").
    Face,
    /// More than one face (advice: "If the image contains multiple faces, the service
    /// crops the largest one").
    Faces,
    /// The largest face covers less than the recommended share of the image (advice: "one
    /// face covering over 60% of the image").
    FaceArea,
    /// The face is cut by the border ("The face must be complete").
    FaceComplete,
    /// The face is sideways or upside down (`prepare` turns it), or tilted (advice).
    FaceUpright,
    /// The head is turned away from the camera ("facing the camera").
    FaceFrontal,
}

impl Rule {
    /// The `EkycVerify` error an image breaking this rule draws, or risks drawing where
    /// the rule is advice.
    ///
    /// ```
    /// use ekyc_preflight::{ApiCode, Rule};
    /// assert_eq!(Rule::Orientation.api_code(), ApiCode::NoFaceDetected);
    /// ```
    pub fn api_code(self) -> ApiCode {
        match self {
            Rule::InputLimit | Rule::FileSize | Rule::Base64Size | Rule::RecommendedSize => {
                ApiCode::ToolargeImage
            }
            Rule::Orientation | Rule::Face | Rule::FaceUpright => ApiCode::NoFaceDetected,
            Rule::Spec => ApiCode::InvalidParameter,
            Rule::Internal => ApiCode::InternalError,
            Rule::Format
            | Rule::Readable
            | Rule::MinResolution
            | Rule::MaxResolution
            | Rule::Portrait
            | Rule::AspectRatio
            | Rule::ShortSide
            | Rule::Quality
            | Rule::Blur
            | Rule::Exposure
            | Rule::Contrast
            | Rule::Faces
            | Rule::FaceArea
            | Rule::FaceComplete
            | Rule::FaceFrontal => ApiCode::UnqualifiedPhoto,
        }
    }

    /// The rule's name in reports (snake case).
    ///
    /// ```
    /// use ekyc_preflight::Rule;
    /// assert_eq!(Rule::MinResolution.as_str(), "min_resolution");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Format => "format",
            Rule::Readable => "readable",
            Rule::InputLimit => "input_limit",
            Rule::FileSize => "file_size",
            Rule::Base64Size => "base64_size",
            Rule::MinResolution => "min_resolution",
            Rule::MaxResolution => "max_resolution",
            Rule::Portrait => "portrait",
            Rule::AspectRatio => "aspect_ratio",
            Rule::ShortSide => "short_side",
            Rule::RecommendedSize => "recommended_size",
            Rule::Quality => "quality",
            Rule::Orientation => "orientation",
            Rule::Blur => "blur",
            Rule::Exposure => "exposure",
            Rule::Contrast => "contrast",
            Rule::Spec => "spec",
            Rule::Internal => "internal",
            Rule::Face => "face",
            Rule::Faces => "faces",
            Rule::FaceArea => "face_area",
            Rule::FaceComplete => "face_complete",
            Rule::FaceUpright => "face_upright",
            Rule::FaceFrontal => "face_frontal",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
