//! The blocking client against a mock EkycVerify on 127.0.0.1 (see
//! `mock_service`): each test asserts the outcome, how many requests the
//! mock received and how long the call took (generous bounds).

use crate::mock_service;

use std::time::{Duration, Instant};

use ekyc_preflight::api::*;
use mock_service::*;

const ID: &str = "LTAI-test-id";
const SECRET: &str = "test-secret-for-loopback";

fn start(script: Vec<Behaviour>) -> MockService {
    MockService::start(script, ID, SECRET)
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
            "29AZ9mB+CRW9IWYOBn0kIxivml+IBVEw/r1fimsP9xfT",
        ))
        .face_picture(Picture::url("https://example.com/face.jpg?x=1&y=a%20b"))
        // Random bytes, not a photo: these tests are about the client.
        .check_pictures(false)
        .build()
        .unwrap()
}

fn client_for(url: &str, config: ClientConfig) -> Client {
    Client::with_config(
        Signer::new(Credentials::new(ID, SECRET)),
        Endpoint::custom(url).unwrap(),
        ClientConfig {
            use_env_proxy: false,
            ..config
        },
    )
}

fn client(server: &MockService, config: ClientConfig) -> Client {
    client_for(&server.url, config)
}

/// Short waits between attempts, a 5 s deadline.
fn fast() -> ClientConfig {
    ClientConfig {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(1500),
        timeout: Duration::from_secs(5),
        ..ClientConfig::default()
    }
}

/// Runs `f`, returning its result and the time it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

#[test]
fn defaults_follow_the_sdk_and_never_bill_twice() {
    let c = ClientConfig::default();
    assert_eq!(c.timeout, Duration::from_secs(15));
    assert_eq!(c.connect_timeout, Duration::from_secs(5));
    assert_eq!(c.billable_retries, 0);
    assert_eq!(c.safe_retries, 2);
}

