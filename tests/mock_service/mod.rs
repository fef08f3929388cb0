//! A mock EkycVerify service on 127.0.0.1, started by the tests that use it.
//!
//! It serves connections in order, each with the next [`Behaviour`] of its
//! script, in a thread of its own; once the script is used up it stops
//! listening, so a further attempt finds the port closed. Every complete
//! request is counted and its ACS3-HMAC-SHA256 signature recomputed from
//! the bytes received, independently of the crate's signer. Connections a
//! behaviour holds open are released by [`MockService::finish`] (or after
//! 30 s), so no test can hang on the mock.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The longest any connection is held, whatever the behaviour.
const HOLD_AT_MOST: Duration = Duration::from_secs(30);

/// What the mock does with one connection.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Reads the request, waits `delay`, answers.
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// Reads the request and never answers.
    Hang,
    /// Accepts the connection and never reads from it.
    NeverRead,
    /// Reads the request, sends the head and the first byte of the body,
    /// then one more byte every `every`.
    SlowBody {
        status: u16,
        body: Vec<u8>,
        every: Duration,
    },
    /// Reads the request and closes the connection without a word.
    Drop,
}

/// `status` with a JSON body.
pub fn reply(status: u16, body: impl Into<String>) -> Behaviour {
    Behaviour::Reply {
        status,
        headers: Vec::new(),
        body: body.into().into_bytes(),
        delay: Duration::ZERO,
    }
}

/// An error answer in the service's shape.
pub fn error_reply(status: u16, code: &str) -> Behaviour {
    reply(
        status,
        format!(r#"{{"RequestId":"REQ-{code}","Code":"{code}","Message":"canned {code}"}}"#),
    )
}

/// Adds a header to a [`Behaviour::Reply`].
pub fn with_header(mut b: Behaviour, name: &str, value: &str) -> Behaviour {
    if let Behaviour::Reply { headers, .. } = &mut b {
        headers.push((name.to_string(), value.to_string()));
    }
    b
}

pub const PASSED: &str = r#"{"RequestId":"130A2C10-B9EE-4D84-88E3-5384FF039795","Code":"Success","Message":"success","Result":{"Passed":"Y","SubCode":"200","TransactionId":"hksb7ba1","ExtFaceInfo":"{\"faceComparisonScore\":98.5,\"faceAttack\":\"N\"}","ExtIdInfo":"{\"idPassed\":\"Y\",\"ocrIdInfo\":{\"name\":\"ZHANG SAN\"},\"spoofInfo\":{\"spoofResult\":\"N\",\"spoofType\":[]}}"}}"#;
pub const NOT_PASSED: &str = r#"{"RequestId":"R2","Code":"Success","Message":"success","Result":{"Passed":"N","SubCode":"205"}}"#;

/// What the mock saw of one complete request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub nonce: String,
    pub body_len: usize,
    pub signature: Result<(), String>,
}

pub struct MockService {
    pub url: String,
    pub port: u16,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
    acceptor: Option<JoinHandle<Vec<JoinHandle<()>>>>,
}

/// What the mock received, once stopped.
#[derive(Debug)]
pub struct Received {
    /// Connections accepted.
    pub connections: usize,
    /// Complete requests read (head and body), in order.
    pub requests: Vec<Seen>,
}

impl MockService {
    /// Serves `script` with credentials `id`/`secret` expected in every signature.
    pub fn start(script: Vec<Behaviour>, id: &str, secret: &str) -> MockService {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (id, secret) = (id.to_string(), secret.to_string());
        let acceptor = {
            let (stop, connections, seen) = (stop.clone(), connections.clone(), seen.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut handlers = Vec::new();
                let mut script = script.into_iter();
                let mut next = script.next();
                while let Some(b) = next.take() {
                    if stop.load(Ordering::Relaxed) || started.elapsed() > HOLD_AT_MOST {
                        break;
                    }
                    match listener.accept() {
                        Ok((stream, _)) => {
                            connections.fetch_add(1, Ordering::Relaxed);
                            let ctx = Ctx {
                                stop: stop.clone(),
                                seen: seen.clone(),
                                id: id.clone(),
                                secret: secret.clone(),
                                port,
                            };
                            handlers.push(std::thread::spawn(move || serve(stream, b, ctx)));
                            next = script.next();
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            next = Some(b);
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        Err(_) => break,
                    }
                }
                // The listener is dropped here: later connections are refused.
                handlers
            })
        };
        MockService {
            url: format!("http://127.0.0.1:{port}"),
            port,
            stop,
            connections,
            seen,
            acceptor: Some(acceptor),
        }
    }

    /// Complete requests read so far.
    pub fn requests_so_far(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Stops (releasing held connections), waits for every thread, checks
    /// every signature and returns what was received.
    pub fn finish(mut self) -> Received {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(acceptor) = self.acceptor.take() {
            for h in acceptor.join().unwrap() {
                h.join().unwrap();
            }
        }
        let requests = self.seen.lock().unwrap().clone();
        for s in &requests {
            assert_eq!(s.signature, Ok(()), "server-side signature check");
        }
        Received {
            connections: self.connections.load(Ordering::Relaxed),
            requests,
        }
    }
}

impl Drop for MockService {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

struct Ctx {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
    id: String,
    secret: String,
    port: u16,
}

impl Ctx {
    /// Sleeps `d`, or until the mock is stopped; false if stopped.
    fn wait(&self, d: Duration) -> bool {
        let until = Instant::now() + d.min(HOLD_AT_MOST);
        while Instant::now() < until {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

fn serve(stream: TcpStream, b: Behaviour, ctx: Ctx) {
    stream.set_nonblocking(false).unwrap();
    if let Behaviour::NeverRead = b {
        ctx.wait(HOLD_AT_MOST);
        return;
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let Some(seen) = read_request(&mut reader, &ctx) else {
        return;
    };
    ctx.seen.lock().unwrap().push(seen);
    let mut stream = reader.into_inner();
    match b {
        Behaviour::Reply {
            status,
            headers,
            body,
            delay,
        } => {
            if !ctx.wait(delay) {
                return;
            }
            let _ = stream.write_all(&head(status, &headers, body.len()));
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
        Behaviour::Hang => {
            ctx.wait(HOLD_AT_MOST);
        }
        Behaviour::SlowBody {
            status,
            body,
            every,
        } => {
            let _ = stream.write_all(&head(status, &[], body.len()));
            for byte in &body {
                if stream.write_all(&[*byte]).is_err() || !ctx.wait(every) {
                    return;
                }
            }
        }
        Behaviour::Drop => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Behaviour::NeverRead => {}
    }
}

fn head(status: u16, headers: &[(String, String)], len: usize) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: {len}\r\nconnection: close\r\n"
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn read_request(reader: &mut BufReader<TcpStream>, ctx: &Ctx) -> Option<Seen> {
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let len: usize = header("content-length").map_or(0, |v| v.parse().unwrap_or(0));
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        nonce: header("x-acs-signature-nonce").unwrap_or_default(),
        body_len: len,
        signature: verify_signature(&request_line, &headers, &body, ctx),
    })
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
    ctx: &Ctx,
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
    if get("host")? != format!("127.0.0.1:{}", ctx.port) {
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
    if credential != ctx.id {
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
    let mut mac = Hmac::<Sha256>::new_from_slice(ctx.secret.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    let expected = hex(&mac.finalize().into_bytes());
    if expected != signature {
        return Err(format!(
            "signature mismatch\ncanonical request:\n{canonical_request}"
        ));
    }
    Ok(())
}

/// A port on 127.0.0.1 with nothing listening.
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
