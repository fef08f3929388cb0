//! No printable form of the API types (`Debug`, `{:#?}`, `Display`, error
//! messages) shows personal data, secrets or tokens; `--dry-run` alone
//! prints the request exactly.

use ekyc_preflight::api::*;

const DOC_NAME: &str = "ZHANGSANMARKER";
const DOC_NO: &str = "DOCNOMARKER0001";
const USER: &str = "USERIDMARKER";
const B64: &str = "B64IMAGEMARKERxyz0AAAAAA";
const URL_PATH: &str = "URLPATHMARKER";
const URL_QUERY: &str = "URLQUERYMARKER";
const SECRET: &str = "SECRETMARKER";
const TOKEN: &str = "TOKENMARKER";
const OCR: &str = "OCRNAMEMARKER";

const MARKERS: [&str; 9] = [
    DOC_NAME, DOC_NO, USER, B64, URL_PATH, URL_QUERY, SECRET, TOKEN, OCR,
];

fn assert_clean(what: &str, text: &str) {
    for m in MARKERS {
        assert!(!text.contains(m), "{what} shows {m}: {text}");
    }
}

/// `{:?}` and `{:#?}` of `v`.
fn debug_forms(what: &str, v: &dyn std::fmt::Debug) {
    assert_clean(what, &format!("{v:?}"));
    assert_clean(what, &format!("{v:#?}"));
}

fn builder() -> EkycVerifyRequestBuilder {
    EkycVerifyRequest::builder()
        .merchant_biz_id("e0c34a77f5ac40a5aa5e6ed20c350001")
        .merchant_user_id(USER)
        .doc_type(DocType::ChineseMainlandIdCard)
        .doc_name(DOC_NAME)
        .doc_no(DOC_NO)
        .id_picture(Picture::base64(B64))
        .face_picture(Picture::url(format!(
            "https://example.com/{URL_PATH}.jpg?sig={URL_QUERY}"
        )))
        // The marker is not a picture: judged, it is refused (see below).
        .check_pictures(false)
}

fn signer() -> Signer {
    Signer::new(Credentials::new("LTAI-id", SECRET).with_security_token(TOKEN))
}

#[test]
fn every_printable_form_of_a_request_is_redacted() {
    let b = builder();
    debug_forms("builder", &b);
    let request = b.build().unwrap();
    debug_forms("request", &request);
    for p in [
        Picture::base64(B64),
        Picture::url(format!("https://example.com/{URL_PATH}?{URL_QUERY}")),
    ] {
        debug_forms("picture", &p);
    }
    let call = request.to_call();
    debug_forms("call", &call);
    let signer = signer();
    debug_forms("signer", &signer);
    debug_forms("credentials", signer.credentials());
    let signed = request.sign(&signer, &Endpoint::public());
    debug_forms("signed request", &signed);
    debug_forms("signature parts", &signed.parts);
    let headers = signed.headers.clone();
    let signable = SignableRequest {
        method: "POST",
        path: "/",
        query: call.query_params(),
        headers: &headers,
        body: &signed.body,
    };
    debug_forms("signable request", &signable);
    // The exact request is still there for whoever asks for it field by field.
    assert!(signed.url.contains(DOC_NAME) || signed.wire_query.contains("DocName"));
    assert!(signed.header("x-acs-security-token") == Some(TOKEN));
    // The unchecked path too.
    let raw = ekyc_verify_call([("DocName", DOC_NAME), ("FacePictureBase64", B64)]);
    debug_forms("unchecked call", &raw);
}

#[test]
fn validation_errors_are_redacted() {
    let errors = [
        builder()
            .authorize(true)
            .doc_type(DocType::GlobalPassport)
            .build(),
        builder()
            .id_picture(Picture::url("https://x/1.jpg"))
            .build(),
        builder().max_picture_bytes(10).build(),
        // Judged by `check`: not an image, refused, the image not shown.
        builder().check_pictures(true).build(),
        builder().doc_name(" ").build(),
        builder()
            .face_picture(Picture::base64(format!("data:{B64}")))
            .id_picture(Picture::url("https://x/1.jpg"))
            .build(),
    ];
    for e in errors {
        let e = e.unwrap_err();
        assert_clean("error", &e.to_string());
        debug_forms("error", &e);
    }
}

