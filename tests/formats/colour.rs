//! Colour profiles: a JPEG (profile in APP2 pieces) or PNG (iCCP) tagged Display P3 or
//! Adobe RGB comes out converted to sRGB. The judge is lcms, through Pillow's
//! `ImageCms.profileToProfile` (perceptual intent, as ours): it converts the same file to
//! sRGB and Pillow resizes it to our output's size; our output must match it, and must
//! not match the picture left unconverted. sRGB profiles (lcms's own) cost no conversion;
//! damaged or hostile profiles are ignored.
//!
//! The profiles are written by `moxcms` (its Display P3 and Adobe RGB 1998 primaries and
//! curves), read by lcms on the judge's side.
//!
//! Needs Python 3 with Pillow (`pip install pillow`, which ships lcms): without it the
//! judged tests say so and pass, unless `EKYC_REQUIRE_TOOLS` is set (CI sets it).

use crate::common;

use std::process::Command;

use common::*;
use ekyc_preflight::{Preprocessor, Spec, Turn};
use moxcms::ColorProfile;

/// PSNR our output must reach against lcms's conversion resized by Pillow: the same
/// picture through two decoders, two Lanczos resizers and our JPEG encoding is 40–45 dB
/// apart on this smooth picture (the untagged case below measures it), and converting
/// after the resize rather than before costs under 1 dB; the picture left unconverted is
/// 20–30 dB from it (asserted below the bound, so the bound tells them apart).
const SAME_COLOURS_DB: f64 = 35.0;

