//! The default output's size (issue 17, item 7): a photo whose plain encoding is above
//! the document's advised 50–100 KB is encoded again with trellis quantisation (on by
//! default), at the same quality and tables, baseline, and comes out within the advice;
//! the output is judged by independent decoders: `jpeg-decoder` against the plain
//! encoding, Pillow (libjpeg-turbo) for its quality and coding process.

use crate::common;

use common::tools;
use ekyc_preflight::{check, Preprocessor, Rule, Spec};

/// The README's sample (its first command's input), and the 12 MP photo where present
/// (it is left out of the package).
fn samples() -> Vec<(&'static str, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    ["phone-orientation6.jpg", "seeding-12mp-orientation6.jpg"]
        .into_iter()
        .filter_map(|name| std::fs::read(dir.join(name)).ok().map(|data| (name, data)))
        .collect()
}

/// The quantisation tables of a JPEG, from its DQT segments (one table or several per
/// segment, as each encoder writes them): (destination, precision, 64 values in zigzag
/// order), sorted by destination.
fn tables(jpeg: &[u8]) -> Vec<(u8, u8, Vec<u16>)> {
    let mut out = Vec::new();
    for (_, body) in common::segments(jpeg)
        .into_iter()
        .filter(|(m, _)| *m == 0xDB)
    {
        let mut rest = &body[..];
        while let Some((&pq_tq, tail)) = rest.split_first() {
            let (precision, id) = (pq_tq >> 4, pq_tq & 0x0F);
            let size = if precision == 0 { 64 } else { 128 };
            let values = tail[..size]
                .chunks(size / 64)
                .map(|c| c.iter().fold(0u16, |v, &b| (v << 8) | u16::from(b)))
                .collect();
            out.push((id, precision, values));
            rest = &tail[size..];
        }
    }
    out.sort();
    out
}

/// The frame markers (SOFn) of a JPEG.
fn frames(jpeg: &[u8]) -> Vec<u8> {
    common::segments(jpeg)
        .into_iter()
        .map(|(marker, _)| marker)
        .filter(|m| (0xC0..=0xCF).contains(m) && ![0xC4, 0xC8, 0xCC].contains(m))
        .collect()
}

/// The IJG quality whose scaled Annex K tables (libjpeg's `jpeg_quality_scaling`) come
/// nearest to the file's, as Pillow reads them (summed, as ImageMagick's estimate does, so
/// the tables' order does not matter); "exact" when the tables are those tables; and
/// whether Pillow reads the file as progressive.
const QUALITY_ESTIMATE: &str = r#"
import sys
from PIL import Image
K = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
     14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
     18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
     49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
C = [17, 18, 24, 47] + [99] * 4 + [18, 21, 26, 66] + [99] * 4 + [24, 26, 56] + [99] * 5 \
    + [47, 66] + [99] * 6 + [99] * 32
