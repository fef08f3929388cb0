//! The blocking client against a real HTTP server on 127.0.0.1, started by
//! each test: it serves a bounded number of requests, stops by itself, and
//! checks every request's signature independently of the crate's signer.
#![cfg(feature = "client")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ekyc_preflight::api::*;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const ID: &str = "LTAI-test-id";
const SECRET: &str = "test-secret-for-loopback";

const SUCCESS: &str = r#"{"RequestId":"130A2C10-B9EE-4D84-88E3-5384FF039795","Code":"Success","Message":"success","Result":{"Passed":"Y","SubCode":"200","TransactionId":"hksb7ba1","ExtFaceInfo":"{\"faceComparisonScore\":98.5,\"faceAttack\":\"N\"}","ExtIdInfo":"{\"idPassed\":\"Y\",\"ocrIdInfo\":{\"name\":\"ZHANG SAN\"},\"spoofInfo\":{\"spoofResult\":\"N\",\"spoofType\":[]}}"}}"#;

#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

fn reply(status: u16, body: impl Into<String>) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.into(),
        delay: Duration::ZERO,
    }
}

fn error_reply(status: u16, code: &str) -> Reply {
    reply(
        status,
        format!(r#"{{"RequestId":"REQ-{code}","Code":"{code}","Message":"canned {code}"}}"#),
    )
}

/// What the server saw of one request.
#[derive(Debug)]
struct Seen {
    nonce: String,
    signature_ok: Result<(), String>,
}

struct Server {
    base_url: String,
    handle: JoinHandle<Vec<Seen>>,
}

impl Server {
    /// Serves `replies` in order, one connection each, then stops; also stops
    /// 10 s after starting, whatever happened.
    fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut seen = Vec::new();
            let mut replies = replies.into_iter();
            let mut next = replies.next();
            while let Some(r) = next.take() {
                match listener.accept() {
                    Ok((stream, _)) => {
                        seen.push(handle_one(stream, &r, port));
                        next = replies.next();
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        if Instant::now() > deadline {
                            break;
                        }
                        next = Some(r);
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
            seen
        });
        Server {
            base_url: format!("http://127.0.0.1:{port}"),
            handle,
        }
    }

    fn finish(self) -> Vec<Seen> {
        let seen = self.handle.join().unwrap();
        for s in &seen {
            assert_eq!(s.signature_ok, Ok(()), "server-side signature check");
        }
        seen
    }
}

fn handle_one(stream: TcpStream, r: &Reply, port: u16) -> Seen {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap();
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let len: usize = header("content-length").map_or(0, |v| v.parse().unwrap());
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).unwrap();

    let signature_ok = verify_signature(&request_line, &headers, &body, port);
    let seen = Seen {
        nonce: header("x-acs-signature-nonce").unwrap_or_default(),
        signature_ok,
    };

    std::thread::sleep(r.delay);
    let mut stream = reader.into_inner();
    let mut out = format!(
        "HTTP/1.1 {} X\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
        r.status,
        r.body.len()
    );
    for (k, v) in &r.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&r.body);
    // The client may have given up already (timeout test).
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
    seen
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn rfc3986(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Recomputes ACS3-HMAC-SHA256 from the request as received.
fn verify_signature(
    request_line: &str,
    headers: &[(String, String)],
    body: &[u8],
    port: u16,
) -> Result<(), String> {
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or(format!("missing header {name}"))
    };
    if get("host")? != format!("127.0.0.1:{port}") {
        return Err(format!("host {}", get("host")?));
    }
    let auth = get("authorization")?;
    let rest = auth.strip_prefix("ACS3-HMAC-SHA256 ").ok_or("algorithm")?;
    let mut credential = "";
    let mut signed = "";
    let mut signature = "";
    for item in rest.split(',') {
        let (k, v) = item.split_once('=').ok_or("authorization item")?;
        match k {
            "Credential" => credential = v,
            "SignedHeaders" => signed = v,
            "Signature" => signature = v,
            _ => return Err(format!("unexpected {k}")),
        }
    }
    if credential != ID {
        return Err(format!("credential {credential}"));
    }
    for must in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
        "content-type",
    ] {
        if !signed.split(';').any(|h| h == must) {
            return Err(format!("{must} not signed"));
        }
    }
    let payload_hash = hex(&Sha256::digest(body));
    if get("x-acs-content-sha256")? != payload_hash {
        return Err("x-acs-content-sha256 does not match the body".into());
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect();
    pairs.sort();
    let canonical_query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986(k), rfc3986(v)))
        .collect();
    let mut canonical_headers = String::new();
    for name in signed.split(';') {
        canonical_headers.push_str(&format!("{name}:{}\n", get(name)?.trim()));
    }
    let canonical_request = format!(
        "{method}\n{path}\n{}\n{canonical_headers}\n{signed}\n{payload_hash}",
        canonical_query.join("&")
    );
    let string_to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    let expected = hex(&mac.finalize().into_bytes());
    if expected != signature {
        return Err(format!(
            "signature mismatch\ncanonical request:\n{canonical_request}"
        ));
    }
    Ok(())
}

