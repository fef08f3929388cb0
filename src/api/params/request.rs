//! The request and its builder: parameters set one by one or from a list, checked as
//! a whole by `build`, and turned into an OpenAPI call to sign.

use super::error::RequestError;
use super::validate::{
    check_flag, check_picture, doc_type_any_spelling, invalid, one_picture, optional_non_empty,
    required,
};
use super::{
    ekyc_verify_call, DocType, IdThreshold, Picture, BODY_PARAMS, MAX_PICTURE_BYTES, PRODUCT_CODE,
};
use crate::api::redact;
use crate::api::sign::{OpenApiCall, SignedRequest, Signer};
use crate::api::Endpoint;

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
    /// `MerchantUserId` (required); consider [`hash_user_id`](crate::api::hash_user_id).
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
        if let Some(t) = &self.id_threshold
            && IdThreshold::from_code(t).is_none()
        {
            return Err(invalid(
                "IdThreshold",
                format!("must be 0, 1, 2 or 3, got {t:?}"),
            ));
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
