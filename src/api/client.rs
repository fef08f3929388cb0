//! A blocking client on top of the sans-IO layer (feature `client`).
//!
//! EkycVerify is billed per call and has no idempotency key, so the client
//! keeps track of how far each attempt got: whether the request left in full
//! (a transport wrapper in `ureq`'s connector chain watches the bytes go out
//! and the reply come in), and what the answer said. A call is sent again
//! only when the outcome says it was not processed, unless the caller opts
//! into more ([`ClientConfig::billable_retries`]).

use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{Connector, DefaultConnector};

use super::http_error::describe;
use super::watch::{is_timeout, Progress, Watch};
use super::{
    ApiError, EkycVerifyRequest, EkycVerifyResponse, Endpoint, ErrorCode, OpenApiCall,
    ResponseError, SignedRequest, Signer,
};

/// Deadlines, retries and limits of a [`Client`]. Plain fields; every
/// default is stated on its field.
///
/// ```
/// use std::time::Duration;
/// use ekyc_preflight::api::ClientConfig;
/// let config = ClientConfig { timeout: Duration::from_secs(30), billable_retries: 1, ..ClientConfig::default() };
/// assert_eq!(config.connect_timeout, Duration::from_secs(5));
/// assert_eq!(ClientConfig::default().billable_retries, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig {
    /// The deadline of a whole call: every attempt (connecting, sending the
    /// request and its body, waiting for and reading the answer) and every
    /// wait between attempts. A retry that would not start before it is not
    /// made. Default: 15 s, the official SDK's 5 s connect plus 10 s read
    /// timeouts.
    pub timeout: Duration,
    /// The longest an attempt may take to connect (TCP and TLS), within
    /// [`timeout`](Self::timeout). Default: 5 s (the SDK's).
    pub connect_timeout: Duration,
    /// Retries after an outcome that says the call was not processed, so
    /// cannot have been billed: the request never left in full (connection
    /// refused, DNS, TLS, a stalled upload), or the service answered with
    /// throttling (a `Throttling*` code or HTTP 429). Default: 2.
    pub safe_retries: u32,
    /// Retries after an outcome that **may have been processed and billed**:
    /// HTTP 5xx, or no answer once the request had left (a dropped connection,
    /// the deadline). Each of these retries may be billed again. Default: 0
    /// (the official SDK makes one attempt).
    pub billable_retries: u32,
    /// The backoff before the second attempt; it doubles after each attempt,
    /// and a random jitter takes the wait anywhere between half and all of
    /// it. A longer wait asked for by the server (`x-acs-retry-after` or
    /// `Retry-After`) is honoured. Default: 200 ms.
    pub base_delay: Duration,
    /// The longest wait between attempts. A server asking for a longer wait
    /// gets its error returned instead of an early retry. Default: 5 s.
    pub max_delay: Duration,
    /// The largest answer body read. Default: 1 MiB.
    pub max_response_bytes: u64,
    /// Whether to use the proxy named by `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`.
    /// Default: true.
    pub use_env_proxy: bool,
}

impl ClientConfig {
    /// The official SDK's connect timeout.
    ///
    /// ```
    /// use ekyc_preflight::api::ClientConfig;
    /// assert_eq!(ClientConfig::default().connect_timeout, ClientConfig::SDK_CONNECT_TIMEOUT);
    /// ```
    pub const SDK_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// The official SDK's read timeout.
    ///
    /// ```
    /// use ekyc_preflight::api::ClientConfig;
    /// let c = ClientConfig::default();
    /// assert_eq!(c.timeout, ClientConfig::SDK_CONNECT_TIMEOUT + ClientConfig::SDK_READ_TIMEOUT);
    /// ```
    pub const SDK_READ_TIMEOUT: Duration = Duration::from_secs(10);
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Self::SDK_CONNECT_TIMEOUT + Self::SDK_READ_TIMEOUT,
            connect_timeout: Self::SDK_CONNECT_TIMEOUT,
            safe_retries: 2,
            billable_retries: 0,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_response_bytes: 1 << 20,
            use_env_proxy: true,
        }
    }
}

