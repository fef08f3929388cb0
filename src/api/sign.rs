//! ACS3-HMAC-SHA256, generic over action, version, host and parameters.

use std::fmt;
use std::sync::Arc;

use super::encode::{hmac_sha256_hex, join_sorted, sha256_hex, Space};
use super::endpoint::Endpoint;
use super::redact;
use super::time::{format_acs_date, Clock, NonceSource, RandomNonce, SystemClock};

/// The signature algorithm's name, as it appears in `Authorization`.
///
/// ```
/// use ekyc_preflight::api::ALGORITHM;
/// assert_eq!(ALGORITHM, "ACS3-HMAC-SHA256");
/// ```
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The `user-agent` sent unless [`Signer::with_user_agent`] says otherwise.
/// It is signed, so reproducing an official SDK request byte for byte needs
/// that SDK's user agent.
///
/// ```
/// use ekyc_preflight::api::DEFAULT_USER_AGENT;
/// assert!(DEFAULT_USER_AGENT.starts_with("ekyc-preflight/"));
/// ```
pub const DEFAULT_USER_AGENT: &str = concat!("ekyc-preflight/", env!("CARGO_PKG_VERSION"));

/// An AccessKey pair, optionally with an STS security token.
///
/// The secret (and the token) never appear in `Debug` output.
///
/// ```
/// use ekyc_preflight::api::Credentials;
/// let c = Credentials::new("LTAI-id", "very-secret");
/// assert!(!format!("{c:?}").contains("very-secret"));
/// let sts = Credentials::new("STS.id", "s").with_security_token("CAIS...");
/// assert_eq!(sts.security_token(), Some("CAIS..."));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
}

impl Credentials {
    /// A static AccessKey pair (`x-acs-credentials-provider: static_ak`).
    ///
    /// ```
    /// use ekyc_preflight::api::Credentials;
    /// let c = Credentials::new("LTAI-id", "secret");
    /// assert_eq!(c.access_key_id(), "LTAI-id");
    /// assert_eq!(c.security_token(), None);
    /// ```
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
        }
    }

    /// Adds an STS token: the request then carries `x-acs-accesskey-id` and
    /// `x-acs-security-token`, and says `static_sts`. No token by default.
    ///
    /// ```
    /// use ekyc_preflight::api::Credentials;
    /// let sts = Credentials::new("STS.id", "s").with_security_token("CAIS...");
    /// assert_eq!(sts.security_token(), Some("CAIS..."));
    /// ```
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and,
    /// if set and non-empty, `ALIBABA_CLOUD_SECURITY_TOKEN`; `None` when either
    /// of the first two is missing or empty.
    ///
    /// ```no_run
    /// let creds = ekyc_preflight::api::Credentials::from_env().expect("credentials in env");
    /// ```
    pub fn from_env() -> Option<Self> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut c = Credentials::new(
            get("ALIBABA_CLOUD_ACCESS_KEY_ID")?,
            get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")?,
        );
        c.security_token = get("ALIBABA_CLOUD_SECURITY_TOKEN");
        Some(c)
    }

    /// The AccessKey ID (not secret: it is sent in `Authorization`).
    ///
    /// ```
    /// use ekyc_preflight::api::Credentials;
    /// assert_eq!(Credentials::new("LTAI-id", "s").access_key_id(), "LTAI-id");
    /// ```
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The STS token, if any.
    ///
    /// ```
    /// use ekyc_preflight::api::Credentials;
    /// assert_eq!(Credentials::new("id", "s").security_token(), None);
    /// let sts = Credentials::new("STS.id", "s").with_security_token("tok");
    /// assert_eq!(sts.security_token(), Some("tok"));
    /// ```
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// The AccessKey secret, for the crate's own signatures.
    pub(crate) fn secret(&self) -> &str {
        &self.access_key_secret
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One RPC-style OpenAPI call, before signing: the action, its API version, and
/// its parameters split between the query string and the form body.
///
/// [`EkycVerifyRequest`](super::EkycVerifyRequest) is one user; any other
/// product's action can be signed the same way.
///
/// ```
/// use ekyc_preflight::api::OpenApiCall;
/// let call = OpenApiCall::new("DescribeRegions", "2014-05-26")
///     .query("RegionId", "cn-hongkong");
/// assert_eq!(call.query_params()[0].1, "cn-hongkong");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct OpenApiCall {
    action: String,
    version: String,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
}

