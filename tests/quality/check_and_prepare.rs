//! `Preprocessor::check_and_prepare` (one decode) against `check` then `prepare` (two):
//! the same output bytes, the same verdict and rules for the input, on real photos,
//! generated pictures and refused inputs.

use crate::common;

use ekyc_preflight::{CheckOptions, Checker, Preprocessor, Report, Spec};

/// The photos compared: the repository's, the team corpus's when present, and generated
/// ones (a landscape PNG, a blurred JPEG, a small one `check` rejects, and non-images).
fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    for name in [
        "phone-orientation6.jpg",
        "seeding-12mp-orientation6.jpg",
        "faces/astronaut.jpg",
        "faces/grace_hopper.jpg",
    ] {
        // The 12 MP photo is left out of the package.
        if let Ok(data) = std::fs::read(dir.join(name)) {
            out.push((name.to_string(), data));
        }
    }
    if let Some(corpus) = common::shared("corpus/exif-orientation") {
        for name in ["Landscape_0.jpg", "Portrait_3.jpg", "Landscape_6.jpg"] {
            out.push((name.into(), std::fs::read(corpus.join(name)).unwrap()));
        }
    }
    out.push((
        "gradient.png".into(),
        common::png(common::photo_rgb(1000, 750)),
    ));
    let blurred = image::imageops::blur(&common::noise_rgb(900, 1200, 7), 6.0);
    out.push(("blurred.jpg".into(), common::jpeg(&blurred)));
    out.push((
        "small.jpg".into(),
        common::jpeg(&common::photo_rgb(300, 400)),
    ));
    out.push(("text".into(), b"not an image".to_vec()));
    out.push(("cut.jpg".into(), {
        let mut cut = common::jpeg(&common::noise_rgb(800, 1000, 3));
        cut.truncate(cut.len() / 3);
        cut
    }));
    out
}

/// The rules a report names, with their severities, in order.
fn rules(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| format!("{:?} {:?}", f.rule, f.severity))
        .collect()
}

fn compare(spec: Spec, options: CheckOptions) {
    let mut pre = Preprocessor::new(spec).with_check(options);
    let mut checker = Checker::new(spec, options);
    let mut decided = 0;
    for (name, data) in inputs() {
        let both = pre.check_and_prepare(&data);
        // The two separate calls, with fresh state.
        let input = checker.check(&data);
        let output = Preprocessor::new(spec).with_check(options).prepare(&data);
        assert_eq!(both.input.verdict, input.verdict, "{name}: verdict");
        assert_eq!(rules(&both.input), rules(&input), "{name}: findings");
        assert_eq!(both.input.size, input.size, "{name}: size");
        assert_eq!(both.input.faces.len(), input.faces.len(), "{name}: faces");
        match (&both.output, &output) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.jpeg(), b.jpeg(), "{name}: output bytes");
                assert_eq!(a.report(), b.report(), "{name}: prepare report");
                // The bytes are a JPEG an independent decoder reads at the reported size.
                let decoded = common::decode_jpeg(a.jpeg());
                assert_eq!((decoded.width, decoded.height), (a.width(), a.height()));
                decided += 1;
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}: error"),
            (a, b) => panic!(
                "{name}: combined {:?} but separate {:?}",
                a.is_ok(),
                b.is_ok()
            ),
        }
    }
    assert!(decided >= 3, "only {decided} inputs were prepared");
}

#[test]
fn combined_call_matches_check_then_prepare() {
    compare(Spec::default(), CheckOptions::default());
}

#[test]
fn combined_call_matches_with_upscale_and_without_analysis() {
    let upscale = Spec {
        upscale: true,
        ..Spec::default()
    };
    compare(upscale, CheckOptions::default());
    let header_only = CheckOptions {
        analyse: false,
        ..CheckOptions::default()
    };
    compare(Spec::default(), header_only);
}
