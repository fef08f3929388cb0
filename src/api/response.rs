//! Parsing EkycVerify replies: typed results and typed API errors.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use super::service_error::{ApiError, ErrorCode, ResponseError, SubCode, MAX_MESSAGE_CHARS};

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
