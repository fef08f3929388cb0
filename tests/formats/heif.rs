//! HEIC in, JPEG out (feature `heif`): files coded at test time by libheif's `heif-enc`
//! (x265), as the tool lays them out and as an iPhone does (a grid of tiles, `irot`,
//! an EXIF item saying 6, a Display P3 profile: tests/fixtures/heif_mux.py). Our output
//! is judged by the source picture turned as ISO/IEC 23008-12 says (independent of
//! libheif) and by `heif-convert`'s decode, colour converted by Pillow's LittleCMS, at
//! 35 dB or more. Then hostile containers: every truncation, canvases larger than the
//! tiles, huge declared sizes, a grid of grids: typed errors before any decoding.
//!
//! Needs `heif-enc` and `heif-convert` (`apt-get install libheif-examples`) and Python's
//! Pillow: without them the tests say so and pass, unless `EKYC_REQUIRE_TOOLS` is set.

use crate::common;
use crate::shared;

use std::process::Command;

use common::*;
use ekyc_preflight::{check_with, CheckOptions, Format, Preprocessor, Rule, Spec, Verdict};
use shared::*;

const INSTALL: &str = "apt-get install libheif-examples; pip install pillow";

fn tools() -> bool {
    present(&["heif-enc", "heif-convert"], INSTALL)
}

fn spec() -> Spec {
    quarter_spec()
}

/// Prepares `file` (it must be read as a HEIF), checks the output meets the rules, and
/// that `check` calls the input fixable for its format alone.
fn prepare(name: &str, file: &[u8]) -> Decoded {
    prepare_converted(name, file, &spec(), Format::Heif)
}

/// `heif-convert`'s decode of `file` (libheif, transforms applied), read by Pillow. With
/// a profile inside (`jpeg`) it writes a JPEG at quality 100 (libpng refuses to write moxcms' Display P3
/// profile into a PNG: "invalid length"), which Pillow converts from that profile.
fn heif_convert(file: &[u8], icc: Option<&std::path::Path>, jpeg: bool) -> Decoded {
    let input = scratch("in.heic");
    let out = scratch(if jpeg { "out.jpg" } else { "out.png" });
    std::fs::write(&input, file).unwrap();
    let status = Command::new("heif-convert")
        .args(["-q", "100"])
        .arg(&input)
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "heif-convert failed");
    let d = read_png_with_pillow(&out, icc);
    std::fs::remove_file(&input).ok();
    std::fs::remove_file(&out).ok();
    d
}

#[test]
fn heif_enc_files_match_heif_convert_and_the_source() {
    if !tools() {
        return;
    }
    let photo = photo_rgb(180, 240);
    for (name, args) in [("q90", &["-q", "90"][..]), ("q60", &["-q", "60"][..])] {
        let file = heif_enc(&png(photo.clone()), false, args);
        let ours = prepare(name, &file);
        assert_close(name, &ours, &heif_convert(&file, None, false));
        assert_close(name, &ours, &decoded(&photo));
    }
}

#[test]
fn the_eight_orientations_of_irot_and_imir() {
    if !tools() {
        return;
    }
    for irot in 0..4 {
        for imir in [-1, 0, 1] {
            if imir == 1 && irot % 2 == 0 {
                // imir 1 with irot r is imir 0 with irot r + 2: the eight are covered.
                continue;
            }
            // Stored so that the picture as displayed is portrait.
            let photo = if irot % 2 == 1 {
                photo_rgb(240, 180)
            } else {
                photo_rgb(180, 240)
            };
            let name = format!("irot {irot}, imir {imir}");
            let file = mux(&png(photo.clone()), 0, false, irot, imir, &[]);
            let ours = prepare(&name, &file);
            assert_close(&name, &ours, &transform(&decoded(&photo), irot, imir));
        }
    }
}