/// Shows the action and the parameters, personal data redacted (see
/// [`EkycVerifyRequest`](super::EkycVerifyRequest)'s `Debug`).
impl fmt::Debug for OpenApiCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenApiCall")
            .field("action", &self.action)
            .field("version", &self.version)
            .field("query", &redact::Params(&self.query))
            .field("form", &redact::Params(&self.form))
            .finish()
    }
}

impl OpenApiCall {
    /// A call with no parameters yet.
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// let call = OpenApiCall::new("DescribeRegions", "2014-05-26");
    /// assert!(call.query_params().is_empty() && call.form_params().is_empty());
    /// ```
    pub fn new(action: impl Into<String>, version: impl Into<String>) -> Self {
        OpenApiCall {
            action: action.into(),
            version: version.into(),
            query: Vec::new(),
            form: Vec::new(),
        }
    }

    /// Adds a query parameter.
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// let call = OpenApiCall::new("DescribeRegions", "2014-05-26").query("RegionId", "cn-hongkong");
    /// assert_eq!(call.query_params(), [("RegionId".to_string(), "cn-hongkong".to_string())]);
    /// ```
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a form-body parameter (sent `application/x-www-form-urlencoded`).
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// let call = OpenApiCall::new("EkycVerify", "2022-08-09").form("IdFaceQuality", "Y");
    /// assert_eq!(call.form_body(), "IdFaceQuality=Y");
    /// ```
    pub fn form(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.form.push((name.into(), value.into()));
        self
    }

    /// The action (`x-acs-action`).
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// assert_eq!(OpenApiCall::new("DescribeRegions", "2014-05-26").action(), "DescribeRegions");
    /// ```
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The API version (`x-acs-version`).
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// assert_eq!(OpenApiCall::new("DescribeRegions", "2014-05-26").version(), "2014-05-26");
    /// ```
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The query parameters, in the order added (they are sorted when signed).
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// let call = OpenApiCall::new("A", "1").query("B", "2").query("A", "1");
    /// assert_eq!(call.query_params()[0].0, "B");
    /// ```
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// The form-body parameters, in the order added (sorted when encoded).
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// let call = OpenApiCall::new("A", "1").form("Z", "1").form("Y", "2");
    /// assert_eq!(call.form_params()[0].0, "Z");
    /// ```
    pub fn form_params(&self) -> &[(String, String)] {
        &self.form
    }

    /// The form body exactly as it will be sent: names sorted, form-encoded.
    ///
    /// ```
    /// use ekyc_preflight::api::OpenApiCall;
    /// let call = OpenApiCall::new("A", "1").form("Name", "ZHANG SAN").form("Id", "7");
    /// assert_eq!(call.form_body(), "Id=7&Name=ZHANG+SAN");
    /// ```
    pub fn form_body(&self) -> String {
        join_sorted(&self.form, Space::Plus)
    }
}

/// What the core of the signature covers: method, path, query, every header to
/// sign (all of them are signed), and the body.
///
/// This is the layer Alibaba's "V3 request structure and signature" page
/// describes; [`Signer`] builds one from an [`OpenApiCall`] with the headers
/// the official SDK sends.
///
/// ```
/// use ekyc_preflight::api::SignableRequest;
/// let headers = vec![("host".to_string(), "example.com".to_string())];
/// let req = SignableRequest { method: "POST", path: "/", query: &[], headers: &headers, body: b"" };
/// let parts = req.sign("id", "secret");
/// assert_eq!(parts.signed_headers, "host");
/// assert_eq!(parts.signature.len(), 64);
/// ```
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The canonical URI, `/` for RPC-style calls.
    pub path: &'a str,
    /// The query parameters, unencoded.
    pub query: &'a [(String, String)],
    /// The headers to sign, any case; each is lower-cased and its value trimmed.
    pub headers: &'a [(String, String)],
    /// The body as sent.
    pub body: &'a [u8],
}

