//! The default credential chain (issue 16, item 7): each source against a
//! mock on 127.0.0.1 (STS, the ECS metadata service, a credentials URI) or
//! files in a temporary home, the chain's order, refresh before expiry with
//! a clock moved by hand, and typed errors for malformed files and answers.
//! The environment is passed in: the process's is never changed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ekyc_preflight::api::*;
use hmac::{Hmac, Mac};

const SECRET: &str = "SECRETMARKER-0123";
const TOKEN: &str = "STSTOKENMARKER";

// ---- A small HTTP mock: answers each request with what `route` says ----

/// One request as the mock read it.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    headers: BTreeMap<String, String>,
}

/// What to answer: status and body, or hold the connection without a word.
enum Answer {
    Reply(u16, String),
    Hang,
}

type Route = dyn Fn(&Req) -> Answer + Send + Sync;

struct Mock {
    url: String,
    seen: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Mock {
    fn start(route: impl Fn(&Req) -> Answer + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let route: Arc<Route> = Arc::new(route);
        {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(60) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (seen, stop, route) = (seen.clone(), stop.clone(), route.clone());
                            std::thread::spawn(move || serve(stream, &seen, &stop, &*route));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            });
        }
        Mock { url, seen, stop }
    }

    fn requests(&self) -> Vec<Req> {
        self.seen.lock().unwrap().clone()
    }
}

fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn serve(stream: std::net::TcpStream, seen: &Mutex<Vec<Req>>, stop: &AtomicBool, route: &Route) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    let req = Req {
        method,
        path: path.to_string(),
        query: query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (form_decode(k), form_decode(v))
            })
            .collect(),
        headers,
    };
    seen.lock().unwrap().push(req.clone());
    let mut stream = reader.into_inner();
    match route(&req) {
        Answer::Reply(status, body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Answer::Hang => {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

// ---- Helpers ----

/// A clock the test moves by hand.
#[derive(Clone)]
struct HandClock(Arc<AtomicU64>);

impl HandClock {
    fn at(t: SystemTime) -> Self {
        HandClock(Arc::new(AtomicU64::new(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
        )))
    }
    fn set(&self, t: SystemTime) {
        self.0.store(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            Ordering::Relaxed,
        );
    }
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::Relaxed))
    }
}

fn t0() -> SystemTime {
    parse_acs_date("2030-01-01T00:00:00Z").unwrap()
}

/// An STS-shaped answer object expiring at `exp`.
fn sts_json(id: &str, exp: SystemTime) -> String {
    format!(
        r#"{{"AccessKeyId":"{id}","AccessKeySecret":"{SECRET}","SecurityToken":"{TOKEN}","Expiration":"{}"}}"#,
        format_acs_date(exp)
    )
}

/// A fresh, empty home directory.
fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ekyc-creds-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The chain over `vars` (HOME set to `home`), with the mocks' endpoints
/// and a clock at [`t0`]; no proxies.
fn chain(home: &Path, vars: &[(&str, &str)], mock: Option<&Mock>) -> (CredentialChain, HandClock) {
    let mut all: Vec<(String, String)> = vec![("HOME".into(), home.display().to_string())];
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let url = mock.map_or("http://127.0.0.1:1".to_string(), |m| m.url.clone());
    let config = ChainConfig {
        sts_endpoint: Some(url.clone()),
        metadata_endpoint: url,
        use_env_proxy: false,
        ..ChainConfig::default()
    };
    let clock = HandClock::at(t0());
    let c = clock.clone();
    let chain = CredentialChain::with_config(Environment::from_vars(all), config)
        .with_clock(move || c.now());
    (chain, clock)
}

const NO_ECS: (&str, &str) = ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");

/// No printable form shows the secret or the token.
fn assert_no_secrets(text: &str) {
    assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
}

// ---- Each source ----

