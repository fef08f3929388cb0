//! The `credentials_uri` source: a local credentials service.

use super::http::{field, get_json, shown};
use super::sts::sts_credentials;
use super::{CredentialError, Ctx, Resolved};

impl Ctx<'_> {
    pub(super) fn credentials_uri(&self) -> Result<Resolved, CredentialError> {
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
        let v = get_json(
            P,
            url,
            &[],
            self.config.http_timeout,
            self.config.max_response_bytes,
            self.config.use_env_proxy,
        )?;
        if field(&v, "Code") != Some("Success") {
            return Err(CredentialError::Malformed {
                provider: P,
                what: format!("the answer of {}", shown(url)),
                reason: "its Code is not Success".into(),
            });
        }
        sts_credentials(P, &shown(url), &v, P.into())
    }
}
