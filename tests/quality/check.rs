//! `check`: the verdict and findings on real, generated and hostile images.

use crate::common;

use ekyc_preflight::{
    check_with, ApiCode, CheckOptions, Checker, Measure, Preprocessor, Rule, Severity, Spec,
    Transport, Value, Verdict,
};
use proptest::prelude::*;

/// The pictures here are gradients, noise and a plant photo: no face to find, so the face
/// rules (whose own tests are in `tests/quality/faces.rs`) are off and these tests judge the rest.
fn options() -> CheckOptions {
    CheckOptions {
        detect_faces: false,
        ..CheckOptions::default()
    }
}

/// `check` with [`options`].
fn check(data: &[u8]) -> ekyc_preflight::Report {
    check_with(data, &Spec::default(), &options())
}

const SAMPLE: &[u8] = include_bytes!("../../testdata/phone-orientation6.jpg");

fn finding(report: &ekyc_preflight::Report, rule: Rule) -> &ekyc_preflight::Finding {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report:#?}"))
}

#[test]
fn hostile_bytes_are_rejected_with_the_reason() {
    let truncated = &SAMPLE[..SAMPLE.len() / 2];
    let cases: [(&[u8], Rule); 6] = [
        (b"", Rule::Format),
        (b"GIF89a\x01\x00\x01\x00", Rule::Format),
        // A WebP (read since issue 18) cut in its first chunk header.
        (b"RIFF\0\0\0\0WEBPVP8 ", Rule::Readable),
        (b"\xFF\xD8\xFF\xE0\x00\x10JFIF", Rule::Readable),
        (truncated, Rule::Readable),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Rule::Readable),
    ];
    for (data, rule) in cases {
        let report = check(data);
        assert_eq!(report.verdict, Verdict::Reject, "{rule}: {report:#?}");
        let f = finding(&report, rule);
        assert_eq!(f.severity, Severity::Reject);
        assert_eq!(f.api_code, Some(ApiCode::UnqualifiedPhoto));
        assert!(!f.message.is_empty());
    }
}

