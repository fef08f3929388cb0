//! The EkycVerify request: parameters, validation, and the call it becomes.

use super::encode::sha256_hex;
use super::redact;
use super::sign::OpenApiCall;

mod error;
mod request;
mod validate;

pub use error::RequestError;
pub use request::{EkycVerifyRequest, EkycVerifyRequestBuilder};

/// The action name.
///
/// ```
/// use ekyc_preflight::api::{ekyc_verify_call, ACTION};
/// assert_eq!(ACTION, "EkycVerify");
/// assert_eq!(ekyc_verify_call([("ProductCode", "eKYC_MIN")]).action(), ACTION);
/// ```
pub const ACTION: &str = "EkycVerify";
/// The API version of `cloudauth-intl` that EkycVerify belongs to.
///
/// ```
/// use ekyc_preflight::api::{ekyc_verify_call, API_VERSION};
/// assert_eq!(API_VERSION, "2022-08-09");
/// assert_eq!(ekyc_verify_call([("ProductCode", "eKYC_MIN")]).version(), API_VERSION);
/// ```
pub const API_VERSION: &str = "2022-08-09";
/// The only `ProductCode` the document allows.
///
/// ```
/// use ekyc_preflight::api::{EkycVerifyRequest, PRODUCT_CODE};
/// assert_eq!(PRODUCT_CODE, "eKYC_MIN");
/// let err = EkycVerifyRequest::builder().product_code("eKYC_PRO").build().unwrap_err();
/// assert_eq!(err.param(), "ProductCode");
/// ```
pub const PRODUCT_CODE: &str = "eKYC_MIN";
/// The data transfer limit the document states ("the 1 MB data transfer
/// limit"), **per image**: each Base64 image's form field (`Name=value`) as
/// sent, after percent-encoding (which grows Base64 by about 6 %: `+`, `/` and
/// `=` become three bytes each), is at most 1,000,000 bytes. The document
/// speaks of one image at a time ("ensure that the original image size does
/// not exceed 0.6 MB to avoid exceeding the 1 MB data transfer limit"), so two
/// images of 0.6 MB each are within it. Override with
/// [`EkycVerifyRequestBuilder::max_picture_bytes`].
///
/// ```
/// use ekyc_preflight::api::{DocType, EkycVerifyRequest, ErrorCode, Picture, MAX_PICTURE_BYTES};
/// // 750,000 Base64 characters, a third of them '+', '/' or '=': over the limit once encoded.
/// let b64 = "ab+".repeat(250_000);
/// assert!(b64.len() < MAX_PICTURE_BYTES);
/// let err = EkycVerifyRequest::builder()
///     .merchant_biz_id("b1").merchant_user_id("u").doc_type(DocType::GlobalPassport)
///     .id_picture(Picture::base64(b64)).face_picture(Picture::url("https://x/f.jpg"))
///     .build().unwrap_err();
/// assert_eq!(err.prevents(), ErrorCode::ToolargeImage);
/// ```
pub const MAX_PICTURE_BYTES: usize = 1_000_000;

/// The parameters the official SDK sends in the form body; every other one goes
/// in the query string.
///
/// ```
/// use ekyc_preflight::api::{ekyc_verify_call, BODY_PARAMS};
/// let call = ekyc_verify_call([(BODY_PARAMS[0], "AAAA"), ("DocType", "01000000")]);
/// assert_eq!((call.form_params().len(), call.query_params().len()), (1, 1));
/// ```
pub const BODY_PARAMS: [&str; 2] = ["FacePictureBase64", "IdOcrPictureBase64"];

/// The certificate types of the document's table (`DocType`).
///
/// The document says DocType is "an 8-digit number", yet lists the Macao
/// Identity Card and the Taiwan residents' permit with **9** digits
/// (`000000011`, `000000012`); they are kept exactly as the document writes them.
/// A request's `DocType` may use either spelling (`00000011` is accepted as
/// well) and is sent as given.
///
/// ```
/// use ekyc_preflight::api::DocType;
/// assert_eq!(DocType::from_code("00000001"), Some(DocType::ChineseMainlandIdCard));
/// assert_eq!(DocType::MacaoIdCard.code(), "000000011");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocType {
    /// `01000000`: Global passport.
    GlobalPassport,
    /// `00000006`: Hong Kong Identity Card (2003 version).
    HongKongIdCard2003,
    /// `00000008`: Hong Kong Identity Card (2018 version).
    HongKongIdCard2018,
    /// `00000007`: Exit-Entry Permit for Travelling to and from Hong Kong and Macao.
    ExitEntryPermitHongKongMacao,
    /// `00000009`: Mainland Travel Permits for Hong Kong and Macao Residents.
    MainlandTravelPermitHongKongMacao,
    /// `000000011` (9 digits, as in the document): Macao Identity Card.
    MacaoIdCard,
    /// `000000012` (9 digits, as in the document): Mainland Travel Permit for Taiwan Residents.
    MainlandTravelPermitTaiwan,
    /// `00000001`: Second-generation resident ID card of the Chinese mainland.
    ChineseMainlandIdCard,
}