#[test]
fn iphone_like_grid_with_irot_exif_6_and_display_p3() {
    if !tools() {
        return;
    }
    // As an iPhone stores a portrait photo: the sensor's landscape picture in tiles
    // (here 64 pixels, 4 × 3, the last column and row cut by the canvas), `irot` 3 (a
    // quarter turn clockwise), an EXIF item saying 6 (the same turn: not applied twice)
    // and a Display P3 profile.
    let photo = photo_rgb(240, 180);
    let icc = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let icc_path = scratch("p3.icc");
    std::fs::write(&icc_path, &icc).unwrap();
    let extra = [
        "--icc".to_owned(),
        icc_path.display().to_string(),
        "--exif".to_owned(),
        "6".to_owned(),
    ];
    let file = mux(&png(photo.clone()), 64, false, 3, -1, &extra);
    let ours = prepare("iPhone-like", &file);
    let converted = heif_convert(&file, Some(&icc_path), true);
    let db = assert_close("iPhone-like, P3 converted", &ours, &converted);
    // Left in P3 (no conversion), the picture is further off: the profile was applied.
    let raw = heif_convert(&file, None, true);
    let raw_db = psnr(&ours.rgb, &raw.rgb);
    assert!(
        raw_db < db,
        "P3 left unconverted is as close: {raw_db:.1} dB"
    );
    let report = check_with(&file, &spec(), &CheckOptions::default());
    assert_eq!(report.size.map(|s| (s.width, s.height)), Some((180, 240)));
    std::fs::remove_file(&icc_path).ok();
}

fn refusal(file: &[u8]) -> ekyc_preflight::Error {
    match Preprocessor::new(spec()).prepare(file) {
        Ok(_) => panic!("read, not refused"),
        Err(e) => e,
    }
}

#[test]
fn every_truncation_is_refused_with_a_typed_error() {
    if !tools() {
        return;
    }
    for tile in [0, 64] {
        let file = mux(&png(photo_rgb(180, 240)), tile, false, 0, -1, &[]);
        let cuts: Vec<usize> = (0..file.len().min(1200))
            .chain((1200..file.len()).step_by(97))
            .collect();
        for cut in cuts {
            let e = refusal(&file[..cut]);
            assert!(
                matches!(e.rule(), Rule::Readable | Rule::Format),
                "cut at {cut}: {e}"
            );
            // `check` reads it too, without a panic, and rejects it.
            let report = check_with(&file[..cut], &spec(), &CheckOptions::default());
            assert_eq!(report.verdict, Verdict::Reject, "cut at {cut}");
        }
    }
}

#[test]
fn huge_and_lying_canvases_and_deep_grids_are_refused_from_the_header() {
    if !tools() {
        return;
    }
    let src = png(photo_rgb(128, 128));
    let declare = |w: u32, h: u32| ["--declare".to_owned(), w.to_string(), h.to_string()];
    // One coded item declaring 60000²: the limits refuse it before libheif is called.
    let e = refusal(&mux(&src, 0, false, 0, -1, &declare(60000, 60000)));
    assert_eq!(e.rule(), Rule::InputLimit, "{e}");
    // A grid declaring a canvas its tiles do not cover, or far smaller than them.
    for (w, h) in [(60000, 60000), (1000, 128), (128, 16)] {
        let e = refusal(&mux(&src, 64, false, 0, -1, &declare(w, h)));
        assert_eq!(e.rule(), Rule::Readable, "{w}x{h}: {e}");
        assert!(e.to_string().contains("do not fit"), "{e}");
    }
    // A grid whose tile is a grid.
    let e = refusal(&mux(&src, 64, false, 0, -1, &["--deep".to_owned()]));
    assert_eq!(e.rule(), Rule::Readable, "{e}");
    assert!(e.to_string().contains("deep"), "{e}");
}

