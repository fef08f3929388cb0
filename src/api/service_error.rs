//! The service's errors: its codes (the document's table and the gateway's), `SubCode`,
//! and an error answer as a type.

use std::fmt;
use std::time::Duration;

/// The longest `Message` kept from an error reply, in characters.
pub(super) const MAX_MESSAGE_CHARS: usize = 1024;

/// An EkycVerify error code: the document's table, plus what else the gateway
/// may send. Parsed with [`ErrorCode::parse`], which never fails.
///
/// ```
/// use ekyc_preflight::api::ErrorCode;
/// assert_eq!(ErrorCode::parse("Throttling.Api"), ErrorCode::ThrottlingApi);
/// assert_eq!(ErrorCode::parse("Forbidden.Foo").as_str(), "Forbidden.Foo");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400 `MissingParameter`: a parameter cannot be empty.
    MissingParameter,
    /// 400 `InvalidParameter`: invalid parameter.
    InvalidParameter,
    /// 401 `UnqualifiedPhoto`: unreadable image or unsuitable resolution.
    UnqualifiedPhoto,
    /// 401 `DataDuplication`: both a Base64 image and an image URL were given.
    DataDuplication,
    /// 401 `ToolargeImage`: the image is too large.
    ToolargeImage,
    /// 401 `DownloadTimeout`: downloading an image URL timed out.
    DownloadTimeout,
    /// 401 `NoFaceDetected`: no face in the image.
    NoFaceDetected,
    /// 403 `Forbidden.RAMUserAccessDenied`: grant the RAM user `AliyunAntCloudAuthFullAccess`.
    RamUserAccessDenied,
    /// 403 `Forbidden.AccountAccessDenied`: activate ID Verification, settle overdue payments.
    AccountAccessDenied,
    /// Another `Forbidden.*` code.
    Forbidden(String),
    /// 403 `Throttling.Api`: throttled.
    ThrottlingApi,
    /// Another `Throttling*` code.
    Throttling(String),
    /// 500 `InternalError`.
    InternalError,
    /// 503 `ServiceUnavailable`.
    ServiceUnavailable,
    /// Anything else, as sent (empty when the reply had no code).
    Other(String),
}

impl ErrorCode {
    /// Reads a `Code` value.
    ///
    /// ```
    /// use ekyc_preflight::api::ErrorCode;
    /// assert_eq!(ErrorCode::parse("NoFaceDetected"), ErrorCode::NoFaceDetected);
    /// assert_eq!(ErrorCode::parse("Forbidden.Foo"), ErrorCode::Forbidden("Forbidden.Foo".into()));
    /// ```
    pub fn parse(code: &str) -> ErrorCode {
        match code {
            "MissingParameter" => ErrorCode::MissingParameter,
            "InvalidParameter" => ErrorCode::InvalidParameter,
            "UnqualifiedPhoto" => ErrorCode::UnqualifiedPhoto,
            "DataDuplication" => ErrorCode::DataDuplication,
            "ToolargeImage" => ErrorCode::ToolargeImage,
            "DownloadTimeout" => ErrorCode::DownloadTimeout,
            "NoFaceDetected" => ErrorCode::NoFaceDetected,
            "Forbidden.RAMUserAccessDenied" => ErrorCode::RamUserAccessDenied,
            "Forbidden.AccountAccessDenied" => ErrorCode::AccountAccessDenied,
            "Throttling.Api" => ErrorCode::ThrottlingApi,
            "InternalError" => ErrorCode::InternalError,
            "ServiceUnavailable" => ErrorCode::ServiceUnavailable,
            c if c.starts_with("Forbidden") => ErrorCode::Forbidden(c.to_string()),
            c if c.starts_with("Throttling") => ErrorCode::Throttling(c.to_string()),
            c => ErrorCode::Other(c.to_string()),
        }
    }