/// What became of a call that gave no verdict, by what a caller must do
/// about it: the request never left (safe to send again), it left and no
/// answer came (it may have been billed: look it up before sending again),
/// or the service answered with an error, or with something unreadable.
///
/// ```
/// use ekyc_preflight::api::Failure;
/// let f = Failure::NotSent { reason: "connection refused".into() };
/// assert!(!f.may_have_been_processed());
/// assert!(f.to_string().contains("not sent"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The request did not leave, or not in full: connection refused, DNS,
    /// TLS, connect timeout, an upload the server stopped reading. The
    /// service cannot have processed it.
    NotSent {
        /// What went wrong.
        reason: String,
    },
    /// The request left in full and no complete answer came back: the
    /// deadline passed, or the connection dropped. It may have been
    /// processed and billed.
    NoAnswer {
        /// What went wrong.
        reason: String,
        /// Whether the deadline ran out (rather than the connection dropping).
        timed_out: bool,
    },
    /// The service answered with an error: a non-2xx status, or a 2xx whose
    /// `Code` is not `Success`.
    Api(ApiError),
    /// The service answered 2xx with something that cannot be read: not the
    /// documented JSON, or over [`ClientConfig::max_response_bytes`]. The call
    /// was probably processed and billed.
    Unreadable {
        /// The HTTP status.
        status: u16,
        /// What is wrong with the body.
        reason: String,
    },
    /// The credential chain ([`Client::with_credential_chain`]) gave no
    /// credentials; nothing was sent.
    Credentials {
        /// What each source said (no secrets).
        reason: String,
    },
}

impl Failure {
    /// Whether the service may have processed (and billed) the call: no
    /// answer after the request left, an unreadable 2xx, a 5xx, or a 2xx
    /// with an error code other than throttling. `false` when the request
    /// never left or the answer says it was refused.
    ///
    /// ```
    /// use ekyc_preflight::api::Failure;
    /// let f = Failure::NoAnswer { reason: "deadline".into(), timed_out: true };
    /// assert!(f.may_have_been_processed());
    /// ```
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            Failure::NotSent { .. } | Failure::Credentials { .. } => false,
            Failure::NoAnswer { .. } | Failure::Unreadable { .. } => true,
            Failure::Api(e) => !e.not_processed() && (e.status >= 500 || e.status < 300),
        }
    }

    /// Whether the service sent an answer (an error or an unreadable one).
    ///
    /// ```
    /// use ekyc_preflight::api::Failure;
    /// assert!(Failure::Unreadable { status: 200, reason: "not JSON".into() }.answered());
    /// assert!(!Failure::NotSent { reason: "DNS".into() }.answered());
    /// ```
    pub fn answered(&self) -> bool {
        matches!(self, Failure::Api(_) | Failure::Unreadable { .. })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotSent { reason } => write!(
                f,
                "the request was not sent ({reason}); EkycVerify cannot have processed or billed it"
            ),
            Failure::NoAnswer {
                reason,
                timed_out: true,
            } => write!(
                f,
                "the request was sent but no answer came before the deadline ({reason}); \
                 EkycVerify may have processed and billed it"
            ),
            Failure::NoAnswer { reason, .. } => write!(
                f,
                "the request was sent but the connection was lost before the answer ({reason}); \
                 EkycVerify may have processed and billed it"
            ),
            Failure::Api(e) => e.fmt(f),
            Failure::Unreadable { status, reason } => write!(
                f,
                "EkycVerify answered HTTP {status} with an answer that cannot be read ({reason}); \
                 the call was probably processed and billed"
            ),
            Failure::Credentials { reason } => write!(f, "the request was not sent: {reason}"),
        }
    }
}

