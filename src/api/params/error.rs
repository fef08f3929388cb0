//! Why a request could not be built, and the EkycVerify error it would have caused.

use crate::api::service_error::ErrorCode;

/// Why a request was refused before signing. Each variant names the parameter
/// and the EkycVerify error ([`RequestError::prevents`]) it would have caused.
///
/// ```
/// use ekyc_preflight::api::{EkycVerifyRequest, ErrorCode, RequestError};
/// let err = EkycVerifyRequest::builder().build().unwrap_err();
/// assert_eq!(err.param(), "MerchantBizId");
/// assert_eq!(err.prevents(), ErrorCode::MissingParameter);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A required parameter is absent or empty.
    #[error("{param} is required (EkycVerify would answer MissingParameter)")]
    Missing {
        /// The parameter (for an image: `IdOcrPictureBase64|IdOcrPictureUrl`).
        param: &'static str,
    },
    /// A parameter's value breaks the document's rule.
    #[error("{param} is invalid: {rule} (EkycVerify would answer InvalidParameter)")]
    Invalid {
        /// The parameter.
        param: &'static str,
        /// The rule broken, with the offending value where that is not personal data.
        rule: String,
    },
    /// Both the Base64 and the URL form of one image were given.
    #[error("both {base64} and {url} are set; give exactly one (EkycVerify would answer DataDuplication)")]
    Duplicated {
        /// The Base64 parameter.
        base64: &'static str,
        /// The URL parameter.
        url: &'static str,
    },
    /// An image's form field would exceed the transfer limit.
    #[error("{param} would be {sent_bytes} bytes as sent (percent-encoded), over the {limit}-byte limit of one image: compress the image or send it by URL (EkycVerify would answer ToolargeImage)")]
    TooLarge {
        /// The image parameter.
        param: &'static str,
        /// Its form field's size as sent (`Name=` and the percent-encoded value).
        sent_bytes: usize,
        /// The limit applied ([`MAX_PICTURE_BYTES`](crate::api::MAX_PICTURE_BYTES) unless overridden).
        limit: usize,
    },
    /// A Base64 image given directly that `check` judges a reject: it is not
    /// a picture EkycVerify can take (not an image at all, not JPEG or PNG,
    /// too small, no face, ...) and nothing but a new picture changes that.
    #[error(
        "{param}: the image would be refused ({rule}): {reason} (EkycVerify would answer {code})"
    )]
    Picture {
        /// The image parameter.
        param: &'static str,
        /// The first rule it breaks beyond repair.
        rule: crate::Rule,
        /// The EkycVerify error that rule draws.
        code: ErrorCode,
        /// `check`'s verdict and findings, in words (no image data).
        reason: String,
    },
    /// A name in a parameter map is not an EkycVerify parameter.
    #[error("{name} is not an EkycVerify parameter (EkycVerify would ignore it or answer InvalidParameter)")]
    UnknownParameter {
        /// The name given.
        name: String,
    },
    /// A custom endpoint could not be used.
    #[error("invalid endpoint: {reason}")]
    Endpoint {
        /// What is wrong with it.
        reason: String,
    },
}

impl RequestError {
    /// The parameter concerned (`""` for an endpoint error).
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyRequest;
    /// let err = EkycVerifyRequest::builder().merchant_biz_id("b1").build().unwrap_err();
    /// assert_eq!(err.param(), "MerchantUserId");
    /// ```
    pub fn param(&self) -> &str {
        match self {
            RequestError::Missing { param }
            | RequestError::Invalid { param, .. }
            | RequestError::TooLarge { param, .. }
            | RequestError::Picture { param, .. } => param,
            RequestError::Duplicated { base64, .. } => base64,
            RequestError::UnknownParameter { name } => name,
            RequestError::Endpoint { .. } => "",
        }
    }

    /// The EkycVerify error this check prevents.
    ///
    /// ```
    /// use ekyc_preflight::api::{Endpoint, ErrorCode};
    /// let err = Endpoint::custom("ftp://example.com").unwrap_err();
    /// assert_eq!((err.param(), err.prevents()), ("", ErrorCode::InvalidParameter));
    /// ```
    pub fn prevents(&self) -> ErrorCode {
        match self {
            RequestError::Missing { .. } => ErrorCode::MissingParameter,
            RequestError::Duplicated { .. } => ErrorCode::DataDuplication,
            RequestError::TooLarge { .. } => ErrorCode::ToolargeImage,
            RequestError::Picture { code, .. } => code.clone(),
            RequestError::Invalid { .. }
            | RequestError::UnknownParameter { .. }
            | RequestError::Endpoint { .. } => ErrorCode::InvalidParameter,
        }
    }
}