#[test]
fn success_is_parsed() {
    let server = start(vec![reply(200, PASSED)]);
    let (answer, took) = timed(|| client(&server, fast()).verify(&request()).unwrap());
    assert!(answer.response.passed());
    assert_eq!(answer.attempts, 1);
    let result = answer.response.result.unwrap();
    assert_eq!(result.sub_code, Some(SubCode::Passed));
    assert_eq!(
        result.ext_face_info.unwrap().face_comparison_score,
        Some(98.5)
    );
    assert_eq!(result.ext_id_info.unwrap().ocr_id_info["name"], "ZHANG SAN");
    assert!(took < Duration::from_secs(3));
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn verification_failure_is_an_answer_not_an_error() {
    let server = start(vec![reply(200, NOT_PASSED)]);
    let answer = client(&server, fast()).verify(&request()).unwrap();
    assert!(!answer.response.passed());
    assert_eq!(
        answer.response.result.unwrap().sub_code,
        Some(SubCode::LivenessRisk)
    );
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn each_documented_error_code() {
    let table: [(u16, &str, ErrorCode, bool); 14] = [
        (400, "MissingParameter", ErrorCode::MissingParameter, false),
        (400, "InvalidParameter", ErrorCode::InvalidParameter, false),
        (
            404,
            "InvalidAccessKeyId.NotFound",
            ErrorCode::Other("InvalidAccessKeyId.NotFound".into()),
            false,
        ),
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
    let server = start(
        table
            .iter()
            .map(|(s, c, _, _)| error_reply(*s, c))
            .collect(),
    );
    // No retries at all, so every reply is seen as sent.
    let c = client(
        &server,
        ClientConfig {
            safe_retries: 0,
            ..fast()
        },
    );
    for (status, code, want, retryable) in &table {
        let err = c.verify(&request()).unwrap_err();
        assert_eq!(err.attempts(), 1);
        let e = err.api_error().unwrap_or_else(|| panic!("{code}: {err}"));
        assert_eq!(e.status, *status);
        assert_eq!(&e.code, want);
        assert_eq!(e.code.as_str(), *code);
        assert_eq!(
            e.request_id.as_deref(),
            Some(format!("REQ-{code}").as_str())
        );
        assert_eq!(e.retryable(), *retryable, "{code}");
        assert_eq!(
            err.failure().may_have_been_processed(),
            *status >= 500,
            "{code}"
        );
        assert!(!err.to_string().contains(SECRET));
        assert!(!err.to_string().contains("reach"), "{err}");
    }
    assert_eq!(server.finish().requests.len(), table.len());
}

// ---- 1. No double billing ----

#[test]
fn server_error_then_success_is_not_retried_by_default() {
    // The issue's case: 500 then 200 used to make two (billed) calls and
    // print one success.
    let server = start(vec![error_reply(500, "InternalError"), reply(200, PASSED)]);
    let (err, took) = timed(|| client(&server, fast()).verify(&request()).unwrap_err());
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.api_error().unwrap().code, ErrorCode::InternalError);
    assert!(err.failure().may_have_been_processed());
    assert!(took < Duration::from_secs(3));
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn server_error_then_success_with_an_opted_in_retry_counts_both() {
    let server = start(vec![error_reply(500, "InternalError"), reply(200, PASSED)]);
    let c = client(
        &server,
        ClientConfig {
            billable_retries: 1,
            ..fast()
        },
    );
    let (answer, took) = timed(|| c.verify(&request()).unwrap());
    assert!(answer.response.passed());
    assert_eq!(answer.attempts, 2);
    assert!(took < Duration::from_secs(3));
    let seen = server.finish().requests;
    assert_eq!(seen.len(), 2);
    assert_ne!(seen[0].nonce, seen[1].nonce, "each attempt signed afresh");
}

#[test]
fn opted_in_retries_are_bounded() {
    let server = start(vec![
        error_reply(502, "BadGateway"),
        error_reply(503, "ServiceUnavailable"),
        error_reply(500, "InternalError"),
    ]);
    let c = client(
        &server,
        ClientConfig {
            billable_retries: 1,
            ..fast()
        },
    );
    let err = c.verify(&request()).unwrap_err();
    assert_eq!(err.attempts(), 2);
    assert_eq!(err.api_error().unwrap().status, 503);
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn throttling_with_x_acs_retry_after_is_retried_by_default() {
    let throttled = with_header(
        error_reply(403, "Throttling.Api"),
        "x-acs-retry-after",
        "300",
    );
    let server = start(vec![throttled, reply(200, PASSED)]);
    let (answer, took) = timed(|| client(&server, fast()).verify(&request()).unwrap());
    assert!(answer.response.passed());
    assert_eq!(answer.attempts, 2);
    assert!(took >= Duration::from_millis(300), "waited {took:?}");
    assert!(took < Duration::from_secs(3));
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn throttling_with_standard_retry_after_is_honoured() {
    let throttled = with_header(error_reply(429, "Throttling.User"), "Retry-After", "1");
    let server = start(vec![throttled, reply(200, PASSED)]);
    let (answer, took) = timed(|| client(&server, fast()).verify(&request()).unwrap());
    assert_eq!(answer.attempts, 2);
    assert!(took >= Duration::from_secs(1), "waited {took:?}");
    assert!(took < Duration::from_secs(4));
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn throttling_exhausts_the_safe_retries() {
    let server = start(vec![
        error_reply(400, "Throttling.User"),
        error_reply(400, "Throttling.User"),
        error_reply(400, "Throttling.User"),
        reply(200, PASSED),
    ]);
    let err = client(&server, fast()).verify(&request()).unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert!(err.api_error().unwrap().code.is_throttling());
    assert!(!err.failure().may_have_been_processed());
    assert!(err.to_string().contains("(3 attempts)"), "{err}");
    assert_eq!(server.finish().requests.len(), 3);
}

#[test]
fn retry_after_beyond_max_delay_is_returned_not_waited() {
    let throttled = with_header(
        error_reply(400, "Throttling.User"),
        "x-acs-retry-after",
        "60000",
    );
    let server = start(vec![throttled]);
    let (err, took) = timed(|| client(&server, fast()).verify(&request()).unwrap_err());
    let e = err.api_error().unwrap();
    assert!(e.retryable());
    assert_eq!(e.retry_after, Some(Duration::from_secs(60)));
    assert!(took < Duration::from_secs(3));
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn a_retry_that_cannot_start_before_the_deadline_is_not_made() {
    let throttled = with_header(
        error_reply(429, "Throttling.User"),
        "x-acs-retry-after",
        "1200",
    );
    let server = start(vec![throttled, reply(200, PASSED)]);
    let c = client(
        &server,
        ClientConfig {
            timeout: Duration::from_secs(1),
            ..fast()
        },
    );
    let (err, took) = timed(|| c.verify(&request()).unwrap_err());
    assert_eq!(err.attempts(), 1);
    assert!(took < Duration::from_millis(900), "{took:?}");
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn connection_refused_is_not_sent_and_retried_safely() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let (err, took) = timed(|| client_for(&url, fast()).verify(&request()).unwrap_err());
    assert!(matches!(err.failure(), Failure::NotSent { .. }), "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert!(!err.failure().may_have_been_processed());
    assert!(took < Duration::from_secs(3));
}

// ---- 2. One deadline per call ----

#[test]
fn hang_before_answering_ends_at_the_deadline() {
    let server = start(vec![Behaviour::Hang, reply(200, PASSED)]);
    let c = client(
        &server,
        ClientConfig {
            timeout: Duration::from_secs(1),
            ..fast()
        },
    );
    let (err, took) = timed(|| c.verify(&request()).unwrap_err());
    assert!(err.timed_out(), "{err:?}");
    assert!(matches!(err.failure(), Failure::NoAnswer { .. }));
    assert!(err.failure().may_have_been_processed());
    assert!(!err.to_string().contains("reach"));
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn a_slow_body_ends_at_the_deadline() {
    let server = start(vec![Behaviour::SlowBody {
        status: 200,
        body: PASSED.as_bytes().to_vec(),
        every: Duration::from_millis(100),
    }]);
    let c = client(
        &server,
        ClientConfig {
            timeout: Duration::from_secs(1),
            billable_retries: 3,
            ..fast()
        },
    );
    let (err, took) = timed(|| c.verify(&request()).unwrap_err());
    assert!(err.timed_out(), "{err:?}");
    assert!(err.to_string().contains("HTTP 200"), "{err}");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    // Opted-in retries cannot stretch the deadline.
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn an_upload_never_read_ends_at_the_deadline_and_was_not_sent() {
    // 8 MB: far more than the socket buffers of both ends hold.
    let call = ekyc_verify_call([
        ("ProductCode", "eKYC_MIN".to_string()),
        ("FacePictureBase64", "A".repeat(8 << 20)),
    ]);
    let server = start(vec![Behaviour::NeverRead]);
    let c = client(
        &server,
        ClientConfig {
            timeout: Duration::from_secs(1),
            ..fast()
        },
    );
    let (err, took) = timed(|| c.verify_call(&call).unwrap_err());
    assert!(matches!(err.failure(), Failure::NotSent { .. }), "{err:?}");
    assert!(err.to_string().contains("bytes of a request"), "{err}");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    let received = server.finish();
    assert_eq!(received.connections, 1);
    assert_eq!(received.requests.len(), 0);
}

// ---- 3. Answers that arrived are answers ----

#[test]
fn an_oversized_answer_is_an_unreadable_answer() {
    let big = format!(
        r#"{{"Code":"Success","Result":{{"Passed":"Y"}},"Pad":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    let server = start(vec![reply(200, big), reply(200, PASSED)]);
    let c = client(
        &server,
        ClientConfig {
            billable_retries: 2,
            ..fast()
        },
    );
    let (err, took) = timed(|| c.verify(&request()).unwrap_err());
    assert!(
        matches!(err.failure(), Failure::Unreadable { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.failure().answered());
    assert!(err.failure().may_have_been_processed());
    assert!(!err.to_string().contains("reach"));
    assert_eq!(err.attempts(), 1, "never retried, even when opted in");
    assert!(took < Duration::from_secs(4));
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn a_dropped_connection_after_sending_may_have_been_processed() {
    let server = start(vec![Behaviour::Drop, reply(200, PASSED)]);
    let (err, took) = timed(|| client(&server, fast()).verify(&request()).unwrap_err());
    assert!(
        matches!(
            err.failure(),
            Failure::NoAnswer {
                timed_out: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.failure().may_have_been_processed());
    assert!(err.to_string().contains("may have processed"), "{err}");
    assert_eq!(err.attempts(), 1);
    assert!(took < Duration::from_secs(3));
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn a_dropped_connection_is_retried_when_opted_in() {
    let server = start(vec![Behaviour::Drop, reply(200, PASSED)]);
    let c = client(
        &server,
        ClientConfig {
            billable_retries: 1,
            ..fast()
        },
    );
    let answer = c.verify(&request()).unwrap();
    assert_eq!(answer.attempts, 2);
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn malformed_json_is_an_unreadable_answer_with_its_status() {
    let server = start(vec![reply(200, "{\"Code\":\"Success\",")]);
    let err = client(&server, fast()).verify(&request()).unwrap_err();
    assert!(
        matches!(err.failure(), Failure::Unreadable { status: 200, .. }),
        "{err:?}"
    );
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn a_200_with_an_error_code_is_an_api_error() {
    let body = r#"{"RequestId":"R9","Code":"InvalidAccessKeyId","Message":"bad key"}"#;
    let server = start(vec![reply(200, body)]);
    let err = client(&server, fast()).verify(&request()).unwrap_err();
    let e = err.api_error().unwrap();
    assert_eq!((e.status, e.code.as_str()), (200, "InvalidAccessKeyId"));
    assert_eq!(e.request_id.as_deref(), Some("R9"));
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn non_json_server_error_is_still_typed() {
    let server = start(vec![reply(502, "<html>Bad Gateway</html>")]);
    let err = client(&server, fast()).verify(&request()).unwrap_err();
    let e = err.api_error().unwrap();
    assert_eq!(e.status, 502);
    assert!(e.retryable());
    assert!(e.message.contains("Bad Gateway"));
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.finish().requests.len(), 1);
}