/// Why [`Client::verify`] gave no verdict: the [`Failure`] of the last
/// attempt, and how many attempts were made.
///
/// ```no_run
/// use ekyc_preflight::api::*;
/// # let client = Client::new(Signer::new(Credentials::new("id", "s")), Endpoint::public());
/// # let request = EkycVerifyRequest::from_params([("x", "y")]).unwrap();
/// match client.verify(&request) {
///     Err(e) if e.api_error().is_some_and(|a| a.code == ErrorCode::NoFaceDetected) => {
///         eprintln!("retake the face photo");
///     }
///     Err(e) if e.failure().may_have_been_processed() => eprintln!("look it up before retrying: {e}"),
///     Err(e) => eprintln!("{e}"),
///     Ok(answer) => println!("passed: {}", answer.response.passed()),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    failure: Failure,
    attempts: u32,
}

impl ClientError {
    /// An error after `attempts` attempts (at least 1).
    ///
    /// ```
    /// use ekyc_preflight::api::{ClientError, Failure};
    /// let e = ClientError::new(Failure::NotSent { reason: "DNS".into() }, 3);
    /// assert_eq!(e.attempts(), 3);
    /// assert!(e.to_string().ends_with("(3 attempts)"));
    /// ```
    pub fn new(failure: Failure, attempts: u32) -> Self {
        ClientError {
            failure,
            attempts: attempts.max(1),
        }
    }

    /// What became of the last attempt.
    ///
    /// ```
    /// use ekyc_preflight::api::{ClientError, Failure};
    /// let e = ClientError::new(Failure::NotSent { reason: "DNS".into() }, 1);
    /// assert!(matches!(e.failure(), Failure::NotSent { .. }));
    /// ```
    pub fn failure(&self) -> &Failure {
        &self.failure
    }

