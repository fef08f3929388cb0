//! The credential sources' HTTP: one bounded request, and its answer read as JSON.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use super::CredentialError;

/// Reads a file of at most `limit` bytes as UTF-8.
pub(super) fn read_bounded(
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
pub(super) fn shown(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// The `Code` of a JSON error answer, if it is one and the code is plain.
pub(super) fn answer_code(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = v.get("Code")?.as_str()?;
    (code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'))
    .then(|| code.to_string())
}

/// A string field of a JSON object, non-empty.
pub(super) fn field<'v>(v: &'v serde_json::Value, name: &str) -> Option<&'v str> {
    v.get(name)?.as_str().filter(|s| !s.is_empty())
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

/// An HTTP answer: its status and (bounded) body.
pub(super) struct HttpAnswer {
    pub(super) status: u16,
    pub(super) body: Vec<u8>,
}

/// A GET of `url` whose answer must be a 200 with a JSON object: [`http`], then
/// [`json_answer`]. The STS, credentials-URI and ECS metadata sources all ask this.
pub(super) fn get_json(
    provider: &'static str,
    url: &str,
    headers: &[(&str, &str)],
    timeout: Duration,
    limit: u64,
    use_env_proxy: bool,
) -> Result<serde_json::Value, CredentialError> {
    let answer = http(provider, "GET", url, headers, timeout, limit, use_env_proxy)?;
    json_answer(provider, url, &answer)
}

/// One request with a deadline, the answer's body read up to `limit` bytes.
#[cfg(feature = "client")]
pub(super) fn http(
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
    let response = result.map_err(|e| fail(crate::api::http_error::describe(&e)))?;
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
                crate::api::http_error::describe(&e)
            )),
        })?;
    Ok(HttpAnswer { status, body })
}

/// Without feature `client` there is no HTTP client: the sources that need
/// one say so.
#[cfg(not(feature = "client"))]
pub(super) fn http(
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
