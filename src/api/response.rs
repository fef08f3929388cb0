//! Parsing EkycVerify replies: typed results and typed API errors.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

/// The longest `Message` kept from an error reply, in characters.
const MAX_MESSAGE_CHARS: usize = 1024;

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

/// Why a reply did not yield an [`EkycVerifyResponse`].
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

/// `Result.ExtFaceInfo`, parsed from its JSON string. Absent or unreadable
/// fields are `None`; fields the document does not list are kept in `other`.
///
/// ```
/// use ekyc_preflight::api::EkycVerifyResponse;
/// let body = br#"{"Result":{"Passed":"N","SubCode":"212",
///   "ExtFaceInfo":"{\"facePassed\":\"Y\",\"faceAttack\":\"N\",\"authorityComparisonScore\":\"88.2\"}",
///   "ExtIdInfo":"{\"idPassed\":\"N\",\"ocrIdInfo\":{\"name\":\"ZHANG SAN\"},\"spoofInfo\":{\"spoofResult\":\"Y\",\"spoofType\":[\"SCREEN_REMARK\"]}}"}}"#;
/// let result = EkycVerifyResponse::parse(200, body).unwrap().result.unwrap();
/// let face = result.ext_face_info.unwrap();
/// assert_eq!((face.face_passed, face.face_attack), (Some(true), Some(false)));
/// assert_eq!(face.authority_comparison_score, Some(88.2));
/// let id = result.ext_id_info.unwrap();
/// assert_eq!(id.ocr_id_info["name"], "ZHANG SAN");
/// assert_eq!(id.spoof_info.unwrap().spoof_type, ["SCREEN_REMARK"]);
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct ExtFaceInfo {
    /// `facePassed`: the face liveness verdict (`Y`/`N`).
    pub face_passed: Option<bool>,
    /// `faceComparisonScore`: face vs certificate portrait, 0–100.
    pub face_comparison_score: Option<f64>,
    /// `faceAttack`: whether a liveness attack was detected (`Y`/`N`).
    pub face_attack: Option<bool>,
    /// `authorityComparisonScore`: face vs the official source, 0–100.
    pub authority_comparison_score: Option<f64>,
    /// Every other field, as sent.
    pub other: BTreeMap<String, Value>,
}

/// `spoofInfo` inside `ExtIdInfo`.
///
/// ```
/// use ekyc_preflight::api::EkycVerifyResponse;
/// let body = br#"{"Result":{"Passed":"N","SubCode":"212",
///   "ExtFaceInfo":"{\"facePassed\":\"Y\",\"faceAttack\":\"N\",\"authorityComparisonScore\":\"88.2\"}",
///   "ExtIdInfo":"{\"idPassed\":\"N\",\"ocrIdInfo\":{\"name\":\"ZHANG SAN\"},\"spoofInfo\":{\"spoofResult\":\"Y\",\"spoofType\":[\"SCREEN_REMARK\"]}}"}}"#;
/// let result = EkycVerifyResponse::parse(200, body).unwrap().result.unwrap();
/// let face = result.ext_face_info.unwrap();
/// assert_eq!((face.face_passed, face.face_attack), (Some(true), Some(false)));
/// assert_eq!(face.authority_comparison_score, Some(88.2));
/// let id = result.ext_id_info.unwrap();
/// assert_eq!(id.ocr_id_info["name"], "ZHANG SAN");
/// assert_eq!(id.spoof_info.unwrap().spoof_type, ["SCREEN_REMARK"]);
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct SpoofInfo {
    /// `spoofResult`: whether a risk was found (`Y`/`N`).
    pub spoof_result: Option<bool>,
    /// `spoofType`: the risk types found.
    pub spoof_type: Vec<String>,
    /// Every other field, as sent.
    pub other: BTreeMap<String, Value>,
}

