//! The EkycVerify request: parameters, validation, and the call it becomes.

use super::encode::{form_len, sha256_hex};
use super::redact;
use super::response::ErrorCode;
use super::sign::{OpenApiCall, SignedRequest, Signer};
use super::Endpoint;

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
        /// The limit applied ([`MAX_PICTURE_BYTES`] unless overridden).
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

/// A validated EkycVerify request. Build one with [`EkycVerifyRequest::builder`]
/// or [`EkycVerifyRequest::from_params`].
///
/// ```
/// use ekyc_preflight::api::{Credentials, DocType, EkycVerifyRequest, Endpoint, Picture, Signer};
/// let req = EkycVerifyRequest::builder()
///     .merchant_biz_id("e0c34a77f5ac40a5aa5e6ed20c350001")
///     .merchant_user_id("user-0001")
///     .doc_type(DocType::HongKongIdCard2018)
///     .id_picture(Picture::url("https://example.com/id.jpg"))
///     .face_picture(Picture::base64("/9j/4AAQ"))
///     .check_pictures(false) // the start of a JPEG, not a picture `check` would pass
///     .build()?;
/// let signed = req.sign(&Signer::new(Credentials::new("id", "secret")), &Endpoint::public());
/// assert!(signed.url.starts_with("https://cloudauth-intl.cn-hongkong.aliyuncs.com/?DocType=00000008&"));
/// assert_eq!(signed.body, b"FacePictureBase64=%2F9j%2F4AAQ");
/// # Ok::<(), ekyc_preflight::api::RequestError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EkycVerifyRequest {
    params: Vec<(&'static str, String)>,
}

/// Shows the parameters with personal data redacted: the images by their
/// length, image URLs by their host, `DocName`, `DocNo` and `MerchantUserId`
/// by their length.
impl std::fmt::Debug for EkycVerifyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EkycVerifyRequest")
            .field("params", &redact::Params(&self.params))
            .finish()
    }
}

impl EkycVerifyRequest {
    /// A builder with `ProductCode` set to `eKYC_MIN` and nothing else.
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyRequest;
    /// // ProductCode is preset; MerchantBizId is the first required parameter missing.
    /// assert_eq!(EkycVerifyRequest::builder().build().unwrap_err().param(), "MerchantBizId");
    /// ```
    pub fn builder() -> EkycVerifyRequestBuilder {
        EkycVerifyRequestBuilder {
            product_code: Some(PRODUCT_CODE.to_string()),
            ..EkycVerifyRequestBuilder::default()
        }
    }

    /// Builds and validates from the document's parameter names and string
    /// values (`"Crop": "T"`, `"IdThreshold": "1"`, …), as a script or a
    /// conformance test would give them. Nothing is defaulted here, not even
    /// `ProductCode`; an unknown name is an error.
    ///
    /// ```
    /// use ekyc_preflight::api::{EkycVerifyRequest, ErrorCode};
    /// let err = EkycVerifyRequest::from_params([
    ///     ("ProductCode", "eKYC_MIN"), ("MerchantBizId", "b1"), ("MerchantUserId", "u"),
    ///     ("DocType", "01000000"), ("IdOcrPictureUrl", "https://x/1.jpg"),
    ///     ("IdOcrPictureBase64", "AAAA"), ("FacePictureUrl", "https://x/2.jpg"),
    /// ]).unwrap_err();
    /// assert_eq!(err.prevents(), ErrorCode::DataDuplication);
    /// ```
    pub fn from_params<K, V>(
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Result<EkycVerifyRequest, RequestError>
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut b = EkycVerifyRequestBuilder::default();
        for (k, v) in params {
            b.set(k.as_ref(), v.into())?;
        }
        b.build()
    }

