//! The default credential chain, in the order of Alibaba Cloud's official
//! credentials SDKs (read off `alibabacloud_credentials` 1.0.12, Python,
//! `provider/default.py`):
//!
//! 1. `env`: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//!    optionally `ALIBABA_CLOUD_SECURITY_TOKEN`.
//! 2. `oidc_role_arn` (RRSA), only when `ALIBABA_CLOUD_OIDC_TOKEN_FILE`,
//!    `ALIBABA_CLOUD_ROLE_ARN` and `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` are all
//!    set: STS `AssumeRoleWithOIDC` with the token read from the file.
//! 3. `cli_profile`: the Alibaba Cloud CLI's `~/.aliyun/config.json`, the
//!    profile `ALIBABA_CLOUD_PROFILE` or else the file's `current`; skipped
//!    when `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`.
//! 4. `profile`: the credentials file, `ALIBABA_CLOUD_CREDENTIALS_FILE` or
//!    else `~/.alibabacloud/credentials` (the Go and Java SDKs' name; the
//!    Python SDK's `credentials.ini` is read when that is absent), INI, the
//!    section `ALIBABA_CLOUD_PROFILE` or else `default`.
//! 5. `ecs_ram_role`: the ECS instance's RAM role from the metadata service
//!    (IMDSv2 token first, IMDSv1 unless `ALIBABA_CLOUD_IMDSV1_DISABLED=true`;
//!    the role `ALIBABA_CLOUD_ECS_METADATA` or else the one the service
//!    names); skipped when `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`.
//! 6. `credentials_uri`, only when `ALIBABA_CLOUD_CREDENTIALS_URI` is set: a
//!    GET of that URL.
//!
//! The first source that gives credentials wins, and is asked again for
//! every refresh. Credentials that expire (STS) are kept until
//! [`ChainConfig::refresh_margin`] before their `Expiration` (the SDKs' 15
//! minutes), then fetched again. The environment is passed in
//! ([`Environment`]), never read behind the caller's back, and the time comes
//! from an injected [`Clock`].
//!
//! Every file read is bounded ([`ChainConfig::max_file_bytes`]), every answer
//! too ([`ChainConfig::max_response_bytes`]), every request has a deadline.
//! No error or `Debug` output shows a secret, a token or an answer's body.
//! The sources that fetch over HTTP need feature `client`; without it they
//! say so.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::encode::{encode_into, Space};
use super::time::{format_acs_date, parse_acs_date, Clock, SystemClock};
use super::Credentials;

/// The environment variables the chain reads, passed in rather than read
/// from the process, so that tests (and callers) can give their own.
/// `Debug` shows the names only, never the values.
///
/// ```
/// use ekyc_preflight::api::Environment;
/// let env = Environment::from_vars([("HOME", "/home/me"), ("EMPTY", "")]);
/// assert_eq!(env.get("HOME"), Some("/home/me"));
/// assert_eq!(env.get("EMPTY"), None); // empty counts as unset, as in the SDKs
/// assert!(!format!("{env:?}").contains("/home/me"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Environment {
    vars: BTreeMap<String, String>,
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