fn request() -> EkycVerifyRequest {
    EkycVerifyRequest::builder()
        .merchant_biz_id("e0c34a77f5ac40a5aa5e6ed20c350001")
        .merchant_user_id(hash_user_id("user 0001"))
        .doc_type(DocType::ChineseMainlandIdCard)
        .doc_name("阿依古丽·张三")
        .doc_no("11010119900307123X")
        .authorize(true)
        .id_picture(Picture::base64(
            "29AZ9mB+CRW9IWYOBn0kIxivml+IBVEw/r1fimsP9xfT==",
        ))
        .face_picture(Picture::url("https://example.com/face.jpg?x=1&y=a b"))
        .build()
        .unwrap()
}

fn client(server: &Server, config: ClientConfig) -> Client {
    Client::with_config(
        Signer::new(Credentials::new(ID, SECRET)),
        Endpoint::custom(&server.base_url).unwrap(),
        ClientConfig {
            use_env_proxy: false,
            ..config
        },
    )
}

fn fast() -> ClientConfig {
    ClientConfig {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(500),
        read_timeout: Duration::from_secs(3),
        ..ClientConfig::default()
    }
}

#[test]
fn success_is_parsed() {
    let server = Server::start(vec![reply(200, SUCCESS)]);
    let resp = client(&server, fast()).verify(&request()).unwrap();
    assert!(resp.passed());
    let result = resp.result.unwrap();
    assert_eq!(result.sub_code, Some(SubCode::Passed));
    assert_eq!(
        result.ext_face_info.unwrap().face_comparison_score,
        Some(98.5)
    );
    assert_eq!(result.ext_id_info.unwrap().ocr_id_info["name"], "ZHANG SAN");
    assert_eq!(server.finish().len(), 1);
}

#[test]
fn verification_failure_is_a_response_not_an_error() {
    let body = r#"{"RequestId":"R","Code":"Success","Message":"success","Result":{"Passed":"N","SubCode":"204"}}"#;
    let server = Server::start(vec![reply(200, body)]);
    let resp = client(&server, fast()).verify(&request()).unwrap();
    assert!(!resp.passed());
    assert_eq!(resp.result.unwrap().sub_code, Some(SubCode::FaceMismatch));
    server.finish();
}

#[test]
fn each_documented_error_code() {
    let table: [(u16, &str, ErrorCode, bool); 13] = [
        (400, "MissingParameter", ErrorCode::MissingParameter, false),
        (400, "InvalidParameter", ErrorCode::InvalidParameter, false),
        (401, "UnqualifiedPhoto", ErrorCode::UnqualifiedPhoto, false),
        (401, "DataDuplication", ErrorCode::DataDuplication, false),
        (401, "ToolargeImage", ErrorCode::ToolargeImage, false),
        (401, "DownloadTimeout", ErrorCode::DownloadTimeout, false),
        (401, "NoFaceDetected", ErrorCode::NoFaceDetected, false),
        (
            403,
            "Forbidden.RAMUserAccessDenied",
            ErrorCode::RamUserAccessDenied,
            false,
        ),
        (
            403,
            "Forbidden.AccountAccessDenied",
            ErrorCode::AccountAccessDenied,
            false,
        ),
        (403, "Throttling.Api", ErrorCode::ThrottlingApi, true),
        (500, "InternalError", ErrorCode::InternalError, true),
        (
            503,
            "ServiceUnavailable",
            ErrorCode::ServiceUnavailable,
            true,
        ),
        (
            418,
            "SomethingNew",
            ErrorCode::Other("SomethingNew".into()),
            false,
        ),
    ];
    let replies = table
        .iter()
        .map(|(s, c, _, _)| error_reply(*s, c))
        .collect();
    let server = Server::start(replies);
    // One attempt each, so every reply is seen as sent.
    let c = client(
        &server,
        ClientConfig {
            max_attempts: 1,
            ..fast()
        },
    );
    for (status, code, want, retryable) in table {
        let err = c.verify(&request()).unwrap_err();
        let e = err.api_error().unwrap_or_else(|| panic!("{code}: {err}"));
        assert_eq!(e.status, status);
        assert_eq!(e.code, want);
        assert_eq!(e.code.as_str(), code);
        assert_eq!(
            e.request_id.as_deref(),
            Some(format!("REQ-{code}").as_str())
        );
        assert_eq!(e.retryable(), retryable, "{code}");
        assert!(!err.to_string().contains(SECRET));
    }
    assert_eq!(server.finish().len(), 13);
}