    /// The parameters as sent, in the document's order.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.build()?;
    /// assert_eq!(request.params()[0], ("ProductCode", "eKYC_MIN".to_string()));
    /// assert_eq!(request.params().len(), 6);
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn params(&self) -> &[(&'static str, String)] {
        &self.params
    }

    /// The unsigned call (Base64 images in the body, the rest in the query).
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let call = builder.build()?.to_call();
    /// assert_eq!(call.action(), "EkycVerify");
    /// assert!(call.form_params().is_empty()); // images by URL go in the query
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn to_call(&self) -> OpenApiCall {
        ekyc_verify_call(self.params.iter().map(|(k, v)| (*k, v.as_str())))
    }

    /// Signs the request for `endpoint`.
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, DocType, EkycVerifyRequest, Endpoint, Picture, Signer};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let signer = Signer::new(Credentials::new("id", "secret"));
    /// let signed = builder.build()?.sign(&signer, &Endpoint::public());
    /// assert_eq!(signed.header("x-acs-action"), Some("EkycVerify"));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn sign(&self, signer: &Signer, endpoint: &Endpoint) -> SignedRequest {
        signer.sign(&self.to_call(), endpoint)
    }
}

/// Builds an [`EkycVerifyRequest`]; every check runs in [`build`](Self::build).
/// Every optional parameter is unset (not sent) by default.
///
/// ```
/// use ekyc_preflight::api::{DocType, EkycVerifyRequest, IdThreshold, Picture};
/// let request = EkycVerifyRequest::builder()
///     .scene_code("onboard_1")
///     .merchant_biz_id("e0c34a77f5ac40a5aa5e6ed20c350001")
///     .merchant_user_id("user-0001")
///     .doc_type(DocType::ChineseMainlandIdCard)
///     .doc_name("ZHANG SAN")
///     .doc_no("11010119900307123X")
///     .authorize(true)
///     .crop(true)
///     .id_threshold(IdThreshold::Strict)
///     .id_picture(Picture::url("https://example.com/id.jpg"))
///     .face_picture(Picture::url("https://example.com/face.jpg"))
///     .build()?;
/// assert!(request.params().contains(&("Authorize", "T".to_string())));
/// # Ok::<(), ekyc_preflight::api::RequestError>(())
/// ```
#[derive(Clone, Default)]
pub struct EkycVerifyRequestBuilder {
    product_code: Option<String>,
    scene_code: Option<String>,
    merchant_biz_id: Option<String>,
    merchant_user_id: Option<String>,
    doc_type: Option<String>,
    doc_name: Option<String>,
    doc_no: Option<String>,
    id_ocr_picture_base64: Option<String>,
    id_ocr_picture_url: Option<String>,
    face_picture_base64: Option<String>,
    face_picture_url: Option<String>,
    crop: Option<String>,
    authorize: Option<String>,
    id_threshold: Option<String>,
    face_quality_check: Option<String>,
    id_spoof: Option<String>,
    max_picture_bytes: Option<usize>,
    skip_picture_check: bool,
}

/// Shows the parameters set so far, redacted as [`EkycVerifyRequest`]'s `Debug` is.
impl std::fmt::Debug for EkycVerifyRequestBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set: Vec<(&str, String)> = [
            ("ProductCode", &self.product_code),
            ("SceneCode", &self.scene_code),
            ("MerchantBizId", &self.merchant_biz_id),
            ("MerchantUserId", &self.merchant_user_id),
            ("DocType", &self.doc_type),
            ("DocName", &self.doc_name),
            ("DocNo", &self.doc_no),
            ("IdOcrPictureBase64", &self.id_ocr_picture_base64),
            ("IdOcrPictureUrl", &self.id_ocr_picture_url),
            ("FacePictureBase64", &self.face_picture_base64),
            ("FacePictureUrl", &self.face_picture_url),
            ("Crop", &self.crop),
            ("Authorize", &self.authorize),
            ("IdThreshold", &self.id_threshold),
            ("FaceQualityCheck", &self.face_quality_check),
            ("IdSpoof", &self.id_spoof),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect();
        f.debug_struct("EkycVerifyRequestBuilder")
            .field("params", &redact::Params(&set))
            .field("max_picture_bytes", &self.max_picture_bytes)
            .field("check_pictures", &!self.skip_picture_check)
            .finish()
    }
}

fn flag(v: bool) -> String {
    if v { "T" } else { "F" }.to_string()
}