impl Environment {
    /// The process's environment (variables that are not UTF-8 are left out).
    ///
    /// ```
    /// let env = ekyc_preflight::api::Environment::from_process();
    /// # let _ = env;
    /// ```
    pub fn from_process() -> Self {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// An environment holding exactly `vars`.
    ///
    /// ```
    /// use ekyc_preflight::api::Environment;
    /// let env = Environment::from_vars([("ALIBABA_CLOUD_PROFILE", "dev")]);
    /// assert_eq!(env.get("ALIBABA_CLOUD_PROFILE"), Some("dev"));
    /// ```
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Environment {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable's value; `None` when unset or empty.
    ///
    /// ```
    /// use ekyc_preflight::api::Environment;
    /// assert_eq!(Environment::default().get("HOME"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether a variable is `true` (any case), as the SDKs read their switches.
    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The home directory as the SDKs find it: `HOME`, else `HOMEPATH`.
    ///
    /// ```
    /// use ekyc_preflight::api::Environment;
    /// let env = Environment::from_vars([("HOME", "/home/me")]);
    /// assert_eq!(env.home(), Some(std::path::PathBuf::from("/home/me")));
    /// ```
    pub fn home(&self) -> Option<PathBuf> {
        self.get("HOME").or(self.get("HOMEPATH")).map(PathBuf::from)
    }
}

/// Endpoints, deadlines and bounds of the chain. Plain fields; every
/// default is stated on its field.
///
/// ```
/// use ekyc_preflight::api::ChainConfig;
/// let config = ChainConfig { sts_endpoint: Some("http://127.0.0.1:9000".into()), ..ChainConfig::default() };
/// assert_eq!(config.metadata_endpoint, "http://100.100.100.200");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// The STS base URL for `AssumeRoleWithOIDC` and `AssumeRole`. Default
    /// `None`: as the SDKs choose it, `https://sts.aliyuncs.com`, or
    /// `https://sts.<region>.aliyuncs.com` with `ALIBABA_CLOUD_STS_REGION`
    /// (`sts-vpc.` with `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`; a CLI
    /// profile's `sts_region` wins for that profile).
    pub sts_endpoint: Option<String>,
    /// The ECS metadata service's base URL. Default `http://100.100.100.200`
    /// (the SDKs').
    pub metadata_endpoint: String,
    /// The deadline of each request to the metadata service. Default 2 s:
    /// the SDKs' 1 s connect plus 1 s read.
    pub metadata_timeout: Duration,
    /// The deadline of each request to STS or the credentials URI. Default
    /// 15 s: the SDKs' 5 s connect plus 10 s read.
    pub http_timeout: Duration,
    /// How long before their `Expiration` cached credentials are fetched
    /// again. Default 15 min (the SDKs' stale time).
    pub refresh_margin: Duration,
    /// The session length asked of STS. Default 3600 s (the SDKs'; at least 900).
    pub session_duration: Duration,
    /// The largest file read (the CLI's config, the credentials file, the
    /// OIDC token). Default 1 MiB.
    pub max_file_bytes: u64,
    /// The largest answer read from STS, the metadata service or the
    /// credentials URI. Default 64 KiB (a real answer is under 4 KiB).
    pub max_response_bytes: u64,
    /// Whether requests to STS and the credentials URI go through the proxy
    /// named by `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` (the metadata service
    /// never does). Default true.
    pub use_env_proxy: bool,
}

impl Default for ChainConfig {
    fn default() -> Self {
        ChainConfig {
            sts_endpoint: None,
            metadata_endpoint: "http://100.100.100.200".into(),
            metadata_timeout: Duration::from_secs(2),
            http_timeout: Duration::from_secs(15),
            refresh_margin: Duration::from_secs(15 * 60),
            session_duration: Duration::from_secs(3600),
            max_file_bytes: 1 << 20,
            max_response_bytes: 64 << 10,
            use_env_proxy: true,
        }
    }
}

/// Why a source gave no credentials. Names the source (the SDKs' provider
/// names: `env`, `oidc_role_arn`, `cli_profile`, `profile`, `ecs_ram_role`,
/// `credentials_uri`) and never shows a secret, a token or an answer's body.
///
/// ```
/// use ekyc_preflight::api::{CredentialChain, CredentialError, Environment};
/// let chain = CredentialChain::new(Environment::from_vars([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]));
/// let err = chain.resolve().unwrap_err();
/// assert!(matches!(err.tried()[0], CredentialError::NotConfigured { provider: "env", .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The source is not set up (variables unset, no file).
    #[error("{provider}: not configured ({why})")]
    NotConfigured {
        /// The source.
        provider: &'static str,
        /// What is missing.
        why: String,
    },
    /// A file could not be read.
    #[error("{provider}: cannot read {path}: {reason}")]
    Io {
        /// The source.
        provider: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error's kind.
        reason: String,
    },
    /// A file or an answer is not in the expected form.
    #[error("{provider}: {what} is malformed: {reason}")]
    Malformed {
        /// The source.
        provider: &'static str,
        /// The file or the answer.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration asks for something this crate does not do (a CLI
    /// mode or credentials type other than those listed in the README).
    #[error("{provider}: {reason}")]
    Unsupported {
        /// The source.
        provider: &'static str,
        /// What is not supported.
        reason: String,
    },
    /// A request got no answer, or an HTTP error status.
    #[error("{provider}: {endpoint}: {reason}")]
    Http {
        /// The source.
        provider: &'static str,
        /// The URL's scheme, host and path (no query).
        endpoint: String,
        /// What happened (the status and the service's `Code` if it sent one).
        reason: String,
    },
}

/// No source of the chain gave credentials: what each one said, in order.
///
/// ```
/// use ekyc_preflight::api::{CredentialChain, Environment};
/// let env = Environment::from_vars([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
/// let err = CredentialChain::new(env).resolve().unwrap_err();
/// assert!(err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    tried: Vec<CredentialError>,
}

impl ChainError {
    /// What each source tried said, in the chain's order.
    ///
    /// ```
    /// use ekyc_preflight::api::{CredentialChain, Environment};
    /// let env = Environment::from_vars([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
    /// assert!(!CredentialChain::new(env).resolve().unwrap_err().tried().is_empty());
    /// ```
    pub fn tried(&self) -> &[CredentialError] {
        &self.tried
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no credentials found by the default chain")?;
        for (i, e) in self.tried.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for ChainError {}

/// Credentials, the source that gave them, and when they expire.
///
/// ```
/// use ekyc_preflight::api::{CredentialChain, Environment};
/// let env = Environment::from_vars([("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")]);
/// let resolved = CredentialChain::new(env).resolve()?;
/// assert_eq!((resolved.source.as_str(), resolved.expiration), ("env", None));
/// # Ok::<(), ekyc_preflight::api::ChainError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The credentials (their `Debug` is redacted).
    pub credentials: Credentials,
    /// Where they came from, as the SDKs name it: `env`, `oidc_role_arn`,
    /// `cli_profile/static_ak`, `profile/ram_role_arn`, `ecs_ram_role`,
    /// `credentials_uri`, ...
    pub source: String,
    /// When they expire (STS credentials); `None` for an AccessKey pair.
    pub expiration: Option<SystemTime>,
}

/// The sources, in the chain's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Env,
    Oidc,
    CliProfile,
    Profile,
    EcsRamRole,
    CredentialsUri,
}

impl Step {
    const ALL: [Step; 6] = [
        Step::Env,
        Step::Oidc,
        Step::CliProfile,
        Step::Profile,
        Step::EcsRamRole,
        Step::CredentialsUri,
    ];

