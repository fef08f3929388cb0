//! WebP in, JPEG out: lossy, lossless, alpha (composited on white) and the EXIF chunk's
//! orientation, each file written here by Pillow and our output judged against Pillow's
//! own reading of the same file (its libwebp decode, `ImageOps.exif_transpose`, alpha
//! composited on white). Then hostile WebP: every truncation, chunk sizes that lie, a
//! huge declared canvas: typed errors, never a panic.
//!
//! The Pillow tests need Python 3 with Pillow built with WebP (`pip install pillow`):
//! without it they say so and pass, unless `EKYC_REQUIRE_TOOLS` is set (CI sets it).

use crate::common;

use common::*;
use ekyc_preflight::{
    check, check_with, CheckOptions, Error, Format, Limits, Orientation, Preprocessor, Rule, Spec,
    Verdict,
};

/// PSNR our output must reach against Pillow's reading of the same WebP: the pictures are
/// written at the size `prepare` keeps, so only the two decoders and our JPEG encoding
/// differ (the issue's bar). A wrong turn or mirror of this picture (each corner a
/// different colour) is far below it.
const SAME_PICTURE_DB: f64 = 35.0;

/// Writes `argv[1]` (a PNG) as WebP to stdout: `lossless` or a quality, and an EXIF
/// orientation (0 for no EXIF chunk).
const MAKE: &str = r#"
import io, sys
from PIL import Image
im = Image.open(sys.argv[1])
kw = {}
if sys.argv[2] == "lossless":
    kw["lossless"] = True
else:
    kw["quality"] = int(sys.argv[2])
if int(sys.argv[3]):
    exif = Image.Exif()
    exif[0x0112] = int(sys.argv[3])
    kw["exif"] = exif.tobytes()
out = io.BytesIO()
im.save(out, "WEBP", **kw)
sys.stdout.buffer.write(out.getvalue())
"#;

/// Pillow's reading of a WebP: the orientation tag it finds (0 for none), then the
/// upright picture, alpha composited on white, as PPM.
const JUDGE: &str = r#"
import sys
from PIL import Image, ImageOps
im = Image.open(sys.argv[1])
im.load()
orientation = im.getexif().get(0x0112, 0)
up = ImageOps.exif_transpose(im).convert("RGBA")
white = Image.new("RGBA", up.size, (255, 255, 255, 255))
up = Image.alpha_composite(white, up).convert("RGB")
sys.stdout.buffer.write(b"%d\n" % orientation)
sys.stdout.buffer.write(b"P6\n%d %d\n255\n" % up.size + up.tobytes())
"#;

fn python(script: &str, file: &[u8], args: &[String]) -> Vec<u8> {
    let path = tools::temp_file("webp", file, "img");
    let mut all = vec![path.clone().into_os_string()];
    all.extend(args.iter().map(Into::into));
    let out = tools::python(script, all);
    std::fs::remove_file(&path).ok();
    out
}

/// A WebP of `source` (a PNG) written by Pillow.
fn webp(source: &[u8], quality: Option<u8>, orientation: u8) -> Vec<u8> {
    let quality = quality.map_or("lossless".to_owned(), |q| q.to_string());
    let file = python(MAKE, source, &[quality, orientation.to_string()]);
    assert!(file.starts_with(b"RIFF") && &file[8..12] == b"WEBP");
    file
}

fn judge(file: &[u8]) -> (u32, Decoded) {
    let out = python(JUDGE, file, &[]);
    let line = out.iter().position(|&b| b == b'\n').unwrap();
    let orientation = std::str::from_utf8(&out[..line]).unwrap().parse().unwrap();
    (orientation, read_pnm(&out[line + 1..]))
}

/// The rules scaled down fourfold: a 180 × 240 picture is kept at its size.
fn spec() -> Spec {
    quarter_spec()
}

/// The stored picture: smooth, every corner a different colour, `width` × `height`;
/// with `alpha`, transparent towards the bottom right.
fn source(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let rgb = photo_rgb(width, height);
    if !alpha {
        return png(rgb);
    }
    let rgba = image::RgbaImage::from_fn(width, height, |x, y| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        let a = 255 - (200 * (x + y) / (width + height)) as u8;
        image::Rgba([r, g, b, a])
    });
    png(rgba)
}

/// `d` mirrored left to right.
fn mirror(d: &Decoded) -> Decoded {
    let (w, h) = (d.width as usize, d.height as usize);
    let mut rgb = Vec::with_capacity(d.rgb.len());
    for y in 0..h {
        for x in 0..w {
            rgb.extend_from_slice(&d.rgb[3 * (y * w + (w - 1 - x))..][..3]);
        }
    }
    Decoded { rgb, ..*d }
}

