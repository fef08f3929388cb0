//! `ekyc-preflight request --dry-run`, run as a process, against the SDK vectors.

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

/// `ekyc-preflight request` with no credentials anywhere: none of the
/// chain's variables, an empty home, the ECS metadata service off.
fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"));
    c.arg("request");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("ALIBABA_CLOUD_") {
            c.env_remove(k);
        }
    }
    let home = std::env::temp_dir().join(format!("ekyc-cli-request-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    c.env("HOME", &home)
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
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
    // The vectors' Base64 images are random bytes, not photos: the
    // parameters are validated, the images not judged.
    c.arg("--dry-run")
        .arg("--no-check-images")
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{stderr}");
    // Every source tried is named, in the chain's order.
    let at = |name: &str| stderr.find(&format!("{name}: not configured"));
    let (env, cli, file) = (at("env"), at("cli_profile"), at("profile"));
    assert!(env < cli && cli < file && env.is_some(), "{stderr}");
}

#[test]
fn credentials_come_from_the_credentials_file_and_the_source_is_named() {
    let file = tmp_file(
        "credentials.ini",
        "[default]\ntype = access_key\naccess_key_id = file-ak\naccess_key_secret = file-SECRET-x\n\n\
         [dev]\ntype = access_key\naccess_key_id = dev-ak\naccess_key_secret = dev-SECRET-x\n",
    );
    let run = |profile: Option<&str>| {
        let mut c = command();
        c.args([
            "--dry-run",
            "--merchant-biz-id",
            "b1",
            "--merchant-user-id",
            "u",
        ])
        .args(["--doc-type", "01000000", "--id-url", "https://x/1.jpg"])
        .args(["--face-url", "https://x/2.jpg"])
        .env("ALIBABA_CLOUD_CREDENTIALS_FILE", &file);
        if let Some(p) = profile {
            c.env("ALIBABA_CLOUD_PROFILE", p);
        }
        let out = c.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let v = run(None);
    assert_eq!(v["credentials_source"], "profile/static_ak");
    assert!(v["authorization"]
        .as_str()
        .unwrap()
        .starts_with("ACS3-HMAC-SHA256 Credential=file-ak,"));
    let v = run(Some("dev"));
    assert!(v["authorization"]
        .as_str()
        .unwrap()
        .starts_with("ACS3-HMAC-SHA256 Credential=dev-ak,"));
    // The environment comes first.
    let out = command()
        .args([
            "--dry-run",
            "--merchant-biz-id",
            "b1",
            "--merchant-user-id",
            "u",
        ])
        .args(["--doc-type", "01000000", "--id-url", "https://x/1.jpg"])
        .args(["--face-url", "https://x/2.jpg"])
        .env("ALIBABA_CLOUD_CREDENTIALS_FILE", &file)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-ak")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["credentials_source"], "env");
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

#[cfg(feature = "client")]
mod send {
    use super::*;
    use crate::mock_service::*;
    use std::time::{Duration, Instant};

    const ID: &str = "cli-id";
    const SECRET: &str = "cli-secret-VALUE";

    /// A valid request by URL, sent to `url`, with `extra` arguments.
    fn send_to(url: &str, extra: &[&str]) -> (Output, Duration) {
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
            "https://example.com/1.jpg",
            "--face-url",
            "https://example.com/2.jpg",
        ])
        .args(extra)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET);
        let start = Instant::now();
        let out = c.output().unwrap();
        (out, start.elapsed())
    }

    struct Run {
        code: Option<i32>,
        json: Value,
        stderr: String,
        took: Duration,
        requests: usize,
    }

    fn run(script: Vec<Behaviour>, extra: &[&str]) -> Run {
        let server = MockService::start(script, ID, SECRET);
        let (out, took) = send_to(&server.url, extra);
        let requests = server.finish().requests.len();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let json = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}\nstderr: {stderr}"));
        assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
        assert!(!stderr.contains("could not reach"), "{stderr}");
        Run {
            code: out.status.code(),
            json,
            stderr,
            took,
            requests,
        }
    }

    #[test]
    fn passed_is_0() {
        let r = run(vec![reply(200, PASSED)], &[]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(r.json["outcome"], "passed");
        assert_eq!(r.json["attempts"], 1);
        assert_eq!(r.json["result"]["sub_code"], "200");
        assert_eq!(r.requests, 1);
        assert!(r.stderr.is_empty(), "{}", r.stderr);
        assert!(r.took < Duration::from_secs(5));
    }

    #[test]
    fn not_passed_is_1() {
        let r = run(vec![reply(200, NOT_PASSED)], &[]);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert_eq!(r.json["outcome"], "not_passed");
        assert_eq!(r.json["result"]["sub_code"], "205");
        assert_eq!(r.requests, 1);
    }

    #[test]
    fn service_errors_are_3() {
        for (status, code) in [
            (401, "NoFaceDetected"),
            (404, "InvalidAccessKeyId.NotFound"),
            (400, "MissingParameter"),
        ] {
            let r = run(vec![error_reply(status, code)], &[]);
            assert_eq!(r.code, Some(3), "{code}: {}", r.stderr);
            assert_eq!(r.json["outcome"], "service_error");
            assert_eq!(r.json["status"], status);
            assert_eq!(r.json["code"], code);
            assert_eq!(r.json["may_have_been_billed"], false);
            assert!(r.stderr.contains(code), "{}", r.stderr);
            assert_eq!(r.requests, 1);
        }
    }

    #[test]
    fn throttling_with_both_headers_is_retried_then_3() {
        let r = run(
            vec![
                with_header(
                    error_reply(400, "Throttling.User"),
                    "x-acs-retry-after",
                    "100",
                ),
                with_header(error_reply(429, "Throttling.User"), "Retry-After", "1"),
                error_reply(400, "Throttling.User"),
            ],
            &[],
        );
        assert_eq!(r.code, Some(3), "{}", r.stderr);
        assert_eq!(r.json["attempts"], 3);
        assert_eq!(r.json["code"], "Throttling.User");
        assert_eq!(r.requests, 3);
        assert!(r.took >= Duration::from_secs(1), "{:?}", r.took);
        assert!(r.took < Duration::from_secs(8), "{:?}", r.took);
    }

    #[test]
    fn server_error_then_success_bills_once_by_default() {
        let r = run(
            vec![error_reply(500, "InternalError"), reply(200, PASSED)],
            &[],
        );
        assert_eq!(r.code, Some(3), "{}", r.stderr);
        assert_eq!(r.json["attempts"], 1);
        assert_eq!(r.json["may_have_been_billed"], true);
        assert_eq!(r.requests, 1);
    }

    #[test]
    fn retries_opt_in_and_are_counted() {
        let r = run(
            vec![error_reply(500, "InternalError"), reply(200, PASSED)],
            &["--retries", "1"],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(r.json["attempts"], 2);
        assert_eq!(r.requests, 2);
    }

    #[test]
    fn html_502_is_3() {
        let r = run(vec![reply(502, "<html>Bad Gateway</html>")], &[]);
        assert_eq!(r.code, Some(3), "{}", r.stderr);
        assert_eq!(r.json["status"], 502);
        assert_eq!(r.requests, 1);
    }

    #[test]
    fn a_200_with_an_error_code_is_3_and_said_on_stderr() {
        let body = r#"{"RequestId":"R9","Code":"InvalidAccessKeyId","Message":"bad key"}"#;
        let r = run(vec![reply(200, body)], &[]);
        assert_eq!(r.code, Some(3), "{}", r.stderr);
        assert_eq!(r.json["status"], 200);
        assert!(r.stderr.contains("InvalidAccessKeyId"), "{}", r.stderr);
        assert_eq!(r.requests, 1);
    }

    #[test]
    fn malformed_json_is_4_with_its_status() {
        let r = run(vec![reply(200, "{\"Code\":")], &[]);
        assert_eq!(r.code, Some(4), "{}", r.stderr);
        assert_eq!(r.json["outcome"], "unreadable_answer");
        assert_eq!(r.json["status"], 200);
        assert!(r.stderr.contains("HTTP 200"), "{}", r.stderr);
        assert_eq!(r.requests, 1);
    }

    #[test]
    fn an_answer_without_result_is_4() {
        let r = run(
            vec![reply(200, r#"{"RequestId":"R","Code":"Success"}"#)],
            &[],
        );
        assert_eq!(r.code, Some(4), "{}", r.stderr);
        assert_eq!(r.json["outcome"], "no_verdict");
        assert!(r.stderr.contains("without a Result"), "{}", r.stderr);
    }

    #[test]
    fn an_oversized_answer_is_4() {
        let big = format!(r#"{{"Code":"Success","Pad":"{}"}}"#, "x".repeat(2 << 20));
        let r = run(vec![reply(200, big)], &["--retries", "2"]);
        assert_eq!(r.code, Some(4), "{}", r.stderr);
        assert_eq!(r.json["outcome"], "unreadable_answer");
        assert!(r.stderr.contains("limit"), "{}", r.stderr);
        assert_eq!(r.json["attempts"], 1);
        assert_eq!(r.requests, 1);
    }

    #[test]
    fn a_dropped_connection_is_4() {
        let r = run(vec![Behaviour::Drop, reply(200, PASSED)], &[]);
        assert_eq!(r.code, Some(4), "{}", r.stderr);
        assert_eq!(r.json["outcome"], "no_answer");
        assert_eq!(r.json["may_have_been_billed"], true);
        assert!(r.stderr.contains("may have processed"), "{}", r.stderr);
        assert_eq!(r.requests, 1);
    }

    #[test]
    fn a_hang_is_4_at_the_deadline() {
        let r = run(vec![Behaviour::Hang], &["--timeout", "1"]);
        assert_eq!(r.code, Some(4), "{}", r.stderr);
        assert_eq!(r.json["timed_out"], true);
        assert_eq!(r.requests, 1);
        assert!(r.took >= Duration::from_millis(900), "{:?}", r.took);
        assert!(r.took < Duration::from_secs(5), "{:?}", r.took);
    }

    #[test]
    fn a_slow_body_is_4_at_the_deadline() {
        let r = run(
            vec![Behaviour::SlowBody {
                status: 200,
                body: PASSED.as_bytes().to_vec(),
                every: Duration::from_millis(100),
            }],
            &["--timeout", "1"],
        );
        assert_eq!(r.code, Some(4), "{}", r.stderr);
        assert_eq!(r.json["timed_out"], true);
        assert_eq!(r.requests, 1);
        assert!(r.took < Duration::from_secs(5), "{:?}", r.took);
    }

    #[test]
    fn an_upload_never_read_is_5_at_the_deadline() {
        // An unchecked 8 MB body: more than both ends' socket buffers hold.
        let params = tmp_file(
            "huge.json",
            &serde_json::json!({
                "ProductCode": "eKYC_MIN",
                "FacePictureBase64": "A".repeat(8 << 20),
            })
            .to_string(),
        );
        let server = MockService::start(vec![Behaviour::NeverRead], ID, SECRET);
        let mut c = command();
        c.args(["--endpoint", &server.url, "--no-validate", "--timeout", "1"])
            .arg("--params")
            .arg(&params)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
            .env("NO_PROXY", "*");
        let start = Instant::now();
        let out = c.output().unwrap();
        let took = start.elapsed();
        let received = server.finish();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(5));
        assert_eq!(json["outcome"], "not_sent");
        assert_eq!((received.connections, received.requests.len()), (1, 0));
        assert!(took >= Duration::from_millis(900), "{took:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
    }

    #[test]
    fn connection_refused_is_5() {
        let (out, took) = send_to(&format!("http://127.0.0.1:{}", closed_port()), &[]);
        assert_eq!(out.status.code(), Some(5));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["outcome"], "not_sent");
        assert_eq!(json["attempts"], 3);
        assert_eq!(json["may_have_been_billed"], false);
        assert!(took < Duration::from_secs(5), "{took:?}");
    }

    #[test]
    fn help_documents_the_exit_statuses() {
        let out = Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"))
            .args(["request", "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        for needle in [
            "--retries",
            "--timeout",
            "Exit status",
            "  5  ",
            "unredacted",
        ] {
            assert!(help.contains(needle), "{needle}: {help}");
        }
    }
}
