//! The profile sources: the Alibaba Cloud CLI's config.json and the SDKs' INI file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::http::{field, read_bounded};
use super::{CredentialError, Ctx, Resolved, Role};
use crate::api::Credentials;

impl Ctx<'_> {
    /// The Alibaba Cloud CLI's `~/.aliyun/config.json`.
    pub(super) fn cli_profile(&self) -> Result<Resolved, CredentialError> {
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
    pub(super) fn ini_profile(&self) -> Result<Resolved, CredentialError> {
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
pub(super) fn parse_ini(text: &str) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
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
