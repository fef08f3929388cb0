//! What a web service built on the library needs of an error: an internal error never
//! reads as the caller's bad parameter, each error maps to an HTTP status by whose fault
//! it is, errors serialise, and a `Spec` deserialises from only the fields changed.

use crate::common;

use ekyc_preflight::{ApiCode, Error, Preprocessor, Rule, Spec};

#[test]
fn an_internal_error_is_ours_not_a_bad_parameter() {
    let e = Error::Internal {
        reason: "encoder failed".into(),
    };
    assert_eq!(e.rule(), Rule::Internal);
    assert_eq!(e.api_code(), ApiCode::InternalError);
    assert_eq!(e.http_status(), 500);
    assert_ne!(e.api_code(), ApiCode::InvalidParameter);
}

#[test]
fn refusals_of_real_inputs_map_to_client_statuses() {
    let mut pre = Preprocessor::default();
    let gif = pre.prepare(b"GIF89a\x01\x00\x01\x00").unwrap_err();
    assert_eq!((gif.rule(), gif.http_status()), (Rule::Format, 415));
    // A readable picture too small to reach the minimum without --upscale.
    let small = pre
        .prepare(&common::png(common::photo_rgb(200, 300)))
        .unwrap_err();
    assert_eq!(
        (small.rule(), small.http_status()),
        (Rule::MinResolution, 422)
    );
    let tight = Spec {
        limits: ekyc_preflight::Limits {
            max_input_bytes: 100,
            ..Default::default()
        },
        ..Spec::default()
    };
    let big = Preprocessor::new(tight)
        .prepare(&common::png(common::photo_rgb(600, 800)))
        .unwrap_err();
    assert_eq!((big.rule(), big.http_status()), (Rule::InputLimit, 413));
    // A bad configuration is the service's fault, not the caller's.
    let bad = Preprocessor::new(Spec {
        min_quality: 95,
        ..Spec::default()
    })
    .prepare(&common::png(common::photo_rgb(600, 800)))
    .unwrap_err();
    assert_eq!((bad.rule(), bad.http_status()), (Rule::Spec, 500));
    // Serialised as the service would answer it.
    let v = serde_json::to_value(&small).unwrap();
    assert_eq!(v["rule"], "min_resolution");
    assert_eq!(v["api_code"], "UnqualifiedPhoto");
    assert_eq!(v["http_status"], 422);
    assert_eq!(v["message"], small.to_string());
}

#[test]
fn a_spec_needs_only_the_fields_it_changes() {
    let spec: Spec = serde_json::from_str(r#"{"upscale": true}"#).unwrap();
    assert_eq!(
        spec,
        Spec {
            upscale: true,
            ..Spec::default()
        }
    );
    // What a spec serialises to reads back the same, subsampling included.
    let text = serde_json::to_string(&Spec::default()).unwrap();
    assert!(text.contains(r#""subsampling":"s420""#), "{text}");
    assert_eq!(
        serde_json::from_str::<Spec>(&text).unwrap(),
        Spec::default()
    );
    // The old spelling still reads.
    let old = text.replace(r#""s420""#, r#""S420""#);
    assert_eq!(serde_json::from_str::<Spec>(&old).unwrap(), Spec::default());
}