/// `Result.ExtIdInfo`, parsed from its JSON string.
///
/// ```
/// use ekyc_preflight::api::EkycVerifyResponse;
/// let body = br#"{"Result":{"Passed":"N","SubCode":"212",
///   "ExtFaceInfo":"{\"facePassed\":\"Y\",\"faceAttack\":\"N\",\"authorityComparisonScore\":\"88.2\"}",
///   "ExtIdInfo":"{\"idPassed\":\"N\",\"ocrIdInfo\":{\"name\":\"ZHANG SAN\"},\"spoofInfo\":{\"spoofResult\":\"Y\",\"spoofType\":[\"SCREEN_REMARK\"]}}"}}"#;
/// let result = EkycVerifyResponse::parse(200, body).unwrap().result.unwrap();
/// let face = result.ext_face_info.unwrap();
/// assert_eq!((face.face_passed, face.face_attack), (Some(true), Some(false)));
/// assert_eq!(face.authority_comparison_score, Some(88.2));
/// let id = result.ext_id_info.unwrap();
/// assert_eq!(id.ocr_id_info["name"], "ZHANG SAN");
/// assert_eq!(id.spoof_info.unwrap().spoof_type, ["SCREEN_REMARK"]);
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct ExtIdInfo {
    /// `idPassed`: the certificate OCR verdict (`Y`/`N`).
    pub id_passed: Option<bool>,
    /// `ocrIdInfo`: the fields read from the certificate (empty when OCR
    /// failed); non-string values are kept as their JSON text.
    pub ocr_id_info: BTreeMap<String, String>,
    /// `spoofInfo`: the anti-spoofing result.
    pub spoof_info: Option<SpoofInfo>,
    /// Every other field, as sent.
    pub other: BTreeMap<String, Value>,
}

/// Shows the documented fields; fields the document does not list by name only.
impl fmt::Debug for ExtFaceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtFaceInfo")
            .field("face_passed", &self.face_passed)
            .field("face_comparison_score", &self.face_comparison_score)
            .field("face_attack", &self.face_attack)
            .field(
                "authority_comparison_score",
                &self.authority_comparison_score,
            )
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Shows the documented fields; fields the document does not list by name only.
impl fmt::Debug for SpoofInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpoofInfo")
            .field("spoof_result", &self.spoof_result)
            .field("spoof_type", &self.spoof_type)
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Shows `idPassed` and the spoofing result; what OCR read from the
/// certificate (names, numbers, dates) by its field names only.
impl fmt::Debug for ExtIdInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtIdInfo")
            .field("id_passed", &self.id_passed)
            .field(
                "ocr_id_info",
                &self
                    .ocr_id_info
                    .iter()
                    .map(|(k, v)| (k, super::redact::hidden(v)))
                    .collect::<BTreeMap<_, _>>(),
            )
            .field("spoof_info", &self.spoof_info)
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `Result` of a successful call.
///
/// ```
/// use ekyc_preflight::api::EkycVerifyResponse;
/// let body = br#"{"Result":{"Passed":"N","SubCode":"212",
///   "ExtFaceInfo":"{\"facePassed\":\"Y\",\"faceAttack\":\"N\",\"authorityComparisonScore\":\"88.2\"}",
///   "ExtIdInfo":"{\"idPassed\":\"N\",\"ocrIdInfo\":{\"name\":\"ZHANG SAN\"},\"spoofInfo\":{\"spoofResult\":\"Y\",\"spoofType\":[\"SCREEN_REMARK\"]}}"}}"#;
/// let result = EkycVerifyResponse::parse(200, body).unwrap().result.unwrap();
/// let face = result.ext_face_info.unwrap();
/// assert_eq!((face.face_passed, face.face_attack), (Some(true), Some(false)));
/// assert_eq!(face.authority_comparison_score, Some(88.2));
/// let id = result.ext_id_info.unwrap();
/// assert_eq!(id.ocr_id_info["name"], "ZHANG SAN");
/// assert_eq!(id.spoof_info.unwrap().spoof_type, ["SCREEN_REMARK"]);
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct VerifyResult {
    /// `Passed`: true only for `Y`.
    pub passed: bool,
    /// `SubCode`.
    pub sub_code: Option<SubCode>,
    /// `TransactionId` (sent by the API, read by the SDK, not in the document).
    pub transaction_id: Option<String>,
    /// `ExtFaceInfo`, parsed (`None` if absent or not a JSON object).
    pub ext_face_info: Option<ExtFaceInfo>,
    /// `ExtFaceInfo` as sent.
    pub ext_face_info_raw: Option<String>,
    /// `ExtIdInfo`, parsed (`None` if absent or not a JSON object).
    pub ext_id_info: Option<ExtIdInfo>,
    /// `ExtIdInfo` as sent.
    pub ext_id_info_raw: Option<String>,
}