#[test]
fn grid_tiles_with_transforms_of_their_own_are_refused() {
    if !tools() {
        return;
    }
    let src = png(photo_rgb(192, 128));
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Each tile turned, mirrored, or cropped from 64 to 48 (libheif then leaves the canvas's right
    // and bottom edges unwritten), in a grid with a correct transform of its own or none.
    let turned = args(&["--tile-irot", "1"]);
    let cropped = args(&["--tile-clap", "48", "1", "48", "1", "0", "1", "0", "1"]);
    for (name, extra, grid_irot) in [
        ("turned tiles", &turned, -1),
        ("turned tiles, turned grid", &turned, 1),
        ("cropped tiles", &cropped, -1),
        ("mirrored tiles", &args(&["--tile-imir", "0"]), -1),
    ] {
        let file = mux(&src, 64, false, grid_irot, -1, extra);
        let e = refusal(&file);
        assert_eq!(e.rule(), Rule::Readable, "{name}: {e}");
        assert!(
            e.to_string().contains("only the grid may transform"),
            "{name}: {e}"
        );
        let report = check_with(&file, &spec(), &CheckOptions::default());
        assert_eq!(report.verdict, Verdict::Reject, "{name}");
    }
    // The same grid with the turn on the grid item alone is read.
    let file = mux(&src, 64, false, 1, -1, &[]);
    Preprocessor::new(spec())
        .prepare(&file)
        .expect("a turned grid is read");
}

#[test]
fn an_alpha_plane_is_composited_on_white_and_one_of_another_size_left_out() {
    if !tools() {
        return;
    }
    let photo = photo_rgb(180, 240);
    // Opaque (255) round an ellipse at 60: a quarter of the light shows through there.
    let mask = |w: u32, h: u32| {
        image::GrayImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as f32 / w as f32 - 0.5, y as f32 / h as f32 - 0.5);
            image::Luma([if dx * dx + dy * dy < 0.1 { 60 } else { 255 }])
        })
    };
    for (name, (w, h), composited) in [
        ("alpha", (180, 240), true),
        ("alpha of another size", (90, 120), false),
    ] {
        let path = scratch(&format!("alpha-{w}x{h}.png"));
        std::fs::write(&path, png(mask(w, h))).unwrap();
        let alpha = ["--alpha".to_owned(), path.display().to_string()];
        let file = mux(&png(photo.clone()), 0, false, -1, -1, &alpha);
        std::fs::remove_file(&path).ok();
        let ours = prepare(name, &file);
        // heif-convert writes the alpha into its PNG, which the judge puts on white.
        assert_close(name, &ours, &heif_convert(&file, None, false));
        let as_photo = psnr(&ours.rgb, &decoded(&photo).rgb);
        assert_eq!(
            as_photo < SAME_PICTURE_DB,
            composited,
            "{name}: {as_photo:.1} dB"
        );
    }
}

/// The clean aperture `clap` asks for a `w` × `h` crop at (`left`, `top`) of a `width`
/// × `height` picture: its eight terms, centre offsets in halves.
fn clap_terms(width: u32, height: u32, left: u32, top: u32, w: u32, h: u32) -> Vec<String> {
    let off = |start: u32, size: u32, whole: u32| i64::from(2 * start + size) - i64::from(whole);
    let mut args = vec!["--clap".to_owned()];
    for v in [
        i64::from(w),
        1,
        i64::from(h),
        1,
        off(left, w, width),
        2,
        off(top, h, height),
        2,
    ] {
        args.push(v.to_string());
    }
    args
}

fn cropped(d: &Decoded, left: u32, top: u32, w: u32, h: u32) -> Decoded {
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for y in top..top + h {
        let row = 3 * (y * d.width + left) as usize;
        rgb.extend_from_slice(&d.rgb[row..row + 3 * w as usize]);
    }
    Decoded {
        width: w,
        height: h,
        rgb,
    }
}

#[test]
fn clap_crops_are_honoured_before_irot_and_imir() {
    if !tools() {
        return;
    }
    // (tile, irot, imir, crop left, top, width, height) of the stored picture: odd sizes
    // and offsets, edges touched, with and without a turn, one coded item and a grid.
    let cases = [
        (0, -1, -1, 13, 27, 151, 201),
        (0, 1, -1, 50, 0, 201, 151),
        (0, 3, 0, 41, 33, 177, 133),
        (64, 3, -1, 61, 51, 199, 149),
        (64, 0, 1, 0, 3, 163, 257),
    ];
    for (tile, irot, imir, left, top, w, h) in cases {
        // Stored landscape when turned a quarter, so that it is displayed portrait.
        let (sw, sh) = if irot % 2 == 1 {
            (260, 200)
        } else {
            (200, 260)
        };
        let photo = photo_rgb(sw, sh);
        let name = format!("clap {w}x{h} at {left},{top}, tile {tile}, irot {irot}, imir {imir}");
        let clap = clap_terms(sw, sh, left, top, w, h);
        let file = mux(&png(photo.clone()), tile, false, irot, imir, &clap);
        let ours = prepare(&name, &file);
        assert_close(&name, &ours, &heif_convert(&file, None, false));
        let truth = transform(&cropped(&decoded(&photo), left, top, w, h), irot, imir);
        assert_close(&format!("{name}, source"), &ours, &truth);
        let report = check_with(&file, &spec(), &CheckOptions::default());
        let size = report.size.map(|s| (s.width, s.height));
        assert_eq!(size, Some((truth.width, truth.height)), "{name}");
    }
    // Fractional terms: the size is libheif's rounding (151.5 × 200.5, offsets 5/3 and
    // −7/4), judged by heif-convert alone.
    let terms = ["303", "2", "401", "2", "5", "3", "-7", "4"];
    let mut clap = vec!["--clap".to_owned()];
    clap.extend(terms.iter().map(|t| t.to_string()));
    let file = mux(&png(photo_rgb(200, 260)), 0, false, -1, -1, &clap);
    let ours = prepare("fractional clap", &file);
    assert_close("fractional clap", &ours, &heif_convert(&file, None, false));
}