    /// How many attempts were made (each one may have been billed unless its
    /// outcome said otherwise).
    ///
    /// ```
    /// use ekyc_preflight::api::{ClientError, Failure};
    /// assert_eq!(ClientError::new(Failure::NotSent { reason: "x".into() }, 0).attempts(), 1);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The API's error, if it sent one.
    ///
    /// ```
    /// use ekyc_preflight::api::{ClientError, Failure};
    /// let e = ClientError::new(Failure::NoAnswer { reason: "slow".into(), timed_out: true }, 1);
    /// assert!(e.api_error().is_none());
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match &self.failure {
            Failure::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the call's deadline ran out.
    ///
    /// ```
    /// use ekyc_preflight::api::{ClientError, Failure};
    /// let e = ClientError::new(Failure::NoAnswer { reason: "slow".into(), timed_out: true }, 1);
    /// assert!(e.timed_out());
    /// ```
    pub fn timed_out(&self) -> bool {
        matches!(
            self.failure,
            Failure::NoAnswer {
                timed_out: true,
                ..
            }
        )
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.failure.fmt(f)?;
        if self.attempts > 1 {
            write!(f, " ({} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ClientError {}

/// A verdict: the service's answer, and how many attempts it took.
///
/// ```
/// use ekyc_preflight::api::{Answer, EkycVerifyResponse};
/// let answer = Answer { response: EkycVerifyResponse::default(), attempts: 1 };
/// assert!(!answer.response.passed());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The answer (HTTP 2xx, `Code` `Success` or absent).
    pub response: EkycVerifyResponse,
    /// How many attempts were made; more than 1 only after a retry (see
    /// [`ClientConfig::safe_retries`] and [`ClientConfig::billable_retries`]).
    pub attempts: u32,
}

/// Sends signed requests with `ureq` (rustls), within one deadline per call,
/// retrying only what [`ClientConfig`] allows. Each attempt uses a fresh
/// connection, so that what became of it is known exactly.
///
/// ```no_run
/// use ekyc_preflight::api::*;
/// let client = Client::new(Signer::new(Credentials::from_env().unwrap()), Endpoint::public());
/// let request = EkycVerifyRequest::builder()
///     .merchant_biz_id("e0c34a77f5ac40a5aa5e6ed20c350001")
///     .merchant_user_id(hash_user_id("user@example.com"))
///     .doc_type(DocType::GlobalPassport)
///     .id_picture(Picture::url("https://example.com/id.jpg"))
///     .face_picture(Picture::url("https://example.com/face.jpg"))
///     .build()?;
/// match client.verify(&request) {
///     Ok(answer) if answer.response.passed() => println!("passed"),
///     Ok(answer) => println!("refused: {:?}", answer.response.result.and_then(|r| r.sub_code)),
///     Err(e) => eprintln!("{e}"),
/// }
/// # Ok::<(), RequestError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    signer: Signer,
    endpoint: Endpoint,
    config: ClientConfig,
    credentials: Option<Arc<super::CredentialChain>>,
}

/// How to treat an outcome when deciding on another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Not processed: within `safe_retries`.
    Safe,
    /// May have been processed: within `billable_retries`.
    Billable,
    /// Sending again cannot help, or must not happen.
    Never,
}

fn retry_class(f: &Failure) -> Retry {
    match f {
        Failure::NotSent { .. } => Retry::Safe,
        Failure::Api(e) if e.not_processed() => Retry::Safe,
        Failure::Api(e) if e.status >= 500 => Retry::Billable,
        Failure::NoAnswer { .. } => Retry::Billable,
        Failure::Api(_) | Failure::Unreadable { .. } | Failure::Credentials { .. } => Retry::Never,
    }
}

impl Client {
    /// A client with [`ClientConfig::default`].
    ///
    /// ```
    /// use ekyc_preflight::api::{Client, Credentials, Endpoint, Signer};
    /// let client = Client::new(Signer::new(Credentials::new("id", "secret")), Endpoint::public());
    /// assert_eq!(client.config().billable_retries, 0);
    /// ```
    pub fn new(signer: Signer, endpoint: Endpoint) -> Self {
        Client::with_config(signer, endpoint, ClientConfig::default())
    }

    /// A client with `config`.
    ///
    /// ```
    /// use ekyc_preflight::api::{Client, ClientConfig, Credentials, Endpoint, Signer};
    /// let config = ClientConfig { safe_retries: 0, ..ClientConfig::default() };
    /// let client = Client::with_config(Signer::new(Credentials::new("id", "s")), Endpoint::vpc(), config);
    /// assert_eq!(client.config().safe_retries, 0);
    /// ```
    pub fn with_config(signer: Signer, endpoint: Endpoint, config: ClientConfig) -> Self {
        Client {
            signer,
            endpoint,
            config,
            credentials: None,
        }
    }

    /// Takes each attempt's credentials from `chain` (cached, refreshed
    /// before they expire) instead of the signer's own. A chain that gives
    /// none ends the call with [`Failure::Credentials`], before anything is
    /// sent. Default: the signer's credentials.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use ekyc_preflight::api::*;
    /// let chain = Arc::new(CredentialChain::new(Environment::from_process()));
    /// let client = Client::new(Signer::new(Credentials::new("", "")), Endpoint::public())
    ///     .with_credential_chain(chain);
    /// # let _ = client;
    /// ```
    pub fn with_credential_chain(mut self, chain: Arc<super::CredentialChain>) -> Self {
        self.credentials = Some(chain);
        self
    }

    /// The configuration in use.
    ///
    /// ```
    /// use ekyc_preflight::api::{Client, ClientConfig, Credentials, Endpoint, Signer};
    /// let client = Client::new(Signer::new(Credentials::new("id", "s")), Endpoint::public());
    /// assert_eq!(*client.config(), ClientConfig::default());
    /// ```
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends an EkycVerify request and reads the answer, retrying as
    /// [`ClientConfig`] says, all within [`ClientConfig::timeout`]; each
    /// attempt is signed afresh (new date and nonce).
    ///
    /// A 2xx answer whose `Code` is present and not `Success` is an error
    /// ([`Failure::Api`]); a 2xx that is not the documented JSON is
    /// [`Failure::Unreadable`].
    ///
    /// ```no_run
    /// use ekyc_preflight::api::*;
    /// let client = Client::new(Signer::new(Credentials::new("id", "s")), Endpoint::public());
    /// # let request = EkycVerifyRequest::from_params([("x", "y")]).unwrap();
    /// let passed = client.verify(&request).map(|answer| answer.response.passed());
    /// ```
    pub fn verify(&self, request: &EkycVerifyRequest) -> Result<Answer, ClientError> {
        self.verify_call(&request.to_call())
    }

    /// Like [`verify`](Self::verify) for an unchecked [`OpenApiCall`] (see
    /// [`ekyc_verify_call`](super::ekyc_verify_call)).
    ///
    /// ```no_run
    /// use ekyc_preflight::api::*;
    /// let client = Client::new(Signer::new(Credentials::new("id", "s")), Endpoint::public());
    /// let reply = client.verify_call(&ekyc_verify_call([("ProductCode", "eKYC_MIN")]));
    /// ```
    pub fn verify_call(&self, call: &OpenApiCall) -> Result<Answer, ClientError> {
        let deadline = Instant::now() + self.config.timeout;
        let (mut safe_left, mut billable_left) =
            (self.config.safe_retries, self.config.billable_retries);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let signed = match &self.credentials {
                None => self.signer.sign(call, &self.endpoint),
                Some(chain) => match chain.resolve() {
                    Ok(resolved) => self
                        .signer
                        .clone()
                        .with_credentials(resolved.credentials)
                        .sign(call, &self.endpoint),
                    Err(e) => {
                        return Err(ClientError::new(
                            Failure::Credentials {
                                reason: e.to_string(),
                            },
                            attempts,
                        ))
                    }
                },
            };
            let outcome = self
                .send_before(&signed, deadline)
                .and_then(|reply| judge(&reply));
            let failure = match outcome {
                Ok(response) => return Ok(Answer { response, attempts }),
                Err(f) => f,
            };
            let budget = match retry_class(&failure) {
                Retry::Safe => &mut safe_left,
                Retry::Billable => &mut billable_left,
                Retry::Never => return Err(ClientError::new(failure, attempts)),
            };
            if *budget == 0 {
                return Err(ClientError::new(failure, attempts));
            }
            let mut wait = self.backoff(attempts);
            if let Failure::Api(ApiError {
                retry_after: Some(asked),
                ..
            }) = &failure
            {
                if *asked > self.config.max_delay {
                    return Err(ClientError::new(failure, attempts));
                }
                wait = wait.max(*asked);
            }
            // A retry must start with time left for it.
            if Instant::now() + wait + Duration::from_millis(10) >= deadline {
                return Err(ClientError::new(failure, attempts));
            }
            *budget -= 1;
            std::thread::sleep(wait);
        }
    }

    /// Sends one signed request, once, within [`ClientConfig::timeout`], and
    /// returns the raw answer (any status), or what became of the request.
    ///
    /// ```no_run
    /// use ekyc_preflight::api::*;
    /// let signer = Signer::new(Credentials::new("id", "s"));
    /// let client = Client::new(signer.clone(), Endpoint::public());
    /// let signed = signer.sign(&ekyc_verify_call([("ProductCode", "eKYC_MIN")]), &Endpoint::public());
    /// let status = client.send(&signed).map(|reply| reply.status());
    /// ```
    pub fn send(&self, signed: &SignedRequest) -> Result<http::Response<Vec<u8>>, ClientError> {
        self.send_before(signed, Instant::now() + self.config.timeout)
            .map_err(|f| ClientError::new(f, 1))
    }

    fn send_before(
        &self,
        signed: &SignedRequest,
        deadline: Instant,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Failure::NotSent {
                reason: "the deadline passed before this attempt".into(),
            });
        }
        let mut request = signed.to_http().map_err(|e| Failure::NotSent {
            reason: format!("the request cannot be sent as built: {e}"),
        })?;
        // ureq writes its own Content-Length from the body.
        request.headers_mut().remove(http::header::CONTENT_LENGTH);
        let body_len = request.body().len();

