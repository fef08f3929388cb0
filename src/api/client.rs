//! A thin blocking client on top of the sans-IO layer (feature `client`).

use std::time::Duration;

use super::{
    ApiError, EkycVerifyRequest, EkycVerifyResponse, Endpoint, OpenApiCall, ResponseError,
    SignedRequest, Signer,
};

/// Timeouts, retries and limits of a [`Client`]. Plain fields; the defaults
/// are the official SDK's timeouts and a small retry budget.
///
/// ```
/// use std::time::Duration;
/// use ekyc_preflight::api::ClientConfig;
/// let config = ClientConfig { read_timeout: Duration::from_secs(3), ..ClientConfig::default() };
/// assert_eq!(config.connect_timeout, Duration::from_secs(5));
/// assert_eq!(config.max_attempts, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig {
    /// Time to establish the connection. Default: 5 s (the SDK's).
    pub connect_timeout: Duration,
    /// Time to wait for the reply's head, and again for its body. Default: 10 s (the SDK's).
    pub read_timeout: Duration,
    /// Attempts in all, the first included; only throttling and HTTP 5xx are
    /// retried, never timeouts or network errors (the request may have been
    /// processed and billed). Default: 3. `1` disables retries, as in the SDK.
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles after each attempt,
    /// and a random jitter takes the wait anywhere between half and all of it.
    /// Default: 200 ms.
    pub base_delay: Duration,
    /// The longest wait between attempts. A server asking, with
    /// `x-acs-retry-after`, for a longer wait gets its error returned instead
    /// of an early retry. Default: 5 s.
    pub max_delay: Duration,
    /// The largest reply body read. Default: 1 MiB.
    pub max_response_bytes: u64,
    /// Whether to use the proxy named by `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`.
    /// Default: true.
    pub use_env_proxy: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_response_bytes: 1 << 20,
            use_env_proxy: true,
        }
    }
}

/// Why [`Client::verify`] failed.
///
/// ```no_run
/// use ekyc_preflight::api::*;
/// # let client = Client::new(Signer::new(Credentials::new("id", "s")), Endpoint::public());
/// # let request = EkycVerifyRequest::from_params([("x", "y")]).unwrap();
/// match client.verify(&request) {
///     Err(e) if e.api_error().is_some_and(|a| a.code == ErrorCode::NoFaceDetected) => {
///         eprintln!("retake the face photo");
///     }
///     Err(ClientError::Timeout(_)) => eprintln!("slow network"),
///     other => println!("{other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The API answered, with an error or an unreadable body.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// Connecting or reading took longer than the configured timeout.
    #[error("EkycVerify did not answer in time: {0}")]
    Timeout(String),
    /// Any other network or HTTP failure.
    #[error("could not reach EkycVerify: {0}")]
    Transport(String),
}

impl ClientError {
    /// The API's error, if it sent one.
    ///
    /// ```
    /// use ekyc_preflight::api::ClientError;
    /// assert!(ClientError::Timeout("slow".into()).api_error().is_none());
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            ClientError::Response(ResponseError::Api(e)) => Some(e),
            _ => None,
        }
    }
}

/// Sends signed requests with `ureq` (rustls), retrying throttling and
/// server errors with jittered exponential backoff.
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
///     Ok(resp) if resp.passed() => println!("passed"),
///     Ok(resp) => println!("refused: {:?}", resp.result.and_then(|r| r.sub_code)),
///     Err(e) => eprintln!("{e}"),
/// }
/// # Ok::<(), RequestError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    signer: Signer,
    endpoint: Endpoint,
    config: ClientConfig,
}

impl Client {
    /// A client with [`ClientConfig::default`].
    ///
    /// ```
    /// use ekyc_preflight::api::{Client, Credentials, Endpoint, Signer};
    /// let client = Client::new(Signer::new(Credentials::new("id", "secret")), Endpoint::public());
    /// assert_eq!(client.config().max_attempts, 3);
    /// ```
    pub fn new(signer: Signer, endpoint: Endpoint) -> Self {
        Client::with_config(signer, endpoint, ClientConfig::default())
    }