#[test]
fn a_header_claiming_too_many_pixels_is_an_input_limit() {
    // A PNG header claiming 40000 × 40000, nothing after it.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&40_000u32.to_be_bytes());
    png.extend_from_slice(&40_000u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    let report = check(&png);
    assert_eq!(report.verdict, Verdict::Reject);
    assert_eq!(
        finding(&report, Rule::InputLimit).measure,
        Measure::Resolution
    );
}

#[test]
fn the_phone_sample_is_fixable_for_its_orientation_and_its_quality_is_read() {
    let report = check(SAMPLE);
    assert_eq!(report.verdict, Verdict::Fixable, "{report:#?}");
    let f = finding(&report, Rule::Orientation);
    assert_eq!(f.severity, Severity::WillFix);
    assert_eq!(f.measured, Value::Exif(6));
    assert_eq!(f.api_code, Some(ApiCode::NoFaceDetected));
    // testdata/README.md: saved by Pillow (IJG tables) at quality 85.
    assert_eq!(report.jpeg_quality, Some(85));
    let q = finding(&report, Rule::Quality);
    assert_eq!((q.severity, q.api_code), (Severity::Advice, None));
    // Stored 1024 × 768: too wide for 1080 across? No: 1024 ≤ 1080, 768 ≥ 640; shown
    // upright (768 × 1024) it is portrait, so the only size rule is the short side.
    assert!(!report.has(Rule::MaxResolution) && !report.has(Rule::Portrait));
    assert!(
        !report.has(Rule::Blur) && !report.has(Rule::Exposure),
        "{report:#?}"
    );
    assert!(
        report.to_string().starts_with("fixable: orientation"),
        "{report}"
    );
}

#[test]
fn what_prepare_makes_of_the_sample_passes() {
    let prepared = Preprocessor::default()
        .with_check(options())
        .prepare(SAMPLE)
        .unwrap();
    let report = check(prepared.jpeg());
    assert_eq!(report.verdict, Verdict::Pass, "{report:#?}");
    assert!(report
        .findings
        .iter()
        .all(|f| f.severity == Severity::Advice));
    assert_eq!(report.jpeg_quality, Some(prepared.report().quality));
    assert!(!report.has(Rule::Quality));
    let m = report.metrics.unwrap();
    assert!(m.sharpness >= options().min_sharpness, "{m:?}");
}

#[test]
fn a_corpus_photo_of_1800_by_1200_is_fixable() {
    let Some(dir) = common::shared("corpus/exif-orientation") else {
        return;
    };
    let data = std::fs::read(dir.join("Landscape_1.jpg")).unwrap();
    let report = check(&data);
    assert_eq!(report.verdict, Verdict::Fixable, "{report:#?}");
    let size = report.size.unwrap();
    assert_eq!((size.width, size.height), (1800, 1200));
    let f = finding(&report, Rule::MaxResolution);
    assert_eq!(f.measured, Value::Size(size));
    assert_eq!(f.api_code, Some(ApiCode::UnqualifiedPhoto));
    assert!(report.has(Rule::Portrait));
    // And `prepare` does make it pass.
    let prepared = Preprocessor::default()
        .with_check(options())
        .prepare(&data)
        .unwrap();
    assert_eq!(check(prepared.jpeg()).verdict, Verdict::Pass);
}

#[test]
fn too_small_is_rejected_unless_upscaling_and_a_panorama_always() {
    let small = common::jpeg(&common::noise_rgb(300, 400, 7));
    let report = check(&small);
    assert_eq!(report.verdict, Verdict::Reject);
    let f = finding(&report, Rule::MinResolution);
    assert_eq!(f.severity, Severity::Reject);
    assert_eq!(
        f.limit,
        Value::Size(ekyc_preflight::Size {
            width: 480,
            height: 640
        })
    );
    let up = Spec {
        upscale: true,
        ..Spec::default()
    };
    let report = check_with(&small, &up, &options());
    assert_eq!(
        finding(&report, Rule::MinResolution).severity,
        Severity::WillFix
    );
    assert_eq!(report.verdict, Verdict::Fixable, "{report:#?}");

    let panorama = common::jpeg(&common::noise_rgb(3000, 500, 3));
    let report = check(&panorama);
    assert_eq!(report.verdict, Verdict::Reject);
    assert_eq!(
        finding(&report, Rule::AspectRatio).severity,
        Severity::Reject
    );
}

#[test]
fn sizes_are_held_to_the_transport_limits() {
    // Noise compresses badly: a 720 × 960 PNG of it is about 2 MB.
    let big = common::png(common::noise_rgb(720, 960, 11));
    assert!(big.len() > 1_000_000);
    let report = check(&big);
    assert_eq!(report.verdict, Verdict::Fixable, "{report:#?}");
    let file = finding(&report, Rule::FileSize);
    assert_eq!(file.measured, Value::Bytes(big.len() as u64));
    assert_eq!(file.limit, Value::Bytes(600_000));
    let b64 = finding(&report, Rule::Base64Size);
    assert_eq!(
        b64.measured,
        Value::Bytes(common::base64_len(big.len()) as u64)
    );
    assert_eq!(b64.api_code, Some(ApiCode::ToolargeImage));
    // By URL only the 1 MB file limit applies.
    let url = CheckOptions {
        transport: Transport::Url,
        ..options()
    };
    let report = check_with(&big, &Spec::default(), &url);
    assert_eq!(
        finding(&report, Rule::FileSize).limit,
        Value::Bytes(1_000_000)
    );
    assert!(!report.has(Rule::Base64Size));
}

#[test]
fn the_form_encoded_field_counts_percent_encoding() {
    let data = Preprocessor::default()
        .with_check(options())
        .prepare(SAMPLE)
        .unwrap()
        .jpeg()
        .to_vec();
    let text = base64_simd::STANDARD.encode_to_string(&data);
    let form = "FacePictureBase64=".len()
        + text.len()
        + 2 * text
            .chars()
            .filter(|c| matches!(c, '+' | '/' | '='))
            .count();
    assert!(
        form > text.len() + 18,
        "a JPEG's Base64 has some '+' or '/'"
    );
    // A limit the Base64 text meets and its form encoding does not.
    let spec = Spec {
        max_base64_bytes: form - 1,
        max_bytes: data.len(),
        ..Spec::default()
    };
    let report = check_with(&data, &spec, &options());
    let f = finding(&report, Rule::Base64Size);
    assert_eq!(
        (f.measure, f.measured.clone()),
        (Measure::FormBytes, Value::Bytes(form as u64))
    );
    assert_eq!(report.verdict, Verdict::Fixable);
    let spec = Spec {
        max_base64_bytes: form,
        ..spec
    };
    assert!(!check_with(&data, &spec, &options()).has(Rule::Base64Size));
}

#[test]
fn low_jpeg_quality_is_advice_with_the_estimate() {
    let img = image::imageops::crop_imm(
        &image::load_from_memory(SAMPLE).unwrap().to_rgb8(),
        0,
        0,
        720,
        768,
    )
    .to_image();
    for q in [40, 75, 89] {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q)
            .encode_image(&img)
            .unwrap();
        let report = check(&out);
        assert_eq!(report.jpeg_quality, Some(q));
        let f = finding(&report, Rule::Quality);
        assert_eq!(
            (f.severity, f.measured.clone()),
            (Severity::Advice, Value::Quality(q))
        );
    }
}