#[test]
fn env_gives_an_access_key_or_an_sts_token() {
    let h = home("env");
    let (c, _) = chain(
        &h,
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
        ],
        None,
    );
    let r = c.resolve().unwrap();
    assert_eq!(
        (r.source.as_str(), r.credentials.access_key_id()),
        ("env", "env-id")
    );
    assert_eq!(r.credentials.security_token(), Some(TOKEN));
    assert_no_secrets(&format!("{r:?} {c:?}"));
    // Half set is not configured, and says which half is missing.
    let (c, _) = chain(&h, &[("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"), NO_ECS], None);
    let e = c.resolve().unwrap_err();
    assert!(
        matches!(&e.tried()[0], CredentialError::NotConfigured { provider: "env", why } if why.contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET")),
        "{e}"
    );
}

#[test]
fn oidc_exchanges_the_token_file_at_sts() {
    let h = home("oidc");
    let token_file = h.join("oidc-token");
    write(&token_file, "eyJOIDCTOKEN\n");
    let exp = t0() + Duration::from_secs(3600);
    let mock = Mock::start(move |_| {
        Answer::Reply(
            200,
            format!(
                r#"{{"RequestId":"r","Credentials":{}}}"#,
                sts_json("STS.oidc", exp)
            ),
        )
    });
    let (c, _) = chain(
        &h,
        &[
            (
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                token_file.to_str().unwrap(),
            ),
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::123:role/ekyc"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::123:oidc-provider/ack",
            ),
            ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "sess1"),
            NO_ECS,
        ],
        Some(&mock),
    );
    assert_eq!(
        c.sources(),
        ["env", "oidc_role_arn", "cli_profile", "profile"]
    );
    let r = c.resolve().unwrap();
    assert_eq!(r.source, "oidc_role_arn");
    assert_eq!(r.credentials.access_key_id(), "STS.oidc");
    assert_eq!(r.credentials.security_token(), Some(TOKEN));
    assert_eq!(r.expiration, Some(exp));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let q = &reqs[0].query;
    assert_eq!(reqs[0].method, "GET");
    for (k, v) in [
        ("Action", "AssumeRoleWithOIDC"),
        ("Version", "2015-04-01"),
        ("Format", "JSON"),
        ("OIDCToken", "eyJOIDCTOKEN"),
        ("RoleArn", "acs:ram::123:role/ekyc"),
        ("OIDCProviderArn", "acs:ram::123:oidc-provider/ack"),
        ("RoleSessionName", "sess1"),
        ("DurationSeconds", "3600"),
        ("Timestamp", "2030-01-01T00:00:00Z"),
    ] {
        assert_eq!(q.get(k).map(String::as_str), Some(v), "{k}");
    }
    // An STS error: the status and STS's Code, not the body.
    let mock = Mock::start(|_| {
        Answer::Reply(
            400,
            format!(r#"{{"Code":"AuthenticationFail.OIDCToken.Invalid","Message":"{SECRET}"}}"#),
        )
    });
    let (c, _) = chain(
        &h,
        &[
            (
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                token_file.to_str().unwrap(),
            ),
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::123:role/ekyc"),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "p"),
            NO_ECS,
        ],
        Some(&mock),
    );
    let e = c.resolve().unwrap_err();
    let oidc = &e.tried()[1];
    assert!(
        matches!(oidc, CredentialError::Http { provider: "oidc_role_arn", reason, .. } if reason.contains("HTTP 400") && reason.contains("AuthenticationFail.OIDCToken.Invalid")),
        "{e}"
    );
    assert_no_secrets(&format!("{e} {e:?}"));
    // A region that is not a region name is refused, not put in a URL.
    let e = CredentialChain::new(Environment::from_vars([
        ("HOME", h.to_str().unwrap()),
        (
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            token_file.to_str().unwrap(),
        ),
        ("ALIBABA_CLOUD_ROLE_ARN", "r"),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "p"),
        ("ALIBABA_CLOUD_STS_REGION", "evil.example/x?"),
        NO_ECS,
    ]))
    .resolve()
    .unwrap_err();
    assert!(
        matches!(&e.tried()[1], CredentialError::Malformed { provider: "oidc_role_arn", what, .. } if what == "the STS region"),
        "{e}"
    );
    // A token file that is missing: a typed I/O error naming the file.
    let (c, _) = chain(
        &h,
        &[
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nonexistent/token"),
            ("ALIBABA_CLOUD_ROLE_ARN", "r"),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "p"),
            NO_ECS,
        ],
        None,
    );
    let e = c.resolve().unwrap_err();
    assert!(
        matches!(
            &e.tried()[1],
            CredentialError::Io {
                provider: "oidc_role_arn",
                ..
            }
        ),
        "{e}"
    );
}

