//! The validation gaps of issue 16, item 6: image URLs, DocType spellings,
//! headers that cannot be sent, Base64 images judged as files are, and the
//! transfer limit per image.

use crate::common;

use ekyc_preflight::api::*;
use image::imageops::{self, FilterType};

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

fn b64(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// Both images given as Base64, judged by `check` (the default).
fn with_pictures(id: &str, face: &str) -> Result<EkycVerifyRequest, RequestError> {
    EkycVerifyRequest::builder()
        .merchant_biz_id("b1")
        .merchant_user_id("u")
        .doc_type(DocType::GlobalPassport)
        .id_picture(Picture::base64(id))
        .face_picture(Picture::base64(face))
        .build()
}

/// Grace Hopper (public domain, testdata/faces) enlarged to 768 x 900: a
/// portrait `check` passes as a face.
fn hopper_jpeg() -> Vec<u8> {
    let path = format!(
        "{}/testdata/faces/grace_hopper.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    let img = image::open(path).unwrap().to_rgb8();
    common::jpeg(&imageops::resize(&img, 768, 900, FilterType::Triangle))
}

#[test]
fn base64_that_is_not_a_picture_is_refused_before_signing() {
    for junk in [b"\0\0\0".as_slice(), b"hello world"] {
        let text = b64(junk);
        let e = with_pictures(&text, &text).unwrap_err();
        let RequestError::Picture { param, code, .. } = &e else {
            panic!("{e:?}");
        };
        assert_eq!(*param, "IdOcrPictureBase64");
        assert_eq!(*code, ErrorCode::UnqualifiedPhoto, "{e}");
        assert_eq!(e.prevents(), ErrorCode::UnqualifiedPhoto);
        // Judging off: the Base64 is still decoded, the picture not judged.
        let unjudged = EkycVerifyRequest::builder()
            .merchant_biz_id("b1")
            .merchant_user_id("u")
            .doc_type(DocType::GlobalPassport)
            .id_picture(Picture::base64(text.clone()))
            .face_picture(Picture::base64(text))
            .check_pictures(false)
            .build();
        assert!(unjudged.is_ok());
    }
    // Text of the Base64 alphabet that is not Base64 (a length of 5).
    let e = EkycVerifyRequest::builder()
        .merchant_biz_id("b1")
        .merchant_user_id("u")
        .doc_type(DocType::GlobalPassport)
        .id_picture(Picture::base64("AAAAA"))
        .face_picture(Picture::url("https://example.com/f.jpg"))
        .check_pictures(false)
        .build()
        .unwrap_err();
    assert_eq!(
        (e.param(), e.prevents()),
        ("IdOcrPictureBase64", ErrorCode::InvalidParameter)
    );
}

#[test]
fn base64_images_get_the_verdict_check_gives_the_same_bytes() {
    let face = hopper_jpeg();
    // Checked the way `check` judges a file given with --role face.
    let face_options = ekyc_preflight::CheckOptions {
        role: ekyc_preflight::Role::Face,
        ..ekyc_preflight::CheckOptions::default()
    };
    let verdict =
        ekyc_preflight::check_with(&face, &ekyc_preflight::Spec::default(), &face_options);
    assert_eq!(verdict.verdict, ekyc_preflight::Verdict::Pass, "{verdict}");
    // A picture without a face: check rejects it as NoFaceDetected...
    let no_face = common::jpeg(&common::photo_rgb(720, 960));
    let report =
        ekyc_preflight::check_with(&no_face, &ekyc_preflight::Spec::default(), &face_options);
    assert_eq!(report.verdict, ekyc_preflight::Verdict::Reject);
    // ...and so does the request, naming the rule, before anything is signed.
    let e = EkycVerifyRequest::builder()
        .merchant_biz_id("b1")
        .merchant_user_id("u")
        .doc_type(DocType::GlobalPassport)
        .id_picture(Picture::url("https://example.com/id.jpg"))
        .face_picture(Picture::base64(b64(&no_face)))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            &e,
            RequestError::Picture {
                param: "FacePictureBase64",
                rule: ekyc_preflight::Rule::Face,
                code: ErrorCode::NoFaceDetected,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("NoFaceDetected"), "{e}");
    // The photo that passes is accepted as the face.
    let ok = EkycVerifyRequest::builder()
        .merchant_biz_id("b1")
        .merchant_user_id("u")
        .doc_type(DocType::GlobalPassport)
        .id_picture(Picture::url("https://example.com/id.jpg"))
        .face_picture(Picture::base64(b64(&face)))
        .build();
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn the_transfer_limit_is_per_image() {
    // Two images of 450 KB (600,000 Base64 characters each, about 636 KB as
    // sent): 1.27 MB together, each well within 1 MB.
    let bytes: Vec<u8> = (0..450_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let text = b64(&bytes);
    let sent = "IdOcrPictureBase64=".len()
        + text.len()
        + 2 * text.bytes().filter(|b| b"+/=".contains(b)).count();
    assert!(sent < MAX_PICTURE_BYTES && 2 * sent > MAX_PICTURE_BYTES);
    let build = |id: &str, face: &str| {
        EkycVerifyRequest::builder()
            .merchant_biz_id("b1")
            .merchant_user_id("u")
            .doc_type(DocType::GlobalPassport)
            .id_picture(Picture::base64(id))
            .face_picture(Picture::base64(face))
            .check_pictures(false)
            .build()
    };
    assert!(build(&text, &text).is_ok());
    // One image over 1 MB as sent is refused, by its own name.
    let big = b64(&vec![0xfb; 760_000]); // "+/v7" repeated: 3 of 4 characters grow to 3 bytes
    let e = build(&text, &big).unwrap_err();
    assert!(
        matches!(
            e,
            RequestError::TooLarge {
                param: "FacePictureBase64",
                limit: MAX_PICTURE_BYTES,
                ..
            }
        ),
        "{e:?}"
    );
}

#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use std::process::{Command, Output};

    fn tmp(name: &str, contents: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ekyc-api-validation-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn exe() -> Command {
        Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"))
    }

    /// `request --dry-run` with the face image given as Base64 in --params.
    fn request_with_face_base64(face: &[u8], extra: &[&str]) -> Output {
        let params = serde_json::json!({
            "ProductCode": "eKYC_MIN",
            "MerchantBizId": "b1",
            "MerchantUserId": "u",
            "DocType": "01000000",
            "IdOcrPictureUrl": "https://example.com/1.jpg",
            "FacePictureBase64": b64(face),
        });
        let path = tmp(
            &format!("params-{}.json", face.len()),
            params.to_string().as_bytes(),
        );
        exe()
            .args(["request", "--dry-run", "--params"])
            .arg(&path)
            .args(extra)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
            .output()
            .unwrap()
    }

    /// `check --json --role face FILE`: the verdict and the rules it rejects on.
    fn check_file(bytes: &[u8], name: &str) -> (String, Vec<String>) {
        let path = tmp(name, bytes);
        let out = exe()
            .args(["check", "--json", "--role", "face"])
            .arg(&path)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let report = &v[0];
        let rejects = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "reject")
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        (report["verdict"].as_str().unwrap().to_string(), rejects)
    }

    #[test]
    fn request_refuses_the_base64_check_rejects_as_a_file() {
        let no_face = common::jpeg(&common::photo_rgb(720, 960));
        let (verdict, rejects) = check_file(&no_face, "no-face.jpg");
        assert_eq!(verdict, "reject");
        let out = request_with_face_base64(&no_face, &[]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("FacePictureBase64"), "{stderr}");
        assert!(
            stderr.contains(&format!("({})", rejects[0])),
            "{rejects:?} {stderr}"
        );
        // --no-validate sends it as given; --no-check-images validates the
        // parameters and leaves the picture unjudged.
        for flag in ["--no-validate", "--no-check-images"] {
            let out = request_with_face_base64(&no_face, &[flag]);
            assert_eq!(out.status.code(), Some(0), "{flag}");
        }
        // Not a picture at all.
        let out = request_with_face_base64(b"hello world", &[]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("UnqualifiedPhoto"));
    }

    #[test]
    fn request_takes_the_base64_check_passes_as_a_file() {
        let face = hopper_jpeg();
        let (verdict, _) = check_file(&face, "hopper.jpg");
        assert_eq!(verdict, "pass");
        let out = request_with_face_base64(&face, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