    /// A client with `config`.
    ///
    /// ```
    /// use ekyc_preflight::api::{Client, ClientConfig, Credentials, Endpoint, Signer};
    /// let config = ClientConfig { max_attempts: 1, ..ClientConfig::default() };
    /// let client = Client::with_config(Signer::new(Credentials::new("id", "s")), Endpoint::vpc(), config);
    /// assert_eq!(client.config().max_attempts, 1);
    /// ```
    pub fn with_config(signer: Signer, endpoint: Endpoint, config: ClientConfig) -> Self {
        let mut builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_recv_response(Some(config.read_timeout))
            .timeout_recv_body(Some(config.read_timeout));
        if !config.use_env_proxy {
            builder = builder.proxy(None);
        }
        Client {
            agent: ureq::Agent::new_with_config(builder.build()),
            signer,
            endpoint,
            config,
        }
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

    /// Sends an EkycVerify request and parses the reply, retrying as
    /// [`ClientConfig`] says; each attempt is signed afresh (new date and nonce).
    ///
    /// ```no_run
    /// use ekyc_preflight::api::*;
    /// let client = Client::new(Signer::new(Credentials::new("id", "s")), Endpoint::public());
    /// # let request = EkycVerifyRequest::from_params([("x", "y")]).unwrap();
    /// let passed = client.verify(&request).map(|resp| resp.passed());
    /// ```
    pub fn verify(&self, request: &EkycVerifyRequest) -> Result<EkycVerifyResponse, ClientError> {
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
    pub fn verify_call(&self, call: &OpenApiCall) -> Result<EkycVerifyResponse, ClientError> {
        let attempts = self.config.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let reply = self.send(&self.signer.sign(call, &self.endpoint))?;
            match EkycVerifyResponse::from_http(&reply) {
                Ok(resp) => return Ok(resp),
                Err(e) if e.retryable() && attempt < attempts => {
                    let wait = self.backoff(attempt);
                    let wait = match &e {
                        ResponseError::Api(ApiError {
                            retry_after: Some(asked),
                            ..
                        }) => {
                            if *asked > self.config.max_delay {
                                return Err(e.into());
                            }
                            (*asked).max(wait)
                        }
                        _ => wait,
                    };
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Sends one signed request, once, and returns the raw reply (any status).
    ///
    /// ```no_run
    /// use ekyc_preflight::api::*;
    /// let signer = Signer::new(Credentials::new("id", "s"));
    /// let client = Client::new(signer.clone(), Endpoint::public());
    /// let signed = signer.sign(&ekyc_verify_call([("ProductCode", "eKYC_MIN")]), &Endpoint::public());
    /// let status = client.send(&signed).map(|reply| reply.status());
    /// ```
    pub fn send(&self, signed: &SignedRequest) -> Result<http::Response<Vec<u8>>, ClientError> {
        let mut request = signed
            .to_http()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        // ureq writes its own Content-Length from the body.
        request.headers_mut().remove(http::header::CONTENT_LENGTH);
        let response = self.agent.run(request).map_err(transport)?;
        let (parts, body) = response.into_parts();
        let bytes = body
            .into_with_config()
            .limit(self.config.max_response_bytes)
            .read_to_vec()
            .map_err(transport)?;
        Ok(http::Response::from_parts(parts, bytes))
    }

    /// The jittered exponential backoff after `attempt` (1-based).
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .config
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(16));
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

fn transport(e: ureq::Error) -> ClientError {
    match e {
        ureq::Error::Timeout(_) => ClientError::Timeout(e.to_string()),
        ureq::Error::Io(ref io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            ClientError::Timeout(e.to_string())
        }
        e => ClientError::Transport(e.to_string()),
    }
}
