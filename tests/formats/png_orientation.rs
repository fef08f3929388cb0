//! PNG orientation from outside the eXIf chunk: ImageMagick's "Raw profile type exif"
//! text (hex EXIF, in tEXt, zTXt or iTXt) and XMP's `tiff:Orientation` (iTXt, compressed
//! or not, or tEXt), alone and against each other. Each file is written here; Pillow
//! (`ImageOps.exif_transpose`, which reads both) is the judge: our output must show the
//! picture Pillow shows, and our report must name the orientation Pillow reads.
//!
//! Needs Python 3 with Pillow (`pip install pillow`): without it the tests say so and
//! pass, unless `EKYC_REQUIRE_TOOLS` is set (CI sets it).

use crate::common;

use common::*;
use ekyc_preflight::{Orientation, Preprocessor, Spec, Turn};

/// PSNR our output must reach against Pillow's upright picture resized by Pillow to the
/// same size: two Lanczos resizers and our JPEG encoding differ by 35–45 dB on this smooth
/// picture; a wrong turn or mirror of it is under 15 dB (checked for each case).
const SAME_PICTURE_DB: f64 = 30.0;

/// Pillow's reading of a PNG: the orientation tag it finds (0 for none) and the upright
/// picture, turned clockwise when it is landscape (what `Turn::Clockwise` asks of us),
/// resized with Lanczos to `width` × `height`.
const JUDGE: &str = r#"
import sys
from PIL import Image, ImageOps
im = Image.open(sys.argv[1])
im.load()
orientation = im.getexif().get(0x0112, 0)
up = ImageOps.exif_transpose(im).convert("RGB")
if up.width > up.height:
    up = up.transpose(Image.Transpose.ROTATE_270)
up = up.resize((int(sys.argv[2]), int(sys.argv[3])), Image.Resampling.LANCZOS)
sys.stdout.buffer.write(b"%d\n" % orientation)
sys.stdout.buffer.write(b"P6\n%d %d\n255\n" % up.size + up.tobytes())
"#;

fn judge(png: &[u8], width: u32, height: u32) -> (u32, Decoded) {
    let path = tools::temp_file("png-orientation", png, "png");
    let stdout = tools::python(
        JUDGE,
        [
            path.clone().into_os_string(),
            width.to_string().into(),
            height.to_string().into(),
        ],
    );
    std::fs::remove_file(&path).ok();
    let out = std::process::Output {
        status: Default::default(),
        stdout,
        stderr: Vec::new(),
    };
    let line = out.stdout.iter().position(|&b| b == b'\n').unwrap();
    let orientation = std::str::from_utf8(&out.stdout[..line])
        .unwrap()
        .parse()
        .unwrap();
    (orientation, read_pnm(&out.stdout[line + 1..]))
}

fn spec() -> Spec {
    Spec {
        turn: Turn::Clockwise,
        ..quarter_spec()
    }
}

/// The stored picture: portrait, smooth, every corner a different colour.
fn base() -> Vec<u8> {
    png(photo_rgb(192, 256))
}