/// The judge: the file decoded by Pillow, converted to sRGB by lcms from the profile
/// given (`-` for none: left as it is), resized with Lanczos to `width` × `height`.
const JUDGE: &str = r#"
import io, sys
from PIL import Image, ImageCms
im = Image.open(sys.argv[1]).convert("RGB")
if sys.argv[2] != "-":
    src = ImageCms.ImageCmsProfile(sys.argv[2])
    dst = ImageCms.createProfile("sRGB")
    im = ImageCms.profileToProfile(im, src, dst, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB")
im = im.resize((int(sys.argv[3]), int(sys.argv[4])), Image.Resampling.LANCZOS)
sys.stdout.buffer.write(b"P6\n%d %d\n255\n" % im.size + im.tobytes())
"#;

fn judge(file: &[u8], icc: Option<&[u8]>, width: u32, height: u32) -> Decoded {
    let image = tools::temp_file("colour", file, "img");
    let profile = icc.map(|p| tools::temp_file("colour", p, "icc"));
    let out = tools::python(
        JUDGE,
        [
            image.clone().into_os_string(),
            profile.clone().map_or("-".into(), |p| p.into_os_string()),
            width.to_string().into(),
            height.to_string().into(),
        ],
    );
    std::fs::remove_file(&image).ok();
    if let Some(p) = profile {
        std::fs::remove_file(p).ok();
    }
    read_pnm(&out)
}

/// Pillow's (lcms's) own sRGB profile.
fn lcms_srgb() -> Vec<u8> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; from PIL import ImageCms; \
             sys.stdout.buffer.write(ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes())",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

fn spec() -> Spec {
    Spec {
        turn: Turn::Off,
        ..quarter_spec()
    }
}

/// Saturated, smooth, portrait: what a gamut change shows on.
fn picture() -> image::RgbImage {
    photo_rgb(192, 256)
}

/// `jpeg` with `icc` in APP2 pieces of at most `piece` bytes, inserted after SOI in the
/// order `order` gives (indices into the pieces), each numbered as ICC.1 annex B says.
fn with_icc(jpeg: &[u8], icc: &[u8], piece: usize, order: impl Fn(usize) -> Vec<usize>) -> Vec<u8> {
    let pieces: Vec<&[u8]> = icc.chunks(piece).collect();
    let count = u8::try_from(pieces.len()).unwrap();
    let mut out = jpeg[..2].to_vec();
    for i in order(pieces.len()) {
        let mut body = b"ICC_PROFILE\0".to_vec();
        body.extend_from_slice(&[u8::try_from(i + 1).unwrap(), count]);
        body.extend_from_slice(pieces[i]);
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(&body);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn in_order(n: usize) -> Vec<usize> {
    (0..n).collect()
}

/// `png` with an iCCP chunk holding `icc`.
fn with_iccp(png: &[u8], icc: &[u8]) -> Vec<u8> {
    let mut body = b"profile\0\0".to_vec();
    body.extend(miniz_oxide::deflate::compress_to_vec_zlib(icc, 6));
    insert_png_chunk(png, b"iCCP", &body)
}

fn prepare(file: &[u8]) -> (Decoded, ekyc_preflight::PrepareReport) {
    let prepared = Preprocessor::new(spec()).prepare(file).unwrap();
    let decoded = assert_compliant(prepared.jpeg(), &spec());
    (decoded, prepared.report().clone())
}

/// Our output of `file` against lcms's conversion with `icc`; returns (PSNR against it,
/// PSNR against the picture left unconverted).
fn judged(file: &[u8], icc: &[u8]) -> (f64, f64, bool) {
    let (ours, report) = prepare(file);
    let converted = judge(file, Some(icc), ours.width, ours.height);
    let plain = judge(file, None, ours.width, ours.height);
    (
        psnr(&ours.rgb, &converted.rgb),
        psnr(&ours.rgb, &plain.rgb),
        report.converted_to_srgb,
    )
}

#[test]
fn wide_gamut_profiles_are_converted_like_lcms() {
    if !tools::pillow(
        "import PIL.Image, PIL.ImageCms",
        "Python 3 with Pillow (and ImageCms)",
    ) {
        return;
    }
    let jpeg = jpeg(&picture());
    let png = png(picture());
    let large = common::jpeg(&photo_rgb(768, 1024));
    // The measure of two decoders, resizers and our encoding, without any profile.
    let (ours, _) = prepare(&jpeg);
    let untagged = psnr(&ours.rgb, &judge(&jpeg, None, ours.width, ours.height).rgb);
    eprintln!("untagged JPEG: {untagged:.1} dB against Pillow");
    assert!(untagged >= SAME_COLOURS_DB + 3.0, "{untagged:.1} dB");
    for (name, profile) in [
        ("Display P3", ColorProfile::new_display_p3()),
        ("Adobe RGB", ColorProfile::new_adobe_rgb()),
    ] {
        let icc = profile.encode().unwrap();
        let cases = [
            ("JPEG, one APP2", with_icc(&jpeg, &icc, 65_000, in_order)),
            // Pieces of 100 bytes, sent last first: put together by sequence number.
            (
                "JPEG, APP2 pieces out of order",
                with_icc(&jpeg, &icc, 100, |n| (0..n).rev().collect()),
            ),
            ("PNG iCCP", with_iccp(&png, &icc)),
            // Large enough to be shrunk on load: our own decoder's planes, converted
            // after their resize.
            (
                "JPEG shrunk on load",
                with_icc(&large, &icc, 65_000, in_order),
            ),
        ];
        for (kind, file) in cases {
            let (db, plain, converted) = judged(&file, &icc);
            eprintln!("{name}, {kind}: {db:.1} dB against lcms, {plain:.1} dB unconverted");
            assert!(converted, "{name}, {kind}: not converted");
            assert!(db >= SAME_COLOURS_DB, "{name}, {kind}: {db:.1} dB");
            assert!(
                plain < SAME_COLOURS_DB - 5.0,
                "{name}, {kind}: the unconverted picture is {plain:.1} dB close"
            );
        }
    }
}

#[test]
fn srgb_profiles_are_skipped() {
    if !tools::pillow(
        "import PIL.Image, PIL.ImageCms",
        "Python 3 with Pillow (and ImageCms)",
    ) {
        return;
    }
    let jpeg = jpeg(&picture());
    let srgb = lcms_srgb();
    for (kind, file) in [
        ("JPEG", with_icc(&jpeg, &srgb, 65_000, in_order)),
        ("PNG", with_iccp(&png(picture()), &srgb)),
    ] {
        let (ours, report) = prepare(&file);
        assert!(!report.converted_to_srgb, "{kind}: lcms's sRGB converted");
        let db = psnr(
            &ours.rgb,
            &judge(&file, Some(&srgb), ours.width, ours.height).rgb,
        );
        assert!(db >= SAME_COLOURS_DB, "{kind}: {db:.1} dB");
    }
}

/// Profiles that cannot be used: the pixels are taken as they are, without an error.
/// No tool needed.
#[test]
fn unusable_profiles_are_ignored() {
    let jpeg = jpeg(&picture());
    let p3 = ColorProfile::new_display_p3().encode().unwrap();
    let (plain, _) = prepare(&jpeg);
    // A piece missing, a piece twice, a count that disagrees, a damaged profile.
    let cases = [
        (
            "piece missing",
            with_icc(&jpeg, &p3, 100, |n| (1..n).collect()),
        ),
        (
            "piece twice",
            with_icc(&jpeg, &p3, 100, |n| {
                let mut v: Vec<usize> = (0..n).collect();
                v[1] = 0;
                v
            }),
        ),
        (
            "damaged",
            with_icc(&jpeg, &p3[..p3.len() / 2], 65_000, in_order),
        ),
        (
            "not a profile",
            with_icc(&jpeg, &[7; 300], 65_000, in_order),
        ),
        (
            "grey profile on colour",
            with_icc(
                &jpeg,
                &ColorProfile::new_gray_with_gamma(1.0).encode().unwrap(),
                65_000,
                in_order,
            ),
        ),
    ];
    for (name, file) in cases {
        let (ours, report) = prepare(&file);
        assert!(!report.converted_to_srgb, "{name}");
        assert_eq!(ours.rgb, plain.rgb, "{name}: pixels changed");
    }
    // An iCCP chunk of some 100 KB that inflates to 256 MiB: refused unread.
    let mut bomb = b"profile\0\0".to_vec();
    bomb.extend(miniz_oxide::deflate::compress_to_vec_zlib(
        &vec![0; 256 << 20],
        9,
    ));
    let file = insert_png_chunk(&png(picture()), b"iCCP", &bomb);
    let (_, report) = prepare(&file);
    assert!(!report.converted_to_srgb);
}

/// The XYB JPEG a jpegli encoder writes (`testdata/xyb-jpegli.jpg`): its channels are
/// XYB, not RGB, and only its ICC profile (a `mAB ` lookup table with a colour grid,
/// not a matrix and curves) says what they mean. Taken as RGB it is some 14 dB from its
/// colour-managed decode; converted through the profile it must match lcms's reading of
/// it. The bounds are lower than for matrix profiles: the B channel is stored at a
/// quarter of the area and is full of detail, and how it is upsampled matters (Pillow's
/// smooth upsampling against a plain one moves it by 6 levels on average on this photo,
/// which the grid carries into every channel). Measured: 31.8 dB at the file's own size;
/// 26.8 dB when shrunk on load to a quarter (`jpeg-decoder` decodes the quarter-area B
/// channel at half its size again); 14 dB unconverted.
#[test]
fn xyb_jpegs_are_converted_through_their_lookup_table_profile() {
    if !tools::pillow(
        "import PIL.Image, PIL.ImageCms",
        "Python 3 with Pillow (and ImageCms)",
    ) {
        return;
    }
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/xyb-jpegli.jpg"
    ))
    .unwrap();
    // The profile as the file carries it (one APP2 piece).
    let icc: Vec<u8> = segments(&file)
        .into_iter()
        .find(|(marker, body)| *marker == 0xE2 && body.starts_with(b"ICC_PROFILE\0"))
        .map(|(_, body)| body[14..].to_vec())
        .expect("the fixture carries an ICC profile");
    assert_eq!(&icc[36..40], b"acsp", "an ICC profile");
    let full_size = Spec {
        turn: Turn::Off,
        ..Spec::default()
    };
    for (kind, spec, bound) in [
        ("own size", full_size, 29.0),
        ("shrunk on load", spec(), 24.0),
    ] {
        let prepared = Preprocessor::new(spec).prepare(&file).unwrap();
        let ours = assert_compliant(prepared.jpeg(), &spec);
        let converted = judge(&file, Some(&icc), ours.width, ours.height);
        let plain = judge(&file, None, ours.width, ours.height);
        let (db, plain) = (psnr(&ours.rgb, &converted.rgb), psnr(&ours.rgb, &plain.rgb));
        eprintln!("XYB JPEG, {kind}: {db:.1} dB against lcms, {plain:.1} dB unconverted");
        assert!(prepared.report().converted_to_srgb, "{kind}: not converted");
        assert!(db >= bound, "{kind}: {db:.1} dB against lcms");
        assert!(plain < bound - 6.0, "{kind}: unconverted {plain:.1} dB");
    }
}
