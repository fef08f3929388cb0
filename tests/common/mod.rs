//! Helpers shared by the integration tests: an independent decoder for outputs, the
//! compliance check, and generators for test images.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::PathBuf;

use ekyc_preflight::Spec;

pub mod tools;

/// An output decoded by `jpeg-decoder`, a decoder independent of our encoder.
#[derive(Clone)]
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    /// RGB, 3 bytes a pixel.
    pub rgb: Vec<u8>,
}

/// Decodes a JPEG with `jpeg-decoder` into RGB.
pub fn decode_jpeg(jpeg: &[u8]) -> Decoded {
    let mut d = jpeg_decoder::Decoder::new(Cursor::new(jpeg));
    let pixels = d.decode().expect("output must decode");
    let info = d.info().unwrap();
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
        other => panic!("unexpected output pixel format {other:?}"),
    };
    Decoded {
        width: u32::from(info.width),
        height: u32::from(info.height),
        rgb,
    }
}

/// The JPEG marker segments before the first scan, as (marker, body).
pub fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        out.push((marker, jpeg[pos + 4..pos + 2 + len].to_vec()));
        if marker == 0xDA {
            break;
        }
        pos += 2 + len;
    }
    out
}

/// Checks every rule of `spec` on an output, from its bytes alone; returns its pixels.
pub fn assert_compliant(jpeg: &[u8], spec: &Spec) -> Decoded {
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    assert!(jpeg.ends_with(&[0xFF, 0xD9]), "no EOI");
    assert!(
        jpeg.len() <= spec.max_bytes,
        "{} bytes over {}",
        jpeg.len(),
        spec.max_bytes
    );
    let b64 = base64_len(jpeg.len());
    assert!(
        b64 <= spec.max_base64_bytes,
        "Base64 {b64} over {}",
        spec.max_base64_bytes
    );
    for (marker, body) in segments(jpeg) {
        assert!(
            !(0xE1..=0xEF).contains(&marker),
            "output carries APP{} metadata",
            marker - 0xE0
        );
        assert!(
            !body.windows(4).any(|w| w == b"Exif"),
            "output carries EXIF"
        );
    }
    let d = decode_jpeg(jpeg);
    assert!(
        (spec.min_width..=spec.max_width).contains(&d.width)
            && (spec.min_height..=spec.max_height).contains(&d.height),
        "{}x{} out of bounds",
        d.width,
        d.height
    );
    assert!(
        d.height > d.width,
        "{}x{} is not portrait",
        d.width,
        d.height
    );
    d
}

/// Base64 length (padded), computed independently of the crate.
pub fn base64_len(n: usize) -> usize {
    4 * n.div_ceil(3)
}

/// Mean absolute difference per sample between two RGB pictures of equal size.
pub fn mean_abs_diff(a: &Decoded, b: &Decoded) -> f64 {
    assert_eq!((a.width, a.height), (b.width, b.height), "sizes differ");
    let sum: u64 = a
        .rgb
        .iter()
        .zip(&b.rgb)
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.rgb.len() as f64
}

/// The pixel at (x, y).
pub fn pixel(d: &Decoded, x: u32, y: u32) -> [u8; 3] {
    let i = 3 * (y as usize * d.width as usize + x as usize);
    [d.rgb[i], d.rgb[i + 1], d.rgb[i + 2]]
}

/// `../shared` beside the repository, where the team's corpus lives; `None` (with a
/// message) in a user's clone.
impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Decoded({}x{})", self.width, self.height)
    }
}

pub fn shared(sub: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(sub);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: {} is absent (it ships with the team's workspace only)",
            dir.display()
        );
        None
    }
}

/// A smooth colourful test picture whose corners differ, so any turn or mirror shows.
pub fn photo_rgb(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        image::Rgb([
            (255.0 * fx) as u8,
            (255.0 * fy) as u8,
            (255.0 * (1.0 - fx * fy)) as u8,
        ])
    })
}

/// Encodes any `image` picture as PNG.
pub fn png<I: Into<image::DynamicImage>>(img: I) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.into()
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Encodes an RGB picture as JPEG (quality 92) with `image`'s encoder.
pub fn jpeg(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(img)
        .unwrap();
    out
}

/// A TIFF (EXIF) block with an orientation and, if asked, a GPS position.
pub fn exif_tiff(orientation: u16, gps: bool) -> Vec<u8> {
    // Little-endian TIFF: header, IFD0 at 8.
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    let entries: u16 = if gps { 2 } else { 1 };
    t.extend_from_slice(&entries.to_le_bytes());
    // Orientation: tag 0x0112, SHORT, count 1, value.
    t.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0]);
    t.extend_from_slice(&orientation.to_le_bytes());
    t.extend_from_slice(&[0, 0]);
    let gps_ifd = 8 + 2 + 12 * u32::from(entries) + 4;
    if gps {
        // GPSInfo pointer: tag 0x8825, LONG, count 1, offset.
        t.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0]);
        t.extend_from_slice(&gps_ifd.to_le_bytes());
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    if gps {
        // GPS IFD: GPSLatitudeRef "N".
        t.extend_from_slice(&1u16.to_le_bytes());
        t.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        t.extend_from_slice(&0u32.to_le_bytes());
    }
    t
}