/// Shows the method and path, the parameters and headers redacted, the body's length.
impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redact::Params(self.query))
            .field("headers", &redact::Headers(self.headers))
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// Every intermediate value of an ACS3-HMAC-SHA256 signature.
///
/// ```
/// use ekyc_preflight::api::SignableRequest;
/// let parts = SignableRequest { method: "POST", path: "/", query: &[], headers: &[], body: b"" }
///     .sign("id", "secret");
/// assert!(parts.string_to_sign.starts_with("ACS3-HMAC-SHA256\n"));
/// assert!(parts.canonical_request.ends_with(&parts.hashed_payload));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureParts {
    /// Names sorted, values percent-encoded (space as `%20`).
    pub canonical_query_string: String,
    /// `name:value\n` for each signed header, names lower-cased and sorted.
    pub canonical_headers: String,
    /// The signed header names, `;`-separated.
    pub signed_headers: String,
    /// Hex SHA-256 of the body.
    pub hashed_payload: String,
    /// The canonical request.
    pub canonical_request: String,
    /// `ACS3-HMAC-SHA256\n<hex sha256(canonical request)>`.
    pub string_to_sign: String,
    /// Hex HMAC-SHA256 of the string to sign, keyed with the secret.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// Shows the signed header names, the payload hash and the signature; the
/// canonical forms, which hold every parameter and the STS token, by their
/// length only.
impl fmt::Debug for SignatureParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureParts")
            .field(
                "canonical_query_string",
                &redact::Len(&self.canonical_query_string),
            )
            .field("canonical_headers", &redact::Len(&self.canonical_headers))
            .field("signed_headers", &self.signed_headers)
            .field("hashed_payload", &self.hashed_payload)
            .field("canonical_request", &redact::Len(&self.canonical_request))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

impl SignableRequest<'_> {
    /// Signs with an AccessKey ID and secret. The secret is used as the HMAC
    /// key and goes nowhere else.
    ///
    /// ```
    /// use ekyc_preflight::api::SignableRequest;
    /// let headers = vec![("Host".to_string(), " example.com ".to_string())];
    /// let req = SignableRequest { method: "POST", path: "/", query: &[], headers: &headers, body: b"" };
    /// let parts = req.sign("id", "secret");
    /// assert!(parts.canonical_headers == "host:example.com\n" && parts.authorization.contains("Credential=id,"));
    /// ```
    pub fn sign(&self, access_key_id: &str, access_key_secret: &str) -> SignatureParts {
        let canonical_query_string = join_sorted(self.query, Space::Percent);
        let mut headers: Vec<(String, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
            .collect();
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        let mut canonical_headers = String::new();
        for (k, v) in &headers {
            canonical_headers.push_str(k);
            canonical_headers.push(':');
            canonical_headers.push_str(v);
            canonical_headers.push('\n');
        }
        let mut names: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
        names.dedup();
        let signed_headers = names.join(";");
        let hashed_payload = sha256_hex(self.body);
        let canonical_request = format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method,
            self.path,
            canonical_query_string,
            canonical_headers,
            signed_headers,
            hashed_payload
        );
        let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
        let signature = hmac_sha256_hex(access_key_secret.as_bytes(), string_to_sign.as_bytes());
        let authorization = format!(
            "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
        );
        SignatureParts {
            canonical_query_string,
            canonical_headers,
            signed_headers,
            hashed_payload,
            canonical_request,
            string_to_sign,
            signature,
            authorization,
        }
    }
}

/// A signed request: everything needed to send it, plus the intermediate
/// values for debugging and comparison with the official SDK.
///
/// ```
/// use ekyc_preflight::api::{ekyc_verify_call, Credentials, Endpoint, Signer};
/// let signed = Signer::new(Credentials::new("id", "secret"))
///     .sign(&ekyc_verify_call([("DocName", "ZHANG SAN")]), &Endpoint::vpc());
/// assert_eq!(signed.wire_query, "DocName=ZHANG+SAN");
/// assert_eq!(signed.parts.canonical_query_string, "DocName=ZHANG%20SAN");
/// assert_eq!(signed.header("content-length"), Some("0"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// Always `POST`.
    pub method: String,
    /// `scheme://host/?<wire query>`.
    pub url: String,
    /// The query as sent: names sorted, form-encoded (space as `+`).
    pub wire_query: String,
    /// The headers in the order the official SDK sends them, ending with
    /// `Authorization` and `Content-Length`.
    pub headers: Vec<(String, String)>,
    /// The form body (empty when no parameter goes in the body).
    pub body: Vec<u8>,
    /// The signature's intermediate values.
    pub parts: SignatureParts,
}

