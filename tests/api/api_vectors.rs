//! Signing and response vectors from the official SDK, one case per file (in
//! the manner of aws-sigv4's suite).
//!
//! Read from `../shared/ekyc-api-vectors/` when that folder exists (skipped
//! with a message otherwise), and always from the copies committed under
//! `testdata/api-vectors/`.

use std::path::{Path, PathBuf};

use ekyc_preflight::api::*;
use serde_json::Value;

fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/ekyc-api-vectors")
}

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/api-vectors")
}

/// Parses a vector; fields that hold JSON text inside a string are parsed again.
fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut v: Value = serde_json::from_str(&text).unwrap();
    for field in ["input", "request_headers", "response", "parsed_response"] {
        if let Some(Value::String(s)) = v.get(field)
            && let Ok(inner) = serde_json::from_str::<Value>(s)
        {
            v[field] = inner;
        }
    }
    if let Some(Value::String(s)) = v["input"].get("params")
        && let Ok(inner) = serde_json::from_str::<Value>(s)
    {
        v["input"]["params"] = inner;
    }
    v
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} missing"))
}

fn string_pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

struct Mismatches(Vec<String>);

impl Mismatches {
    fn eq(&mut self, what: &str, got: &str, want: &str) {
        if got != want {
            self.0
                .push(format!("{what}:\n   got: {got:?}\n  want: {want:?}"));
        }
    }
}

/// What the validated builder must make of each vector's parameters.
fn expected_validation(name: &str) -> Option<ErrorCode> {
    match name {
        // Both Base64 and URL for each image.
        "02_all_params" => Some(ErrorCode::DataDuplication),
        // MerchantBizId "biz-_.~0004" has characters other than letters and digits.
        "04_special_chars" => Some(ErrorCode::InvalidParameter),
        // ProductCode omitted.
        "09_error_missing_parameter" => Some(ErrorCode::MissingParameter),
        _ => None,
    }
}

fn signer_for(input: &Value) -> Signer {
    let mut creds = Credentials::new(s(input, "access_key_id"), s(input, "access_key_secret"));
    if let Some(token) = input["security_token"].as_str() {
        creds = creds.with_security_token(token);
    }
    let date = parse_acs_date(s(input, "x_acs_date")).expect("vector date");
    let nonce = s(input, "x_acs_signature_nonce").to_string();
    Signer::new(creds)
        .with_clock(move || date)
        .with_nonce_source(move || nonce.clone())
        .with_user_agent(s(input, "user_agent_default"))
}

