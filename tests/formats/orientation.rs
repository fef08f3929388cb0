//! EXIF orientation on real photos: every `Landscape_N` / `Portrait_N` of the corpus shows
//! the same upright picture once its tag is applied, so after `prepare` each must match
//! `Landscape_1`'s / `Portrait_1`'s output, decoded by an independent decoder.

use crate::common;

use common::{assert_compliant, decode_jpeg, mean_abs_diff, shared, Decoded};
use ekyc_preflight::{Orientation, Preprocessor, Spec};

/// Mean absolute difference per sample allowed between two outputs of the same picture:
/// JPEG noise of the corpus's own encodings plus ours is about 1 level; a wrong turn or
/// mirror is over 30 (checked below, so the bound is known to discriminate).
const SAME_PICTURE: f64 = 4.0;

fn prepare(path: &std::path::Path) -> (Decoded, ekyc_preflight::PrepareReport) {
    let data = std::fs::read(path).unwrap();
    let prepared = Preprocessor::default().prepare(&data).unwrap();
    let decoded = assert_compliant(prepared.jpeg(), &Spec::default());
    (decoded, prepared.report().clone())
}

fn mirrored(d: &Decoded) -> Decoded {
    let w = d.width as usize;
    let mut rgb = d.rgb.clone();
    for row in rgb.chunks_exact_mut(3 * w) {
        let copy = row.to_vec();
        for x in 0..w {
            row[3 * x..3 * x + 3].copy_from_slice(&copy[3 * (w - 1 - x)..3 * (w - 1 - x) + 3]);
        }
    }
    Decoded { rgb, ..*d }
}

#[test]
fn every_orientation_matches_the_upright_reference() {
    let Some(dir) = shared("corpus/exif-orientation") else {
        return;
    };
    for kind in ["Landscape", "Portrait"] {
        let (reference, _) = prepare(&dir.join(format!("{kind}_1.jpg")));
        // The bound must be able to fail: a mirrored reference is far from it.
        let wrong = mean_abs_diff(&reference, &mirrored(&reference));
        assert!(
            wrong > 4.0 * SAME_PICTURE,
            "{kind}: mirror differs by only {wrong:.2}"
        );
        for n in 0..=8u8 {
            let (out, report) = prepare(&dir.join(format!("{kind}_{n}.jpg")));
            let want = Orientation::from_exif(n).unwrap_or(Orientation::Normal);
            assert_eq!(report.orientation, want, "{kind}_{n}: orientation read");
            let diff = mean_abs_diff(&reference, &out);
            assert!(
                diff < SAME_PICTURE,
                "{kind}_{n}: differs by {diff:.2} from {kind}_1"
            );
            eprintln!("{kind}_{n}: mean abs diff {diff:.2}");
        }
    }
}

#[test]
fn landscape_is_turned_and_portrait_is_not() {
    let Some(dir) = shared("corpus/exif-orientation") else {
        return;
    };
    let (l, lr) = prepare(&dir.join("Landscape_1.jpg"));
    let (p, pr) = prepare(&dir.join("Portrait_1.jpg"));
    assert!(lr.turned.is_some() && pr.turned.is_none());
    assert_eq!((l.width, l.height), (720, 1080));
    assert_eq!((p.width, p.height), (720, 1080));
    // Decoding our output is not how the reference is checked: it is decoded
    // independently here too.
    let again = decode_jpeg(&std::fs::read(dir.join("Portrait_1.jpg")).unwrap());
    assert_eq!((again.width, again.height), (1200, 1800));
}
