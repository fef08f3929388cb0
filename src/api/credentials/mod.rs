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
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::time::{Clock, SystemClock};
use super::Credentials;

mod ecs;
mod env;
mod http;
mod profile;
mod sts;
mod uri;

#[cfg(test)]
mod tests;

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

/// The default credential chain, in the order of Alibaba Cloud's official credentials
/// SDKs (environment, OIDC role ARN, the CLI's profile, the credentials file, the ECS
/// instance's RAM role, a credentials URI; the first that gives credentials wins), with a
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