def scaled(table, q):
    s = 5000 // q if q < 50 else 200 - 2 * q
    return [min(255, max(1, (v * s + 50) // 100)) for v in table]
im = Image.open(sys.argv[1])
luma, chroma = im.quantization[0], im.quantization[1]
q = min(range(1, 101), key=lambda q: abs(sum(scaled(K, q)) - sum(luma))
        + abs(sum(scaled(C, q)) - sum(chroma)))
exact = sorted(luma) == sorted(scaled(K, q)) and sorted(chroma) == sorted(scaled(C, q))
print(q, int(exact), int(bool(im.info.get("progressive"))))
"#;

/// (estimated quality, exact tables, progressive) of a JPEG as Pillow reads it.
fn pillow_quality(jpeg: &[u8]) -> (u8, bool, bool) {
    let path = tools::temp_file("output-size", jpeg, "jpg");
    let out = String::from_utf8(tools::python(QUALITY_ESTIMATE, [&path])).unwrap();
    let _ = std::fs::remove_file(&path);
    let v: Vec<u8> = out.split_whitespace().map(|v| v.parse().unwrap()).collect();
    (v[0], v[1] == 1, v[2] == 1)
}

#[test]
fn readme_sample_comes_out_within_the_advised_size() {
    let spec = Spec::default();
    let plain_spec = Spec {
        trellis: false,
        ..Spec::default()
    };
    let pillow = tools::pillow("import PIL.Image", "Pillow");
    let samples = samples();
    assert!(
        !samples.is_empty(),
        "testdata/phone-orientation6.jpg is missing"
    );
    for (name, data) in samples {
        let out = Preprocessor::new(spec).prepare(&data).unwrap();
        let plain = Preprocessor::new(plain_spec).prepare(&data).unwrap();
        // The plain encoding draws the advice; the default output does not.
        assert!(
            plain.jpeg().len() > spec.recommended_max_bytes,
            "{name}: plain {}",
            plain.jpeg().len()
        );
        assert!(!plain.report().trellis);
        let bytes = out.jpeg().len();
        assert!(
            (spec.recommended_min_bytes..=spec.recommended_max_bytes).contains(&bytes),
            "{name}: {bytes} bytes"
        );
        assert!(out.report().trellis, "{name}");
        assert_eq!(out.report().encodes, 2, "{name}");
        let judged = check(out.jpeg());
        assert!(
            !judged.has(Rule::RecommendedSize),
            "{name}: {:?}",
            judged.findings
        );
        assert!(!judged.has(Rule::Quality), "{name}: {:?}", judged.findings);
        // Same quality, same tables, same size; baseline (SOF0), no EXIF.
        assert_eq!(out.quality(), spec.quality);
        assert_eq!(tables(out.jpeg()), tables(plain.jpeg()), "{name}: DQT");
        assert_eq!(frames(out.jpeg()), vec![0xC0], "{name}: frame");
        common::assert_compliant(out.jpeg(), &spec);
        // The picture is the plain encoding's, within trellis quantisation's error.
        let (a, b) = (
            common::decode_jpeg(out.jpeg()),
            common::decode_jpeg(plain.jpeg()),
        );
        assert_eq!((a.width, a.height), (b.width, b.height));
        let psnr = common::psnr(&a.rgb, &b.rgb);
        assert!(psnr > 40.0, "{name}: {psnr:.2} dB from the plain encoding");
        // Read by Pillow: quality 90's tables (the document's "greater than 0.9"),
        // sequential coding.
        if pillow {
            assert_eq!(pillow_quality(out.jpeg()), (90, true, false), "{name}");
        }
    }
}

#[test]
fn small_outputs_are_encoded_once_and_trellis_is_on_by_default() {
    // A smooth picture: its plain encoding is far below the advised maximum.
    let data = common::jpeg(&common::photo_rgb(900, 1200));
    let out = Preprocessor::default().prepare(&data).unwrap();
    assert!(out.jpeg().len() < Spec::default().recommended_max_bytes);
    assert!(!out.report().trellis);
    assert_eq!(out.report().encodes, 1);
    // Noise is above it even with trellis; without it, the output is the plain one.
    let noise = common::jpeg(&common::noise_rgb(900, 1200, 5));
    // On by default.
    let with = Preprocessor::default().prepare(&noise).unwrap();
    let without = Preprocessor::new(Spec {
        trellis: false,
        ..Spec::default()
    })
    .prepare(&noise)
    .unwrap();
    assert!(with.report().trellis && !without.report().trellis);
    assert!(with.jpeg().len() < without.jpeg().len());
    common::assert_compliant(with.jpeg(), &Spec::default());
}

#[test]
fn planar_and_packed_pictures_take_trellis_at_420_only() {
    // A PNG goes to the encoder packed; a JPEG as planes; 4:4:4 and 4:2:2 too.
    let noise = common::noise_rgb(800, 1100, 9);
    for data in [common::png(noise.clone()), common::jpeg(&noise)] {
        for subsampling in [
            ekyc_preflight::Subsampling::S420,
            ekyc_preflight::Subsampling::S422,
            ekyc_preflight::Subsampling::S444,
        ] {
            let spec = Spec {
                subsampling,
                ..Spec::default()
            };
            let out = Preprocessor::new(spec).prepare(&data).unwrap();
            let decoded = common::assert_compliant(out.jpeg(), &spec);
            assert_eq!((decoded.width, decoded.height), (out.width(), out.height()));
            // Only 4:2:0 (the default, the measured one) takes trellis quantisation.
            let above = out.jpeg().len() > spec.recommended_max_bytes;
            assert_eq!(
                out.report().trellis,
                above && subsampling == ekyc_preflight::Subsampling::S420,
                "{subsampling:?}"
            );
            if out.report().trellis {
                let plain = Preprocessor::new(Spec {
                    trellis: false,
                    ..spec
                })
                .prepare(&data)
                .unwrap();
                let psnr = common::psnr(&decoded.rgb, &common::decode_jpeg(plain.jpeg()).rgb);
                assert!(psnr > 30.0, "{subsampling:?}: {psnr:.2} dB");
            }
        }
    }
}