    fn name(self) -> &'static str {
        match self {
            Step::Env => "env",
            Step::Oidc => "oidc_role_arn",
            Step::CliProfile => "cli_profile",
            Step::Profile => "profile",
            Step::EcsRamRole => "ecs_ram_role",
            Step::CredentialsUri => "credentials_uri",
        }
    }
}

/// The default credential chain (see the [module](self)'s list), with a
/// cache refreshed before expiry. Cheap to share behind an `Arc`.
///
/// ```
/// use ekyc_preflight::api::{CredentialChain, Environment, Signer};
/// let env = Environment::from_vars([
///     ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-id"),
///     ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret"),
/// ]);
/// let chain = CredentialChain::new(env);
/// let resolved = chain.resolve()?;
/// let signer = Signer::new(resolved.credentials);
/// assert_eq!(signer.credentials().access_key_id(), "LTAI-id");
/// # Ok::<(), ekyc_preflight::api::ChainError>(())
/// ```
pub struct CredentialChain {
    env: Environment,
    config: ChainConfig,
    clock: Arc<dyn Clock>,
    /// The source that last gave credentials, and what it gave.
    cache: Mutex<Option<(Step, Resolved)>>,
}

impl fmt::Debug for CredentialChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialChain")
            .field("env", &self.env)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl CredentialChain {
    /// The chain over `env` with [`ChainConfig::default`] and the system clock.
    ///
    /// ```
    /// use ekyc_preflight::api::{CredentialChain, Environment};
    /// let chain = CredentialChain::new(Environment::from_process());
    /// # let _ = chain;
    /// ```
    pub fn new(env: Environment) -> Self {
        CredentialChain::with_config(env, ChainConfig::default())
    }

    /// The chain over `env` with `config`.
    ///
    /// ```
    /// use ekyc_preflight::api::{ChainConfig, CredentialChain, Environment};
    /// let config = ChainConfig { metadata_endpoint: "http://127.0.0.1:8080".into(), ..ChainConfig::default() };
    /// let chain = CredentialChain::with_config(Environment::default(), config);
    /// assert_eq!(chain.sources()[0], "env");
    /// ```
    pub fn with_config(env: Environment, config: ChainConfig) -> Self {
        CredentialChain {
            env,
            config,
            clock: Arc::new(SystemClock),
            cache: Mutex::new(None),
        }
    }

    /// Uses `clock` for expiry (tests move time by hand). Default: the system clock.
    ///
    /// ```
    /// use ekyc_preflight::api::{parse_acs_date, CredentialChain, Environment};
    /// let t = parse_acs_date("2030-01-01T00:00:00Z").unwrap();
    /// let chain = CredentialChain::new(Environment::default()).with_clock(move || t);
    /// # let _ = chain;
    /// ```
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The sources this environment enables, in the order they are tried.
    ///
    /// ```
    /// use ekyc_preflight::api::{CredentialChain, Environment};
    /// let env = Environment::from_vars([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
    /// assert_eq!(CredentialChain::new(env).sources(), ["env", "cli_profile", "profile"]);
    /// ```
    pub fn sources(&self) -> Vec<&'static str> {
        self.steps().into_iter().map(Step::name).collect()
    }

    fn steps(&self) -> Vec<Step> {
        let env = &self.env;
        Step::ALL
            .into_iter()
            .filter(|s| match s {
                Step::Oidc => {
                    env.get("ALIBABA_CLOUD_OIDC_TOKEN_FILE").is_some()
                        && env.get("ALIBABA_CLOUD_ROLE_ARN").is_some()
                        && env.get("ALIBABA_CLOUD_OIDC_PROVIDER_ARN").is_some()
                }
                Step::CliProfile => !env.is_true("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"),
                Step::EcsRamRole => !env.is_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED"),
                Step::CredentialsUri => env.get("ALIBABA_CLOUD_CREDENTIALS_URI").is_some(),
                Step::Env | Step::Profile => true,
            })
            .collect()
    }

    /// Credentials: the cached ones while they are more than
    /// [`ChainConfig::refresh_margin`] from expiry; else, from the source
    /// that gave them last (or, the first time, the first source that gives
    /// any). A refresh that fails while the cached credentials have not yet
    /// expired returns those.
    ///
    /// ```
    /// use ekyc_preflight::api::{CredentialChain, Environment};
    /// let env = Environment::from_vars([("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")]);
    /// assert_eq!(CredentialChain::new(env).resolve()?.source, "env");
    /// # Ok::<(), ekyc_preflight::api::ChainError>(())
    /// ```
    pub fn resolve(&self) -> Result<Resolved, ChainError> {
        let now = self.clock.now();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((step, cached)) = cache.as_ref() {
            let fresh = cached
                .expiration
                .is_none_or(|e| now + self.config.refresh_margin < e);
            if fresh {
                return Ok(cached.clone());
            }
            let step = *step;
            return match self.fetch(step, now) {
                Ok(resolved) => {
                    *cache = Some((step, resolved.clone()));
                    Ok(resolved)
                }
                Err(_) if cached.expiration.is_some_and(|e| now < e) => Ok(cached.clone()),
                Err(e) => Err(ChainError { tried: vec![e] }),
            };
        }
        let mut tried = Vec::new();
        for step in self.steps() {
            match self.fetch(step, now) {
                Ok(resolved) => {
                    *cache = Some((step, resolved.clone()));
                    return Ok(resolved);
                }
                Err(e) => tried.push(e),
            }
        }
        Err(ChainError { tried })
    }

    fn fetch(&self, step: Step, now: SystemTime) -> Result<Resolved, CredentialError> {
        let ctx = Ctx {
            env: &self.env,
            config: &self.config,
            now,
        };
        match step {
            Step::Env => ctx.env_pair(),
            Step::Oidc => {
                let env = &self.env;
                let role = Role {
                    role_arn: env.get("ALIBABA_CLOUD_ROLE_ARN").unwrap_or_default().into(),
                    session_name: env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME").map(Into::into),
                    sts_region: None,
                    duration: None,
                    policy: None,
                };
                ctx.oidc(
                    "oidc_role_arn",
                    &role,
                    env.get("ALIBABA_CLOUD_OIDC_PROVIDER_ARN")
                        .unwrap_or_default(),
                    Path::new(env.get("ALIBABA_CLOUD_OIDC_TOKEN_FILE").unwrap_or_default()),
                )
            }
            Step::CliProfile => ctx.cli_profile(),
            Step::Profile => ctx.ini_profile(),
            Step::EcsRamRole => ctx.ecs_ram_role("ecs_ram_role", None),
            Step::CredentialsUri => ctx.credentials_uri(),
        }
    }
}