/// Inserts an EXIF APP1 segment right after a JPEG's SOI.
pub fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(tiff);
    let len = u16::try_from(seg.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Deterministic noise (xorshift), for pictures that compress badly.
pub fn noise_rgb(width: u32, height: u32, seed: u64) -> image::RgbImage {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s as u8
    };
    image::RgbImage::from_fn(width, height, |_, _| image::Rgb([next(), next(), next()]))
}

/// CRC-32 as PNG computes it, bit by bit (independent of the `png` crate).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A PNG chunk with its length and CRC.
pub fn png_chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = u32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(body);
    v.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    v
}

/// A PNG's chunks as (kind, offset of the body, offset just after the CRC).
pub fn png_chunks(data: &[u8]) -> Vec<([u8; 4], usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 8;
    while pos + 12 <= data.len() {
        let len = u32::from_be_bytes(data[pos..pos + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = data[pos + 4..pos + 8].try_into().unwrap();
        let end = pos + 12 + len;
        out.push((kind, pos + 8, end));
        pos = end;
    }
    out
}

/// Inserts a chunk right after a PNG's IHDR (an `eXIf` chunk, say).
pub fn insert_png_chunk(data: &[u8], kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let after_ihdr = png_chunks(data)[0].2;
    let mut out = data[..after_ihdr].to_vec();
    out.extend(png_chunk(kind, body));
    out.extend_from_slice(&data[after_ihdr..]);
    out
}

/// A header-only baseline JPEG claiming `width` × `height`: SOF0, an empty scan, EOI.
pub fn sof(width: u16, height: u16) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8];
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    v.extend_from_slice(&[0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]);
    v.extend_from_slice(&[0, 0, 0, 0, 0xFF, 0xD9]);
    v
}

/// A binary PPM of an RGB picture (what cjpeg reads).
pub fn ppm(img: &image::RgbImage) -> Vec<u8> {
    let mut out = format!("P6\n{} {}\n255\n", img.width(), img.height()).into_bytes();
    out.extend_from_slice(img.as_raw());
    out
}

/// Reads djpeg's PPM (or PGM, expanded to RGB).
pub fn read_pnm(data: &[u8]) -> Decoded {
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(std::str::from_utf8(&data[start..pos]).unwrap().to_string());
    }
    let pixels = &data[pos + 1..];
    let (width, height): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let rgb = match fields[0].as_str() {
        "P6" => pixels.to_vec(),
        "P5" => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
        other => panic!("djpeg wrote {other}"),
    };
    assert_eq!(rgb.len(), (width * height * 3) as usize);
    Decoded { width, height, rgb }
}

/// PSNR in dB of two equally long sample buffers.
pub fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-9)).log10()
}

/// The document's rules scaled down fourfold (a 180-pixel short side), so that pictures
/// small enough for a quick test take the paths 12 MP photos take under the default
/// spec: decoded at 3/8 of their size, or whole below about 270 pixels across.
pub fn quarter_spec() -> Spec {
    let d = Spec::default();
    Spec {
        min_height: d.min_height / 4,
        min_width: d.min_width / 4,
        max_height: d.max_height / 4,
        max_width: d.max_width / 4,
        target_short_side: d.target_short_side / 4,
        ..d
    }
}

/// From the header alone, `check` calls `file` fixable for its format only: the one
/// finding of rule `format` will be fixed (`prepare` converts it), and the verdict is
/// `Fixable`.
pub fn assert_fixable_for_format(name: &str, file: &[u8], spec: &Spec) {
    use ekyc_preflight::{check_with, CheckOptions, Rule, Severity, Verdict};
    let header_only = CheckOptions {
        analyse: false,
        ..CheckOptions::default()
    };
    let report = check_with(file, spec, &header_only);
    let format = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::Format)
        .unwrap_or_else(|| panic!("{name}: no format finding"));
    assert_eq!(format.severity, Severity::WillFix, "{name}");
    assert_eq!(report.verdict, Verdict::Fixable, "{name}: {report:?}");
}

/// Prepares `file` under `spec`, asserting it was read as `format`, that `check` calls
/// the input fixable for its format alone, and that the output meets every rule.
pub fn prepare_converted(
    name: &str,
    file: &[u8],
    spec: &Spec,
    format: ekyc_preflight::Format,
) -> Decoded {
    let prepared = ekyc_preflight::Preprocessor::new(*spec)
        .prepare(file)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(prepared.report().source_format, format, "{name}");
    assert_fixable_for_format(name, file, spec);
    assert_compliant(prepared.jpeg(), spec)
}
