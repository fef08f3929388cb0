//! The `env` source: an AccessKey pair from the environment.

use super::{CredentialError, Ctx, Resolved};
use crate::api::Credentials;

impl Ctx<'_> {
    pub(super) fn env_pair(&self) -> Result<Resolved, CredentialError> {
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
}