impl EkycVerifyRequestBuilder {
    /// `ProductCode`: must be `eKYC_MIN`, which [`EkycVerifyRequest::builder`] sets.
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyRequest;
    /// let err = EkycVerifyRequest::builder().product_code("eKYC_PRO").build().unwrap_err();
    /// assert_eq!(err.param(), "ProductCode");
    /// ```
    pub fn product_code(mut self, v: impl Into<String>) -> Self {
        self.product_code = Some(v.into());
        self
    }
    /// `SceneCode`: up to 10 letters, digits or `_`. Not sent by default.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.scene_code("onboard_1").build()?;
    /// assert!(request.params().contains(&("SceneCode", "onboard_1".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn scene_code(mut self, v: impl Into<String>) -> Self {
        self.scene_code = Some(v.into());
        self
    }
    /// `MerchantBizId` (required): up to 32 letters and digits, unique per call.
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyRequest;
    /// let err = EkycVerifyRequest::builder().merchant_biz_id("not-alnum!").build().unwrap_err();
    /// assert_eq!(err.param(), "MerchantBizId");
    /// ```
    pub fn merchant_biz_id(mut self, v: impl Into<String>) -> Self {
        self.merchant_biz_id = Some(v.into());
        self
    }
    /// `MerchantUserId` (required); consider [`hash_user_id`].
    ///
    /// ```
    /// use ekyc_preflight::api::{hash_user_id, DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.merchant_user_id(hash_user_id("+852 5555 0001")).build()?;
    /// assert!(request.params().iter().any(|(k, v)| *k == "MerchantUserId" && v.len() == 64));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn merchant_user_id(mut self, v: impl Into<String>) -> Self {
        self.merchant_user_id = Some(v.into());
        self
    }
    /// `DocType` (required).
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.doc_type(DocType::HongKongIdCard2018).build()?;
    /// assert!(request.params().contains(&("DocType", "00000008".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn doc_type(mut self, v: DocType) -> Self {
        self.doc_type = Some(v.code().to_string());
        self
    }
    /// `DocName`, the user's real name. Not sent by default; required with `Authorize`.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.doc_name("ZHANG SAN").build()?;
    /// assert!(request.params().contains(&("DocName", "ZHANG SAN".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn doc_name(mut self, v: impl Into<String>) -> Self {
        self.doc_name = Some(v.into());
        self
    }
    /// `DocNo`, the certificate number. Not sent by default; required with `Authorize`.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.doc_no("E12345678").build()?;
    /// assert!(request.params().contains(&("DocNo", "E12345678".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn doc_no(mut self, v: impl Into<String>) -> Self {
        self.doc_no = Some(v.into());
        self
    }
    /// The certificate image: `IdOcrPictureBase64` or `IdOcrPictureUrl` (required).
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).face_picture(Picture::url("https://x/f.jpg"));
    /// // Only the start of a JPEG: left unjudged (see `check_pictures`).
    /// let request = builder.id_picture(Picture::base64("/9j/4AAQ")).check_pictures(false).build()?;
    /// assert!(request.params().contains(&("IdOcrPictureBase64", "/9j/4AAQ".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn id_picture(mut self, p: Picture) -> Self {
        match p {
            Picture::Base64(s) => self.id_ocr_picture_base64 = Some(s),
            Picture::Url(s) => self.id_ocr_picture_url = Some(s),
        }
        self
    }
    /// The face image: `FacePictureBase64` or `FacePictureUrl` (required).
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg"));
    /// let request = builder.face_picture(Picture::url("https://x/face.jpg")).build()?;
    /// assert!(request.params().contains(&("FacePictureUrl", "https://x/face.jpg".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn face_picture(mut self, p: Picture) -> Self {
        match p {
            Picture::Base64(s) => self.face_picture_base64 = Some(s),
            Picture::Url(s) => self.face_picture_url = Some(s),
        }
        self
    }
    /// `Crop`: let the API crop the face image. Not sent by default (the API's default is `F`).
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.crop(true).build()?;
    /// assert!(request.params().contains(&("Crop", "T".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn crop(mut self, v: bool) -> Self {
        self.crop = Some(flag(v));
        self
    }
    /// `Authorize`: check against the official database; only for
    /// [`DocType::ChineseMainlandIdCard`], and then `DocName` and `DocNo` are
    /// required. Not sent by default (the API's default is `F`).
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// // Authorize=T needs the Chinese mainland ID card, not a passport.
    /// assert_eq!(builder.authorize(true).build().unwrap_err().param(), "Authorize");
    /// ```
    pub fn authorize(mut self, v: bool) -> Self {
        self.authorize = Some(flag(v));
        self
    }
    /// `IdThreshold`. Not sent by default (the API then uses its system default).
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, IdThreshold, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.id_threshold(IdThreshold::Loose).build()?;
    /// assert!(request.params().contains(&("IdThreshold", "2".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn id_threshold(mut self, v: IdThreshold) -> Self {
        self.id_threshold = Some(v.code().to_string());
        self
    }
    /// `FaceQualityCheck` (in the official SDK, not in the document). Not sent by default.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.face_quality_check(true).build()?;
    /// assert!(request.params().contains(&("FaceQualityCheck", "T".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn face_quality_check(mut self, v: bool) -> Self {
        self.face_quality_check = Some(flag(v));
        self
    }
    /// `IdSpoof`, certificate anti-spoofing (in the official SDK, not in the
    /// document). Not sent by default.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.id_spoof(false).build()?;
    /// assert!(request.params().contains(&("IdSpoof", "F".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn id_spoof(mut self, v: bool) -> Self {
        self.id_spoof = Some(flag(v));
        self
    }
    /// The limit of each Base64 image's form field as sent. Default:
    /// [`MAX_PICTURE_BYTES`].
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, ErrorCode, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg"));
    /// let err = builder.face_picture(Picture::base64("AAAA")).max_picture_bytes(10).build().unwrap_err();
    /// assert_eq!(err.prevents(), ErrorCode::ToolargeImage);
    /// ```
    pub fn max_picture_bytes(mut self, limit: usize) -> Self {
        self.max_picture_bytes = Some(limit);
        self
    }
    /// Whether [`build`](Self::build) decodes each Base64 image given and
    /// judges it with [`check_with`](crate::check_with) (the default
    /// [`Spec`](crate::Spec), [`CheckOptions`](crate::CheckOptions) with
    /// [`Role::Id`](crate::Role::Id) for the certificate,
    /// [`Role::Face`](crate::Role::Face) for the face, Base64 transport),
    /// refusing a [`Verdict::Reject`](crate::Verdict::Reject) with
    /// [`RequestError::Picture`]: the same verdict `request --id-image FILE`
    /// gets. Default: on. Off, the Base64 is still decoded (it must be valid
    /// Base64), the picture not judged. The check decodes the image and looks
    /// for faces: tens of milliseconds per image.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture, RequestError};
    /// let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    ///     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg"))
    ///     .face_picture(Picture::base64("aGVsbG8gd29ybGQ=")); // "hello world"
    /// let err = builder.clone().build().unwrap_err();
    /// assert!(matches!(err, RequestError::Picture { param: "FacePictureBase64", .. }));
    /// assert!(builder.check_pictures(false).build().is_ok());
    /// ```
    pub fn check_pictures(mut self, on: bool) -> Self {
        self.skip_picture_check = !on;
        self
    }

    /// Sets a parameter by its document name (`"Crop"`, `"IdOcrPictureBase64"`,
    /// ...) from its string value, as [`EkycVerifyRequest::from_params`]
    /// does; an unknown name is an error. Checked in [`build`](Self::build).
    ///
    /// ```
    /// use ekyc_preflight::api::EkycVerifyRequest;
    /// let builder = EkycVerifyRequest::builder().param("DocType", "01000000")?;
    /// assert!(EkycVerifyRequest::builder().param("Bogus", "1").is_err());
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Result<Self, RequestError> {
        self.set(name, value.into())?;
        Ok(self)
    }

    /// Sets a parameter by its document name from a string value.
    fn set(&mut self, name: &str, value: String) -> Result<(), RequestError> {
        let slot = match name {
            "ProductCode" => &mut self.product_code,
            "SceneCode" => &mut self.scene_code,
            "MerchantBizId" => &mut self.merchant_biz_id,
            "MerchantUserId" => &mut self.merchant_user_id,
            "DocType" => &mut self.doc_type,
            "DocName" => &mut self.doc_name,
            "DocNo" => &mut self.doc_no,
            "IdOcrPictureBase64" => &mut self.id_ocr_picture_base64,
            "IdOcrPictureUrl" => &mut self.id_ocr_picture_url,
            "FacePictureBase64" => &mut self.face_picture_base64,
            "FacePictureUrl" => &mut self.face_picture_url,
            "Crop" => &mut self.crop,
            "Authorize" => &mut self.authorize,
            "IdThreshold" => &mut self.id_threshold,
            "FaceQualityCheck" => &mut self.face_quality_check,
            "IdSpoof" => &mut self.id_spoof,
            _ => {
                return Err(RequestError::UnknownParameter {
                    name: name.to_string(),
                })
            }
        };
        *slot = Some(value);
        Ok(())
    }

    /// Checks every rule and returns the request, or the first rule broken.
    ///
    /// Checks, in order: `ProductCode` is `eKYC_MIN`; `SceneCode` ≤ 10 of
    /// letters, digits, `_`; `MerchantBizId` 1–32 letters and digits;
    /// `MerchantUserId` present; `DocType` in the document's table; `DocName`
    /// and `DocNo` non-empty if given; for each image exactly one of Base64
    /// (standard alphabet, no `data:` prefix) or an `http(s)` URL (no control
    /// characters; not `localhost` nor a loopback, private or link-local
    /// address literal: the service downloads it from the internet); the flags
    /// `T`/`F` and `IdThreshold` `0`–`3`; `Authorize=T` only with the Chinese
    /// mainland ID card, and then with `DocName` and `DocNo`; each Base64
    /// image's field within [`MAX_PICTURE_BYTES`] as sent, valid Base64, and
    /// (unless [`check_pictures(false)`](Self::check_pictures)) not a reject
    /// by `check`.
    ///
    /// ```
    /// use ekyc_preflight::api::{DocType, EkycVerifyRequest, Picture};
    /// # let builder = EkycVerifyRequest::builder().merchant_biz_id("b1").merchant_user_id("u")
    /// #     .doc_type(DocType::GlobalPassport).id_picture(Picture::url("https://x/id.jpg")).face_picture(Picture::url("https://x/f.jpg"));
    /// let request = builder.build()?;
    /// assert!(request.params().contains(&("IdOcrPictureUrl", "https://x/id.jpg".to_string())));
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn build(self) -> Result<EkycVerifyRequest, RequestError> {
        let mut params: Vec<(&'static str, String)> = Vec::new();

        let product_code = required("ProductCode", self.product_code)?;
        if product_code != PRODUCT_CODE {
            return Err(invalid(
                "ProductCode",
                format!("must be {PRODUCT_CODE}, got {product_code:?}"),
            ));
        }
        params.push(("ProductCode", product_code));

        if let Some(scene) = self.scene_code {
            let ok = !scene.is_empty()
                && scene.len() <= 10
                && scene
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok {
                return Err(invalid(
                    "SceneCode",
                    format!("must be 1 to 10 letters, digits or '_', got {scene:?}"),
                ));
            }
            params.push(("SceneCode", scene));
        }

        let biz = required("MerchantBizId", self.merchant_biz_id)?;
        if biz.len() > 32 || !biz.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(
                "MerchantBizId",
                format!("must be up to 32 letters and digits, got {biz:?}"),
            ));
        }
        params.push(("MerchantBizId", biz));
        params.push((
            "MerchantUserId",
            required("MerchantUserId", self.merchant_user_id)?,
        ));

        let doc_code = required("DocType", self.doc_type)?;
        let doc_type = doc_type_any_spelling(&doc_code).ok_or_else(|| {
            invalid(
                "DocType",
                format!("{doc_code:?} is not in the document's table of certificate types"),
            )
        })?;
        params.push(("DocType", doc_code));

        let doc_name = optional_non_empty("DocName", self.doc_name)?;
        let doc_no = optional_non_empty("DocNo", self.doc_no)?;

        let id = one_picture(
            "IdOcrPictureBase64",
            self.id_ocr_picture_base64,
            "IdOcrPictureUrl",
            self.id_ocr_picture_url,
            "IdOcrPictureBase64|IdOcrPictureUrl",
        )?;
        let face = one_picture(
            "FacePictureBase64",
            self.face_picture_base64,
            "FacePictureUrl",
            self.face_picture_url,
            "FacePictureBase64|FacePictureUrl",
        )?;

        let crop = check_flag("Crop", self.crop)?;
        let authorize = check_flag("Authorize", self.authorize)?;
        let face_quality_check = check_flag("FaceQualityCheck", self.face_quality_check)?;
        let id_spoof = check_flag("IdSpoof", self.id_spoof)?;
        if let Some(t) = &self.id_threshold {
            if IdThreshold::from_code(t).is_none() {
                return Err(invalid(
                    "IdThreshold",
                    format!("must be 0, 1, 2 or 3, got {t:?}"),
                ));
            }
        }

        if authorize.as_deref() == Some("T") {
            if doc_type != DocType::ChineseMainlandIdCard {
                return Err(invalid(
                    "Authorize",
                    format!(
                        "T is only available with DocType 00000001 (Chinese mainland ID card), not {}",
                        doc_type.code()
                    ),
                ));
            }
            if doc_name.is_none() {
                return Err(RequestError::Missing { param: "DocName" });
            }
            if doc_no.is_none() {
                return Err(RequestError::Missing { param: "DocNo" });
            }
        }

        let limit = self.max_picture_bytes.unwrap_or(MAX_PICTURE_BYTES);
        for (name, value) in [&id, &face] {
            if BODY_PARAMS.contains(name) {
                check_picture(name, value, limit, !self.skip_picture_check)?;
            }
        }

        for (name, v) in [("DocName", doc_name), ("DocNo", doc_no)] {
            if let Some(v) = v {
                params.push((name, v));
            }
        }
        params.push(id);
        params.push(face);
        for (name, v) in [
            ("Crop", crop),
            ("Authorize", authorize),
            ("IdThreshold", self.id_threshold),
            ("FaceQualityCheck", face_quality_check),
            ("IdSpoof", id_spoof),
        ] {
            if let Some(v) = v {
                params.push((name, v));
            }
        }
        Ok(EkycVerifyRequest { params })
    }
}