    /// The code as sent.
    ///
    /// ```
    /// use ekyc_preflight::api::ErrorCode;
    /// assert_eq!(ErrorCode::RamUserAccessDenied.as_str(), "Forbidden.RAMUserAccessDenied");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::MissingParameter => "MissingParameter",
            ErrorCode::InvalidParameter => "InvalidParameter",
            ErrorCode::UnqualifiedPhoto => "UnqualifiedPhoto",
            ErrorCode::DataDuplication => "DataDuplication",
            ErrorCode::ToolargeImage => "ToolargeImage",
            ErrorCode::DownloadTimeout => "DownloadTimeout",
            ErrorCode::NoFaceDetected => "NoFaceDetected",
            ErrorCode::RamUserAccessDenied => "Forbidden.RAMUserAccessDenied",
            ErrorCode::AccountAccessDenied => "Forbidden.AccountAccessDenied",
            ErrorCode::ThrottlingApi => "Throttling.Api",
            ErrorCode::InternalError => "InternalError",
            ErrorCode::ServiceUnavailable => "ServiceUnavailable",
            ErrorCode::Forbidden(c) | ErrorCode::Throttling(c) | ErrorCode::Other(c) => c,
        }
    }

    /// Whether this is a throttling code.
    ///
    /// ```
    /// use ekyc_preflight::api::ErrorCode;
    /// assert!(ErrorCode::parse("Throttling.User").is_throttling());
    /// assert!(!ErrorCode::InternalError.is_throttling());
    /// ```
    pub fn is_throttling(&self) -> bool {
        matches!(self, ErrorCode::ThrottlingApi | ErrorCode::Throttling(_))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error reply (HTTP status not 2xx).
///
/// ```
/// use ekyc_preflight::api::{EkycVerifyResponse, ErrorCode, ResponseError};
/// let body = br#"{"RequestId":"r1","Code":"Throttling.Api","Message":"slow down"}"#;
/// let Err(ResponseError::Api(e)) = EkycVerifyResponse::parse(403, body) else { panic!() };
/// assert_eq!(e.code, ErrorCode::ThrottlingApi);
/// assert!(e.retryable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// `Code` (`Other("")` when the body had none).
    pub code: ErrorCode,
    /// `Message`, at most 1024 characters (or the start of a non-JSON body).
    pub message: String,
    /// `RequestId`, for Alibaba Cloud support.
    pub request_id: Option<String>,
    /// The wait the server asked for with a positive `x-acs-retry-after`
    /// (milliseconds), which marks a throttled request.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// Whether sending the same request again may succeed: throttling (a
    /// `Throttling*` code, HTTP 429, or `x-acs-retry-after`) and server errors
    /// (HTTP 5xx). Every other error needs the request or the account fixed.
    ///
    /// ```
    /// use ekyc_preflight::api::{EkycVerifyResponse, ResponseError};
    /// let body = br#"{"Code":"InvalidParameter"}"#;
    /// let Err(ResponseError::Api(e)) = EkycVerifyResponse::parse(400, body) else { panic!() };
    /// assert!(!e.retryable());
    /// ```
    pub fn retryable(&self) -> bool {
        self.code.is_throttling()
            || self.retry_after.is_some()
            || self.status == 429
            || self.status >= 500
    }

    /// Whether the answer says the call was **not processed**, so sending it
    /// again cannot bill twice: throttling (a `Throttling*` code or HTTP 429).
    /// A server error (HTTP 5xx) is retryable but not in this class: the
    /// service may have verified, and billed, before failing.
    ///
    /// ```
    /// use ekyc_preflight::api::{EkycVerifyResponse, ResponseError};
    /// let Err(ResponseError::Api(e)) = EkycVerifyResponse::parse(403, br#"{"Code":"Throttling.Api"}"#) else { panic!() };
    /// assert!(e.not_processed());
    /// let Err(ResponseError::Api(e)) = EkycVerifyResponse::parse(500, br#"{"Code":"InternalError"}"#) else { panic!() };
    /// assert!(e.retryable() && !e.not_processed());
    /// ```
    pub fn not_processed(&self) -> bool {
        self.code.is_throttling() || self.status == 429
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EkycVerify answered HTTP {}", self.status)?;
        if !self.code.as_str().is_empty() {
            write!(f, " {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Why a reply did not yield an [`EkycVerifyResponse`](crate::api::EkycVerifyResponse).
///
/// ```
/// use ekyc_preflight::api::{EkycVerifyResponse, ResponseError};
/// let err = EkycVerifyResponse::parse(200, b"<html>").unwrap_err();
/// assert!(matches!(err, ResponseError::Malformed { status: 200, .. }));
/// assert!(!err.retryable());
/// assert!(EkycVerifyResponse::parse(503, b"").unwrap_err().retryable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The API refused the request.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A 2xx reply whose body is not the documented JSON object.
    #[error(
        "EkycVerify answered HTTP {status} with a body that is not the documented JSON: {reason}"
    )]
    Malformed {
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        reason: String,
    },
}

impl ResponseError {
    /// Whether a retry may help (see [`ApiError::retryable`]); a malformed
    /// 2xx reply is not retried.
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyResponse;
    /// assert!(EkycVerifyResponse::parse(429, b"").unwrap_err().retryable());
    /// assert!(!EkycVerifyResponse::parse(200, b"not json").unwrap_err().retryable());
    /// ```
    pub fn retryable(&self) -> bool {
        match self {
            ResponseError::Api(e) => e.retryable(),
            ResponseError::Malformed { .. } => false,
        }
    }
}

/// `Result.SubCode`: the reason behind the verdict (the document's table).
///
/// ```
/// use ekyc_preflight::api::SubCode;
/// assert_eq!(SubCode::parse("204"), SubCode::FaceMismatch);
/// assert_eq!(SubCode::parse("204").billed(), Some(true));
/// assert_eq!(SubCode::parse("299"), SubCode::Unknown("299".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubCode {
    /// 200: passed.
    Passed,
    /// 201: name and ID number do not match the official database.
    NameIdMismatch,
    /// 202: the identity is not in the official database.
    IdentityNotFound,
    /// 203: no base photo at the authoritative source.
    AuthorityPhotoUnavailable,
    /// 204: face comparison failed.
    FaceMismatch,
    /// 205: risk detected during liveness detection.
    LivenessRisk,
    /// 207: the face does not match the official database.
    AuthorityFaceMismatch,
    /// 209: the authoritative comparison source is abnormal.
    AuthoritySourceAbnormal,
    /// 212: certificate anti-spoofing detected a risk.
    DocumentSpoofRisk,
    /// A code the document does not list, as sent.
    Unknown(String),
}