/// Shows the method, where it goes, the headers (the STS token redacted), the
/// body's length and the signature; the query and the body, which hold
/// personal data, by their length only.
impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self
            .url
            .split_once('?')
            .map_or(self.url.as_str(), |(b, _)| b);
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("url", &base)
            .field("wire_query", &redact::Len(&self.wire_query))
            .field("headers", &redact::Headers(&self.headers))
            .field("body_bytes", &self.body.len())
            .field("parts", &self.parts)
            .finish()
    }
}

impl SignedRequest {
    /// The request as an [`http::Request`], headers in the same order
    /// (`http` lower-cases their names).
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Endpoint, OpenApiCall, Signer};
    /// let signer = Signer::new(Credentials::new("id", "secret"));
    /// let signed = signer.sign(&OpenApiCall::new("DescribeRegions", "2014-05-26"), &Endpoint::https("ecs.aliyuncs.com"));
    /// let req = signed.to_http().unwrap();
    /// assert_eq!(req.method(), "POST");
    /// assert!(req.headers().contains_key("authorization"));
    /// ```
    pub fn to_http(&self) -> Result<http::Request<Vec<u8>>, http::Error> {
        let mut b = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.url.as_str());
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b.body(self.body.clone())
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Endpoint, OpenApiCall, Signer};
    /// let signed = Signer::new(Credentials::new("id", "s")).sign(&OpenApiCall::new("A", "1"), &Endpoint::public());
    /// assert_eq!(signed.header("X-ACS-ACTION"), Some("A"));
    /// assert_eq!(signed.header("x-missing"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Signs [`OpenApiCall`]s the way the official SDK does, with an injected