/// Prepares `file`, checks the output is compliant and shows what Pillow shows, and
/// that `check` calls the WebP fixable for its format; returns the PSNR.
fn assert_like_pillow(name: &str, file: &[u8], want: u8) -> f64 {
    let prepared = Preprocessor::new(spec())
        .prepare(file)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(prepared.report().source_format, Format::WebP, "{name}");
    let ours = assert_compliant(prepared.jpeg(), &spec());
    let (read, upright) = judge(file);
    assert_eq!(
        read,
        u32::from(want),
        "{name}: Pillow reads another orientation"
    );
    assert_eq!(
        prepared.report().orientation,
        Orientation::from_exif(want).unwrap_or(Orientation::Normal),
        "{name}: orientation read"
    );
    assert_eq!(
        (ours.width, ours.height),
        (upright.width, upright.height),
        "{name}: size"
    );
    let db = psnr(&ours.rgb, &upright.rgb);
    assert!(db >= SAME_PICTURE_DB, "{name}: {db:.1} dB against Pillow");
    let wrong = psnr(&ours.rgb, &mirror(&upright).rgb);
    assert!(
        wrong < SAME_PICTURE_DB - 10.0,
        "{name}: mirrored, still {wrong:.1} dB"
    );
    // From the header alone: fixable, for its format only.
    assert_fixable_for_format(name, file, &spec());
    // With the pixels judged (decoded as `check` decodes): still read, never refused as
    // unreadable.
    let analysed = CheckOptions {
        detect_faces: false,
        ..CheckOptions::default()
    };
    let report = check_with(file, &spec(), &analysed);
    assert!(
        report.has(Rule::Format) && !report.has(Rule::Readable),
        "{name}: {report:?}"
    );
    eprintln!("{name}: {db:.1} dB (mirrored {wrong:.1} dB)");
    db
}

#[test]
fn lossy_and_lossless_match_pillow() {
    if !tools::pillow(
        "from PIL import features, ImageOps; assert features.check('webp')",
        "Python 3 with Pillow (WebP)",
    ) {
        return;
    }
    let src = source(180, 240, false);
    for (name, quality) in [
        ("lossless", None),
        ("lossy q90", Some(90)),
        ("lossy q75", Some(75)),
    ] {
        assert_like_pillow(name, &webp(&src, quality, 0), 0);
    }
}

#[test]
fn alpha_is_composited_on_white() {
    if !tools::pillow(
        "from PIL import features, ImageOps; assert features.check('webp')",
        "Python 3 with Pillow (WebP)",
    ) {
        return;
    }
    let src = source(180, 240, true);
    for (name, quality) in [("lossless alpha", None), ("lossy alpha", Some(90))] {
        let file = webp(&src, quality, 0);
        assert_like_pillow(name, &file, 0);
        // The bottom right, 80 % transparent over white, is light: not the colour the
        // picture stores there (a decoder that dropped the alpha would keep it).
        let out = common::decode_jpeg(Preprocessor::new(spec()).prepare(&file).unwrap().jpeg());
        let [r, g, b] = pixel(&out, out.width - 2, out.height - 2);
        assert!(
            r.min(g) > 180 && b > 180,
            "{name}: corner {r},{g},{b} is not near white"
        );
    }
}

#[test]
fn exif_orientation_is_applied() {
    if !tools::pillow(
        "from PIL import features, ImageOps; assert features.check('webp')",
        "Python 3 with Pillow (WebP)",
    ) {
        return;
    }
    // Stored landscape: orientations 5–8 make it portrait, as the spec wants it.
    let landscape = source(240, 180, false);
    let portrait = source(180, 240, false);
    for v in 1..=8u8 {
        let src = if v >= 5 { &landscape } else { &portrait };
        for (kind, quality) in [("lossless", None), ("lossy", Some(90))] {
            let file = webp(src, quality, v);
            assert_like_pillow(&format!("{kind}, orientation {v}"), &file, v);
        }
    }
}