/// A zlib stream of `data`.
fn zlib(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// ImageMagick's text form of an EXIF profile: a line break, the name, the length in
/// eight columns, then the bytes in hex, 36 to a line (as `png.c` writes it).
fn raw_profile(tiff: &[u8]) -> Vec<u8> {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(tiff);
    let mut text = format!("\nexif\n{:8}\n", exif.len());
    for line in exif.chunks(36) {
        for b in line {
            text.push_str(&format!("{b:02x}"));
        }
        text.push('\n');
    }
    text.into_bytes()
}

/// A chunk's kind and body.
type Chunk = ([u8; 4], Vec<u8>);

fn text_chunk(key: &str, text: &[u8]) -> Chunk {
    let mut body = key.as_bytes().to_vec();
    body.push(0);
    body.extend_from_slice(text);
    (*b"tEXt", body)
}

fn ztxt_chunk(key: &str, text: &[u8]) -> Chunk {
    let mut body = key.as_bytes().to_vec();
    body.extend_from_slice(&[0, 0]);
    body.extend(zlib(text));
    (*b"zTXt", body)
}

fn itxt_chunk(key: &str, text: &[u8], compressed: bool) -> Chunk {
    let mut body = key.as_bytes().to_vec();
    body.extend_from_slice(&[0, u8::from(compressed), 0]);
    body.extend_from_slice(b"\0\0");
    if compressed {
        body.extend(zlib(text));
    } else {
        body.extend_from_slice(text);
    }
    (*b"iTXt", body)
}

/// An XMP packet with the orientation as an attribute or as an element.
fn xmp(value: u8, element: bool) -> Vec<u8> {
    let tag = if element {
        format!(r#"><tiff:Orientation>{value}</tiff:Orientation></rdf:Description>"#)
    } else {
        format!(r#" tiff:Orientation="{value}"/>"#)
    };
    format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"{tag}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#
    )
    .into_bytes()
}

/// A TIFF block with one tag that is not the orientation (ImageWidth), for EXIF that
/// says nothing about it.
fn exif_without_orientation() -> Vec<u8> {
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&[0x00, 0x01, 3, 0, 1, 0, 0, 0, 192, 0, 0, 0]);
    t.extend_from_slice(&0u32.to_le_bytes());
    t
}

/// `png` with `chunks` inserted after IHDR (in order), and `trailing` ones before IEND.
fn with_chunks(png: &[u8], chunks: &[Chunk], trailing: &[Chunk]) -> Vec<u8> {
    let mut out = png.to_vec();
    for (kind, body) in chunks.iter().rev() {
        out = insert_png_chunk(&out, kind, body);
    }
    let iend = png_chunks(&out).last().unwrap().1 - 8;
    let mut end = out.split_off(iend);
    for (kind, body) in trailing {
        out.extend(png_chunk(kind, body));
    }
    out.append(&mut end);
    out
}

/// `d` mirrored left to right (`across`) or top to bottom.
fn mirror(d: &Decoded, across: bool) -> Decoded {
    let (w, h) = (d.width as usize, d.height as usize);
    let mut rgb = Vec::with_capacity(d.rgb.len());
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = if across {
                (w - 1 - x, y)
            } else {
                (x, h - 1 - y)
            };
            rgb.extend_from_slice(&d.rgb[3 * (sy * w + sx)..][..3]);
        }
    }
    Decoded { rgb, ..*d }
}

/// Prepares `file` and compares it with Pillow's reading; `want` is the orientation the
/// case was written to carry, which Pillow must read too (so the case tests what it
/// says).
fn assert_like_pillow(name: &str, file: &[u8], want: u8) {
    let prepared = Preprocessor::new(spec())
        .prepare(file)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let ours = assert_compliant(prepared.jpeg(), &spec());
    let (read, upright) = judge(file, ours.width, ours.height);
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
    let db = psnr(&ours.rgb, &upright.rgb);
    assert!(db >= SAME_PICTURE_DB, "{name}: {db:.1} dB against Pillow");
    // The bound tells orientations apart: the same picture mirrored either way, which
    // every wrong orientation of this picture (each corner a different colour) is as far
    // from, is far below it.
    for (axis, mirrored) in [
        ("across", mirror(&upright, true)),
        ("down", mirror(&upright, false)),
    ] {
        let wrong = psnr(&ours.rgb, &mirrored.rgb);
        assert!(
            wrong < SAME_PICTURE_DB - 10.0,
            "{name}: mirrored {axis}, still {wrong:.1} dB"
        );
    }
    eprintln!("{name}: orientation {want}, {db:.1} dB");
}

#[test]
fn imagemagick_raw_exif_text_is_applied() {
    if !tools::pillow("import PIL.Image, PIL.ImageOps", "Python 3 with Pillow") {
        return;
    }
    for v in 1..=8u8 {
        let profile = raw_profile(&exif_tiff(u16::from(v), false));
        let cases = [
            ("tEXt", text_chunk("Raw profile type exif", &profile)),
            ("zTXt", ztxt_chunk("Raw profile type exif", &profile)),
            ("iTXt", itxt_chunk("Raw profile type exif", &profile, true)),
        ];
        for (kind, chunk) in cases {
            let file = with_chunks(&base(), &[chunk], &[]);
            assert_like_pillow(&format!("raw profile in {kind}, {v}"), &file, v);
        }
    }
}