/// Recomputes the RPC signature of an `AssumeRole` request as received,
/// with `secret`: Base64(HMAC-SHA1(secret&, GET&%2F&enc(sorted query))).
fn rpc_signature_ok(req: &Req, secret: &str) -> bool {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else if b == b' ' {
                    "+".into()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    let canonical: Vec<String> = req
        .query
        .iter()
        .filter(|(k, _)| *k != "Signature")
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    let to_sign = format!("GET&%2F&{}", enc(&canonical.join("&")));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let want = base64_simd::STANDARD.encode_to_string(mac.finalize().into_bytes());
    req.query.get("Signature") == Some(&want)
}

#[test]
fn cli_profile_modes() {
    let h = home("cli");
    let config = h.join(".aliyun/config.json");
    let exp = t0() + Duration::from_secs(3600);
    let mock = Mock::start(move |req| match req.path.as_str() {
        "/latest/api/token" => Answer::Reply(200, "imds-token".into()),
        "/latest/meta-data/ram/security-credentials/EcsRole" => Answer::Reply(
            200,
            sts_json("STS.ecs", exp).replacen('{', r#"{"Code":"Success","#, 1),
        ),
        "/" if req.query.get("Action").map(String::as_str) == Some("AssumeRole") => Answer::Reply(
            200,
            format!(r#"{{"Credentials":{}}}"#, sts_json("STS.arn", exp)),
        ),
        _ => Answer::Reply(404, "{}".into()),
    });
    write(
        &config,
        &format!(
            r#"{{"current":"ak","profiles":[
            {{"name":"ak","mode":"AK","access_key_id":"cli-ak","access_key_secret":"{SECRET}"}},
            {{"name":"sts","mode":"StsToken","access_key_id":"STS.cli","access_key_secret":"{SECRET}","sts_token":"{TOKEN}"}},
            {{"name":"arn","mode":"RamRoleArn","access_key_id":"src-ak","access_key_secret":"src-secret","ram_role_arn":"acs:ram::1:role/r","ram_session_name":"s","expired_seconds":900}},
            {{"name":"ecs","mode":"EcsRamRole","ram_role_name":"EcsRole"}},
            {{"name":"sso","mode":"CloudSSO"}},
            {{"name":"bad","mode":"AK","access_key_id":"x"}}
            ]}}"#
        ),
    );
    let resolve = |profile: Option<&str>| {
        let mut vars = vec![NO_ECS];
        if let Some(p) = profile {
            vars.push(("ALIBABA_CLOUD_PROFILE", p));
        }
        chain(&h, &vars, Some(&mock)).0.resolve()
    };
    // The file's current profile.
    let r = resolve(None).unwrap();
    assert_eq!(
        (r.source.as_str(), r.credentials.access_key_id()),
        ("cli_profile/static_ak", "cli-ak")
    );
    let r = resolve(Some("sts")).unwrap();
    assert_eq!(r.source, "cli_profile/static_sts");
    assert_eq!(r.credentials.security_token(), Some(TOKEN));
    // RamRoleArn: AssumeRole signed with the profile's AccessKey.
    let r = resolve(Some("arn")).unwrap();
    assert_eq!(
        (r.source.as_str(), r.credentials.access_key_id()),
        ("cli_profile/ram_role_arn/static_ak", "STS.arn")
    );
    let assume = mock
        .requests()
        .into_iter()
        .find(|r| r.query.get("Action").map(String::as_str) == Some("AssumeRole"))
        .unwrap();
    assert_eq!(assume.query["AccessKeyId"], "src-ak");
    assert_eq!(assume.query["RoleArn"], "acs:ram::1:role/r");
    assert_eq!(assume.query["DurationSeconds"], "900");
    assert_eq!(assume.query["SignatureMethod"], "HMAC-SHA1");
    assert!(rpc_signature_ok(&assume, "src-secret"), "{assume:?}");
    assert!(!rpc_signature_ok(&assume, "another-secret"));
    // EcsRamRole with the role named: no discovery request.
    let r = resolve(Some("ecs")).unwrap();
    assert_eq!(
        (r.source.as_str(), r.credentials.access_key_id()),
        ("cli_profile/ecs_ram_role", "STS.ecs")
    );
    assert!(!mock
        .requests()
        .iter()
        .any(|r| r.path == "/latest/meta-data/ram/security-credentials/"));
    // Unsupported mode, a missing field, a missing profile: typed errors.
    let e = resolve(Some("sso")).unwrap_err();
    assert!(
        matches!(&e.tried()[1], CredentialError::Unsupported { provider: "cli_profile", reason } if reason.contains("CloudSSO")),
        "{e}"
    );
    let e = resolve(Some("bad")).unwrap_err();
    assert!(
        matches!(&e.tried()[1], CredentialError::Malformed { provider: "cli_profile", reason, .. } if reason.contains("access_key_secret")),
        "{e}"
    );
    let e = resolve(Some("nobody")).unwrap_err();
    assert!(
        matches!(&e.tried()[1], CredentialError::Malformed { reason, .. } if reason.contains("nobody")),
        "{e}"
    );
    // Disabled: not even tried.
    let (c, _) = chain(
        &h,
        &[NO_ECS, ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")],
        None,
    );
    assert_eq!(c.sources(), ["env", "profile"]);
    // Not JSON.
    write(&config, "{not json");
    let e = resolve(None).unwrap_err();
    assert!(
        matches!(
            &e.tried()[1],
            CredentialError::Malformed {
                provider: "cli_profile",
                ..
            }
        ),
        "{e}"
    );
    assert_no_secrets(&format!("{e} {e:?}"));
}

#[test]
fn credentials_file_sections_and_types() {
    let h = home("ini");
    let file = h.join("creds.ini");
    write(
        &file,
        &format!(
            "[default]\ntype = access_key\naccess_key_id = ini-ak\naccess_key_secret = {SECRET}\n\n\
             [other]\ntype = access_key # comment\naccess_key_id = other-ak\naccess_key_secret = s2\n\n\
             [rsa]\ntype = rsa_key_pair\n\n[half]\ntype = access_key\naccess_key_id = x\n"
        ),
    );
    let f = file.to_str().unwrap();
    let resolve = |vars: &[(&str, &str)]| {
        let mut all = vec![NO_ECS, ("ALIBABA_CLOUD_CREDENTIALS_FILE", f)];
        all.extend_from_slice(vars);
        chain(&h, &all, None).0.resolve()
    };
    let r = resolve(&[]).unwrap();
    assert_eq!(
        (r.source.as_str(), r.credentials.access_key_id()),
        ("profile/static_ak", "ini-ak")
    );
    let r = resolve(&[("ALIBABA_CLOUD_PROFILE", "other")]).unwrap();
    assert_eq!(r.credentials.access_key_id(), "other-ak");
    let e = resolve(&[("ALIBABA_CLOUD_PROFILE", "rsa")]).unwrap_err();
    assert!(
        matches!(
            e.tried().last(),
            Some(CredentialError::Unsupported {
                provider: "profile",
                ..
            })
        ),
        "{e}"
    );
    let e = resolve(&[("ALIBABA_CLOUD_PROFILE", "half")]).unwrap_err();
    assert!(
        matches!(
            e.tried().last(),
            Some(CredentialError::Malformed {
                provider: "profile",
                ..
            })
        ),
        "{e}"
    );
    let e = resolve(&[("ALIBABA_CLOUD_PROFILE", "missing")]).unwrap_err();
    assert!(
        matches!(e.tried().last(), Some(CredentialError::Malformed { reason, .. }) if reason.contains("[missing]")),
        "{e}"
    );
    // The default place, found from HOME.
    let h2 = home("ini-default");
    write(
        &h2.join(".alibabacloud/credentials"),
        "[default]\ntype = access_key\naccess_key_id = home-ak\naccess_key_secret = s\n",
    );
    let r = chain(&h2, &[NO_ECS], None).0.resolve().unwrap();
    assert_eq!(r.credentials.access_key_id(), "home-ak");
    // Garbage and oversized files are typed errors.
    write(&file, "type = access_key\n");
    let e = resolve(&[]).unwrap_err();
    assert!(
        matches!(e.tried().last(), Some(CredentialError::Malformed { reason, .. }) if reason.contains("before any [section]")),
        "{e}"
    );
    std::fs::write(&file, vec![b'#'; (1 << 20) + 10]).unwrap();
    let e = resolve(&[]).unwrap_err();
    assert!(
        matches!(e.tried().last(), Some(CredentialError::Malformed { reason, .. }) if reason.contains("limit")),
        "{e}"
    );
    std::fs::write(&file, [0xff, 0xfe, b'[']).unwrap();
    let e = resolve(&[]).unwrap_err();
    assert!(
        matches!(e.tried().last(), Some(CredentialError::Malformed { reason, .. }) if reason.contains("UTF-8")),
        "{e}"
    );
    // A file named by the variable that does not exist is an I/O error.
    let e = chain(
        &h,
        &[
            NO_ECS,
            ("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent/creds"),
        ],
        None,
    )
    .0
    .resolve()
    .unwrap_err();
    assert!(
        matches!(
            e.tried().last(),
            Some(CredentialError::Io {
                provider: "profile",
                ..
            })
        ),
        "{e}"
    );
}

#[test]
fn ecs_metadata_imdsv2_token_and_role_discovery() {
    let h = home("ecs");
    let exp = t0() + Duration::from_secs(6 * 3600);
    let body = sts_json("STS.ecs", exp).replacen('{', r#"{"Code":"Success","LastUpdated":"x","#, 1);
    let mock = {
        let body = body.clone();
        Mock::start(move |req| match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token") => Answer::Reply(200, "imds-v2-token".into()),
            ("GET", "/latest/meta-data/ram/security-credentials/") => {
                Answer::Reply(200, "EcsRole".into())
            }
            ("GET", "/latest/meta-data/ram/security-credentials/EcsRole") => {
                Answer::Reply(200, body.clone())
            }
            _ => Answer::Reply(404, String::new()),
        })
    };
    let (c, _) = chain(&h, &[], Some(&mock));
    assert_eq!(
        c.sources(),
        ["env", "cli_profile", "profile", "ecs_ram_role"]
    );
    let r = c.resolve().unwrap();
    assert_eq!(
        (r.source.as_str(), r.credentials.access_key_id()),
        ("ecs_ram_role", "STS.ecs")
    );
    assert_eq!(r.expiration, Some(exp));
    let reqs = mock.requests();
    let paths: Vec<(&str, &str)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/ram/security-credentials/"),
            ("GET", "/latest/meta-data/ram/security-credentials/EcsRole"),
        ]
    );
    assert_eq!(
        reqs[0].headers["x-aliyun-ecs-metadata-token-ttl-seconds"],
        "21600"
    );
    for r in &reqs[1..] {
        assert_eq!(r.headers["x-aliyun-ecs-metadata-token"], "imds-v2-token");
    }
    // No IMDSv2 token: IMDSv1 (no token header), unless IMDSv1 is disabled.
    let v1 = {
        let body = body.clone();
        Mock::start(move |req| match req.path.as_str() {
            "/latest/meta-data/ram/security-credentials/Named" => Answer::Reply(200, body.clone()),
            _ => Answer::Reply(403, String::new()),
        })
    };
    let (c, _) = chain(&h, &[("ALIBABA_CLOUD_ECS_METADATA", "Named")], Some(&v1));
    assert_eq!(c.resolve().unwrap().credentials.access_key_id(), "STS.ecs");
    let last = v1.requests().pop().unwrap();
    assert!(!last.headers.contains_key("x-aliyun-ecs-metadata-token"));
    let (c, _) = chain(
        &h,
        &[
            ("ALIBABA_CLOUD_ECS_METADATA", "Named"),
            ("ALIBABA_CLOUD_IMDSV1_DISABLED", "true"),
        ],
        Some(&v1),
    );
    let e = c.resolve().unwrap_err();
    assert!(
        matches!(e.tried().last(), Some(CredentialError::Http { provider: "ecs_ram_role", reason, .. }) if reason.contains("IMDSv1 is disabled")),
        "{e}"
    );
    // A role name that would change the path is refused.
    let evil = Mock::start(|req| match req.path.as_str() {
        "/latest/meta-data/ram/security-credentials/" => Answer::Reply(200, "../../x?y".into()),
        _ => Answer::Reply(404, String::new()),
    });
    let e = chain(&h, &[], Some(&evil)).0.resolve().unwrap_err();
    assert!(
        matches!(
            e.tried().last(),
            Some(CredentialError::Malformed {
                provider: "ecs_ram_role",
                ..
            })
        ),
        "{e}"
    );
}