#[test]
fn exif_chunk_with_or_without_the_jpeg_prefix_is_read() {
    if !tools::pillow(
        "from PIL import features, ImageOps; assert features.check('webp')",
        "Python 3 with Pillow (WebP)",
    ) {
        return;
    }
    // cwebp and exiftool write the TIFF header alone in the EXIF chunk, some writers
    // JPEG's "Exif\0\0" before it: whichever Pillow wrote, the other form must read the
    // same.
    let file = webp(&source(240, 180, false), None, 6);
    let (at, len) = riff_chunks(&file)
        .iter()
        .find(|(kind, ..)| kind == b"EXIF")
        .map(|&(_, at, len)| (at, len))
        .expect("Pillow wrote an EXIF chunk");
    let old = &file[at..at + len];
    let body = match old.strip_prefix(b"Exif\0\0") {
        Some(tiff) => tiff.to_vec(),
        None => [b"Exif\0\0".as_slice(), old].concat(),
    };
    let mut other = file[..at - 4].to_vec();
    other.extend_from_slice(&(body.len() as u32).to_le_bytes());
    other.extend_from_slice(&body);
    if body.len() % 2 == 1 {
        other.push(0);
    }
    other.extend_from_slice(&file[(at + len + (len & 1)).min(file.len())..]);
    let riff = (other.len() - 8) as u32;
    other[4..8].copy_from_slice(&riff.to_le_bytes());
    assert_like_pillow("EXIF chunk as Pillow writes it, orientation 6", &file, 6);
    assert_like_pillow("EXIF chunk in the other form, orientation 6", &other, 6);
}

/// The chunks of a WebP: (kind, body offset, body length).
fn riff_chunks(file: &[u8]) -> Vec<([u8; 4], usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 12;
    while pos + 8 <= file.len() {
        let kind: [u8; 4] = file[pos..pos + 4].try_into().unwrap();
        let len = u32::from_le_bytes(file[pos + 4..pos + 8].try_into().unwrap()) as usize;
        out.push((kind, pos + 8, len));
        pos += 8 + len + (len & 1);
    }
    out
}

