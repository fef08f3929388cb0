//! The `ecs_ram_role` source: the ECS instance metadata service.

use super::http::{field, get_json, http};
use super::sts::sts_credentials;
use super::{CredentialError, Ctx, Resolved};

impl Ctx<'_> {
    pub(super) fn ecs_ram_role(
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
        let v = get_json(provider, &url, &headers, timeout, limit, false)?;
        if field(&v, "Code") != Some("Success") {
            return Err(CredentialError::Malformed {
                provider,
                what: format!("the answer of {url}"),
                reason: "its Code is not Success".into(),
            });
        }
        sts_credentials(provider, &url, &v, provider.into())
    }
}