#[test]
fn a_metadata_service_that_never_answers_ends_at_its_deadline() {
    let h = home("ecs-hang");
    let mock = Mock::start(|_| Answer::Hang);
    let (c, _) = chain(&h, &[("ALIBABA_CLOUD_ECS_METADATA", "R")], Some(&mock));
    let e = c.resolve().unwrap_err();
    assert!(
        matches!(e.tried().last(), Some(CredentialError::Http { provider: "ecs_ram_role", reason, .. }) if reason.contains("timed out")),
        "{e}"
    );
}

#[test]
fn credentials_uri_and_its_malformed_answers() {
    let h = home("uri");
    let exp = t0() + Duration::from_secs(3600);
    let answers: Vec<(u16, String, &str)> = vec![
        (200, "not json".into(), "not a JSON object"),
        (200, r#"{"Code":"Failed"}"#.into(), "Code is not Success"),
        (
            200,
            format!(
                r#"{{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"{SECRET}","Expiration":"2030-01-01T00:00:00Z"}}"#
            ),
            "SecurityToken",
        ),
        (
            200,
            sts_json("a", exp)
                .replacen('{', r#"{"Code":"Success","#, 1)
                .replace("2030-01-01T01:00:00Z", "tomorrow"),
            "Expiration",
        ),
        (
            500,
            format!(r#"{{"Code":"InternalError","Message":"{SECRET}"}}"#),
            "HTTP 500, Code InternalError",
        ),
        (200, "x".repeat(70 << 10), "limit"),
    ];
    for (status, body, want) in answers {
        let mock = Mock::start(move |_| Answer::Reply(status, body.clone()));
        let uri = format!("{}/creds?secret-query=1", mock.url);
        let (c, _) = chain(
            &h,
            &[NO_ECS, ("ALIBABA_CLOUD_CREDENTIALS_URI", &uri)],
            Some(&mock),
        );
        let e = c.resolve().unwrap_err();
        let last = e.tried().last().unwrap();
        assert!(
            matches!(
                last,
                CredentialError::Malformed {
                    provider: "credentials_uri",
                    ..
                } | CredentialError::Http {
                    provider: "credentials_uri",
                    ..
                }
            ),
            "{e}"
        );
        assert!(last.to_string().contains(want), "{want}: {last}");
        assert!(!last.to_string().contains("secret-query"), "{last}");
        assert_no_secrets(&format!("{e} {e:?}"));
    }
    let mock = Mock::start(move |_| {
        Answer::Reply(
            200,
            sts_json("STS.uri", exp).replacen('{', r#"{"Code":"Success","#, 1),
        )
    });
    let uri = format!("{}/creds", mock.url);
    let (c, _) = chain(
        &h,
        &[NO_ECS, ("ALIBABA_CLOUD_CREDENTIALS_URI", &uri)],
        Some(&mock),
    );
    let r = c.resolve().unwrap();
    assert_eq!(
        (r.source.as_str(), r.credentials.access_key_id()),
        ("credentials_uri", "STS.uri")
    );
    assert_eq!(mock.requests()[0].path, "/creds");
}

// ---- The chain ----

#[test]
fn the_chain_takes_the_first_source_in_the_sdks_order() {
    let h = home("order");
    let exp = t0() + Duration::from_secs(3600);
    let mock = Mock::start(move |req| match req.path.as_str() {
        "/latest/api/token" => Answer::Reply(200, "t".into()),
        "/latest/meta-data/ram/security-credentials/R" => Answer::Reply(
            200,
            sts_json("from-ecs", exp).replacen('{', r#"{"Code":"Success","#, 1),
        ),
        "/uri" => Answer::Reply(
            200,
            sts_json("from-uri", exp).replacen('{', r#"{"Code":"Success","#, 1),
        ),
        _ => Answer::Reply(
            200,
            format!(r#"{{"Credentials":{}}}"#, sts_json("from-oidc", exp)),
        ),
    });
    let token = h.join("token");
    write(&token, "tok");
    write(
        &h.join(".aliyun/config.json"),
        r#"{"current":"p","profiles":[{"name":"p","mode":"AK","access_key_id":"from-cli","access_key_secret":"s"}]}"#,
    );
    write(
        &h.join(".alibabacloud/credentials"),
        "[default]\ntype = access_key\naccess_key_id = from-file\naccess_key_secret = s\n",
    );
    let uri = format!("{}/uri", mock.url);
    let every: Vec<(&str, &str)> = vec![
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "from-env"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.to_str().unwrap()),
        ("ALIBABA_CLOUD_ROLE_ARN", "r"),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "p"),
        ("ALIBABA_CLOUD_ECS_METADATA", "R"),
        ("ALIBABA_CLOUD_CREDENTIALS_URI", &uri),
    ];
    let winner = |vars: &[(&str, &str)]| chain(&h, vars, Some(&mock)).0.resolve().unwrap();
    assert_eq!(winner(&every).credentials.access_key_id(), "from-env");
    assert_eq!(winner(&every[2..]).credentials.access_key_id(), "from-oidc");
    assert_eq!(winner(&every[5..]).credentials.access_key_id(), "from-cli");
    let no_cli: Vec<(&str, &str)> = [("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")]
        .into_iter()
        .chain(every[5..].iter().copied())
        .collect();
    assert_eq!(winner(&no_cli).credentials.access_key_id(), "from-file");
    std::fs::remove_file(h.join(".alibabacloud/credentials")).unwrap();
    assert_eq!(winner(&no_cli).credentials.access_key_id(), "from-ecs");
    let mut no_ecs = no_cli.clone();
    no_ecs.push(NO_ECS);
    assert_eq!(winner(&no_ecs).credentials.access_key_id(), "from-uri");
    // Nothing anywhere: every source's reason, in order, no secret.
    let e = chain(&home("order-none"), &[NO_ECS], None)
        .0
        .resolve()
        .unwrap_err();
    let names: Vec<String> = e
        .tried()
        .iter()
        .map(|t| t.to_string().split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["env", "cli_profile", "profile"]);
}

#[test]
fn sts_credentials_are_refreshed_a_margin_before_they_expire() {
    let h = home("refresh");
    let exp = t0() + Duration::from_secs(3600);
    let calls = Arc::new(AtomicU64::new(0));
    let fail = Arc::new(AtomicBool::new(false));
    let mock = {
        let (calls, fail) = (calls.clone(), fail.clone());
        Mock::start(move |_| {
            if fail.load(Ordering::Relaxed) {
                return Answer::Reply(503, String::new());
            }
            let n = calls.fetch_add(1, Ordering::Relaxed);
            // Each answer expires an hour after the previous one.
            let exp = exp + Duration::from_secs(3600 * n);
            Answer::Reply(
                200,
                sts_json(&format!("STS.{n}"), exp).replacen('{', r#"{"Code":"Success","#, 1),
            )
        })
    };
    let uri = format!("{}/c", mock.url);
    let (c, clock) = chain(
        &h,
        &[NO_ECS, ("ALIBABA_CLOUD_CREDENTIALS_URI", &uri)],
        Some(&mock),
    );
    let id = |c: &CredentialChain| c.resolve().unwrap().credentials.access_key_id().to_string();
    assert_eq!(id(&c), "STS.0");
    // 44 minutes on: 16 minutes left, more than the 15-minute margin: cached.
    clock.set(t0() + Duration::from_secs(44 * 60));
    assert_eq!(id(&c), "STS.0");
    assert_eq!(mock.requests().len(), 1);
    // 46 minutes on: within the margin: fetched again, from the same source.
    clock.set(t0() + Duration::from_secs(46 * 60));
    assert_eq!(id(&c), "STS.1");
    assert_eq!(mock.requests().len(), 2);
    // A failed refresh while the credentials are still valid keeps them...
    fail.store(true, Ordering::Relaxed);
    clock.set(exp + Duration::from_secs(3600 - 10 * 60));
    assert_eq!(id(&c), "STS.1");
    // ...and is an error once they have expired.
    clock.set(exp + Duration::from_secs(3600 + 1));
    let e = c.resolve().unwrap_err();
    assert!(
        matches!(&e.tried()[0], CredentialError::Http { provider: "credentials_uri", reason, .. } if reason.contains("HTTP 503")),
        "{e}"
    );
    // Static credentials are never fetched again.
    let (c, clock) = chain(
        &h,
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ],
        None,
    );
    assert_eq!(c.resolve().unwrap().expiration, None);
    clock.set(t0() + Duration::from_secs(10 * 365 * 86400));
    assert_eq!(c.resolve().unwrap().source, "env");
}

#[test]
fn a_client_signs_each_attempt_with_the_chains_current_credentials() {
    // A mock EkycVerify that answers 200 to anything: the request's
    // AccessKeyId shows which credentials signed it.
    let h = home("client");
    let exp = t0() + Duration::from_secs(3600);
    let calls = Arc::new(AtomicU64::new(0));
    let creds = {
        let calls = calls.clone();
        Mock::start(move |_| {
            let n = calls.fetch_add(1, Ordering::Relaxed);
            Answer::Reply(
                200,
                sts_json(&format!("STS.{n}"), exp).replacen('{', r#"{"Code":"Success","#, 1),
            )
        })
    };
    let service = Mock::start(|_| {
        Answer::Reply(
            200,
            r#"{"RequestId":"r","Code":"Success","Result":{"Passed":"Y","SubCode":"200"}}"#.into(),
        )
    });
    let uri = format!("{}/c", creds.url);
    let (c, clock) = chain(
        &h,
        &[NO_ECS, ("ALIBABA_CLOUD_CREDENTIALS_URI", &uri)],
        Some(&creds),
    );
    let client = Client::with_config(
        Signer::new(Credentials::new("unused", "unused")),
        Endpoint::custom(&service.url).unwrap(),
        ClientConfig {
            use_env_proxy: false,
            ..ClientConfig::default()
        },
    )
    .with_credential_chain(Arc::new(c));
    let call = ekyc_verify_call([("ProductCode", "eKYC_MIN")]);
    let signed_by = |n: usize| {
        let r = &service.requests()[n];
        r.headers["authorization"]
            .split("Credential=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string()
    };
    assert!(client.verify_call(&call).unwrap().response.passed());
    assert_eq!(signed_by(0), "STS.0");
    assert_eq!(service.requests()[0].headers["x-acs-security-token"], TOKEN);
    clock.set(exp - Duration::from_secs(60));
    client.verify_call(&call).unwrap();
    assert_eq!(signed_by(1), "STS.1");
    // No credentials: nothing sent, the failure says why.
    let none = chain(&home("client-none"), &[NO_ECS], None).0;
    let client = Client::new(
        Signer::new(Credentials::new("unused", "unused")),
        Endpoint::custom(&service.url).unwrap(),
    )
    .with_credential_chain(Arc::new(none));
    let e = client.verify_call(&call).unwrap_err();
    assert!(matches!(e.failure(), Failure::Credentials { .. }), "{e}");
    assert!(!e.failure().may_have_been_processed());
    assert_eq!(service.requests().len(), 2);
}
