//! The validation gaps of issue 16, item 6: image URLs, DocType spellings and
//! headers that cannot be sent.
#![cfg(feature = "api")]

use ekyc_preflight::api::*;

fn with_face_url(url: &str) -> Result<EkycVerifyRequest, RequestError> {
    EkycVerifyRequest::builder()
        .merchant_biz_id("b1")
        .merchant_user_id("u")
        .doc_type(DocType::GlobalPassport)
        .id_picture(Picture::url("https://example.com/id.jpg"))
        .face_picture(Picture::url(url))
        .build()
}

#[test]
fn image_urls_must_be_public_and_clean() {
    for ok in [
        "https://example.com/f.jpg",
        "http://8.8.8.8/f.jpg",
        "https://example.com:8443/a%20b.jpg?x=1",
        "https://[2001:db8::1]/f.jpg",
        // As in the shared SDK vector 06: a plain space, form-encoded when sent.
        "https://bucket.oss-cn-hongkong.aliyuncs.com/ekyc/id front.jpg",
    ] {
        assert!(with_face_url(ok).is_ok(), "{ok}");
    }
    for refused in [
        "https://example.com/a\tb.jpg",
        "https://example.com/a\u{a0}b.jpg",
        "https://example.com/f.jpg\n",
        "http://localhost/f.jpg",
        "http://127.0.0.1:8080/f.jpg",
        "http://10.1.2.3/f.jpg",
        "http://192.168.0.10/f.jpg",
        "http://172.16.0.1/f.jpg",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/f.jpg",
        "http://[::1]/f.jpg",
        "http://[fd00::1]/f.jpg",
        "http://user@127.0.0.1/f.jpg",
    ] {
        let e = with_face_url(refused).unwrap_err();
        assert_eq!(
            (e.param(), e.prevents()),
            ("FacePictureUrl", ErrorCode::InvalidParameter),
            "{refused}"
        );
    }
}

#[test]
fn both_doc_type_spellings_of_the_document_are_accepted_and_sent_as_given() {
    for (code, _) in [
        ("000000011", DocType::MacaoIdCard),
        ("00000011", DocType::MacaoIdCard),
        ("000000012", DocType::MainlandTravelPermitTaiwan),
        ("00000012", DocType::MainlandTravelPermitTaiwan),
    ] {
        let r = EkycVerifyRequest::from_params([
            ("ProductCode", "eKYC_MIN"),
            ("MerchantBizId", "b1"),
            ("MerchantUserId", "u"),
            ("DocType", code),
            ("IdOcrPictureUrl", "https://example.com/1.jpg"),
            ("FacePictureUrl", "https://example.com/2.jpg"),
        ])
        .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(r.params().contains(&("DocType", code.to_string())));
    }
    assert!(EkycVerifyRequest::from_params([
        ("ProductCode", "eKYC_MIN"),
        ("MerchantBizId", "b1"),
        ("MerchantUserId", "u"),
        ("DocType", "00000013"),
        ("IdOcrPictureUrl", "https://example.com/1.jpg"),
        ("FacePictureUrl", "https://example.com/2.jpg"),
    ])
    .is_err());
}

#[cfg(feature = "cli")]
#[test]
fn a_header_that_cannot_be_sent_fails_the_dry_run() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"))
        .args(["request", "--dry-run", "--merchant-biz-id", "b1"])
        .args(["--merchant-user-id", "u", "--doc-type", "01000000"])
        .args(["--id-url", "https://example.com/1.jpg"])
        .args(["--face-url", "https://example.com/2.jpg"])
        .args(["--user-agent", "bad\r\nx-injected: 1"])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--user-agent"), "{stderr}");
}