#[test]
fn responses_are_redacted() {
    let body = format!(
        r#"{{"RequestId":"R","Code":"Success","Result":{{"Passed":"Y","SubCode":"200",
        "ExtIdInfo":"{{\"idPassed\":\"Y\",\"ocrIdInfo\":{{\"name\":\"{OCR}\",\"idNumber\":\"{DOC_NO}\"}},\"extra\":\"{DOC_NAME}\"}}",
        "ExtFaceInfo":"{{\"faceComparisonScore\":98.5,\"note\":\"{USER}\"}}"}}}}"#
    );
    let resp = EkycVerifyResponse::parse(200, body.as_bytes()).unwrap();
    let result = resp.result.clone().unwrap();
    let id = result.ext_id_info.clone().unwrap();
    assert_eq!(
        id.ocr_id_info["name"], OCR,
        "the data is there, only hidden"
    );
    debug_forms("response", &resp);
    debug_forms("result", &result);
    debug_forms("ext id info", &id);
}

#[cfg(feature = "client")]
#[test]
fn client_and_its_errors_are_redacted() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::with_config(
        signer(),
        Endpoint::custom(&format!("http://127.0.0.1:{port}")).unwrap(),
        ClientConfig {
            use_env_proxy: false,
            safe_retries: 0,
            ..ClientConfig::default()
        },
    );
    debug_forms("client", &client);
    let err = client.verify(&builder().build().unwrap()).unwrap_err();
    assert!(matches!(err.failure(), Failure::NotSent { .. }), "{err:?}");
    assert_clean("client error", &err.to_string());
    debug_forms("client error", &err);
}

#[cfg(all(feature = "cli", feature = "client"))]
#[test]
fn the_command_says_nothing_personal_on_stderr_and_dry_run_stays_exact() {
    use std::process::Command;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"))
            .arg("request")
            .args(["--merchant-biz-id", "b1", "--merchant-user-id", USER])
            .args([
                "--doc-type",
                "00000001",
                "--doc-name",
                DOC_NAME,
                "--doc-no",
                DOC_NO,
            ])
            .args([
                "--id-url",
                &format!("https://example.com/{URL_PATH}?{URL_QUERY}"),
            ])
            .args(["--face-url", "https://example.com/f.jpg"])
            .args(extra)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-id")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
            .env("NO_PROXY", "*")
            .output()
            .unwrap()
    };
    let sent = run(&["--endpoint", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(sent.status.code(), Some(5));
    assert_clean("stderr", &String::from_utf8_lossy(&sent.stderr));
    assert_clean("stdout", &String::from_utf8_lossy(&sent.stdout));
    // --dry-run prints what would be sent, exactly: the token and the name are there.
    let dry = run(&["--dry-run"]);
    assert_eq!(dry.status.code(), Some(0));
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(out.contains(TOKEN) && out.contains(DOC_NO) && !out.contains(SECRET));
}

#[test]
fn plain_http_only_for_loopback() {
    for ok in [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:80/",
        "http://[::1]:9000",
        "https://example.com",
        "https://10.0.0.1:8443",
    ] {
        assert!(Endpoint::custom(ok).is_ok(), "{ok}");
    }
    for refused in [
        "http://example.com",
        "http://10.0.0.1:8080",
        "http://cloudauth-intl.cn-hongkong.aliyuncs.com",
        "http://localhost.example.com",
        "http://[::2]:80",
    ] {
        let e = Endpoint::custom(refused).unwrap_err();
        assert!(e.to_string().contains("loopback"), "{refused}: {e}");
    }
}