/// The checks of one Base64 image: its size as sent, its Base64, and (when
/// `judge`) `check`'s verdict with the role its parameter implies.
fn check_picture(
    name: &'static str,
    value: &str,
    limit: usize,
    judge: bool,
) -> Result<(), RequestError> {
    let sent_bytes = form_len([(name, value)]);
    if sent_bytes > limit {
        return Err(RequestError::TooLarge {
            param: name,
            sent_bytes,
            limit,
        });
    }
    let bytes = base64_simd::STANDARD
        .decode_to_vec(value.as_bytes())
        .map_err(|_| {
            invalid(
                name,
                "is not valid Base64: its length must be a multiple of 4, with at most two '=' of padding at the end"
                    .to_string(),
            )
        })?;
    if !judge {
        return Ok(());
    }
    let options = crate::CheckOptions {
        role: if name == "IdOcrPictureBase64" {
            crate::Role::Id
        } else {
            crate::Role::Face
        },
        transport: crate::Transport::Base64,
        ..crate::CheckOptions::default()
    };
    let report = crate::check_with(&bytes, &crate::Spec::default(), &options);
    if report.verdict != crate::Verdict::Reject {
        return Ok(());
    }
    let worst = report
        .findings
        .iter()
        .find(|f| f.severity == crate::Severity::Reject);
    Err(RequestError::Picture {
        param: name,
        rule: worst.map_or(crate::Rule::Format, |f| f.rule),
        code: worst
            .and_then(|f| f.api_code)
            .map_or(ErrorCode::UnqualifiedPhoto, |c| {
                ErrorCode::parse(c.as_str())
            }),
        reason: report.to_string(),
    })
}