#[test]
fn hostile_clap_boxes_are_refused_with_typed_errors() {
    if !tools() {
        return;
    }
    let src = png(photo_rgb(200, 260));
    let terms = |v: [i64; 8]| {
        let mut args = vec!["--clap".to_owned()];
        args.extend(v.iter().map(|t| t.to_string()));
        args
    };
    for (v, says) in [
        ([150, 0, 200, 1, 0, 1, 0, 1], "zero denominator"),
        ([150, 1, 200, 1, 0, 1, 0, 0], "zero denominator"),
        ([150, 1, 200, 0x8000_0000, 0, 1, 0, 1], "past 2^31"),
        ([0xFFFF_FFFF, 1, 200, 1, 0, 1, 0, 1], "past 2^31"),
        ([0x7FFF_FFFF, 1, 200, 1, 0, 1, 0, 1], "zero denominator"),
        ([150, 1, 0, 1, 0, 1, 0, 1], "empty"),
        ([201, 1, 200, 1, 0, 1, 0, 1], "larger"),
        ([150, 1, 200, 1, 40, 1, 0, 1], "outside"),
        ([150, 1, 200, 1, 0, 1, -32, 1], "outside"),
        ([150, 1, 200, 1, 0x7FFF_0000, 1, 0, 1], "zero denominator"),
    ] {
        for tile in [0, 64] {
            let e = refusal(&mux(&src, tile, false, 1, -1, &terms(v)));
            assert_eq!(e.rule(), Rule::Readable, "{v:?}: {e}");
            assert!(
                e.to_string().contains("clap") && e.to_string().contains(says),
                "{v:?}: {e}"
            );
        }
    }
    // A small aperture in a huge canvas: the canvas libheif decodes is what the limits
    // weigh, not the crop.
    let mut extra = terms([150, 1, 200, 1, 0, 1, 0, 1]);
    extra.extend(["--declare", "60000", "60000"].map(String::from));
    let e = refusal(&mux(&src, 0, false, -1, -1, &extra));
    assert_eq!(e.rule(), Rule::InputLimit, "{e}");
}

/// The same grid HEIC gives the same picture every time. libheif 1.15 decoding a grid's
/// HEVC tiles in parallel threads did not (the `check` fuzz target found it: a fresh and
/// a reused `Checker` disagreed on the seed below, whose 16-pixel tiles overhang the
/// canvas); prepared twelve times, the JPEGs differed from one call to the next.
#[test]
fn a_grid_decodes_to_the_same_picture_every_time() {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds/heif/grid-irot3-exif6.heic");
    let Ok(file) = std::fs::read(&seed) else {
        eprintln!("skipped: {} is not here", seed.display());
        return;
    };
    let spec = Spec {
        upscale: true,
        ..Spec::default()
    };
    let first = Preprocessor::new(spec).prepare(&file).unwrap();
    let report = format!("{:?}", ekyc_preflight::check(&file));
    for run in 1..12 {
        let again = Preprocessor::new(spec).prepare(&file).unwrap();
        assert!(again.jpeg() == first.jpeg(), "run {run}: another picture");
        let again = format!("{:?}", ekyc_preflight::check(&file));
        assert_eq!(again, report, "run {run}: another report");
    }
}
