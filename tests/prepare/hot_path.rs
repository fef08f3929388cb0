//! The tuned hot path gives the same pictures as the plain one: shrink-on-load against a
//! full decode, batch against one at a time, a reused `Preprocessor` against a fresh one.

use crate::common;

use common::*;
use ekyc_preflight::{Preprocessor, Spec};

#[test]
fn shrink_on_load_matches_a_full_decode() {
    // The same 4000 × 3000 picture as JPEG (shrunk on load) and as PNG (decoded in full).
    let img = photo_rgb(4000, 3000);
    let mut pre = Preprocessor::default();
    let from_jpeg = pre.prepare(&jpeg(&img)).unwrap();
    let from_png = pre.prepare(&png(img)).unwrap();
    let r = from_jpeg.report();
    // 3/8 of the size, 1500 × 1125: at least 1.5 times the 960 × 720 target.
    assert!(
        r.decoded_size.width < 4000 && 2 * r.decoded_size.width >= 3 * 960,
        "shrunk on load, keeping 1.5 times the target: {:?}",
        r.decoded_size
    );
    assert_eq!(from_png.report().decoded_size.width, 4000);
    let a = assert_compliant(from_jpeg.jpeg(), &Spec::default());
    let b = assert_compliant(from_png.jpeg(), &Spec::default());
    let diff = mean_abs_diff(&a, &b);
    assert!(diff < 1.5, "shrink-on-load differs by {diff:.2} per sample");
}

#[test]
fn grey_jpeg_is_shrunk_on_load_too() {
    let grey = image::GrayImage::from_fn(4000, 3000, |x, y| image::Luma([((x ^ y) & 0xFF) as u8]));
    let data = jpeg(&image::DynamicImage::ImageLuma8(grey).to_rgb8());
    let p = Preprocessor::default().prepare(&data).unwrap();
    assert!(p.report().decoded_size.width < 4000);
    assert_compliant(p.jpeg(), &Spec::default());
}

#[test]
fn batch_equals_one_at_a_time_in_input_order() {
    let inputs = vec![
        jpeg(&photo_rgb(3000, 4000)),
        b"text".to_vec(),
        png(photo_rgb(900, 700)),
        png(noise_rgb(800, 1000, 5)),
        png(photo_rgb(10, 10)),
    ];
    let pre = Preprocessor::default().with_base64(true);
    let batch = pre.prepare_batch(&inputs);
    assert_eq!(batch.len(), inputs.len());
    for (data, got) in inputs.iter().zip(&batch) {
        let want = pre.clone().prepare(data);
        match (got, &want) {
            (Ok(g), Ok(w)) => assert_eq!(g.jpeg(), w.jpeg()),
            (Err(g), Err(w)) => assert_eq!(g, w),
            _ => panic!("batch {got:?} vs single {want:?}"),
        }
    }
}

#[test]
fn a_reused_preprocessor_gives_the_same_bytes_as_a_fresh_one() {
    let a = png(photo_rgb(1500, 2000));
    let b = jpeg(&photo_rgb(2000, 1500));
    let mut reused = Preprocessor::default();
    reused.prepare(&b).unwrap();
    let mut out = Vec::with_capacity(1);
    reused.prepare_into(&a, &mut out).unwrap();
    assert_eq!(out, Preprocessor::default().prepare(&a).unwrap().jpeg());
}

#[test]
fn a_reused_preprocessor_reports_what_a_fresh_one_does() {
    // Large and small, JPEG and PNG, flat and busy: every buffer kept between calls
    // (decoded planes, the resizer's, the check's luminance copy) changes size.
    let inputs = [
        jpeg(&photo_rgb(3000, 4000)),
        png(noise_rgb(800, 1000, 9)),
        jpeg(&photo_rgb(1000, 800)),
        png(photo_rgb(900, 1200)),
        jpeg(&noise_rgb(2400, 1800, 3)),
    ];
    let mut reused = Preprocessor::default();
    for data in &inputs {
        let got = reused.prepare(data).unwrap();
        let want = Preprocessor::default().prepare(data).unwrap();
        assert_eq!(got.jpeg(), want.jpeg());
        assert_eq!(got.report(), want.report());
    }
}