/// A WebP made of these chunks.
fn riff(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    for (kind, chunk) in chunks {
        body.extend_from_slice(*kind);
        body.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
        body.extend_from_slice(chunk);
        if chunk.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend_from_slice(&body);
    file
}

fn vp8x(width: u32, height: u32, flags: u8) -> Vec<u8> {
    let mut c = vec![flags, 0, 0, 0];
    c.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    c.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    c
}

fn vp8l_header(width: u32, height: u32) -> Vec<u8> {
    let mut c = vec![0x2F];
    c.extend_from_slice(&((width - 1) | (height - 1) << 14).to_le_bytes());
    c
}

fn vp8_header(width: u16, height: u16) -> Vec<u8> {
    let mut c = vec![0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A];
    c.extend_from_slice(&width.to_le_bytes());
    c.extend_from_slice(&height.to_le_bytes());
    c
}

/// `prepare` and `check` of `data`: an error (never a panic), which must be typed.
fn refused(name: &str, data: &[u8]) -> Error {
    let err = match Preprocessor::new(spec()).prepare(data) {
        Ok(_) => panic!("{name}: prepared"),
        Err(e) => e,
    };
    assert!(
        matches!(
            err,
            Error::Corrupt { format: "WebP", .. }
                | Error::Dimensions { .. }
                | Error::MemoryLimit { .. }
        ),
        "{name}: {err:?}"
    );
    let report = check(data);
    assert_eq!(report.verdict, Verdict::Reject, "{name}: {report:?}");
    err
}

#[test]
fn huge_declared_canvases_are_refused_from_the_header() {
    for (name, file) in [
        (
            "VP8X 16383x16383 with a matching VP8L header",
            riff(&[
                (b"VP8X", vp8x(16383, 16383, 0x10)),
                (b"VP8L", vp8l_header(16383, 16383)),
            ]),
        ),
        (
            "VP8L 16384x16384",
            riff(&[(b"VP8L", vp8l_header(16384, 16384))]),
        ),
        (
            "VP8 16383x16383",
            riff(&[(b"VP8 ", vp8_header(16383, 16383))]),
        ),
        (
            "animated VP8X 16777216x16777216, no frames",
            riff(&[
                (b"VP8X", vp8x(1 << 24, 1 << 24, 0x02)),
                (b"ANIM", vec![0; 6]),
            ]),
        ),
    ] {
        let err = refused(name, &file);
        assert_eq!(err.rule(), Rule::InputLimit, "{name}: {err}");
        assert!(matches!(err, Error::Dimensions { .. }), "{name}: {err:?}");
    }
    // Within the default limits' sides but over their pixel count.
    let limits = Limits::default();
    assert!(16383u64 * 16383 > limits.max_pixels);
}

#[test]
fn chunk_sizes_that_lie_are_refused() {
    let good = riff(&[(b"VP8L", vp8l_header(180, 240))]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("RIFF size past the end", {
            let mut f = good.clone();
            f[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
            f
        }),
        ("RIFF size of 2", {
            let mut f = good.clone();
            f[4..8].copy_from_slice(&2u32.to_le_bytes());
            f
        }),
        ("chunk size past the end", {
            let mut f = good.clone();
            f[16..20].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
            f
        }),
        ("chunk size 0", {
            let mut f = riff(&[(b"VP8L", vec![])]);
            f.extend_from_slice(&[0; 8]);
            f
        }),
        (
            "VP8X shorter than 10 bytes",
            riff(&[(b"VP8X", vec![0x10, 0, 0]), (b"VP8L", vp8l_header(8, 8))]),
        ),
        (
            "VP8X canvas unlike its image",
            riff(&[(b"VP8X", vp8x(64, 64, 0)), (b"VP8L", vp8l_header(8, 8))]),
        ),
        ("VP8L version 1", {
            let mut c = vp8l_header(8, 8);
            c[4] |= 0x20;
            riff(&[(b"VP8L", c)])
        }),
        ("VP8 without a start code", {
            let mut c = vp8_header(8, 8);
            c[3] = 0;
            riff(&[(b"VP8 ", c)])
        }),
        ("VP8 inter frame", {
            let mut c = vp8_header(8, 8);
            c[0] |= 1;
            riff(&[(b"VP8 ", c)])
        }),
        ("no image chunk", riff(&[(b"EXIF", exif_tiff(6, false))])),
        ("VP8X alone", riff(&[(b"VP8X", vp8x(64, 64, 0))])),
        ("VP8L header, no pixels", good.clone()),
        (
            "VP8 header, no pixels",
            riff(&[(b"VP8 ", vp8_header(180, 240))]),
        ),
        (
            "EXIF chunk of garbage",
            riff(&[
                (b"VP8X", vp8x(180, 240, 0x08)),
                (b"VP8L", vp8l_header(180, 240)),
                (b"EXIF", vec![0xAB; 40]),
            ]),
        ),
    ];
    for (name, file) in cases {
        let err = refused(name, &file);
        eprintln!("{name}: {err}");
    }
}

#[test]
fn every_truncation_is_an_error() {
    if !tools::pillow(
        "from PIL import features, ImageOps; assert features.check('webp')",
        "Python 3 with Pillow (WebP)",
    ) {
        return;
    }
    for (name, quality, orientation, alpha) in [
        ("lossless", None, 0, false),
        ("lossy with EXIF", Some(90), 6, false),
        ("lossy alpha with EXIF", Some(90), 3, true),
        ("lossless alpha", None, 0, true),
    ] {
        let (w, h) = if orientation >= 5 {
            (240, 180)
        } else {
            (180, 240)
        };
        let file = webp(&source(w, h, alpha), quality, orientation);
        assert!(Preprocessor::new(spec()).prepare(&file).is_ok(), "{name}");
        // Every chunk boundary, and a cut inside each chunk header and body.
        let mut cuts = vec![4, 8, 11, 12];
        for (_, at, len) in riff_chunks(&file) {
            cuts.extend([
                at - 8,
                at - 4,
                at - 1,
                at,
                at + 1,
                at + len / 2,
                at + len - 1,
            ]);
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut n = 0;
        for cut in cuts.into_iter().filter(|&c| c < file.len()) {
            let err = match Preprocessor::new(spec()).prepare(&file[..cut]) {
                Ok(_) => panic!("{name} cut at {cut} of {}: prepared", file.len()),
                Err(e) => e,
            };
            assert!(
                matches!(err, Error::Corrupt { .. } | Error::UnsupportedFormat { .. }),
                "{name} cut at {cut}: {err:?}"
            );
            assert_eq!(
                check(&file[..cut]).verdict,
                Verdict::Reject,
                "{name} cut at {cut}"
            );
            n += 1;
        }
        eprintln!("{name}: {n} truncations refused");
    }
}

#[test]
fn every_byte_of_a_small_webp_can_be_damaged_without_a_panic() {
    if !tools::pillow(
        "from PIL import features, ImageOps; assert features.check('webp')",
        "Python 3 with Pillow (WebP)",
    ) {
        return;
    }
    let file = webp(&source(180, 240, true), Some(80), 6);
    let header_end = riff_chunks(&file)
        .iter()
        .map(|&(_, at, _)| at + 16)
        .max()
        .unwrap()
        .min(file.len());
    // Each header byte (and the start of each chunk's body) set to 0x00 and 0xFF.
    for at in 0..header_end {
        for value in [0x00, 0xFF] {
            let mut f = file.clone();
            f[at] = value;
            // Any outcome but a panic: an output is judged compliant.
            if let Ok(p) = Preprocessor::new(spec()).prepare(&f) {
                assert_compliant(p.jpeg(), &spec());
            }
            let _ = check(&f);
        }
    }
}