        let mut builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            .max_idle_connections(0)
            .timeout_global(Some(remaining))
            .timeout_connect(Some(self.config.connect_timeout.min(remaining)));
        if !self.config.use_env_proxy {
            builder = builder.proxy(None);
        }
        let progress = Arc::new(Progress::default());
        let agent = ureq::Agent::with_parts(
            builder.build(),
            DefaultConnector::new().chain(Watch(progress.clone())),
            DefaultResolver::default(),
        );

        let response = agent
            .run(request)
            .map_err(|e| lost(&e, &progress, body_len))?;
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        let read = body
            .into_with_config()
            .limit(self.config.max_response_bytes)
            .read_to_vec();
        match read {
            Ok(bytes) => Ok(http::Response::from_parts(parts, bytes)),
            Err(e) => {
                let over = matches!(e, ureq::Error::BodyExceedsLimit(_));
                let reason = if over {
                    format!(
                        "the body is over the {}-byte limit",
                        self.config.max_response_bytes
                    )
                } else {
                    format!("the body did not arrive in full: {}", describe(&e))
                };
                if (200..300).contains(&status) {
                    if over {
                        Err(Failure::Unreadable { status, reason })
                    } else {
                        Err(Failure::NoAnswer {
                            reason: format!("HTTP {status} came, but {reason}"),
                            timed_out: is_timeout(&e),
                        })
                    }
                } else {
                    // The status is an answer in itself.
                    let head = http::Response::from_parts(parts, Vec::new());
                    let retry_after = match EkycVerifyResponse::from_http(&head) {
                        Err(ResponseError::Api(a)) => a.retry_after,
                        _ => None,
                    };
                    Err(Failure::Api(ApiError {
                        status,
                        code: ErrorCode::Other(String::new()),
                        message: reason,
                        request_id: None,
                        retry_after,
                    }))
                }
            }
        }
    }

    /// The jittered exponential backoff after `attempt` (1-based).
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .config
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let full = exp.min(self.config.max_delay);
        let mut r = [0u8; 2];
        let frac = if getrandom::fill(&mut r).is_ok() {
            f64::from(u16::from_le_bytes(r)) / f64::from(u16::MAX)
        } else {
            0.5
        };
        full.mul_f64(0.5 + 0.5 * frac)
    }
}

