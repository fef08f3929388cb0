//! AVIF whose colour is stated by an `nclx` box (feature `avif`): files coded at test
//! time by `avifenc --cicp P/T/M` with full or limited range, brought to sRGB by
//! `prepare`. The judge is independent of libheif and of `moxcms`: libavif's `avifdec`
//! turns the YCbCr into RGB (matrix and range), and numpy takes that RGB from the stated
//! primaries and transfer to sRGB with the published formulas (H.273's curves, the RGB to
//! XYZ matrices from the primaries' and D65's chromaticities). Ours must be within 35 dB
//! of it, and the same picture left in its primaries must not be. The HDR transfers (PQ,
//! HLG) are refused with a typed error.
//!
//! Needs `avifenc`/`avifdec` (`apt-get install libavif-bin`) and Python's Pillow and
//! numpy: without them the tests say so and pass, unless `EKYC_REQUIRE_TOOLS` is set.

use crate::common;
use crate::shared;

use common::*;
use ekyc_preflight::{check_with, CheckOptions, Error, Format, Rule, Spec, Verdict};
use shared::*;

const INSTALL: &str = "apt-get install libavif-bin; pip install pillow numpy";

fn tools() -> bool {
    present(&["avifenc", "avifdec"], INSTALL)
        && tools::pillow("import numpy", "numpy (pip install numpy)")
}

/// `avifdec`'s 8-bit RGB of `file` (matrix and range applied, primaries and transfer
/// not), then, unless `primaries` is 0, numpy's conversion of it from those primaries
/// and that transfer to sRGB, as PPM.
const TO_SRGB: &str = r#"
import sys
import numpy as np
from PIL import Image
rgb = np.asarray(Image.open(sys.argv[1]).convert("RGB"), dtype=np.float64) / 255.0
primaries, transfer = int(sys.argv[2]), int(sys.argv[3])
if primaries:
    def bt709_inverse(v):  # H.273 transfer 1, 6, 14, 15: the BT.709 OETF, inverted
        return np.where(v < 4.5 * 0.018053968510807, v / 4.5,
                        ((v + 0.09929682680944) / 1.09929682680944) ** (1 / 0.45))
    def srgb_inverse(v):   # transfer 13
        return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    lin = bt709_inverse(rgb) if transfer in (1, 6, 14, 15) else srgb_inverse(rgb)
    xy = {1: [(0.640, 0.330), (0.300, 0.600), (0.150, 0.060)],
          9: [(0.708, 0.292), (0.170, 0.797), (0.131, 0.046)],
          12: [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)]}
    def to_xyz(p, white=(0.3127, 0.3290)):
        m = np.array([[x / y for x, y in p], [1.0] * 3, [(1 - x - y) / y for x, y in p]])
        w = np.array([white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]])
        return m * np.linalg.solve(m, w)
    m = np.linalg.inv(to_xyz(xy[1])) @ to_xyz(xy[primaries])
    lin = np.clip(lin @ m.T, 0.0, 1.0)
    rgb = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
out = np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)
h, w, _ = out.shape
sys.stdout.buffer.write(b"P6\n%d %d\n255\n" % (w, h) + out.tobytes())
"#;

fn judge(file: &[u8], primaries: u16, transfer: u16) -> Decoded {
    let ppm = with_avifdec_png(file, |png| {
        tools::python(
            TO_SRGB,
            [
                png.to_str().unwrap().to_string(),
                primaries.to_string(),
                transfer.to_string(),
            ],
        )
    });
    read_pnm(&ppm)
}

/// Saturated colours (where the primaries matter most) that change smoothly, so that
/// the output JPEG's 4:2:0 chroma costs little: hue along x, brightness along y, at the
/// size `prepare` keeps under the quarter spec.
fn picture() -> Vec<u8> {
    let img = image::RgbImage::from_fn(180, 240, |x, y| {
        let hue = f64::from(x) / 180.0 * std::f64::consts::TAU;
        let value = 0.35 + 0.65 * f64::from(y) / 239.0;
        let channel = |shift: f64| {
            let c = 0.5 + 0.5 * (hue - shift * std::f64::consts::TAU / 3.0).cos();
            (255.0 * value * c).round() as u8
        };
        image::Rgb([channel(0.0), channel(1.0), channel(2.0)])
    });
    png(img)
}

#[test]
fn wide_gamut_nclx_is_brought_to_srgb() {
    if !tools() {
        return;
    }
    let spec = quarter_spec();
    let photo = picture();
    for (name, primaries, transfer, matrix, extra) in [
        (
            "Display P3, sRGB curve, BT.601, full",
            12,
            13,
            6,
            &["-r", "full"][..],
        ),
        (
            "Display P3, sRGB curve, BT.709, limited",
            12,
            13,
            1,
            &["-r", "limited"][..],
        ),
        (
            "BT.2020, BT.2020 curve, BT.2020 matrix, limited, 10-bit",
            9,
            14,
            9,
            &["-r", "limited", "-d", "10"][..],
        ),
        (
            "BT.709 primaries, BT.709 curve, full",
            1,
            1,
            6,
            &["-r", "full"][..],
        ),
    ] {
        let cicp = format!("{primaries}/{transfer}/{matrix}");
        let mut args = vec!["--cicp", &cicp, "-y", "444", "--min", "0", "--max", "4"];
        args.extend_from_slice(extra);
        let file = avifenc(&photo, &args);
        let ours = prepare_converted(name, &file, &spec, Format::Avif);
        let want = judge(&file, primaries, transfer);
        assert_eq!(
            (ours.width, ours.height),
            (want.width, want.height),
            "{name}"
        );
        let db = psnr(&ours.rgb, &want.rgb);
        let untouched = psnr(&ours.rgb, &judge(&file, 0, 0).rgb);
        eprintln!("{name}: {db:.1} dB against the conversion, {untouched:.1} dB unconverted");
        assert!(db >= SAME_PICTURE_DB, "{name}: {db:.1} dB");
        assert!(
            untouched < db - 3.0,
            "{name}: unconverted {untouched:.1} dB"
        );
    }
}

#[test]
fn srgb_nclx_is_left_alone() {
    if !tools() {
        return;
    }
    let spec = quarter_spec();
    let file = avifenc(
        &picture(),
        &["--cicp", "1/13/6", "-y", "444", "--min", "0", "--max", "4"],
    );
    let ours = prepare_converted("sRGB nclx", &file, &spec, Format::Avif);
    let db = psnr(&ours.rgb, &judge(&file, 0, 0).rgb);
    assert!(db >= SAME_PICTURE_DB, "{db:.1} dB");
}

#[test]
fn hdr_transfers_are_refused_with_a_typed_error() {
    if !tools() {
        return;
    }
    let spec: Spec = quarter_spec();
    for (name, cicp) in [("PQ", "9/16/9"), ("HLG", "9/18/9")] {
        let file = avifenc(
            &picture(),
            &["--cicp", cicp, "-d", "10", "--min", "0", "--max", "10"],
        );
        let e = ekyc_preflight::Preprocessor::new(spec)
            .prepare(&file)
            .expect_err(name);
        assert!(
            matches!(e, Error::UnsupportedFormat { .. }),
            "{name}: {e:?}"
        );
        assert!(e.to_string().contains("HDR"), "{name}: {e}");
        assert_eq!(e.rule(), Rule::Format, "{name}");
        let report = check_with(&file, &spec, &CheckOptions::default());
        assert_eq!(report.verdict, Verdict::Reject, "{name}: {report:?}");
    }
}