/// What a fetch needs.
struct Ctx<'a> {
    env: &'a Environment,
    config: &'a ChainConfig,
    now: SystemTime,
}

/// A role to assume through STS.
struct Role {
    role_arn: String,
    session_name: Option<String>,
    sts_region: Option<String>,
    duration: Option<u64>,
    policy: Option<String>,
}

/// Reads a file of at most `limit` bytes as UTF-8.
fn read_bounded(
    provider: &'static str,
    path: &Path,
    limit: u64,
) -> Result<String, CredentialError> {
    let io = |e: std::io::Error| CredentialError::Io {
        provider,
        path: path.to_path_buf(),
        reason: e.kind().to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(CredentialError::Malformed {
            provider,
            what: path.display().to_string(),
            reason: format!("over the {limit}-byte limit"),
        });
    }
    String::from_utf8(bytes).map_err(|_| CredentialError::Malformed {
        provider,
        what: path.display().to_string(),
        reason: "not UTF-8".into(),
    })
}

/// A URL without its query (which may hold a token), for messages.
fn shown(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// The `Code` of a JSON error answer, if it is one and the code is plain.
fn answer_code(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = v.get("Code")?.as_str()?;
    (code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'))
    .then(|| code.to_string())
}

/// A string field of a JSON object, non-empty.
fn field<'v>(v: &'v serde_json::Value, name: &str) -> Option<&'v str> {
    v.get(name)?.as_str().filter(|s| !s.is_empty())
}