impl SubCode {
    /// Reads a `SubCode` value.
    ///
    /// ```
    /// use ekyc_preflight::api::SubCode;
    /// assert_eq!(SubCode::parse("212"), SubCode::DocumentSpoofRisk);
    /// ```
    pub fn parse(code: &str) -> SubCode {
        match code {
            "200" => SubCode::Passed,
            "201" => SubCode::NameIdMismatch,
            "202" => SubCode::IdentityNotFound,
            "203" => SubCode::AuthorityPhotoUnavailable,
            "204" => SubCode::FaceMismatch,
            "205" => SubCode::LivenessRisk,
            "207" => SubCode::AuthorityFaceMismatch,
            "209" => SubCode::AuthoritySourceAbnormal,
            "212" => SubCode::DocumentSpoofRisk,
            other => SubCode::Unknown(other.to_string()),
        }
    }

    /// The code as sent.
    ///
    /// ```
    /// use ekyc_preflight::api::SubCode;
    /// assert_eq!(SubCode::FaceMismatch.code(), "204");
    /// assert_eq!(SubCode::parse("299").code(), "299");
    /// ```
    pub fn code(&self) -> &str {
        match self {
            SubCode::Passed => "200",
            SubCode::NameIdMismatch => "201",
            SubCode::IdentityNotFound => "202",
            SubCode::AuthorityPhotoUnavailable => "203",
            SubCode::FaceMismatch => "204",
            SubCode::LivenessRisk => "205",
            SubCode::AuthorityFaceMismatch => "207",
            SubCode::AuthoritySourceAbnormal => "209",
            SubCode::DocumentSpoofRisk => "212",
            SubCode::Unknown(c) => c,
        }
    }

    /// The document's description, cause and suggestion.
    ///
    /// ```
    /// use ekyc_preflight::api::SubCode;
    /// assert!(SubCode::FaceMismatch.meaning().starts_with("Face comparison failed"));
    /// ```
    pub fn meaning(&self) -> &'static str {
        match self {
            SubCode::Passed => "The authentication is passed.",
            SubCode::NameIdMismatch => "The name and ID card number do not match the official database; the information may be incorrect or fake. Ask the user to confirm it and try again. (Chinese ID card with Authorize only.)",
            SubCode::IdentityNotFound => "The identity cannot be found in the official database. Offer manual review. (Chinese ID card with Authorize only.)",
            SubCode::AuthorityPhotoUnavailable => "The authoritative source has no usable base photo. Offer manual review.",
            SubCode::FaceMismatch => "Face comparison failed: not the same person, or a low-quality face photo.",
            SubCode::LivenessRisk => "A risk was detected during liveness detection.",
            SubCode::AuthorityFaceMismatch => "The face does not match the official database: not the same person, or a low-quality face photo. (Chinese ID card with Authorize only.)",
            SubCode::AuthoritySourceAbnormal => "The authoritative comparison source is abnormal. (Chinese ID card with Authorize only.)",
            SubCode::DocumentSpoofRisk => "Certificate anti-spoofing detected a risk: screen recapture, tampering or photocopy.",
            SubCode::Unknown(_) => "A sub-code the API document does not list.",
        }
    }

    /// Whether the call is billed: `Some(true)` for every code in the
    /// document's table, `None` for a code it does not list.
    ///
    /// ```
    /// use ekyc_preflight::api::SubCode;
    /// assert_eq!(SubCode::Passed.billed(), Some(true));
    /// assert_eq!(SubCode::parse("299").billed(), None);
    /// ```
    pub fn billed(&self) -> Option<bool> {
        match self {
            SubCode::Unknown(_) => None,
            _ => Some(true),
        }
    }
}

impl fmt::Display for SubCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
