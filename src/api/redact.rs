//! What `Debug`, `Display` and error messages may show of a request: the
//! shape, never personal data or tokens.
//!
//! Parameters and headers are judged by name: the images (Base64) show their
//! length, image URLs their scheme and host, `DocName`, `DocNo` and
//! `MerchantUserId` their length only; the STS token, `Authorization` and any
//! unknown header show their length only. Everything else (`ProductCode`,
//! `DocType`, flags, the action) is shown: it says nothing about a person.

use std::fmt;

/// Parameters whose values are shown in full.
const PLAIN_PARAMS: [&str; 10] = [
    "ProductCode",
    "SceneCode",
    "MerchantBizId",
    "DocType",
    "Crop",
    "Authorize",
    "IdThreshold",
    "FaceQualityCheck",
    "IdSpoof",
    "RegionId",
];

/// Headers whose values are shown in full.
const PLAIN_HEADERS: [&str; 11] = [
    "host",
    "x-acs-version",
    "x-acs-action",
    "user-agent",
    "x-acs-date",
    "x-acs-signature-nonce",
    "accept",
    "content-type",
    "x-acs-content-sha256",
    "x-acs-credentials-provider",
    "content-length",
];

/// A parameter's value as it may be shown.
pub(crate) fn param(name: &str, value: &str) -> String {
    if PLAIN_PARAMS.contains(&name) {
        value.to_string()
    } else if name.ends_with("Url") {
        url(value)
    } else {
        hidden(value)
    }
}

/// A header's value as it may be shown (the access key ID is not secret:
/// it is sent in `Authorization`'s clear text).
pub(crate) fn header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if PLAIN_HEADERS.contains(&lower.as_str()) || lower == "x-acs-accesskey-id" {
        value.to_string()
    } else {
        hidden(value)
    }
}

/// `<redacted, N bytes>`.
pub(crate) fn hidden(value: &str) -> String {
    format!("<redacted, {} bytes>", value.len())
}

/// `scheme://host/<redacted>`: paths and queries may carry names or tokens.
pub(crate) fn url(value: &str) -> String {
    match value.split_once("://") {
        Some((scheme, rest)) if scheme.len() <= 8 => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let host = &rest[..end];
            // user:password@host
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            if end < rest.len() {
                format!("{scheme}://{host}/<redacted>")
            } else {
                format!("{scheme}://{host}")
            }
        }
        _ => hidden(value),
    }
}

/// Name/value pairs, shown as a map with redacted values.
pub(crate) struct Params<'a, K: AsRef<str>>(pub(crate) &'a [(K, String)]);

impl<K: AsRef<str>> fmt::Debug for Params<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .iter()
                    .map(|(k, v)| (k.as_ref(), param(k.as_ref(), v))),
            )
            .finish()
    }
}

/// Headers, shown as a list of pairs with redacted values.
pub(crate) struct Headers<'a>(pub(crate) &'a [(String, String)]);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, v)| (k, header(k, v))))
            .finish()
    }
}

/// A text shown by its length only.
pub(crate) struct Len<'a>(pub(crate) &'a str);

impl fmt::Debug for Len<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hidden(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_host_only() {
        assert_eq!(url("https://example.com"), "https://example.com");
        assert_eq!(
            url("https://u:pw@example.com/zhang/san.jpg?sig=x"),
            "https://example.com/<redacted>"
        );
        assert_eq!(url("no scheme at all"), "<redacted, 16 bytes>");
        assert_eq!(param("DocName", "ZHANG SAN"), "<redacted, 9 bytes>");
        assert_eq!(param("DocType", "01000000"), "01000000");
        assert_eq!(header("X-ACS-SECURITY-TOKEN", "tok"), "<redacted, 3 bytes>");
    }
}