impl Ctx<'_> {
    fn env_pair(&self) -> Result<Resolved, CredentialError> {
        let (id, secret) = (
            self.env.get("ALIBABA_CLOUD_ACCESS_KEY_ID"),
            self.env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        );
        let (id, secret) = match (id, secret) {
            (Some(id), Some(secret)) => (id, secret),
            (None, None) => {
                return Err(CredentialError::NotConfigured {
                    provider: "env",
                    why:
                        "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are unset"
                            .into(),
                })
            }
            (None, _) => return Err(CredentialError::NotConfigured {
                provider: "env",
                why:
                    "ALIBABA_CLOUD_ACCESS_KEY_ID is unset (ALIBABA_CLOUD_ACCESS_KEY_SECRET is set)"
                        .into(),
            }),
            (_, None) => return Err(CredentialError::NotConfigured {
                provider: "env",
                why:
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET is unset (ALIBABA_CLOUD_ACCESS_KEY_ID is set)"
                        .into(),
            }),
        };
        let mut c = Credentials::new(id, secret);
        if let Some(t) = self.env.get("ALIBABA_CLOUD_SECURITY_TOKEN") {
            c = c.with_security_token(t);
        }
        Ok(Resolved {
            credentials: c,
            source: "env".into(),
            expiration: None,
        })
    }

    /// The STS base URL for `region` (a profile's `sts_region`), as the SDKs
    /// build it, unless [`ChainConfig::sts_endpoint`] overrides it.
    fn sts_base(
        &self,
        provider: &'static str,
        region: Option<&str>,
    ) -> Result<String, CredentialError> {
        if let Some(e) = &self.config.sts_endpoint {
            return Ok(e.trim_end_matches('/').to_string());
        }
        let prefix = if self.env.is_true("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED") {
            "sts-vpc"
        } else {
            "sts"
        };
        match region.or(self.env.get("ALIBABA_CLOUD_STS_REGION")) {
            // A region is a name like cn-hangzhou: anything else would
            // change the host or the path of the URL built from it.
            Some(r)
                if r.len() > 64
                    || !r
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                Err(CredentialError::Malformed {
                    provider,
                    what: "the STS region".into(),
                    reason: "not a region name (lowercase letters, digits and '-')".into(),
                })
            }
            Some(r) => Ok(format!("https://{prefix}.{r}.aliyuncs.com")),
            None => Ok("https://sts.aliyuncs.com".into()),
        }
    }

    fn session_name(&self, role: &Role) -> String {
        role.session_name.clone().unwrap_or_else(|| {
            let secs = self
                .now
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            format!("ekyc-preflight-{secs}")
        })
    }

    fn duration(&self, provider: &'static str, role: &Role) -> Result<u64, CredentialError> {
        let d = role
            .duration
            .unwrap_or(self.config.session_duration.as_secs());
        if d < 900 {
            return Err(CredentialError::Malformed {
                provider,
                what: "the session duration".into(),
                reason: format!("{d} s is under STS's 900 s minimum"),
            });
        }
        Ok(d)
    }

    /// STS `AssumeRoleWithOIDC` (anonymous: the OIDC token is the proof).
    fn oidc(
        &self,
        provider: &'static str,
        role: &Role,
        provider_arn: &str,
        token_file: &Path,
    ) -> Result<Resolved, CredentialError> {
        if role.role_arn.is_empty() || provider_arn.is_empty() {
            return Err(CredentialError::NotConfigured {
                provider,
                why: "the role ARN and the OIDC provider ARN are both needed".into(),
            });
        }
        let token = read_bounded(provider, token_file, self.config.max_file_bytes)?;
        let token = token.trim();
        if token.is_empty() {
            return Err(CredentialError::Malformed {
                provider,
                what: token_file.display().to_string(),
                reason: "the OIDC token file is empty".into(),
            });
        }
        let mut query: Vec<(&str, String)> = vec![
            ("Action", "AssumeRoleWithOIDC".into()),
            ("Format", "JSON".into()),
            ("Version", "2015-04-01".into()),
            (
                "DurationSeconds",
                self.duration(provider, role)?.to_string(),
            ),
            ("RoleArn", role.role_arn.clone()),
            ("OIDCProviderArn", provider_arn.into()),
            ("OIDCToken", token.into()),
            ("RoleSessionName", self.session_name(role)),
            ("Timestamp", format_acs_date(self.now)),
        ];
        if let Some(p) = &role.policy {
            query.push(("Policy", p.clone()));
        }
        let base = self.sts_base(provider, role.sts_region.as_deref())?;
        self.sts_call(provider, &base, &query, provider.to_string())
    }

    /// STS `AssumeRole`, signed with `source`'s AccessKey (RPC signature,
    /// HMAC-SHA1, as the SDKs sign it).
    fn assume_role(
        &self,
        provider: &'static str,
        role: &Role,
        source: &Resolved,
    ) -> Result<Resolved, CredentialError> {
        if role.role_arn.is_empty() {
            return Err(CredentialError::Malformed {
                provider,
                what: "the profile".into(),
                reason: "no role ARN to assume".into(),
            });
        }
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|_| CredentialError::Unsupported {
            provider,
            reason: "no random source for the signature nonce".into(),
        })?;
        let mut query: Vec<(&str, String)> = vec![
            ("Action", "AssumeRole".into()),
            ("Format", "JSON".into()),
            ("Version", "2015-04-01".into()),
            (
                "DurationSeconds",
                self.duration(provider, role)?.to_string(),
            ),
            ("RoleArn", role.role_arn.clone()),
            ("RoleSessionName", self.session_name(role)),
            ("SignatureMethod", "HMAC-SHA1".into()),
            ("SignatureVersion", "1.0".into()),
            ("Timestamp", format_acs_date(self.now)),
            ("SignatureNonce", super::encode::hex(&nonce)),
            (
                "AccessKeyId",
                source.credentials.access_key_id().to_string(),
            ),
        ];
        if let Some(p) = &role.policy {
            query.push(("Policy", p.clone()));
        }
        if let Some(t) = source.credentials.security_token() {
            query.push(("SecurityToken", t.to_string()));
        }
        let signature = rpc_signature("GET", &query, source.credentials.secret());
        query.push(("Signature", signature));
        let base = self.sts_base(provider, role.sts_region.as_deref())?;
        self.sts_call(
            provider,
            &base,
            &query,
            format!("{provider}/{}", source.source),
        )
    }

    fn sts_call(
        &self,
        provider: &'static str,
        base: &str,
        query: &[(&str, String)],
        source: String,
    ) -> Result<Resolved, CredentialError> {
        let mut url = format!("{base}/?");
        for (i, (k, v)) in query.iter().enumerate() {
            if i > 0 {
                url.push('&');
            }
            encode_into(&mut url, k, Space::Plus);
            url.push('=');
            encode_into(&mut url, v, Space::Plus);
        }
        let answer = http(
            provider,
            "GET",
            &url,
            &[],
            self.config.http_timeout,
            self.config.max_response_bytes,
            self.config.use_env_proxy,
        )?;
        let v = json_answer(provider, &url, &answer)?;
        let c = v.get("Credentials").unwrap_or(&serde_json::Value::Null);
        sts_credentials(provider, &shown(&url), c, source)
    }

    fn credentials_uri(&self) -> Result<Resolved, CredentialError> {
        const P: &str = "credentials_uri";
        let url = self
            .env
            .get("ALIBABA_CLOUD_CREDENTIALS_URI")
            .unwrap_or_default();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(CredentialError::Malformed {
                provider: P,
                what: "ALIBABA_CLOUD_CREDENTIALS_URI".into(),
                reason: "not an http:// or https:// URL".into(),
            });
        }
        let answer = http(
            P,
            "GET",
            url,
            &[],
            self.config.http_timeout,
            self.config.max_response_bytes,
            self.config.use_env_proxy,
        )?;
        let v = json_answer(P, url, &answer)?;
        if field(&v, "Code") != Some("Success") {
            return Err(CredentialError::Malformed {
                provider: P,
                what: format!("the answer of {}", shown(url)),
                reason: "its Code is not Success".into(),
            });
        }
        sts_credentials(P, &shown(url), &v, P.into())
    }

    fn ecs_ram_role(
        &self,
        provider: &'static str,
        role_name: Option<&str>,
    ) -> Result<Resolved, CredentialError> {
        let base = self.config.metadata_endpoint.trim_end_matches('/');
        let timeout = self.config.metadata_timeout;
        let limit = self.config.max_response_bytes;
        let v1_disabled = self.env.is_true("ALIBABA_CLOUD_IMDSV1_DISABLED");
        // IMDSv2: a session token first; without one, IMDSv1 unless disabled.
        let token_url = format!("{base}/latest/api/token");
        let token = match http(
            provider,
            "PUT",
            &token_url,
            &[("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")],
            timeout,
            limit,
            false,
        ) {
            Ok(a) if a.status == 200 => match String::from_utf8(a.body) {
                Ok(t) if !t.trim().is_empty() && t.trim().len() <= 1024 => {
                    Some(t.trim().to_string())
                }
                _ => None,
            },
            Ok(a) if v1_disabled => {
                return Err(CredentialError::Http {
                    provider,
                    endpoint: token_url,
                    reason: format!(
                        "HTTP {} for the IMDSv2 token (IMDSv1 is disabled)",
                        a.status
                    ),
                })
            }
            Err(e) if v1_disabled => return Err(e),
            _ => None,
        };
        let headers: Vec<(&str, &str)> = token
            .as_deref()
            .map(|t| vec![("X-aliyun-ecs-metadata-token", t)])
            .unwrap_or_default();
        let list_url = format!("{base}/latest/meta-data/ram/security-credentials/");
        let role = match role_name.or(self.env.get("ALIBABA_CLOUD_ECS_METADATA")) {
            Some(r) => r.to_string(),
            None => {
                let a = http(provider, "GET", &list_url, &headers, timeout, limit, false)?;
                if a.status != 200 {
                    return Err(CredentialError::Http {
                        provider,
                        endpoint: list_url,
                        reason: format!("HTTP {} for the role name", a.status),
                    });
                }
                String::from_utf8(a.body)
                    .ok()
                    .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
                    .unwrap_or_default()
            }
        };
        let valid = !role.is_empty()
            && role.len() <= 128
            && role
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.@+=,".contains(&b));
        if !valid {
            return Err(CredentialError::Malformed {
                provider,
                what: "the RAM role name".into(),
                reason: "empty, over 128 characters, or with characters a role name cannot have"
                    .into(),
            });
        }
        let url = format!("{list_url}{role}");
        let a = http(provider, "GET", &url, &headers, timeout, limit, false)?;
        let v = json_answer(provider, &url, &a)?;
        if field(&v, "Code") != Some("Success") {
            return Err(CredentialError::Malformed {
                provider,
                what: format!("the answer of {url}"),
                reason: "its Code is not Success".into(),
            });
        }
        sts_credentials(provider, &url, &v, provider.into())
    }

    /// The Alibaba Cloud CLI's `~/.aliyun/config.json`.
    fn cli_profile(&self) -> Result<Resolved, CredentialError> {
        const P: &str = "cli_profile";
        let Some(home) = self.env.home() else {
            return Err(CredentialError::NotConfigured {
                provider: P,
                why: "HOME is unset".into(),
            });
        };
        let path = home.join(".aliyun").join("config.json");
        if !path.is_file() {
            return Err(CredentialError::NotConfigured {
                provider: P,
                why: format!("no {}", path.display()),
            });
        }
        let text = read_bounded(P, &path, self.config.max_file_bytes)?;
        let malformed = |reason: String| CredentialError::Malformed {
            provider: P,
            what: path.display().to_string(),
            reason,
        };
        let config: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| malformed(format!("not JSON ({e})")))?;
        let name = self
            .env
            .get("ALIBABA_CLOUD_PROFILE")
            .or_else(|| field(&config, "current"))
            .ok_or_else(|| {
                malformed("no current profile and ALIBABA_CLOUD_PROFILE is unset".into())
            })?;
        let profile = config
            .get("profiles")
            .and_then(|p| p.as_array())
            .and_then(|ps| ps.iter().find(|p| field(p, "name") == Some(name)))
            .ok_or_else(|| malformed(format!("no profile named {name:?}")))?;
        let s = |k: &str| field(profile, k).map(str::to_string);
        let need = |k: &str| s(k).ok_or_else(|| malformed(format!("profile {name:?} has no {k}")));
        let mode = s("mode").unwrap_or_default();
        let role = || -> Result<Role, CredentialError> {
            Ok(Role {
                role_arn: need("ram_role_arn")?,
                session_name: s("ram_session_name").or(s("role_session_name")),
                sts_region: s("sts_region"),
                duration: profile.get("expired_seconds").and_then(|v| v.as_u64()),
                policy: s("policy"),
            })
        };
        let static_ak = |source: &str| -> Result<Resolved, CredentialError> {
            Ok(Resolved {
                credentials: Credentials::new(need("access_key_id")?, need("access_key_secret")?),
                source: source.into(),
                expiration: None,
            })
        };
        match mode.as_str() {
            "AK" => static_ak("cli_profile/static_ak"),
            "StsToken" => {
                let mut r = static_ak("cli_profile/static_sts")?;
                r.credentials = r.credentials.with_security_token(need("sts_token")?);
                Ok(r)
            }
            "RamRoleArn" => {
                let ak = static_ak("static_ak")?;
                let mut r = self.assume_role(P, &role()?, &ak)?;
                r.source = "cli_profile/ram_role_arn/static_ak".into();
                Ok(r)
            }
            "EcsRamRole" => {
                let mut r = self.ecs_ram_role(P, s("ram_role_name").as_deref())?;
                r.source = "cli_profile/ecs_ram_role".into();
                Ok(r)
            }
            "OIDC" => {
                let token_file = need("oidc_token_file")?;
                let mut r = self.oidc(
                    P,
                    &role()?,
                    &need("oidc_provider_arn")?,
                    Path::new(&token_file),
                )?;
                r.source = "cli_profile/oidc_role_arn".into();
                Ok(r)
            }
            other => Err(CredentialError::Unsupported {
                provider: P,
                reason: format!(
                    "profile {name:?} has mode {other:?}; supported: AK, StsToken, RamRoleArn, EcsRamRole, OIDC"
                ),
            }),
        }
    }

    /// The credentials file (INI).
    fn ini_profile(&self) -> Result<Resolved, CredentialError> {
        const P: &str = "profile";
        let path = match self.env.get("ALIBABA_CLOUD_CREDENTIALS_FILE") {
            Some(p) => PathBuf::from(p),
            None => {
                let Some(home) = self.env.home() else {
                    return Err(CredentialError::NotConfigured {
                        provider: P,
                        why: "HOME is unset and ALIBABA_CLOUD_CREDENTIALS_FILE too".into(),
                    });
                };
                let dir = home.join(".alibabacloud");
                let found = ["credentials", "credentials.ini"]
                    .into_iter()
                    .map(|n| dir.join(n))
                    .find(|p| p.is_file());
                match found {
                    Some(p) => p,
                    None => {
                        return Err(CredentialError::NotConfigured {
                            provider: P,
                            why: format!("no {}", dir.join("credentials").display()),
                        })
                    }
                }
            }
        };
        let text = read_bounded(P, &path, self.config.max_file_bytes)?;
        let malformed = |reason: String| CredentialError::Malformed {
            provider: P,
            what: path.display().to_string(),
            reason,
        };
        let name = self.env.get("ALIBABA_CLOUD_PROFILE").unwrap_or("default");
        let sections = parse_ini(&text).map_err(&malformed)?;
        let section = sections
            .get(name)
            .ok_or_else(|| malformed(format!("no section [{name}]")))?;
        let s = |k: &str| section.get(k).filter(|v| !v.is_empty()).cloned();
        let need = |k: &str| s(k).ok_or_else(|| malformed(format!("[{name}] has no {k}")));
        match s("type").as_deref().unwrap_or_default() {
            "access_key" => Ok(Resolved {
                credentials: Credentials::new(need("access_key_id")?, need("access_key_secret")?),
                source: "profile/static_ak".into(),
                expiration: None,
            }),
            "ram_role_arn" => {
                let ak = Resolved {
                    credentials: Credentials::new(
                        need("access_key_id")?,
                        need("access_key_secret")?,
                    ),
                    source: "static_ak".into(),
                    expiration: None,
                };
                let role = Role {
                    role_arn: need("role_arn")?,
                    session_name: s("role_session_name"),
                    sts_region: None,
                    duration: None,
                    policy: s("policy"),
                };
                let mut r = self.assume_role(P, &role, &ak)?;
                r.source = "profile/ram_role_arn/static_ak".into();
                Ok(r)
            }
            "ecs_ram_role" => {
                let mut r = self.ecs_ram_role(P, s("role_name").as_deref())?;
                r.source = "profile/ecs_ram_role".into();
                Ok(r)
            }
            "oidc_role_arn" => {
                let role = Role {
                    role_arn: need("role_arn")?,
                    session_name: s("role_session_name"),
                    sts_region: None,
                    duration: None,
                    policy: s("policy"),
                };
                let token_file = need("oidc_token_file_path")?;
                let mut r = self.oidc(
                    P,
                    &role,
                    &need("oidc_provider_arn")?,
                    Path::new(&token_file),
                )?;
                r.source = "profile/oidc_role_arn".into();
                Ok(r)
            }
            other => Err(CredentialError::Unsupported {
                provider: P,
                reason: format!(
                    "[{name}] has type {other:?}; supported: access_key, ram_role_arn, ecs_ram_role, oidc_role_arn"
                ),
            }),
        }
    }
}

