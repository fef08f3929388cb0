//! The checks `build` runs on each parameter: required, non-empty, flags, Base64 and
//! picture sizes, document types in any spelling, public URL hosts.

use super::error::RequestError;
use super::DocType;
use crate::api::encode::form_len;
use crate::api::service_error::ErrorCode;

/// The checks of one Base64 image: its size as sent, its Base64, and (when
/// `judge`) `check`'s verdict with the role its parameter implies.
pub(super) fn check_picture(
    name: &'static str,
    value: &str,
    limit: usize,
    judge: bool,
) -> Result<(), RequestError> {
    let sent_bytes = form_len([(name, value)]);
    if sent_bytes > limit {
        return Err(RequestError::TooLarge {
            param: name,
            sent_bytes,
            limit,
        });
    }
    let bytes = base64_simd::STANDARD
        .decode_to_vec(value.as_bytes())
        .map_err(|_| {
            invalid(
                name,
                "is not valid Base64: its length must be a multiple of 4, with at most two '=' of padding at the end"
                    .to_string(),
            )
        })?;
    if !judge {
        return Ok(());
    }
    let options = crate::CheckOptions {
        role: if name == "IdOcrPictureBase64" {
            crate::Role::Id
        } else {
            crate::Role::Face
        },
        transport: crate::Transport::Base64,
        ..crate::CheckOptions::default()
    };
    let report = crate::check_with(&bytes, &crate::Spec::default(), &options);
    if report.verdict != crate::Verdict::Reject {
        return Ok(());
    }
    let worst = report
        .findings
        .iter()
        .find(|f| f.severity == crate::Severity::Reject);
    Err(RequestError::Picture {
        param: name,
        rule: worst.map_or(crate::Rule::Format, |f| f.rule),
        code: worst
            .and_then(|f| f.api_code)
            .map_or(ErrorCode::UnqualifiedPhoto, |c| {
                ErrorCode::parse(c.as_str())
            }),
        reason: report.to_string(),
    })
}

pub(super) fn invalid(param: &'static str, rule: String) -> RequestError {
    RequestError::Invalid { param, rule }
}

pub(super) fn required(param: &'static str, v: Option<String>) -> Result<String, RequestError> {
    match v {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(RequestError::Missing { param }),
    }
}

pub(super) fn optional_non_empty(
    param: &'static str,
    v: Option<String>,
) -> Result<Option<String>, RequestError> {
    match v {
        Some(v) if v.trim().is_empty() => Err(RequestError::Missing { param }),
        v => Ok(v),
    }
}

pub(super) fn check_flag(
    param: &'static str,
    v: Option<String>,
) -> Result<Option<String>, RequestError> {
    match v.as_deref() {
        None | Some("T") | Some("F") => Ok(v),
        Some(_) => Err(invalid(param, "must be T or F".to_string())),
    }
}

pub(super) fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// A `DocType` code as the document spells it: the table's codes, and the
/// 8-digit spellings `00000011`/`00000012` its text implies for the two
/// 9-digit codes of the table.
pub(super) fn doc_type_any_spelling(code: &str) -> Option<DocType> {
    DocType::from_code(code).or(match code {
        "00000011" => Some(DocType::MacaoIdCard),
        "00000012" => Some(DocType::MainlandTravelPermitTaiwan),
        _ => None,
    })
}

/// Whether `host` (`name[:port]`, `ip[:port]` or `[ipv6][:port]`) may be a
/// public host: not `localhost` and not a loopback, private, link-local,
/// unspecified or unique-local literal address. Names are not resolved.
pub(super) fn is_public_host(host: &str) -> bool {
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if lower.is_empty() || lower == "localhost" || lower.ends_with(".localhost") {
        return false;
    }
    match lower.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 100 && (ip.octets()[1] & 0xc0) == 64)
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private() || v4.is_link_local()))
        }
        Err(_) => true,
    }
}

pub(super) fn one_picture(
    b64_name: &'static str,
    b64: Option<String>,
    url_name: &'static str,
    url: Option<String>,
    either: &'static str,
) -> Result<(&'static str, String), RequestError> {
    match (b64, url) {
        (Some(_), Some(_)) => Err(RequestError::Duplicated {
            base64: b64_name,
            url: url_name,
        }),
        (None, None) => Err(RequestError::Missing { param: either }),
        (Some(b), None) => {
            if b.is_empty() {
                Err(RequestError::Missing { param: b64_name })
            } else if !is_base64(&b) {
                Err(invalid(
                    b64_name,
                    "must be standard Base64 (A-Z a-z 0-9 + / and = padding) without a data: prefix"
                        .to_string(),
                ))
            } else {
                Ok((b64_name, b))
            }
        }
        (None, Some(u)) => {
            let lower = u.get(..8).unwrap_or(&u).to_ascii_lowercase();
            let rest = if lower.starts_with("https://") {
                &u[8..]
            } else if lower.starts_with("http://") {
                &u[7..]
            } else {
                return Err(invalid(
                    url_name,
                    "must be an http:// or https:// URL".to_string(),
                ));
            };
            if rest.is_empty() || rest.starts_with('/') {
                return Err(invalid(url_name, "the URL has no host".to_string()));
            }
            // A plain space is let through: the shared SDK vector 06 (an OSS
            // URL with "id front.jpg") is valid, and the space is
            // form-encoded on the wire. Other whitespace and control
            // characters are refused.
            if u.chars()
                .any(|c| c != ' ' && (c.is_whitespace() || c.is_control()))
            {
                return Err(invalid(
                    url_name,
                    "the URL contains control characters or whitespace other than spaces; percent-encode them".to_string(),
                ));
            }
            let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if !is_public_host(host) {
                return Err(invalid(
                    url_name,
                    "the URL must be reachable from the public internet, not a loopback, private or link-local address".to_string(),
                ));
            }
            Ok((url_name, u))
        }
    }
}