#[test]
fn an_exif_orientation_on_a_compliant_picture_is_will_fix() {
    let prepared = Preprocessor::default()
        .with_check(options())
        .prepare(SAMPLE)
        .unwrap();
    for o in 2..=8u16 {
        let tagged = common::with_exif(prepared.jpeg(), &common::exif_tiff(o, false));
        let report = check(&tagged);
        assert_eq!(report.verdict, Verdict::Fixable, "orientation {o}");
        assert_eq!(
            finding(&report, Rule::Orientation).measured,
            Value::Exif(o as u8)
        );
    }
    let normal = common::with_exif(prepared.jpeg(), &common::exif_tiff(1, true));
    assert_eq!(check(&normal).verdict, Verdict::Pass);
}

#[test]
fn blurred_dark_and_flat_pictures_are_rejected_with_the_measure() {
    let upright = image::load_from_memory(SAMPLE)
        .unwrap()
        .rotate90()
        .to_rgb8();
    let blurred = common::jpeg(&image::imageops::blur(&upright, 4.0));
    let report = check(&blurred);
    assert_eq!(report.verdict, Verdict::Reject, "{report:#?}");
    assert_eq!(finding(&report, Rule::Blur).measure, Measure::Sharpness);

    let mut dark = upright.clone();
    for p in dark.pixels_mut() {
        p.0 = p.0.map(|v| v / 5);
    }
    let report = check(&common::jpeg(&dark));
    let f = finding(&report, Rule::Exposure);
    assert_eq!(
        (f.severity, f.measure),
        (Severity::Reject, Measure::MedianLuma)
    );
    assert!(f.message.starts_with("under-exposed"));

    let mut flat = upright;
    for p in flat.pixels_mut() {
        p.0 = p.0.map(|v| 120 + v / 10);
    }
    let report = check(&common::jpeg(&flat));
    assert_eq!(finding(&report, Rule::Contrast).severity, Severity::Reject);
    // Without the analysis none of these is looked at, and nothing is decoded.
    let header_only = CheckOptions {
        analyse: false,
        ..options()
    };
    let report = check_with(&blurred, &Spec::default(), &header_only);
    assert!(report.metrics.is_none() && !report.has(Rule::Blur));
}

#[test]
fn an_invalid_spec_is_a_reject_naming_it() {
    let bad = Spec {
        min_width: 5000,
        ..Spec::default()
    };
    let report = check_with(SAMPLE, &bad, &options());
    assert_eq!(report.verdict, Verdict::Reject);
    assert_eq!(finding(&report, Rule::Spec).measure, Measure::Options);
}