/// Reads an answer: a verdict, or the failure it reports.
fn judge(reply: &http::Response<Vec<u8>>) -> Result<EkycVerifyResponse, Failure> {
    match EkycVerifyResponse::from_http(reply) {
        Ok(resp) if resp.code.is_empty() || resp.code == "Success" => Ok(resp),
        Ok(resp) => Err(Failure::Api(ApiError {
            status: resp.status,
            code: ErrorCode::parse(&resp.code),
            message: resp.message,
            request_id: Some(resp.request_id).filter(|r| !r.is_empty()),
            retry_after: super::response::retry_after(reply.headers(), SystemTime::now()),
        })),
        Err(ResponseError::Api(e)) => Err(Failure::Api(e)),
        Err(ResponseError::Malformed { status, reason }) => {
            Err(Failure::Unreadable { status, reason })
        }
    }
}

/// Classifies a failed attempt by how far the request got.
fn lost(e: &ureq::Error, progress: &Progress, body_len: usize) -> Failure {
    let written = progress.written.load(Ordering::Relaxed);
    let reason = describe(e);
    if !progress.sent.load(Ordering::Relaxed) {
        let reason = if written == 0 {
            reason
        } else {
            format!(
                "{reason}, after {written} bytes of a request with a {body_len}-byte body had left"
            )
        };
        return Failure::NotSent { reason };
    }
    Failure::NoAnswer {
        reason,
        timed_out: is_timeout(e),
    }
}
