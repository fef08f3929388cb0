//! EkycVerify requests and responses (feature `api`), sans-IO.
//!
//! In the shape of `aws-sigv4`: this module builds a signed
//! [`http::Request`] and parses a status and body into a typed response; it
//! does no I/O. The optional [`Client`] (feature `client`) sends with `ureq`.
//!
//! - [`EkycVerifyRequest`]: every parameter of the API document (plus
//!   `FaceQualityCheck` and `IdSpoof`, which the official SDK has), validated
//!   before anything is signed ([`RequestError`] names the parameter and the
//!   API error each check prevents).
//! - [`Signer`]: ACS3-HMAC-SHA256 exactly as the official SDK computes it,
//!   generic over action, version, host and parameters ([`OpenApiCall`]),
//!   with an injected [`Clock`] and [`NonceSource`].
//! - [`CredentialChain`]: credentials as the official SDKs find them
//!   (environment, OIDC/RRSA, the CLI's profile, the credentials file, the
//!   ECS RAM role, a credentials URI), refreshed before they expire.
//! - [`EkycVerifyResponse`]: the reply, with `ExtFaceInfo` and `ExtIdInfo`
//!   parsed; error replies become an [`ApiError`] that knows whether a retry
//!   can help.
//!
//! The official SDK drops `SceneCode`; [`EkycVerifyRequest`] sends it, as the
//! document lists it. [`ekyc_verify_call`] is the unchecked, SDK-compatible
//! path that sends exactly the parameters given.
//!
//! ```
//! use ekyc_preflight::api::*;
//! let request = EkycVerifyRequest::builder()
//!     .merchant_biz_id("e0c34a77f5ac40a5aa5e6ed20c350001")
//!     .merchant_user_id(hash_user_id("+852 5555 0001"))
//!     .doc_type(DocType::GlobalPassport)
//!     .id_picture(Picture::base64("/9j/4AAQ"))
//!     .face_picture(Picture::url("https://example.com/face.jpg"))
//!     // "/9j/4AAQ" is the start of a JPEG, not a picture: left unjudged here
//!     // (by default `build` refuses what `check` rejects).
//!     .check_pictures(false)
//!     .build()?;
//! let signer = Signer::new(Credentials::new("LTAI-id", "secret"));
//! let http_request = request.sign(&signer, &Endpoint::public()).to_http().unwrap();
//! // ... send it with any HTTP client, then:
//! let reply = EkycVerifyResponse::parse(200, br#"{"Code":"Success","Result":{"Passed":"N","SubCode":"204"}}"#)?;
//! assert!(!reply.passed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod credentials;
mod encode;
mod endpoint;
mod params;
mod redact;
mod response;
mod service_error;
mod sign;
mod time;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod http_error;
#[cfg(feature = "client")]
mod watch;

pub use credentials::{
    ChainConfig, ChainError, CredentialChain, CredentialError, Environment, Resolved,
};
pub use endpoint::Endpoint;
pub use params::{
    ekyc_verify_call, hash_user_id, DocType, EkycVerifyRequest, EkycVerifyRequestBuilder,
    IdThreshold, Picture, RequestError, ACTION, API_VERSION, BODY_PARAMS, MAX_PICTURE_BYTES,
    PRODUCT_CODE,
};
pub use response::{EkycVerifyResponse, ExtFaceInfo, ExtIdInfo, SpoofInfo, VerifyResult};
pub use service_error::{ApiError, ErrorCode, ResponseError, SubCode};
pub use sign::{
    Credentials, OpenApiCall, SignableRequest, SignatureParts, SignedRequest, Signer, ALGORITHM,
    DEFAULT_USER_AGENT,
};
pub use time::{format_acs_date, parse_acs_date, Clock, NonceSource, RandomNonce, SystemClock};

#[cfg(feature = "client")]
pub use client::{Answer, Client, ClientConfig, ClientError, Failure};
