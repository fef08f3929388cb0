//! The STS sources: OIDC role (RRSA) and AssumeRole, their RPC-signed calls and answers.

use std::path::Path;
use std::time::SystemTime;

use super::http::{field, get_json, read_bounded, shown};
use super::{CredentialError, Ctx, Resolved, Role};
use crate::api::encode::{encode_into, Space};
use crate::api::time::{format_acs_date, parse_acs_date};
use crate::api::Credentials;

impl Ctx<'_> {
    /// The STS base URL for `region` (a profile's `sts_region`), as the SDKs
    /// build it, unless [`ChainConfig::sts_endpoint`] overrides it.
    pub(super) fn sts_base(
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

    pub(super) fn session_name(&self, role: &Role) -> String {
        role.session_name.clone().unwrap_or_else(|| {
            let secs = self
                .now
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            format!("ekyc-preflight-{secs}")
        })
    }

    pub(super) fn duration(
        &self,
        provider: &'static str,
        role: &Role,
    ) -> Result<u64, CredentialError> {
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
    pub(super) fn oidc(
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
    pub(super) fn assume_role(
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
            ("SignatureNonce", crate::api::encode::hex(&nonce)),
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

    pub(super) fn sts_call(
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
        let v = get_json(
            provider,
            &url,
            &[],
            self.config.http_timeout,
            self.config.max_response_bytes,
            self.config.use_env_proxy,
        )?;
        let c = v.get("Credentials").unwrap_or(&serde_json::Value::Null);
        sts_credentials(provider, &shown(&url), c, source)
    }
}

/// The credentials of an STS-shaped object (`AccessKeyId`,
/// `AccessKeySecret`, `SecurityToken`, `Expiration`).
pub(super) fn sts_credentials(
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

/// The RPC (v1) signature: Base64 of HMAC-SHA1, keyed with `secret&`, of
/// `METHOD&%2F&` and the form-encoded sorted query, itself form-encoded.
pub(super) fn rpc_signature(method: &str, query: &[(&str, String)], secret: &str) -> String {
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