/// Parses INI text as the SDKs read the credentials file: `[section]`
/// headers, `key = value` (or `key: value`) lines, whole-line comments with
/// `#` or `;`, and anything after a `#` in a value dropped.
fn parse_ini(text: &str) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("line {}: a section header without ']'", n + 1))?
                .trim();
            out.entry(name.to_string()).or_default();
            current = Some(name.to_string());
            continue;
        }
        let Some((k, v)) = line.split_once(['=', ':']) else {
            return Err(format!("line {}: neither a section nor key = value", n + 1));
        };
        let Some(section) = &current else {
            return Err(format!("line {}: a key before any [section]", n + 1));
        };
        let v = v.split('#').next().unwrap_or_default().trim();
        out.entry(section.clone())
            .or_default()
            .insert(k.trim().to_ascii_lowercase(), v.to_string());
    }
    Ok(out)
}

/// The credentials of an STS-shaped object (`AccessKeyId`,
/// `AccessKeySecret`, `SecurityToken`, `Expiration`).
fn sts_credentials(
    provider: &'static str,
    endpoint: &str,
    v: &serde_json::Value,
    source: String,
) -> Result<Resolved, CredentialError> {
    let malformed = |reason: &str| CredentialError::Malformed {
        provider,
        what: format!("the answer of {}", shown(endpoint)),
        reason: reason.into(),
    };
    let (Some(id), Some(secret), Some(token)) = (
        field(v, "AccessKeyId"),
        field(v, "AccessKeySecret"),
        field(v, "SecurityToken"),
    ) else {
        return Err(malformed(
            "AccessKeyId, AccessKeySecret and SecurityToken are not all there",
        ));
    };
    let expiration = field(v, "Expiration")
        .and_then(parse_acs_date)
        .ok_or_else(|| malformed("Expiration is missing or not YYYY-MM-DDTHH:MM:SSZ"))?;
    Ok(Resolved {
        credentials: Credentials::new(id, secret).with_security_token(token),
        source,
        expiration: Some(expiration),
    })
}