/// Shows the parsed fields (see [`ExtIdInfo`]'s `Debug`); the raw
/// `ExtFaceInfo` and `ExtIdInfo` texts by their length only.
impl fmt::Debug for VerifyResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = |r: &Option<String>| r.as_deref().map(super::redact::hidden);
        f.debug_struct("VerifyResult")
            .field("passed", &self.passed)
            .field("sub_code", &self.sub_code)
            .field("transaction_id", &self.transaction_id)
            .field("ext_face_info", &self.ext_face_info)
            .field("ext_face_info_raw", &raw(&self.ext_face_info_raw))
            .field("ext_id_info", &self.ext_id_info)
            .field("ext_id_info_raw", &raw(&self.ext_id_info_raw))
            .finish()
    }
}

/// A 2xx EkycVerify reply.
///
/// ```
/// use ekyc_preflight::api::{EkycVerifyResponse, SubCode};
/// let body = br#"{"RequestId":"r","Code":"Success","Message":"success",
///   "Result":{"Passed":"Y","SubCode":"200","ExtFaceInfo":"{\"faceComparisonScore\":98.5}"}}"#;
/// let resp = EkycVerifyResponse::parse(200, body).unwrap();
/// assert!(resp.passed());
/// let result = resp.result.unwrap();
/// assert_eq!(result.sub_code, Some(SubCode::Passed));
/// assert_eq!(result.ext_face_info.unwrap().face_comparison_score, Some(98.5));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EkycVerifyResponse {
    /// The HTTP status.
    pub status: u16,
    /// `RequestId`.
    pub request_id: String,
    /// `Code` (`Success` when the call went through).
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `Result`, if present.
    pub result: Option<VerifyResult>,
}

impl EkycVerifyResponse {
    /// Whether the verification passed (`Result.Passed` is `Y`).
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyResponse;
    /// let resp = EkycVerifyResponse::parse(200, br#"{"Result":{"Passed":"Y","SubCode":"200"}}"#).unwrap();
    /// assert!(resp.passed());
    /// assert!(!EkycVerifyResponse::default().passed());
    /// ```
    pub fn passed(&self) -> bool {
        self.result.as_ref().is_some_and(|r| r.passed)
    }

    /// Parses a reply from its status and body. Never panics, whatever the bytes.
    ///
    /// Like the official SDK, any 2xx is a response (whatever `Code` says);
    /// anything else is an [`ApiError`].
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyResponse;
    /// let resp = EkycVerifyResponse::parse(200, br#"{"RequestId":"r1","Code":"Success"}"#)?;
    /// assert_eq!((resp.request_id.as_str(), resp.result), ("r1", None));
    /// assert!(EkycVerifyResponse::parse(404, b"Not Found").is_err());
    /// # Ok::<(), ekyc_preflight::api::ResponseError>(())
    /// ```
    pub fn parse(status: u16, body: &[u8]) -> Result<EkycVerifyResponse, ResponseError> {
        parse_reply(status, None, body)
    }

    /// Parses an [`http::Response`], also reading the wait the server asks
    /// for before a retry: `x-acs-retry-after` (milliseconds, Alibaba Cloud's)
    /// and the standard `Retry-After` (seconds, or an HTTP-date); the longer
    /// of the two wins.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ekyc_preflight::api::{EkycVerifyResponse, ResponseError};
    /// let resp = http::Response::builder().status(400).header("x-acs-retry-after", "250")
    ///     .body(br#"{"Code":"Throttling.User"}"#.to_vec()).unwrap();
    /// let Err(ResponseError::Api(e)) = EkycVerifyResponse::from_http(&resp) else { panic!() };
    /// assert_eq!(e.retry_after, Some(Duration::from_millis(250)));
    /// let resp = http::Response::builder().status(429).header("retry-after", "2")
    ///     .body(Vec::new()).unwrap();
    /// let Err(ResponseError::Api(e)) = EkycVerifyResponse::from_http(&resp) else { panic!() };
    /// assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
    /// ```
    pub fn from_http<B: AsRef<[u8]>>(
        response: &http::Response<B>,
    ) -> Result<EkycVerifyResponse, ResponseError> {
        let retry_after = retry_after(response.headers(), std::time::SystemTime::now());
        parse_reply(
            response.status().as_u16(),
            retry_after,
            response.body().as_ref(),
        )
    }
}