fn invalid(param: &'static str, rule: String) -> RequestError {
    RequestError::Invalid { param, rule }
}

fn required(param: &'static str, v: Option<String>) -> Result<String, RequestError> {
    match v {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(RequestError::Missing { param }),
    }
}

fn optional_non_empty(
    param: &'static str,
    v: Option<String>,
) -> Result<Option<String>, RequestError> {
    match v {
        Some(v) if v.trim().is_empty() => Err(RequestError::Missing { param }),
        v => Ok(v),
    }
}

fn check_flag(param: &'static str, v: Option<String>) -> Result<Option<String>, RequestError> {
    match v.as_deref() {
        None | Some("T") | Some("F") => Ok(v),
        Some(_) => Err(invalid(param, "must be T or F".to_string())),
    }
}

fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// A `DocType` code as the document spells it: the table's codes, and the
/// 8-digit spellings `00000011`/`00000012` its text implies for the two
/// 9-digit codes of the table.
fn doc_type_any_spelling(code: &str) -> Option<DocType> {
    DocType::from_code(code).or(match code {
        "00000011" => Some(DocType::MacaoIdCard),
        "00000012" => Some(DocType::MainlandTravelPermitTaiwan),
        _ => None,
    })
}

/// Whether `host` (`name[:port]`, `ip[:port]` or `[ipv6][:port]`) may be a
/// public host: not `localhost` and not a loopback, private, link-local,
/// unspecified or unique-local literal address. Names are not resolved.
fn is_public_host(host: &str) -> bool {
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if lower.is_empty() || lower == "localhost" || lower.ends_with(".localhost") {
        return false;
    }
    match lower.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 100 && (ip.octets()[1] & 0xc0) == 64)
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private() || v4.is_link_local()))
        }
        Err(_) => true,
    }
}

