//! One error type: each variant names the rule broken, the `EkycVerify` error it would have
//! caused, and what to do about it.

use crate::rule::{ApiCode, Rule};

/// Why an input was refused.
///
/// Every variant says which rule it broke ([`Error::rule`]) and which `EkycVerify` error
/// the image would have drawn had it been sent ([`Error::api_code`]).
///
/// ```
/// use ekyc_preflight::{ApiCode, Error, Preprocessor, Rule};
/// let err = Preprocessor::default().prepare(b"GIF89a....").unwrap_err();
/// assert!(matches!(err, Error::UnsupportedFormat { found: "GIF" }));
/// assert_eq!(err.rule(), Rule::Format);
/// assert_eq!(err.api_code(), ApiCode::UnqualifiedPhoto);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a JPEG, PNG or WebP. Convert the picture to JPEG first.
    #[error(
        "unsupported format: {found}; EkycVerify takes JPG, JPEG or PNG: convert it to JPEG first"
    )]
    UnsupportedFormat {
        /// What the first bytes looked like (`"GIF"`, `"HEIF/HEIC"`, `"empty input"`, …).
        found: &'static str,
    },
    /// A JPEG coding process the decoder does not support (arithmetic, lossless,
    /// 12-bit). Re-save the picture as an ordinary baseline JPEG.
    #[error("unsupported JPEG: {process}; re-save it as a baseline or progressive 8-bit JPEG")]
    UnsupportedJpeg {
        /// The coding process the frame header named.
        process: &'static str,
    },
    /// The file is larger than [`Limits::max_input_bytes`](crate::Limits).
    #[error("input is {bytes} bytes, over the limit of {limit}; raise Limits::max_input_bytes if it is trusted")]
    InputTooLarge {
        /// Size of the input.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The header claims more pixels, or a longer side, than [`Limits`](crate::Limits)
    /// allows, or a zero side.
    #[error("header claims {width} × {height} pixels (width × height), outside the limits ({reason}); the file is damaged or not a photo")]
    Dimensions {
        /// Width the header claims.
        width: u32,
        /// Height the header claims.
        height: u32,
        /// Which limit it broke.
        reason: &'static str,
    },
    /// Decoding would allocate more than [`Limits::max_alloc`](crate::Limits).
    #[error("decoding needs {needed} bytes, over the limit of {limit}; raise Limits::max_alloc if it is trusted")]
    MemoryLimit {
        /// Bytes the decode would need.
        needed: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is damaged: truncated, or not what its header says. Ask for the picture
    /// again.
    #[error("cannot read the {format}: {reason}; the file is damaged, ask for it again")]
    Corrupt {
        /// `"JPEG"`, `"PNG"` or `"WebP"`.
        format: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The picture is below the minimum resolution and upscaling is off. Take a larger
    /// picture, or set [`Spec::upscale`](crate::Spec).
    #[error("picture is {width} × {height} (width × height) after orientation, below the minimum {min_width} × {min_height}; take a larger picture or enable upscaling")]
    TooSmall {
        /// Width after orientation and portrait turn.
        width: u32,
        /// Height after orientation and portrait turn.
        height: u32,
        /// Minimum width.
        min_width: u32,
        /// Minimum height.
        min_height: u32,
    },
    /// No resize without cropping can bring this aspect ratio within the bounds (for
    /// example a panorama). Crop the picture to the document or face first.
    #[error("aspect ratio of {width} × {height} (width × height) cannot fit within {min_width}–{max_width} × {min_height}–{max_height} with height above width; crop it first")]
    AspectRatio {
        /// Width after orientation and portrait turn.
        width: u32,
        /// Height after orientation and portrait turn.
        height: u32,
        /// Minimum width.
        min_width: u32,
        /// Maximum width.
        max_width: u32,
        /// Minimum height.
        min_height: u32,
        /// Maximum height.
        max_height: u32,
    },
    /// The picture is landscape and [`Spec::turn`](crate::Spec) is `Off`. Allow the turn
    /// or supply a portrait picture.
    #[error("picture is landscape ({width} × {height}, width × height) and turning is off; EkycVerify wants height above width")]
    Landscape {
        /// Width after orientation.
        width: u32,
        /// Height after orientation.
        height: u32,
    },
    /// Even at the lowest quality and the smallest allowed size the JPEG is over the byte
    /// budget (pure noise can do this). Lower `Spec::min_quality` or raise the budget.
    #[error("smallest encoding is {bytes} bytes ({width} × {height} at quality {quality}), over the budget of {budget}; lower min_quality")]
    OverBudget {
        /// Bytes of the smallest encoding tried.
        bytes: usize,
        /// The byte budget.
        budget: usize,
        /// Quality of that encoding.
        quality: u8,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// The [`Spec`](crate::Spec) is inconsistent. Fix the options.
    #[error("invalid spec: {reason}")]
    InvalidSpec {
        /// What is wrong.
        reason: String,
    },
    /// The encoder failed, or the output failed the final re-check. This is a bug: please
    /// report it with the input.
    #[error("internal error: {reason}; please report this with the input")]
    Internal {
        /// What failed.
        reason: String,
    },
}

impl Error {
    /// The rule this error broke.
    ///
    /// ```
    /// use ekyc_preflight::{Error, Rule};
    /// let e = Error::InputTooLarge { bytes: 10, limit: 5 };
    /// assert_eq!(e.rule(), Rule::InputLimit);
    /// ```
    pub fn rule(&self) -> Rule {
        match self {
            Error::UnsupportedFormat { .. } | Error::UnsupportedJpeg { .. } => Rule::Format,
            Error::InputTooLarge { .. } | Error::Dimensions { .. } | Error::MemoryLimit { .. } => {
                Rule::InputLimit
            }
            Error::Corrupt { .. } => Rule::Readable,
            Error::TooSmall { .. } => Rule::MinResolution,
            Error::AspectRatio { .. } => Rule::AspectRatio,
            Error::Landscape { .. } => Rule::Portrait,
            Error::OverBudget { .. } => Rule::FileSize,
            Error::InvalidSpec { .. } => Rule::Spec,
            Error::Internal { .. } => Rule::Internal,
        }
    }

    /// The HTTP status a service built on this crate should answer its own caller with,
    /// by whose fault the error is:
    ///
    /// | status | errors |
    /// | --- | --- |
    /// | 413 Content Too Large | over the input [`Limits`](crate::Limits): bytes, pixels, memory |
    /// | 415 Unsupported Media Type | not a JPEG or PNG, or a JPEG process the decoder lacks |
    /// | 422 Unprocessable Content | a readable request whose picture cannot be made to pass: damaged, too small, an aspect ratio no resize fits, landscape with turning off, over the byte budget |
    /// | 500 Internal Server Error | [`InvalidSpec`](Error::InvalidSpec) (the service's own configuration) and [`Internal`](Error::Internal) (a bug of ours) |
    ///
    /// (Not the status `EkycVerify` itself would answer: that is
    /// [`api_code`](Self::api_code)`().`[`http_status`](ApiCode::http_status)`()`.)
    ///
    /// ```
    /// use ekyc_preflight::Error;
    /// assert_eq!(Error::InputTooLarge { bytes: 1 << 30, limit: 1 << 25 }.http_status(), 413);
    /// assert_eq!(Error::UnsupportedFormat { found: "GIF" }.http_status(), 415);
    /// assert_eq!(Error::Internal { reason: "x".into() }.http_status(), 500);
    /// ```
    pub fn http_status(&self) -> u16 {
        match self {
            Error::InputTooLarge { .. } | Error::Dimensions { .. } | Error::MemoryLimit { .. } => {
                413
            }
            Error::UnsupportedFormat { .. } | Error::UnsupportedJpeg { .. } => 415,
            Error::Corrupt { .. }
            | Error::TooSmall { .. }
            | Error::AspectRatio { .. }
            | Error::Landscape { .. }
            | Error::OverBudget { .. } => 422,
            Error::InvalidSpec { .. } | Error::Internal { .. } => 500,
        }
    }

    /// The `EkycVerify` error the image would have drawn had it been sent as it is.
    ///
    /// ```
    /// use ekyc_preflight::{ApiCode, Error};
    /// let e = Error::OverBudget { bytes: 700_000, budget: 600_000, quality: 70, width: 480, height: 640 };
    /// assert_eq!(e.api_code(), ApiCode::ToolargeImage);
    /// ```
    pub fn api_code(&self) -> ApiCode {
        self.rule().api_code()
    }
}

/// An error serialises (feature `serde`) as an object: `rule`, `api_code`,
/// `http_status` ([`Error::http_status`]) and `message` (its `Display`).
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use ekyc_preflight::Error;
/// let e = Error::UnsupportedFormat { found: "GIF" };
/// let v = serde_json::to_value(&e).unwrap();
/// assert_eq!(v["rule"], "format");
/// assert_eq!(v["api_code"], "UnqualifiedPhoto");
/// assert_eq!(v["http_status"], 415);
/// assert_eq!(v["message"], e.to_string());
/// # }
/// ```
#[cfg(feature = "serde")]
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Error", 4)?;
        s.serialize_field("rule", self.rule().as_str())?;
        s.serialize_field("api_code", self.api_code().as_str())?;
        s.serialize_field("http_status", &self.http_status())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// Why [`Preprocessor::prepare_reader`](crate::Preprocessor::prepare_reader) or
/// [`prepare_path`](crate::Preprocessor::prepare_path)
/// gave no output: the input could not be read, or `prepare` refused it.
///
/// ```
/// use ekyc_preflight::{Preprocessor, ReadError};
/// let err = Preprocessor::default().prepare_reader(&b"not an image"[..]).unwrap_err();
/// assert!(matches!(err, ReadError::Prepare(_)));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Reading the input failed (a service answers 500, or 400 for a broken upload).
    #[error("reading the input: {0}")]
    Io(#[source] std::io::Error),
    /// `prepare` refused the input ([`Error::http_status`] gives the status).
    #[error(transparent)]
    Prepare(#[from] Error),
}