/// A 200 answer's JSON object; an error status or bad JSON is an error
/// naming the status and the service's `Code`, never the body.
fn json_answer(
    provider: &'static str,
    url: &str,
    a: &HttpAnswer,
) -> Result<serde_json::Value, CredentialError> {
    if a.status != 200 {
        let code = answer_code(&a.body)
            .map(|c| format!(", Code {c}"))
            .unwrap_or_default();
        return Err(CredentialError::Http {
            provider,
            endpoint: shown(url),
            reason: format!("HTTP {}{code}", a.status),
        });
    }
    match serde_json::from_slice::<serde_json::Value>(&a.body) {
        Ok(v) if v.is_object() => Ok(v),
        _ => Err(CredentialError::Malformed {
            provider,
            what: format!("the answer of {}", shown(url)),
            reason: "not a JSON object".into(),
        }),
    }
}

/// The RPC (v1) signature: Base64 of HMAC-SHA1, keyed with `secret&`, of
/// `METHOD&%2F&` and the form-encoded sorted query, itself form-encoded.
fn rpc_signature(method: &str, query: &[(&str, String)], secret: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut sorted: Vec<&(&str, String)> = query.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut canonical = String::new();
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            canonical.push('&');
        }
        encode_into(&mut canonical, k, Space::Plus);
        canonical.push('=');
        encode_into(&mut canonical, v, Space::Plus);
    }
    let mut to_sign = format!("{method}&%2F&");
    encode_into(&mut to_sign, &canonical, Space::Plus);
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(to_sign.as_bytes());
    base64_simd::STANDARD.encode_to_string(mac.finalize().into_bytes())
}