fn one_picture(
    b64_name: &'static str,
    b64: Option<String>,
    url_name: &'static str,
    url: Option<String>,
    either: &'static str,
) -> Result<(&'static str, String), RequestError> {
    match (b64, url) {
        (Some(_), Some(_)) => Err(RequestError::Duplicated {
            base64: b64_name,
            url: url_name,
        }),
        (None, None) => Err(RequestError::Missing { param: either }),
        (Some(b), None) => {
            if b.is_empty() {
                Err(RequestError::Missing { param: b64_name })
            } else if !is_base64(&b) {
                Err(invalid(
                    b64_name,
                    "must be standard Base64 (A-Z a-z 0-9 + / and = padding) without a data: prefix"
                        .to_string(),
                ))
            } else {
                Ok((b64_name, b))
            }
        }
        (None, Some(u)) => {
            let lower = u.get(..8).unwrap_or(&u).to_ascii_lowercase();
            let rest = if lower.starts_with("https://") {
                &u[8..]
            } else if lower.starts_with("http://") {
                &u[7..]
            } else {
                return Err(invalid(
                    url_name,
                    "must be an http:// or https:// URL".to_string(),
                ));
            };
            if rest.is_empty() || rest.starts_with('/') {
                return Err(invalid(url_name, "the URL has no host".to_string()));
            }
            // A plain space is let through: the shared SDK vector 06 (an OSS
            // URL with "id front.jpg") is valid, and the space is
            // form-encoded on the wire. Other whitespace and control
            // characters are refused.
            if u.chars()
                .any(|c| c != ' ' && (c.is_whitespace() || c.is_control()))
            {
                return Err(invalid(
                    url_name,
                    "the URL contains control characters or whitespace other than spaces; percent-encode them".to_string(),
                ));
            }
            let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if !is_public_host(host) {
                return Err(invalid(
                    url_name,
                    "the URL must be reachable from the public internet, not a loopback, private or link-local address".to_string(),
                ));
            }
            Ok((url_name, u))
        }
    }
}