/// The longer of `x-acs-retry-after` (milliseconds) and `Retry-After`
/// (delta-seconds or an HTTP-date, read against `now`); `None` if neither
/// asks for a positive wait.
pub(crate) fn retry_after(
    headers: &http::HeaderMap,
    now: std::time::SystemTime,
) -> Option<Duration> {
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let acs = value("x-acs-retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis);
    let standard = value("retry-after").and_then(|v| match v.parse::<u64>() {
        Ok(secs) => Some(Duration::from_secs(secs)),
        Err(_) => {
            super::time::parse_http_date(v).map(|at| at.duration_since(now).unwrap_or_default())
        }
    });
    acs.into_iter()
        .chain(standard)
        .max()
        .filter(|d| !d.is_zero())
}

fn parse_reply(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Result<EkycVerifyResponse, ResponseError> {
    let json: Option<Map<String, Value>> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    };
    if !(200..300).contains(&status) {
        let (code, message, request_id) = match &json {
            Some(m) => (
                text(m.get("Code")).unwrap_or_default(),
                text(m.get("Message")).unwrap_or_default(),
                text(m.get("RequestId")),
            ),
            None => (
                String::new(),
                String::from_utf8_lossy(body).trim().to_string(),
                None,
            ),
        };
        return Err(ResponseError::Api(ApiError {
            status,
            code: ErrorCode::parse(&code),
            message: message.chars().take(MAX_MESSAGE_CHARS).collect(),
            request_id,
            retry_after,
        }));
    }
    let Some(m) = json else {
        return Err(ResponseError::Malformed {
            status,
            reason: "expected a JSON object".to_string(),
        });
    };
    let result = match m.get("Result") {
        Some(Value::Object(r)) => Some(parse_result(r)),
        _ => None,
    };
    Ok(EkycVerifyResponse {
        status,
        request_id: text(m.get("RequestId")).unwrap_or_default(),
        code: text(m.get("Code")).unwrap_or_default(),
        message: text(m.get("Message")).unwrap_or_default(),
        result,
    })
}

fn parse_result(r: &Map<String, Value>) -> VerifyResult {
    let ext_face_info_raw = text(r.get("ExtFaceInfo"));
    let ext_id_info_raw = text(r.get("ExtIdInfo"));
    VerifyResult {
        passed: yes_no(r.get("Passed")) == Some(true),
        sub_code: text(r.get("SubCode")).map(|c| SubCode::parse(&c)),
        transaction_id: text(r.get("TransactionId")),
        ext_face_info: object(r.get("ExtFaceInfo")).map(|m| parse_face(&m)),
        ext_face_info_raw,
        ext_id_info: object(r.get("ExtIdInfo")).map(|m| parse_id(&m)),
        ext_id_info_raw,
    }
}

fn rest(m: &Map<String, Value>, known: &[&str]) -> BTreeMap<String, Value> {
    m.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn parse_face(m: &Map<String, Value>) -> ExtFaceInfo {
    ExtFaceInfo {
        face_passed: yes_no(m.get("facePassed")),
        face_comparison_score: number(m.get("faceComparisonScore")),
        face_attack: yes_no(m.get("faceAttack")),
        authority_comparison_score: number(m.get("authorityComparisonScore")),
        other: rest(
            m,
            &[
                "facePassed",
                "faceComparisonScore",
                "faceAttack",
                "authorityComparisonScore",
            ],
        ),
    }
}

fn parse_id(m: &Map<String, Value>) -> ExtIdInfo {
    let ocr_id_info = object(m.get("ocrIdInfo"))
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), text(Some(v)).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let spoof_info = object(m.get("spoofInfo")).map(|s| SpoofInfo {
        spoof_result: yes_no(s.get("spoofResult")),
        spoof_type: match s.get("spoofType") {
            Some(Value::Array(a)) => a.iter().filter_map(|v| text(Some(v))).collect(),
            Some(v) => text(Some(v))
                .filter(|t| !t.is_empty())
                .into_iter()
                .collect(),
            None => Vec::new(),
        },
        other: rest(&s, &["spoofResult", "spoofType"]),
    });
    ExtIdInfo {
        id_passed: yes_no(m.get("idPassed")),
        ocr_id_info,
        spoof_info,
        other: rest(m, &["idPassed", "ocrIdInfo", "spoofInfo"]),
    }
}

/// A string, or a scalar's JSON text; `None` for null, absent, arrays and objects
/// (whose JSON text is returned instead, for `ocrIdInfo` values).
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `Y`/`N` (any case), `true`/`false`, as a bool.
fn yes_no(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim() {
            "Y" | "y" | "true" | "T" => Some(true),
            "N" | "n" | "false" | "F" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A finite number, given as a number or a numeric string.
fn number(v: Option<&Value>) -> Option<f64> {
    let n = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// An object, given as an object or as a string holding a JSON object.
fn object(v: Option<&Value>) -> Option<Map<String, Value>> {
    match v? {
        Value::Object(m) => Some(m.clone()),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        },
        _ => None,
    }
}