/// clock and nonce source.
///
/// ```
/// use ekyc_preflight::api::{parse_acs_date, Credentials, Endpoint, OpenApiCall, Signer};
/// let date = parse_acs_date("2023-10-26T10:22:32Z").unwrap();
/// let signer = Signer::new(Credentials::new("YourAccessKeyId", "YourAccessKeySecret"))
///     .with_clock(move || date)
///     .with_nonce_source(|| "3156853299f313e23d1673dc12e1703d".to_string());
/// let signed = signer.sign(&OpenApiCall::new("RunInstances", "2014-05-26"), &Endpoint::https("ecs.cn-shanghai.aliyuncs.com"));
/// assert_eq!(signed.header("x-acs-date"), Some("2023-10-26T10:22:32Z"));
/// assert!(signed.parts.authorization.starts_with("ACS3-HMAC-SHA256 Credential=YourAccessKeyId,"));
/// ```
#[derive(Clone)]
pub struct Signer {
    credentials: Credentials,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    user_agent: String,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("credentials", &self.credentials)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with the system clock, random nonces and [`DEFAULT_USER_AGENT`].
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Endpoint, OpenApiCall, Signer, DEFAULT_USER_AGENT};
    /// let signer = Signer::new(Credentials::new("id", "s"));
    /// let signed = signer.sign(&OpenApiCall::new("A", "1"), &Endpoint::public());
    /// assert_eq!(signed.header("user-agent"), Some(DEFAULT_USER_AGENT));
    /// ```
    pub fn new(credentials: Credentials) -> Self {
        Signer {
            credentials,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonce),
            user_agent: DEFAULT_USER_AGENT.to_string(),
        }
    }

    /// Uses `clock` for `x-acs-date`. Default: [`SystemClock`].
    ///
    /// ```
    /// use ekyc_preflight::api::{parse_acs_date, Credentials, Endpoint, OpenApiCall, Signer};
    /// let date = parse_acs_date("2023-10-26T10:22:32Z").unwrap();
    /// let signer = Signer::new(Credentials::new("id", "s")).with_clock(move || date);
    /// let signed = signer.sign(&OpenApiCall::new("A", "1"), &Endpoint::public());
    /// assert_eq!(signed.header("x-acs-date"), Some("2023-10-26T10:22:32Z"));
    /// ```
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uses `nonces` for `x-acs-signature-nonce`. Default: [`RandomNonce`].
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Endpoint, OpenApiCall, Signer};
    /// let signer = Signer::new(Credentials::new("id", "s")).with_nonce_source(|| "nonce-1".to_string());
    /// let signed = signer.sign(&OpenApiCall::new("A", "1"), &Endpoint::public());
    /// assert_eq!(signed.header("x-acs-signature-nonce"), Some("nonce-1"));
    /// ```
    pub fn with_nonce_source(mut self, nonces: impl NonceSource + 'static) -> Self {
        self.nonces = Arc::new(nonces);
        self
    }

    /// Sends (and signs) this `user-agent`. Default: [`DEFAULT_USER_AGENT`].
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Endpoint, OpenApiCall, Signer};
    /// let signer = Signer::new(Credentials::new("id", "s")).with_user_agent("my-app/1.0");
    /// let signed = signer.sign(&OpenApiCall::new("A", "1"), &Endpoint::public());
    /// assert_eq!(signed.header("user-agent"), Some("my-app/1.0"));
    /// ```
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The same signer with other credentials (after a refresh).
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Signer};
    /// let signer = Signer::new(Credentials::new("old", "s")).with_credentials(Credentials::new("new", "s2"));
    /// assert_eq!(signer.credentials().access_key_id(), "new");
    /// ```
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// The credentials (their `Debug` hides the secret).
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Signer};
    /// let signer = Signer::new(Credentials::new("LTAI-id", "secret"));
    /// assert_eq!(signer.credentials().access_key_id(), "LTAI-id");
    /// ```
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Signs `call` for `endpoint` with a fresh date and nonce.
    ///
    /// Headers, in the official SDK's order: `host`, `x-acs-version`,
    /// `x-acs-action`, `user-agent`, `x-acs-date`, `x-acs-signature-nonce`,
    /// `accept`, `content-type` (form, sent even with an empty body),
    /// `x-acs-content-sha256`, `x-acs-credentials-provider`, with STS
    /// `x-acs-accesskey-id` and `x-acs-security-token`; all of them signed;
    /// then `Authorization` and `Content-Length`.
    ///
    /// ```
    /// use ekyc_preflight::api::{Credentials, Endpoint, OpenApiCall, Signer};
    /// let signer = Signer::new(Credentials::new("id", "s").with_security_token("tok"));
    /// let call = OpenApiCall::new("DescribeRegions", "2014-05-26").query("RegionId", "cn-hongkong");
    /// let signed = signer.sign(&call, &Endpoint::https("ecs.aliyuncs.com"));
    /// assert_eq!(signed.url, "https://ecs.aliyuncs.com/?RegionId=cn-hongkong");
    /// assert_eq!(signed.header("x-acs-credentials-provider"), Some("static_sts"));
    /// ```
    pub fn sign(&self, call: &OpenApiCall, endpoint: &Endpoint) -> SignedRequest {
        let date = format_acs_date(self.clock.now());
        let nonce = self.nonces.nonce();
        let body = call.form_body().into_bytes();
        let wire_query = join_sorted(&call.query, Space::Plus);
        let c = &self.credentials;
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), endpoint.host().into()),
            ("x-acs-version".into(), call.version.clone()),
            ("x-acs-action".into(), call.action.clone()),
            ("user-agent".into(), self.user_agent.clone()),
            ("x-acs-date".into(), date),
            ("x-acs-signature-nonce".into(), nonce),
            ("accept".into(), "application/json".into()),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("x-acs-content-sha256".into(), sha256_hex(&body)),
        ];
        match &c.security_token {
            None => headers.push(("x-acs-credentials-provider".into(), "static_ak".into())),
            Some(token) => {
                headers.push(("x-acs-credentials-provider".into(), "static_sts".into()));
                headers.push(("x-acs-accesskey-id".into(), c.access_key_id.clone()));
                headers.push(("x-acs-security-token".into(), token.clone()));
            }
        }
        let parts = SignableRequest {
            method: "POST",
            path: "/",
            query: &call.query,
            headers: &headers,
            body: &body,
        }
        .sign(&c.access_key_id, &c.access_key_secret);
        headers.push(("Authorization".into(), parts.authorization.clone()));
        headers.push(("Content-Length".into(), body.len().to_string()));
        let url = if wire_query.is_empty() {
            format!("{}/", endpoint.base_url())
        } else {
            format!("{}/?{}", endpoint.base_url(), wire_query)
        };
        SignedRequest {
            method: "POST".into(),
            url,
            wire_query,
            headers,
            body,
            parts,
        }
    }
}
