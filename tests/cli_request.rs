//! `ekyc-preflight request --dry-run`, run as a process, against the SDK vectors.
#![cfg(all(feature = "cli", feature = "api"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn vector(file: &str) -> Option<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["../shared/ekyc-api-vectors", "testdata/api-vectors"] {
        let path = root.join(dir).join(file);
        if let Ok(text) = std::fs::read_to_string(&path) {
            return Some(serde_json::from_str(&text).unwrap());
        }
    }
    eprintln!("skipping: {file} not found");
    None
}

fn tmp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ekyc-cli-request-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"));
    c.arg("request")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN");
    c
}

/// Runs a dry run reproducing vector `v` (its params, date, nonce, user agent,
/// credentials and endpoint).
fn dry_run(v: &Value, extra: &[&str]) -> Output {
    let input = &v["input"];
    let params = tmp_file(
        &format!("{}.json", v["name"].as_str().unwrap()),
        &input["params"].to_string(),
    );
    let mut c = command();
    c.arg("--dry-run")
        .arg("--params")
        .arg(&params)
        .args(["--date", input["x_acs_date"].as_str().unwrap()])
        .args(["--nonce", input["x_acs_signature_nonce"].as_str().unwrap()])
        .args([
            "--user-agent",
            input["user_agent_default"].as_str().unwrap(),
        ])
        .args(extra)
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            input["access_key_id"].as_str().unwrap(),
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            input["access_key_secret"].as_str().unwrap(),
        );
    if let Some(t) = input["security_token"].as_str() {
        c.env("ALIBABA_CLOUD_SECURITY_TOKEN", t);
    }
    if input["network"].as_str() == Some("vpc") {
        c.args(["--endpoint", "vpc"]);
    }
    c.output().unwrap()
}

fn assert_matches_vector(v: &Value, out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    for field in [
        "authorization",
        "canonical_request",
        "string_to_sign",
        "url",
        "body",
        "method",
    ] {
        assert_eq!(got[field], v[field], "{field}");
    }
    assert_eq!(got["headers"], v["request_headers"], "headers, in order");
    assert!(!String::from_utf8_lossy(&out.stdout)
        .contains(v["input"]["access_key_secret"].as_str().unwrap()));
}

#[test]
fn dry_run_reproduces_vector_01() {
    let Some(v) = vector("01_minimal.json") else {
        return;
    };
    assert_matches_vector(&v, &dry_run(&v, &[]));
}

#[test]
fn dry_run_reproduces_sts_vector_08() {
    let Some(v) = vector("08_sts_token.json") else {
        return;
    };
    assert_matches_vector(&v, &dry_run(&v, &[]));
}

#[test]
fn dry_run_reproduces_vpc_vector_07() {
    let Some(v) = vector("07_vpc_endpoint.json") else {
        return;
    };
    assert_matches_vector(&v, &dry_run(&v, &[]));
}

#[test]
fn no_validate_reproduces_an_invalid_request() {
    // ProductCode missing: refused by default, sent as is with --no-validate.
    let Some(v) = vector("09_error_missing_parameter.json") else {
        return;
    };
    let refused = dry_run(&v, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("ProductCode") && stderr.contains("MissingParameter"),
        "{stderr}"
    );
    assert_matches_vector(&v, &dry_run(&v, &["--no-validate"]));
}

#[test]
fn flags_build_the_same_request_as_params() {
    let Some(v) = vector("07_vpc_endpoint.json") else {
        return;
    };
    let input = &v["input"];
    let p = &input["params"];
    let s = |k: &str| p[k].as_str().unwrap().to_string();
    let out = command()
        .args(["--dry-run", "--endpoint", "vpc"])
        .args(["--merchant-biz-id", &s("MerchantBizId")])
        .args(["--merchant-user-id", &s("MerchantUserId")])
        .args(["--doc-type", &s("DocType")])
        .args(["--id-url", &s("IdOcrPictureUrl")])
        .args(["--face-url", &s("FacePictureUrl")])
        .args(["--date", input["x_acs_date"].as_str().unwrap()])
        .args(["--nonce", input["x_acs_signature_nonce"].as_str().unwrap()])
        .args([
            "--user-agent",
            input["user_agent_default"].as_str().unwrap(),
        ])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret")
        .output()
        .unwrap();
    assert_matches_vector(&v, &out);
}

#[test]
fn missing_credentials_is_a_usage_error() {
    let out = command()
        .args([
            "--dry-run",
            "--merchant-biz-id",
            "b1",
            "--merchant-user-id",
            "u",
        ])
        .args([
            "--doc-type",
            "01000000",
            "--id-url",
            "https://x/1.jpg",
            "--face-url",
            "https://x/2.jpg",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ALIBABA_CLOUD_ACCESS_KEY_ID"));
}

#[test]
fn image_files_wait_for_the_pipeline_and_invalid_input_exits_2() {
    let img = tmp_file("face.jpg", "not really a jpeg");
    let out = command()
        .args([
            "--dry-run",
            "--merchant-biz-id",
            "b1",
            "--merchant-user-id",
            "u",
        ])
        .args([
            "--doc-type",
            "01000000",
            "--id-url",
            "https://x/1.jpg",
            "--face-image",
        ])
        .arg(&img)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret-xyz")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = command()
        .args([
            "--dry-run",
            "--merchant-biz-id",
            "not-alnum!",
            "--merchant-user-id",
            "u",
        ])
        .args([
            "--doc-type",
            "01000000",
            "--id-url",
            "https://x/1.jpg",
            "--face-url",
            "https://x/2.jpg",
        ])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret-xyz")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("MerchantBizId") && stderr.contains("InvalidParameter"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret-xyz"));
}

/// Serves one canned reply on 127.0.0.1 and returns the base URL; the thread
/// stops after one request or 10 s.
#[cfg(feature = "client")]
fn one_reply_server(status: u16, body: &'static str) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::time::{Duration, Instant};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Err(_) => return,
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body_in = vec![0u8; len];
        let _ = reader.read_exact(&mut body_in);
        let mut stream = reader.into_inner();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    (url, handle)
}

#[cfg(feature = "client")]
fn send_to(url: &str) -> Output {
    let mut c = command();
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        c.env_remove(proxy);
    }
    c.args([
        "--endpoint",
        url,
        "--merchant-biz-id",
        "b1",
        "--merchant-user-id",
        "u",
    ])
    .args([
        "--doc-type",
        "01000000",
        "--id-url",
        "https://x/1.jpg",
        "--face-url",
        "https://x/2.jpg",
    ])
    .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
    .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
    .output()
    .unwrap()
}

#[cfg(feature = "client")]
#[test]
fn send_exit_codes() {
    let passed = r#"{"RequestId":"R1","Code":"Success","Message":"success","Result":{"Passed":"Y","SubCode":"200"}}"#;
    let failed = r#"{"RequestId":"R2","Code":"Success","Message":"success","Result":{"Passed":"N","SubCode":"205"}}"#;
    let refused = r#"{"RequestId":"R3","Code":"NoFaceDetected","Message":"no face"}"#;
    for (status, body, exit, needle) in [
        (200, passed, 0, "\"sub_code\": \"200\""),
        (200, failed, 1, "\"sub_code\": \"205\""),
        (401, refused, 1, "\"code\": \"NoFaceDetected\""),
    ] {
        let (url, handle) = one_reply_server(status, body);
        let out = send_to(&url);
        handle.join().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(exit),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(needle), "{stdout}");
    }
    // Nothing listening: a network error, exit 2.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = send_to(&format!("http://127.0.0.1:{port}"));
    assert_eq!(out.status.code(), Some(2));
}