#[test]
fn xmp_orientation_is_applied() {
    if !tools::pillow("import PIL.Image, PIL.ImageOps", "Python 3 with Pillow") {
        return;
    }
    for v in 1..=8u8 {
        let cases = [
            (
                "iTXt attribute",
                itxt_chunk("XML:com.adobe.xmp", &xmp(v, false), false),
            ),
            (
                "iTXt compressed element",
                itxt_chunk("XML:com.adobe.xmp", &xmp(v, true), true),
            ),
            (
                "tEXt attribute",
                text_chunk("XML:com.adobe.xmp", &xmp(v, false)),
            ),
            (
                "zTXt element",
                ztxt_chunk("XML:com.adobe.xmp", &xmp(v, true)),
            ),
        ];
        for (kind, chunk) in cases {
            let file = with_chunks(&base(), &[chunk], &[]);
            assert_like_pillow(&format!("XMP {kind}, {v}"), &file, v);
        }
        // After the image data, where Pillow reads it too.
        let file = with_chunks(
            &base(),
            &[],
            &[itxt_chunk("XML:com.adobe.xmp", &xmp(v, false), false)],
        );
        assert_like_pillow(&format!("XMP after IDAT, {v}"), &file, v);
    }
}

#[test]
fn sources_are_taken_in_pillows_order() {
    if !tools::pillow("import PIL.Image, PIL.ImageOps", "Python 3 with Pillow") {
        return;
    }
    let exif = |v: u16| (*b"eXIf", exif_tiff(v, false));
    let raw = |v: u16| text_chunk("Raw profile type exif", &raw_profile(&exif_tiff(v, false)));
    let xmp = |v: u8| itxt_chunk("XML:com.adobe.xmp", &xmp(v, false), false);
    let cases: [(&str, Vec<Chunk>, u8); 6] = [
        ("eXIf over raw profile", vec![raw(6), exif(3)], 3),
        ("eXIf over XMP", vec![exif(8), xmp(6)], 8),
        ("eXIf's 1 over XMP", vec![exif(1), xmp(6)], 1),
        ("raw profile over XMP", vec![xmp(6), raw(8)], 8),
        (
            "XMP when eXIf has no orientation",
            vec![(*b"eXIf", exif_without_orientation()), xmp(6)],
            6,
        ),
        ("later raw profile over earlier", vec![raw(3), raw(5)], 5),
    ];
    for (name, chunks, want) in cases {
        let file = with_chunks(&base(), &chunks, &[]);
        assert_like_pillow(name, &file, want);
    }
}

/// Hostile text: a compressed chunk that inflates past the limit, hex that is not hex,
/// an orientation out of range. Each is ignored (the picture kept as stored), quickly,
/// and without an error; no tool is needed.
#[test]
fn hostile_text_is_ignored() {
    // 64 MiB of "Raw profile type exif" text in a chunk of some 64 KB.
    let mut bomb = b"\nexif\n   1\n".to_vec();
    bomb.resize(64 << 20, b'0');
    let cases = [
        ("zTXt bomb", ztxt_chunk("Raw profile type exif", &bomb)),
        (
            "not hex",
            text_chunk("Raw profile type exif", b"\nexif\n 4\nzz12\n"),
        ),
        (
            "odd hex",
            text_chunk("Raw profile type exif", b"\nexif\n 4\nabc\n"),
        ),
        (
            "orientation 9",
            text_chunk("XML:com.adobe.xmp", &xmp(9, false)),
        ),
        ("cut iTXt", (*b"iTXt", b"XML:com.adobe.xmp\0\x01".to_vec())),
    ];
    for (name, chunk) in cases {
        let file = with_chunks(&base(), &[chunk], &[]);
        let prepared = Preprocessor::new(spec())
            .prepare(&file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(prepared.report().orientation, Orientation::Normal, "{name}");
    }
}