#[test]
fn throttling_then_server_error_then_success() {
    let mut throttled = error_reply(403, "Throttling.Api");
    throttled.headers.push(("x-acs-retry-after", "80".into()));
    let server = Server::start(vec![
        throttled,
        error_reply(503, "ServiceUnavailable"),
        reply(200, SUCCESS),
    ]);
    let start = Instant::now();
    let resp = client(&server, fast()).verify(&request()).unwrap();
    assert!(resp.passed());
    assert!(
        start.elapsed() >= Duration::from_millis(80),
        "x-acs-retry-after honoured"
    );
    let seen = server.finish();
    assert_eq!(seen.len(), 3);
    // Each attempt is signed afresh.
    assert_ne!(seen[0].nonce, seen[1].nonce);
    assert_ne!(seen[1].nonce, seen[2].nonce);
}

#[test]
fn retries_are_bounded() {
    let server = Server::start(vec![
        error_reply(500, "InternalError"),
        error_reply(500, "InternalError"),
    ]);
    let c = client(
        &server,
        ClientConfig {
            max_attempts: 2,
            ..fast()
        },
    );
    let err = c.verify(&request()).unwrap_err();
    assert_eq!(err.api_error().unwrap().code, ErrorCode::InternalError);
    assert_eq!(server.finish().len(), 2);
}

#[test]
fn client_errors_are_not_retried() {
    // Only one reply is served: a retry would find the port closed and fail
    // with a transport error instead.
    let server = Server::start(vec![error_reply(401, "NoFaceDetected")]);
    let err = client(&server, fast()).verify(&request()).unwrap_err();
    assert_eq!(err.api_error().unwrap().code, ErrorCode::NoFaceDetected);
    assert_eq!(server.finish().len(), 1);
}

#[test]
fn retry_after_beyond_max_delay_is_returned_not_waited() {
    let mut throttled = error_reply(400, "Throttling.User");
    throttled
        .headers
        .push(("x-acs-retry-after", "60000".into()));
    let server = Server::start(vec![throttled]);
    let start = Instant::now();
    let err = client(&server, fast()).verify(&request()).unwrap_err();
    let e = err.api_error().unwrap();
    assert!(e.retryable());
    assert_eq!(e.retry_after, Some(Duration::from_secs(60)));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(server.finish().len(), 1);
}

#[test]
fn slow_reply_times_out() {
    let mut slow = reply(200, SUCCESS);
    slow.delay = Duration::from_millis(1500);
    let server = Server::start(vec![slow]);
    let c = client(
        &server,
        ClientConfig {
            read_timeout: Duration::from_millis(300),
            ..fast()
        },
    );
    let start = Instant::now();
    let err = c.verify(&request()).unwrap_err();
    assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
    assert!(start.elapsed() < Duration::from_millis(1400));
    server.finish();
}

#[test]
fn non_json_server_error_is_still_typed() {
    let server = Server::start(vec![reply(502, "<html>Bad Gateway</html>")]);
    let c = client(
        &server,
        ClientConfig {
            max_attempts: 1,
            ..fast()
        },
    );
    let err = c.verify(&request()).unwrap_err();
    let e = err.api_error().unwrap();
    assert_eq!(e.status, 502);
    assert!(e.retryable());
    assert!(e.message.contains("Bad Gateway"));
    server.finish();
}