impl DocType {
    /// Every certificate type, in the document's order.
    ///
    /// ```
    /// use ekyc_preflight::api::DocType;
    /// assert_eq!(DocType::ALL[0], DocType::GlobalPassport);
    /// assert!(DocType::ALL.iter().all(|d| DocType::from_code(d.code()) == Some(*d)));
    /// ```
    pub const ALL: [DocType; 8] = [
        DocType::GlobalPassport,
        DocType::HongKongIdCard2003,
        DocType::HongKongIdCard2018,
        DocType::ExitEntryPermitHongKongMacao,
        DocType::MainlandTravelPermitHongKongMacao,
        DocType::MacaoIdCard,
        DocType::MainlandTravelPermitTaiwan,
        DocType::ChineseMainlandIdCard,
    ];

    /// The code sent as `DocType`.
    ///
    /// ```
    /// use ekyc_preflight::api::DocType;
    /// assert_eq!(DocType::GlobalPassport.code(), "01000000");
    /// assert_eq!(DocType::MainlandTravelPermitTaiwan.code(), "000000012");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            DocType::GlobalPassport => "01000000",
            DocType::HongKongIdCard2003 => "00000006",
            DocType::HongKongIdCard2018 => "00000008",
            DocType::ExitEntryPermitHongKongMacao => "00000007",
            DocType::MainlandTravelPermitHongKongMacao => "00000009",
            DocType::MacaoIdCard => "000000011",
            DocType::MainlandTravelPermitTaiwan => "000000012",
            DocType::ChineseMainlandIdCard => "00000001",
        }
    }

    /// The document's name for it.
    ///
    /// ```
    /// use ekyc_preflight::api::DocType;
    /// assert_eq!(DocType::GlobalPassport.name(), "Global passport");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DocType::GlobalPassport => "Global passport",
            DocType::HongKongIdCard2003 => "Hong Kong Identity Card (2003 version)",
            DocType::HongKongIdCard2018 => "Hong Kong Identity Card (2018 version)",
            DocType::ExitEntryPermitHongKongMacao => {
                "Exit-Entry Permit for Travelling to and from Hong Kong and Macao"
            }
            DocType::MainlandTravelPermitHongKongMacao => {
                "Mainland Travel Permits for Hong Kong and Macao Residents"
            }
            DocType::MacaoIdCard => "Macao Identity Card",
            DocType::MainlandTravelPermitTaiwan => "Mainland Travel Permit for Taiwan Residents",
            DocType::ChineseMainlandIdCard => {
                "Second-generation resident ID card of the Chinese mainland"
            }
        }
    }

    /// The type with this code, if the document lists it.
    ///
    /// ```
    /// use ekyc_preflight::api::DocType;
    /// assert_eq!(DocType::from_code("01000000"), Some(DocType::GlobalPassport));
    /// assert_eq!(DocType::from_code("00000011"), None); // the document writes 000000011
    /// ```
    pub fn from_code(code: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// How the API should run OCR quality detection (`IdThreshold`).
///
/// ```
/// use ekyc_preflight::api::IdThreshold;
/// assert_eq!(IdThreshold::QualityCheckOff.code(), "3");
/// assert_eq!(IdThreshold::from_code("1"), Some(IdThreshold::Strict));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IdThreshold {
    /// `0`: the system default.
    #[default]
    SystemDefault,
    /// `1`: strict.
    Strict,
    /// `2`: loose.
    Loose,
    /// `3`: quality detection off.
    QualityCheckOff,
}

impl IdThreshold {
    /// The value sent.
    ///
    /// ```
    /// use ekyc_preflight::api::IdThreshold;
    /// assert_eq!(IdThreshold::default().code(), "0");
    /// assert_eq!(IdThreshold::Loose.code(), "2");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            IdThreshold::SystemDefault => "0",
            IdThreshold::Strict => "1",
            IdThreshold::Loose => "2",
            IdThreshold::QualityCheckOff => "3",
        }
    }

    /// Parses `0`–`3`.
    ///
    /// ```
    /// use ekyc_preflight::api::IdThreshold;
    /// assert_eq!(IdThreshold::from_code("2"), Some(IdThreshold::Loose));
    /// assert_eq!(IdThreshold::from_code("4"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<IdThreshold> {
        match code {
            "0" => Some(IdThreshold::SystemDefault),
            "1" => Some(IdThreshold::Strict),
            "2" => Some(IdThreshold::Loose),
            "3" => Some(IdThreshold::QualityCheckOff),
            _ => None,
        }
    }
}

