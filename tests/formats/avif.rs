//! AVIF in, JPEG out (feature `avif`): files coded at test time by libavif's `avifenc`
//! (8 and 10 bits, alpha) and by libheif's `heif-enc -A` put in a container with
//! `irot`/`imir` and a grid (tests/fixtures/heif_mux.py). The judge is libavif's
//! `avifdec` (dav1d; it leaves the transforms to the caller, so the test applies them
//! as ISO/IEC 23008-12 says), a decoder independent of libheif, at 35 dB or more. Then
//! truncations: typed errors.
//!
//! Needs `avifenc`/`avifdec` (`apt-get install libavif-bin`), `heif-enc`
//! (`libheif-examples`) and Python's Pillow: without them the tests say so and pass,
//! unless `EKYC_REQUIRE_TOOLS` is set.

use crate::common;
use crate::shared;

use common::*;
use ekyc_preflight::{check_with, CheckOptions, Format, Preprocessor, Rule, Spec, Verdict};
use shared::*;

const INSTALL: &str = "apt-get install libavif-bin libheif-examples; pip install pillow";

fn tools() -> bool {
    present(&["avifenc", "avifdec", "heif-enc"], INSTALL)
}

fn spec() -> Spec {
    quarter_spec()
}

fn prepare(name: &str, file: &[u8]) -> Decoded {
    prepare_converted(name, file, &spec(), Format::Avif)
}

/// `avifdec`'s 8-bit decode of `file`, as stored (no transforms), alpha on white.
fn avifdec(file: &[u8]) -> Decoded {
    with_avifdec_png(file, |png| read_png_with_pillow(png, None))
}

#[test]
fn eight_and_ten_bit_files_match_avifdec() {
    if !tools() {
        return;
    }
    let photo = png(photo_rgb(180, 240));
    for (name, args) in [
        (
            "8-bit 4:2:0",
            &["-d", "8", "-y", "420", "--min", "10", "--max", "20"][..],
        ),
        (
            "10-bit 4:4:4",
            &["-d", "10", "-y", "444", "--min", "10", "--max", "20"][..],
        ),
        ("lossless", &["-l"][..]),
    ] {
        let file = avifenc(&photo, args);
        let ours = prepare(name, &file);
        assert_close(name, &ours, &avifdec(&file));
    }
}

#[test]
fn alpha_is_composited_on_white() {
    if !tools() {
        return;
    }
    let rgb = photo_rgb(180, 240);
    let rgba = image::RgbaImage::from_fn(180, 240, |x, y| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        image::Rgba([r, g, b, 255 - (200 * (x + y) / (180 + 240)) as u8])
    });
    let file = avifenc(&png(rgba), &["--min", "10", "--max", "20"]);
    let ours = prepare("alpha", &file);
    assert_close("alpha", &ours, &avifdec(&file));
    let [r, g, b] = pixel(&ours, ours.width - 2, ours.height - 2);
    assert!(
        r.min(g).min(b) > 180,
        "corner {r},{g},{b} is not near white"
    );
}

#[test]
fn the_eight_orientations_of_irot_and_imir_in_a_grid() {
    if !tools() {
        return;
    }
    for irot in 0..4 {
        for imir in [-1, 0] {
            let photo = if irot % 2 == 1 {
                photo_rgb(240, 180)
            } else {
                photo_rgb(180, 240)
            };
            let name = format!("irot {irot}, imir {imir}");
            let tile = if irot == 3 { 64 } else { 0 };
            let file = mux(&png(photo.clone()), tile, true, irot, imir, &[]);
            let ours = prepare(&name, &file);
            assert_close(&name, &ours, &transform(&avifdec(&file), irot, imir));
        }
    }
}

#[test]
fn every_truncation_is_refused_with_a_typed_error() {
    if !tools() {
        return;
    }
    let file = avifenc(&png(photo_rgb(180, 240)), &["--min", "10", "--max", "20"]);
    for cut in (0..file.len().min(800)).chain((800..file.len()).step_by(61)) {
        let e = Preprocessor::new(spec())
            .prepare(&file[..cut])
            .err()
            .unwrap_or_else(|| panic!("cut at {cut} was read"));
        assert!(
            matches!(e.rule(), Rule::Readable | Rule::Format),
            "cut at {cut}: {e}"
        );
        let report = check_with(&file[..cut], &spec(), &CheckOptions::default());
        assert_eq!(report.verdict, Verdict::Reject, "cut at {cut}");
    }
}