/// An HTTP answer: its status and (bounded) body.
struct HttpAnswer {
    status: u16,
    body: Vec<u8>,
}

/// One request with a deadline, the answer's body read up to `limit` bytes.
#[cfg(feature = "client")]
fn http(
    provider: &'static str,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    timeout: Duration,
    limit: u64,
    use_env_proxy: bool,
) -> Result<HttpAnswer, CredentialError> {
    let fail = |reason: String| CredentialError::Http {
        provider,
        endpoint: shown(url),
        reason,
    };
    let mut builder = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout));
    if !use_env_proxy {
        builder = builder.proxy(None);
    }
    let agent: ureq::Agent = builder.build().into();
    let result = match method {
        "PUT" => {
            let mut r = agent.put(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.send_empty()
        }
        _ => {
            let mut r = agent.get(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.call()
        }
    };
    let response = result.map_err(|e| fail(super::client::describe(&e)))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .into_with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => fail(format!(
                "HTTP {status} with a body over the {limit}-byte limit"
            )),
            e => fail(format!(
                "HTTP {status}, the body did not arrive in full: {}",
                super::client::describe(&e)
            )),
        })?;
    Ok(HttpAnswer { status, body })
}

/// Without feature `client` there is no HTTP client: the sources that need
/// one say so.
#[cfg(not(feature = "client"))]
fn http(
    provider: &'static str,
    _method: &str,
    url: &str,
    _headers: &[(&str, &str)],
    _timeout: Duration,
    _limit: u64,
    _use_env_proxy: bool,
) -> Result<HttpAnswer, CredentialError> {
    Err(CredentialError::Unsupported {
        provider,
        reason: format!(
            "fetching {} needs an HTTP client: build with feature `client`",
            shown(url)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_as_the_sdks_read_it() {
        let ini = "# comment\n[default]\ntype = access_key # inline\naccess_key_id=id\n\n; other\n[b]\nKey: v\n";
        let s = parse_ini(ini).unwrap();
        assert_eq!(s["default"]["type"], "access_key");
        assert_eq!(s["default"]["access_key_id"], "id");
        assert_eq!(s["b"]["key"], "v");
        assert!(parse_ini("key = before any section").is_err());
        assert!(parse_ini("[open").is_err());
        assert!(parse_ini("[a]\njust words").is_err());
    }

    #[test]
    fn rpc_signature_matches_the_documented_example() {
        // Alibaba Cloud's RPC signature document's example (ECS
        // DescribeRegions, secret "testsecret").
        let q: Vec<(&str, String)> = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
        assert_eq!(
            rpc_signature("GET", &q, "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }
}