fn check_ekyc_vector(name: &str, v: &Value) -> Vec<String> {
    let mut m = Mismatches(Vec::new());
    let input = &v["input"];
    let ignored: Vec<&str> = v["params_ignored_by_sdk_model"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let all_params = string_pairs(&input["params"]);
    // The SDK-compatible path: exactly the parameters the SDK's model kept.
    let sdk_params: Vec<(String, String)> = all_params
        .iter()
        .filter(|(k, _)| !ignored.contains(&k.as_str()))
        .cloned()
        .collect();
    let endpoint = if input["network"].as_str() == Some("vpc") {
        Endpoint::vpc()
    } else {
        Endpoint::public()
    };
    m.eq("host", endpoint.host(), s(v, "host"));
    let signer = signer_for(input);
    let signed = signer.sign(&ekyc_verify_call(sdk_params), &endpoint);

    m.eq("method", &signed.method, s(v, "method"));
    m.eq("url", &signed.url, s(v, "url"));
    m.eq("wire_query", &signed.wire_query, s(v, "wire_query"));
    let p = &signed.parts;
    for (field, got) in [
        ("canonical_query_string", &p.canonical_query_string),
        ("canonical_headers", &p.canonical_headers),
        ("signed_headers", &p.signed_headers),
        ("hashed_payload", &p.hashed_payload),
        ("canonical_request", &p.canonical_request),
        ("string_to_sign", &p.string_to_sign),
        ("signature", &p.signature),
        ("authorization", &p.authorization),
    ] {
        m.eq(field, got, s(v, field));
    }
    m.eq("body", &String::from_utf8_lossy(&signed.body), s(v, "body"));
    let want_headers: Vec<(String, String)> = v["request_headers"]
        .as_array()
        .expect("request_headers")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_string(),
                pair[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    m.eq(
        "request_headers",
        &format!("{:?}", signed.headers),
        &format!("{want_headers:?}"),
    );

    // The same request as an http::Request: same order, same bytes.
    let req = signed.to_http().expect("valid http request");
    m.eq("http uri", &req.uri().to_string(), s(v, "url"));
    let http_headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    let lower: Vec<(String, String)> = want_headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    m.eq(
        "http headers",
        &format!("{http_headers:?}"),
        &format!("{lower:?}"),
    );
    m.eq(
        "http body",
        &String::from_utf8_lossy(req.body()),
        s(v, "body"),
    );

    // The validated path.
    match (unjudged(&all_params), expected_validation(name)) {
        (Ok(request), None) => {
            let typed = request.sign(&signer, &endpoint);
            m.eq(
                "typed authorization",
                &typed.parts.authorization,
                s(v, "authorization"),
            );
            m.eq("typed url", &typed.url, s(v, "url"));
        }
        (Err(e), Some(code)) => {
            if e.prevents() != code {
                m.0.push(format!(
                    "validation: got {e}, want an error preventing {code}"
                ));
            }
        }
        (got, want) => m.0.push(format!(
            "validation: got {got:?}, want {}",
            want.map_or("Ok".to_string(), |c| format!("an error preventing {c}"))
        )),
    }

    check_response(v, &mut m);
    m.0
}

/// The validated path without `check`'s judgement of the pictures: the
/// vectors' Base64 images are random bytes, not photos.
fn unjudged(params: &[(String, String)]) -> Result<EkycVerifyRequest, RequestError> {
    let mut b = EkycVerifyRequestBuilder::default().check_pictures(false);
    for (k, v) in params {
        b = b.param(k, v.clone())?;
    }
    b.build()
}

fn check_response(v: &Value, m: &mut Mismatches) {
    let response = &v["response"];
    let status = response["status"].as_u64().expect("response.status") as u16;
    let body = serde_json::to_vec(&response["body"]).unwrap();
    let parsed = &v["parsed_response"];
    let got = EkycVerifyResponse::parse(status, &body);
    if parsed["ok"].as_bool() == Some(true) {
        let want = &parsed["value"]["body"];
        let Ok(got) = got else {
            m.0.push(format!("response: got {got:?}, want Ok"));
            return;
        };
        m.eq("RequestId", &got.request_id, s(want, "RequestId"));
        m.eq("Code", &got.code, s(want, "Code"));
        m.eq("Message", &got.message, s(want, "Message"));
        let r = got.result.as_ref().expect("Result");
        let wr = &want["Result"];
        m.eq("Passed", if r.passed { "Y" } else { "N" }, s(wr, "Passed"));
        m.eq(
            "SubCode",
            r.sub_code.as_ref().map_or("", |c| c.code()),
            s(wr, "SubCode"),
        );
        m.eq(
            "TransactionId",
            r.transaction_id.as_deref().unwrap_or(""),
            s(wr, "TransactionId"),
        );
        m.eq(
            "ExtFaceInfo",
            r.ext_face_info_raw.as_deref().unwrap_or(""),
            s(wr, "ExtFaceInfo"),
        );
        m.eq(
            "ExtIdInfo",
            r.ext_id_info_raw.as_deref().unwrap_or(""),
            s(wr, "ExtIdInfo"),
        );
        // The typed views of the two JSON strings agree with a plain parse.
        let face: Value = serde_json::from_str(s(wr, "ExtFaceInfo")).unwrap();
        let gf = r.ext_face_info.as_ref().expect("ExtFaceInfo parsed");
        if gf.face_comparison_score != face["faceComparisonScore"].as_f64() {
            m.0.push("faceComparisonScore".into());
        }
        let id: Value = serde_json::from_str(s(wr, "ExtIdInfo")).unwrap();
        let gi = r.ext_id_info.as_ref().expect("ExtIdInfo parsed");
        for (k, val) in id["ocrIdInfo"].as_object().into_iter().flatten() {
            m.eq(
                &format!("ocrIdInfo.{k}"),
                gi.ocr_id_info.get(k).map_or("", String::as_str),
                val.as_str().unwrap_or_default(),
            );
        }
        if let Some(spoof) = id["spoofInfo"].as_object() {
            let gs = gi.spoof_info.as_ref().expect("spoofInfo");
            let want = spoof["spoofResult"].as_str().map(|s| s == "Y");
            if gs.spoof_result != want {
                m.0.push("spoofResult".into());
            }
        }
    } else {
        let Err(ResponseError::Api(e)) = got else {
            m.0.push(format!("response: got {got:?}, want an API error"));
            return;
        };
        m.eq(
            "status",
            &e.status.to_string(),
            &parsed["status_code"].to_string(),
        );
        m.eq("code", e.code.as_str(), s(parsed, "code"));
        m.eq(
            "request_id",
            e.request_id.as_deref().unwrap_or(""),
            s(parsed, "request_id"),
        );
        m.eq("message", &e.message, s(&parsed["data"], "Message"));
        if e.retryable() {
            m.0.push(format!("{} must not be retryable", e.code));
        }
    }
}

fn check_doc_vector(v: &Value) -> Vec<String> {
    let mut m = Mismatches(Vec::new());
    let input = &v["input"];
    let query = string_pairs(&input["query"]);
    let headers = string_pairs(&input["headers"]);
    let parts = SignableRequest {
        method: "POST",
        path: s(v, "canonical_uri"),
        query: &query,
        headers: &headers,
        body: s(input, "body").as_bytes(),
    }
    .sign(s(input, "access_key_id"), s(input, "access_key_secret"));
    for (field, got) in [
        ("canonical_query_string", &parts.canonical_query_string),
        ("canonical_headers", &parts.canonical_headers),
        ("signed_headers", &parts.signed_headers),
        ("hashed_payload", &parts.hashed_payload),
        ("canonical_request", &parts.canonical_request),
        ("string_to_sign", &parts.string_to_sign),
        ("signature", &parts.signature),
        ("authorization", &parts.authorization),
    ] {
        m.eq(field, got, s(v, field));
    }
    if let Some(doc) = v.get("doc_expected") {
        m.eq("doc signature", &parts.signature, s(doc, "signature"));
    }

    // The generic signer, given the example's action, version, host, date and
    // nonce, computes the same canonical query and payload hash (its headers
    // differ: it adds the SDK's accept, content-type, user-agent...).
    let h = |name: &str| s(&input["headers"], name).to_string();
    let date = parse_acs_date(&h("x-acs-date")).unwrap();
    let nonce = h("x-acs-signature-nonce");
    let mut call = OpenApiCall::new(h("x-acs-action"), h("x-acs-version"));
    for (k, val) in &query {
        call = call.query(k, val);
    }
    let signed = Signer::new(Credentials::new(
        s(input, "access_key_id"),
        s(input, "access_key_secret"),
    ))
    .with_clock(move || date)
    .with_nonce_source(move || nonce.clone())
    .sign(&call, &Endpoint::https(h("host")));
    m.eq(
        "signer canonical_query_string",
        &signed.parts.canonical_query_string,
        s(v, "canonical_query_string"),
    );
    m.eq(
        "signer hashed_payload",
        &signed.parts.hashed_payload,
        s(v, "hashed_payload"),
    );
    for name in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
    ] {
        m.eq(name, signed.header(name).unwrap_or(""), &h(name));
    }
    m.0
}

fn run_file(path: &Path) {
    let v = load(path);
    let name = v["name"].as_str().unwrap_or("?").to_string();
    let mismatches = if v["input"].get("params").is_some() {
        check_ekyc_vector(&name, &v)
    } else {
        check_doc_vector(&v)
    };
    assert!(
        mismatches.is_empty(),
        "{}: {} mismatch(es):\n{}",
        path.display(),
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Runs one named vector from the shared folder, else from the committed copy,
/// else skips with a message.
fn run_named(file: &str) {
    for dir in [shared_dir(), committed_dir()] {
        let path = dir.join(file);
        if path.is_file() {
            run_file(&path);
            return;
        }
    }
    eprintln!(
        "skipping {file}: not in {} nor {}",
        shared_dir().display(),
        committed_dir().display()
    );
}

macro_rules! vector_cases {
    ($($test:ident => $file:literal,)*) => {
        $( #[test] fn $test() { run_named($file); } )*
    };
}

vector_cases! {
    v01_minimal => "01_minimal.json",
    v02_all_params => "02_all_params.json",
    v03_unicode_docname => "03_unicode_docname.json",
    v04_special_chars => "04_special_chars.json",
    v05_large_base64 => "05_large_base64.json",
    v06_url_instead_of_base64 => "06_url_instead_of_base64.json",
    v07_vpc_endpoint => "07_vpc_endpoint.json",
    v08_sts_token => "08_sts_token.json",
    v09_error_missing_parameter => "09_error_missing_parameter.json",
    doc_v3_example => "doc_v3_example.json",
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The committed copies always run, whether or not the shared folder exists.
#[test]
fn committed_vectors() {
    let files = json_files(&committed_dir());
    assert!(files.len() >= 5, "committed vectors missing");
    for path in files {
        run_file(&path);
    }
}

/// Every vector in the shared folder, including any added after this file.
#[test]
fn all_shared_vectors() {
    let files = json_files(&shared_dir());
    if files.is_empty() {
        eprintln!("skipping: no vectors in {}", shared_dir().display());
        return;
    }
    for path in files {
        run_file(&path);
    }
}

#[test]
fn vector_05_is_within_the_picture_limit_only_just() {
    let path = shared_dir().join("05_large_base64.json");
    if !path.is_file() {
        eprintln!("skipping: {} absent", path.display());
        return;
    }
    let v = load(&path);
    let params = string_pairs(&v["input"]["params"]);
    // The body the SDK sent holds both images: 935,190 bytes.
    assert_eq!(s(&v, "body").len(), 935_190);
    // The limit is per image: the certificate's field as sent, counted
    // here from the text (each '+', '/', '=' is sent as three bytes).
    let id = &params
        .iter()
        .find(|(k, _)| k == "IdOcrPictureBase64")
        .unwrap()
        .1;
    let id_sent = "IdOcrPictureBase64=".len()
        + id.len()
        + 2 * id.bytes().filter(|b| b"+/=".contains(b)).count();
    assert!(s(&v, "body").contains(&format!("IdOcrPictureBase64={}", &id[..8])));
    // Accepted with the default 1,000,000-byte limit...
    assert!(unjudged(&params).is_ok());
    // ...exactly at its own size, and refused, as ToolargeImage, one byte below.
    let with_limit = |limit: usize| {
        let mut b = EkycVerifyRequest::builder().check_pictures(false);
        for (k, val) in &params {
            b = b.param(k, val.clone()).unwrap();
        }
        b.max_picture_bytes(limit).build()
    };
    assert!(with_limit(id_sent).is_ok());
    let err = with_limit(id_sent - 1).unwrap_err();
    assert_eq!(
        err,
        RequestError::TooLarge {
            param: "IdOcrPictureBase64",
            sent_bytes: id_sent,
            limit: id_sent - 1
        }
    );
    assert_eq!(err.prevents(), ErrorCode::ToolargeImage);
}

#[test]
fn secret_never_in_debug_or_errors() {
    let secret = "s3cr3t-VALUE-0123";
    let creds = Credentials::new("id", secret).with_security_token("tok-VALUE");
    let signer = Signer::new(creds.clone());
    let signed = signer.sign(
        &ekyc_verify_call([("ProductCode", "eKYC_MIN")]),
        &Endpoint::public(),
    );
    let err = EkycVerifyRequest::builder().build().unwrap_err();
    for text in [
        format!("{creds:?}"),
        format!("{creds:#?}"),
        format!("{signer:?}"),
        format!("{signed:?}"),
        format!("{err} {err:?}"),
    ] {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
    assert!(!format!("{creds:?}").contains("tok-VALUE"));
}

// ---- Validation rules, each naming the parameter and the error it prevents ----

fn valid() -> EkycVerifyRequestBuilder {
    EkycVerifyRequest::builder()
        .merchant_biz_id("abc123")
        .merchant_user_id("u1")
        .doc_type(DocType::GlobalPassport)
        .id_picture(Picture::url("https://example.com/id.jpg"))
        .face_picture(Picture::base64("AAAA"))
        // "AAAA" is three zero bytes, not a photo: these cases are about the
        // parameters.
        .check_pictures(false)
}

fn refused(b: EkycVerifyRequestBuilder) -> (String, ErrorCode) {
    let e = b.build().unwrap_err();
    (e.param().to_string(), e.prevents())
}

#[test]
fn validation_rules() {
    use ErrorCode::*;
    assert!(valid().build().is_ok());
    let cases: Vec<(EkycVerifyRequestBuilder, &str, ErrorCode)> = vec![
        (
            valid().product_code("eKYC_PRO"),
            "ProductCode",
            InvalidParameter,
        ),
        (
            valid().scene_code("12345678901"),
            "SceneCode",
            InvalidParameter,
        ),
        (valid().scene_code("a-b"), "SceneCode", InvalidParameter),
        (
            valid().merchant_biz_id("a".repeat(33)),
            "MerchantBizId",
            InvalidParameter,
        ),
        (
            valid().merchant_biz_id("abc_123"),
            "MerchantBizId",
            InvalidParameter,
        ),
        (
            valid().merchant_user_id(" "),
            "MerchantUserId",
            MissingParameter,
        ),
        (valid().doc_name(""), "DocName", MissingParameter),
        (
            valid().id_picture(Picture::base64("AAAA")),
            "IdOcrPictureBase64",
            DataDuplication,
        ),
        (
            valid().face_picture(Picture::url("https://x/y.jpg")),
            "FacePictureBase64",
            DataDuplication,
        ),
        (valid().authorize(true), "Authorize", InvalidParameter),
        (
            valid()
                .doc_type(DocType::ChineseMainlandIdCard)
                .doc_name("ZHANG SAN")
                .authorize(true),
            "DocNo",
            MissingParameter,
        ),
    ];
    for (b, param, code) in cases {
        assert_eq!(refused(b), (param.to_string(), code));
    }
    let no_face = EkycVerifyRequest::builder()
        .merchant_biz_id("abc")
        .merchant_user_id("u")
        .doc_type(DocType::MacaoIdCard)
        .id_picture(Picture::url("http://x/1.jpg"));
    assert_eq!(
        refused(no_face.clone()),
        (
            "FacePictureBase64|FacePictureUrl".to_string(),
            MissingParameter
        )
    );
    assert_eq!(
        refused(
            no_face
                .clone()
                .face_picture(Picture::url("example.com/1.jpg"))
        ),
        ("FacePictureUrl".to_string(), InvalidParameter)
    );
    assert_eq!(
        refused(
            no_face
                .clone()
                .face_picture(Picture::base64("data:image/jpeg;base64,AAAA"))
        ),
        ("FacePictureBase64".to_string(), InvalidParameter)
    );
    // Authorize=T is fine with the mainland ID card, name and number.
    let ok = valid()
        .doc_type(DocType::ChineseMainlandIdCard)
        .doc_name("ZHANG SAN")
        .doc_no("11010119900307123X")
        .authorize(true)
        .crop(false)
        .id_threshold(IdThreshold::Loose)
        .face_quality_check(true)
        .id_spoof(false)
        .scene_code("scene_01")
        .build()
        .unwrap();
    let sent: Vec<(&str, &str)> = ok.params().iter().map(|(k, v)| (*k, v.as_str())).collect();
    for pair in [
        ("Authorize", "T"),
        ("Crop", "F"),
        ("IdThreshold", "2"),
        ("FaceQualityCheck", "T"),
        ("IdSpoof", "F"),
        // Sent, as the document lists it (the official SDK drops it).
        ("SceneCode", "scene_01"),
    ] {
        assert!(sent.contains(&pair), "{pair:?}");
    }
    // The nine-digit codes are kept as the document writes them.
    assert_eq!(
        DocType::from_code("000000012"),
        Some(DocType::MainlandTravelPermitTaiwan)
    );
    assert_eq!(DocType::from_code("00000012"), None);
    let e = EkycVerifyRequest::from_params([("Bogus", "1")]).unwrap_err();
    assert!(matches!(e, RequestError::UnknownParameter { .. }));
    let e = EkycVerifyRequest::from_params([("ProductCode", "eKYC_MIN"), ("Crop", "Y")]);
    assert!(e.is_err());
}

#[test]
fn body_limit_counts_percent_encoding() {
    // 3 of every 4 characters are '/', each sent as "%2F": the Base64 text is
    // within the limit, the encoded body is not.
    let err = EkycVerifyRequest::builder()
        .merchant_biz_id("abc")
        .merchant_user_id("u")
        .doc_type(DocType::GlobalPassport)
        .id_picture(Picture::base64("/".repeat(600_000)))
        .face_picture(Picture::url("https://x/f.jpg"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        RequestError::TooLarge {
            param: "IdOcrPictureBase64",
            sent_bytes: "IdOcrPictureBase64=".len() + 1_800_000,
            limit: MAX_PICTURE_BYTES
        }
    );
}

// ---- The response parser never panics, whatever the bytes ----

#[test]
fn parser_survives_hostile_bodies() {
    let nested = "[".repeat(100_000);
    let deep_obj = format!("{}{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        nested.into_bytes(),
        deep_obj.into_bytes(),
        br#"{"Result":"Y"}"#.to_vec(),
        br#"{"Result":{"Passed":1,"SubCode":{},"ExtFaceInfo":"{\"faceComparisonScore\":\"NaN\"}","ExtIdInfo":"[1,2]"}}"#.to_vec(),
        br#"{"Result":{"ExtIdInfo":"{\"ocrIdInfo\":\"{\\\"a\\\":1}\",\"spoofInfo\":{\"spoofType\":\"SCREEN\"}}"}}"#.to_vec(),
        br#"{"Code":12,"Message":["x"],"RequestId":null}"#.to_vec(),
        "x".repeat(2_000_000).into_bytes(),
    ];
    for body in &bodies {
        for status in [0u16, 100, 200, 204, 302, 400, 429, 500, 599, 999, u16::MAX] {
            let r = EkycVerifyResponse::parse(status, body);
            if let Err(ResponseError::Api(e)) = &r {
                assert!(e.message.chars().count() <= 1024);
                let _ = e.to_string();
            }
        }
    }
    // Lenient where it is safe: a JSON string holding an object, Y/N flags.
    let r = EkycVerifyResponse::parse(200, &bodies[8]).unwrap();
    let id = r.result.unwrap().ext_id_info.unwrap();
    assert_eq!(id.ocr_id_info["a"], "1");
    assert_eq!(
        id.spoof_info.unwrap().spoof_type,
        vec!["SCREEN".to_string()]
    );
}

mod fuzz {
    use ekyc_preflight::api::EkycVerifyResponse;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_bytes(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = EkycVerifyResponse::parse(status, &body);
        }

        #[test]
        fn json_like_text(status in prop_oneof![Just(200u16), Just(400u16), Just(503u16)],
                          body in r#"\{("(Result|Code|Passed|SubCode|ExtFaceInfo|ExtIdInfo|RequestId)":("[^"]{0,20}"|[0-9.eE+-]{1,8}|null|true|\{[^{}]{0,30}\}|\[\]),?){0,6}\}"#) {
            let _ = EkycVerifyResponse::parse(status, body.as_bytes());
        }
    }
}