/// An image: Base64 text (sent in the form body) or an `http(s)` URL the API
/// downloads (sent in the query).
///
/// ```
/// use ekyc_preflight::api::Picture;
/// let p = Picture::url("https://example.com/face.jpg");
/// assert!(matches!(p, Picture::Url(_)));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Picture {
    /// Standard Base64 (with `+`, `/`, `=`), no `data:` prefix.
    Base64(String),
    /// A URL reachable from the public internet.
    Url(String),
}

impl Picture {
    /// A Base64 image.
    ///
    /// ```
    /// use ekyc_preflight::api::Picture;
    /// assert_eq!(Picture::base64("/9j/4AAQ"), Picture::Base64("/9j/4AAQ".to_string()));
    /// ```
    pub fn base64(text: impl Into<String>) -> Self {
        Picture::Base64(text.into())
    }

    /// An image by URL.
    ///
    /// ```
    /// use ekyc_preflight::api::Picture;
    /// assert_eq!(Picture::url("https://x/f.jpg"), Picture::Url("https://x/f.jpg".to_string()));
    /// ```
    pub fn url(url: impl Into<String>) -> Self {
        Picture::Url(url.into())
    }
}

/// A prepared image plugs straight in, as Base64.
///
/// ```
/// use ekyc_preflight::{api::Picture, Preprocessor};
/// # let photo = ekyc_preflight::doc_sample_png();
/// let prepared = Preprocessor::default().with_base64(true).prepare(&photo)?;
/// let picture = Picture::from(&prepared);
/// assert!(matches!(picture, Picture::Base64(_)));
/// # Ok::<(), ekyc_preflight::Error>(())
/// ```
impl From<&crate::Prepared> for Picture {
    fn from(prepared: &crate::Prepared) -> Self {
        Picture::Base64(prepared.to_base64())
    }
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Picture::Base64(s) => write!(f, "Base64({} chars)", s.len()),
            Picture::Url(u) => f.debug_tuple("Url").field(&redact::url(u)).finish(),
        }
    }
}

/// SHA-256 of a raw user identifier (phone number, e-mail, account id) as 64
/// lowercase hex digits, for `MerchantUserId`: the document strongly advises
/// not to send the identifier in clear. Identifiers with little entropy (phone
/// numbers) can be guessed back from a bare hash; prefix a secret salt of your
/// own to prevent that.
///
/// ```
/// use ekyc_preflight::api::hash_user_id;
/// assert_eq!(hash_user_id("").len(), 64);
/// assert_eq!(&hash_user_id("abc")[..8], "ba7816bf");
/// ```
pub fn hash_user_id(raw: &str) -> String {
    sha256_hex(raw.as_bytes())
}

/// Turns name/value pairs into an EkycVerify [`OpenApiCall`] exactly as the
/// official SDK does, **without any validation**: the two Base64 images
/// ([`BODY_PARAMS`]) go in the form body, everything else in the query.
///
/// This is the SDK-compatible path, used to reproduce the SDK's requests byte
/// for byte. Note that the SDK's model silently drops `SceneCode`; this
/// function sends whatever it is given, so leave `SceneCode` out to match the
/// SDK. [`EkycVerifyRequest`] validates and sends `SceneCode`, as the document
/// lists it.
///
/// ```
/// use ekyc_preflight::api::ekyc_verify_call;
/// let call = ekyc_verify_call([("ProductCode", "eKYC_MIN"), ("FacePictureBase64", "AAAA")]);
/// assert_eq!(call.query_params().len(), 1);
/// assert_eq!(call.form_body(), "FacePictureBase64=AAAA");
/// ```
pub fn ekyc_verify_call<K, V>(params: impl IntoIterator<Item = (K, V)>) -> OpenApiCall
where
    K: Into<String>,
    V: Into<String>,
{
    let mut call = OpenApiCall::new(ACTION, API_VERSION);
    for (k, v) in params {
        let k = k.into();
        if BODY_PARAMS.contains(&k.as_str()) {
            call = call.form(k, v);
        } else {
            call = call.query(k, v);
        }
    }
    call
}
