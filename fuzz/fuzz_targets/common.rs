//! Cheap checks on an output's bytes, shared by the targets (the full check, with an
//! independent decoder, is `tests/common/mod.rs::assert_compliant`).

use ekyc_preflight::{Prepared, Spec};

/// Panics unless `prepared` meets `spec` as far as its bytes and report say.
pub fn assert_output_complies(prepared: &Prepared, spec: &Spec) {
    let jpeg = prepared.jpeg();
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    assert!(jpeg.ends_with(&[0xFF, 0xD9]), "no EOI");
    assert!(jpeg.len() <= spec.max_bytes, "{} bytes", jpeg.len());
    assert!(jpeg.len().div_ceil(3) * 4 <= spec.max_base64_bytes);
    let (w, h) = (prepared.width(), prepared.height());
    assert!((spec.min_width..=spec.max_width).contains(&w), "width {w}");
    assert!((spec.min_height..=spec.max_height).contains(&h), "height {h}");
    assert!(h > w, "{w}x{h} is not portrait");
    // No metadata: walk the header segments up to the scan.
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1];
        assert!(!(0xE1..=0xEF).contains(&marker), "APP{} in output", marker - 0xE0);
        if marker == 0xDA {
            break;
        }
        if marker == 0xC0 || marker == 0xC2 {
            let sh = u32::from(u16::from_be_bytes([jpeg[pos + 5], jpeg[pos + 6]]));
            let sw = u32::from(u16::from_be_bytes([jpeg[pos + 7], jpeg[pos + 8]]));
            assert_eq!((sw, sh), (w, h), "frame header disagrees with the report");
        }
        pos += 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
    }
}

/// The spec the image targets run under: the document's rules scaled down eightfold
/// (60 × 80 up to 135 × 240, 9 KB), so that an execution costs a small decode and a tiny
/// encode, and inputs the fuzzer finds (tens of kilobytes) still reach every
/// shrink-on-load scale. Upscaling is on, so that small pictures reach the decoders
/// instead of being refused from their header.
pub fn fuzz_spec() -> Spec {
    let d = Spec::default();
    Spec {
        min_height: d.min_height / 8,
        min_width: d.min_width / 8,
        max_height: d.max_height / 8,
        max_width: d.max_width / 8,
        target_short_side: d.target_short_side / 8,
        max_bytes: d.max_bytes / 64,
        max_base64_bytes: d.max_base64_bytes / 64,
        upscale: true,
        ..d
    }
}

/// The preprocessor the image targets run: [`fuzz_spec`], and the check of each output
/// reads its header only (the pixel analysis has a target of its own, `check`).
pub fn preprocessor() -> ekyc_preflight::Preprocessor {
    ekyc_preflight::Preprocessor::new(fuzz_spec()).with_check(ekyc_preflight::CheckOptions {
        analyse: false,
        ..ekyc_preflight::CheckOptions::default()
    })
}