#[cfg(feature = "cli")]
#[test]
fn reports_serialize_with_stable_snake_case_names() {
    let report = check(SAMPLE);
    let json: serde_json::Value = serde_json::to_value(&report).unwrap();
    assert_eq!(json["verdict"], "fixable");
    assert_eq!(json["format"], "jpeg");
    assert_eq!(
        json["size"],
        serde_json::json!({"width": 1024, "height": 768})
    );
    assert_eq!(json["orientation"], "rotate90");
    assert_eq!(json["jpeg_quality"], 85);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "orientation")
        .unwrap();
    assert_eq!(f["severity"], "will_fix");
    assert_eq!(f["measure"], "exif_orientation");
    assert_eq!(f["measured"], serde_json::json!({"exif": 6}));
    assert_eq!(f["limit"], serde_json::json!({"exif": 1}));
    assert_eq!(f["api_code"], "NoFaceDetected");
    for key in ["document", "message"] {
        assert!(f[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    let m = &json["metrics"];
    for key in [
        "sharpness",
        "median_luma",
        "contrast",
        "dark_fraction",
        "bright_fraction",
    ] {
        assert!(m[key].is_number(), "metrics.{key}");
    }
    let back: ekyc_preflight::Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Damaged photos never make `check` panic, and a verdict always follows from the
    /// findings.
    #[test]
    fn damaged_photos_never_panic(at in 0usize..SAMPLE.len(), byte in any::<u8>(), cut in 0usize..SAMPLE.len()) {
        let mut data = SAMPLE.to_vec();
        data[at] = byte;
        for input in [&data[..], &data[..cut]] {
            let report = check(input);
            let worst = report.findings.iter().map(|f| f.severity).max();
            let expected = match worst {
                Some(Severity::Reject) => Verdict::Reject,
                Some(Severity::WillFix) => Verdict::Fixable,
                _ => Verdict::Pass,
            };
            prop_assert_eq!(report.verdict, expected);
        }
    }
}

#[test]
fn a_reused_checker_reports_what_a_fresh_one_does() {
    // Large and small, JPEG and PNG, flat and busy, and unreadable: the decoded copy and
    // the luminance kept between calls change size and kind from one to the next.
    let inputs = [
        common::jpeg(&common::photo_rgb(3000, 4000)),
        common::png(common::noise_rgb(800, 1000, 9)),
        b"not an image".to_vec(),
        common::jpeg(&common::noise_rgb(1000, 800, 4)),
        SAMPLE.to_vec(),
        common::jpeg(&common::photo_rgb(2400, 1800)),
    ];
    let options = options();
    let mut reused = Checker::new(Spec::default(), options);
    for data in &inputs {
        let want = Checker::new(Spec::default(), options).check(data);
        assert_eq!(reused.check(data), want);
    }
    // The batch, on two threads, in input order.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let batch = pool.install(|| reused.check_batch(&inputs));
    for (data, got) in inputs.iter().zip(&batch) {
        assert_eq!(got, &check_with(data, &Spec::default(), &options));
    }
}

/// A reader that counts the bytes it hands out, to show how far a bounded read went.
struct Counting<R> {
    inner: R,
    read: usize,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

/// `Checker::check_path` and `check_reader` judge a file and a stream as `check` judges
/// their bytes.
#[test]
fn check_path_and_reader_judge_as_check_of_the_bytes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/phone-orientation6.jpg"
    );
    let bytes = std::fs::read(path).unwrap();
    let mut checker = Checker::new(Spec::default(), options());
    let from_bytes = checker.check(&bytes);
    // The sample is a full-size JPEG with orientation 6: something to judge, not a refusal.
    assert!(from_bytes.has(Rule::Orientation), "{from_bytes:?}");
    assert_eq!(from_bytes.bytes, bytes.len());
    let from_path = checker.check_path(path).unwrap();
    assert_eq!(from_path, from_bytes);
    let mut reader = Counting {
        inner: &bytes[..],
        read: 0,
    };
    let from_reader = checker.check_reader(&mut reader).unwrap();
    assert_eq!(from_reader, from_bytes);
    assert_eq!(reader.read, bytes.len());
}

/// A stream longer than `max_input_bytes` is read to the limit and one byte, no further,
/// and rejected under `input_limit`; a file over it is rejected from its length.
#[test]
fn check_reader_and_path_stop_at_the_input_limit() {
    let limit = 4096;
    let spec = Spec {
        limits: ekyc_preflight::Limits {
            max_input_bytes: limit,
            ..ekyc_preflight::Limits::default()
        },
        ..Spec::default()
    };
    let mut checker = Checker::new(spec, options());
    let mut endless = Counting {
        inner: std::io::repeat(0xFF),
        read: 0,
    };
    let report = checker.check_reader(&mut endless).unwrap();
    assert_eq!(endless.read, limit + 1);
    assert_eq!(report.verdict, Verdict::Reject);
    assert_eq!(report.bytes, limit + 1);
    let f = finding(&report, Rule::InputLimit);
    assert_eq!(f.severity, Severity::Reject);
    assert_eq!(f.api_code, Some(ApiCode::ToolargeImage));
    assert_eq!(f.measured, Value::Bytes(limit as u64 + 1));
    assert_eq!(f.limit, Value::Bytes(limit as u64));

    // Exactly at the limit is read and judged on its content (not an image).
    let at_limit = checker.check_reader(&vec![0u8; limit][..]).unwrap();
    assert!(!at_limit.has(Rule::InputLimit), "{at_limit:?}");
    assert!(at_limit.has(Rule::Format), "{at_limit:?}");

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/phone-orientation6.jpg"
    );
    let length = std::fs::metadata(path).unwrap().len();
    assert!(length > limit as u64);
    let report = checker.check_path(path).unwrap();
    assert_eq!(report.bytes as u64, length);
    assert_eq!(
        finding(&report, Rule::InputLimit).measured,
        Value::Bytes(length)
    );
    assert_eq!(report.verdict, Verdict::Reject);

    // A device that never ends is read as a stream, bounded the same way.
    let zero = std::path::Path::new("/dev/zero");
    if zero.exists() {
        let report = checker.check_path(zero).unwrap();
        assert_eq!(report.bytes, limit + 1);
        assert!(report.has(Rule::InputLimit));
    } else {
        eprintln!("skipping the /dev/zero case: no /dev/zero here");
    }
}

/// A path that cannot be read is an I/O error, not a report; so is a failing reader.
#[test]
fn check_path_and_reader_report_io_errors() {
    let mut checker = Checker::default();
    let err = checker
        .check_path(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/no-such.jpg"))
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("connection reset"))
        }
    }
    let err = checker.check_reader(Failing).unwrap_err();
    assert_eq!(err.to_string(), "connection reset");
}
