//! Damaged and slightly irregular JPEGs (issue 15, items 2 and 3): what libjpeg reads
//! with a warning we read too, and what it finds corrupt we refuse, in `prepare` and
//! `check` alike, whatever size the picture is decoded at.
//!
//! Every fixture is made here: a JPEG written by `image`'s encoder or by `cjpeg`, then
//! bytes inserted between its segments, its end-of-image marker cut, its scan cut short
//! or bytes of its entropy-coded data changed. The comparisons are with libjpeg's own
//! decode (`djpeg`), an independent decoder, and with what it warns of.
//!
//! The comparisons need libjpeg-turbo's tools (`apt-get install libjpeg-turbo-progs`):
//! without them those tests say so and pass, unless `EKYC_REQUIRE_TOOLS` is set (CI sets
//! it). The refusals are asserted without them.

use crate::common;

use common::*;
use ekyc_preflight::{check_with, CheckOptions, Error, Preprocessor, Rule, Spec, Turn};

/// The document's rules scaled down fourfold (a 180-pixel short side), so that small
/// pictures take both decoding paths: 250 pixels across is decoded whole, 801 shrunk on
/// load (as in `decode_truth.rs`).
fn spec() -> Spec {
    Spec {
        turn: Turn::Off,
        ..quarter_spec()
    }
}

/// The two sizes: decoded whole, and shrunk on load.
const SIZES: [(u32, u32); 2] = [(250, 317), (801, 1003)];

fn check_options() -> CheckOptions {
    CheckOptions {
        detect_faces: false,
        ..CheckOptions::default()
    }
}

/// libjpeg's decode (PPM or PGM, as RGB) and its warnings.
fn djpeg(input: &[u8]) -> (Decoded, String) {
    // djpeg exits with status 2 after a warning, having written the picture.
    let (out, warnings, _) = tools::run_tool("djpeg", &["-ppm"], input);
    assert!(!out.is_empty(), "djpeg failed: {warnings}");
    (read_pnm(&out), warnings)
}

/// A photo-like picture: the gradient with a soft texture.
fn source(width: u32, height: u32) -> image::RgbImage {
    let mut img = photo_rgb(width, height);
    let noise = noise_rgb(width / 16 + 1, height / 16 + 1, 5);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let n = noise.get_pixel(x / 16, y / 16);
        for c in 0..3 {
            p[c] = (u16::from(p[c]) * 7 / 8 + u16::from(n[c]) / 8) as u8;
        }
    }
    image::imageops::blur(&img, 1.5)
}

/// `cjpeg` with `args` on [`source`], then `jpegtran -scans` with `script` if given.
fn cjpeg(args: &[&str], script: Option<&str>, (width, height): (u32, u32)) -> Vec<u8> {
    let (jpeg, err, ok) = tools::run_tool("cjpeg", args, &ppm(&source(width, height)));
    assert!(ok, "cjpeg: {err}");
    let Some(script) = script else {
        return jpeg;
    };
    let path = std::env::temp_dir().join(format!(
        "ekyc-decode-damage-{}-{width}.scans",
        std::process::id()
    ));
    std::fs::write(&path, script).unwrap();
    let (out, err, ok) = tools::run_tool("jpegtran", &["-scans", path.to_str().unwrap()], &jpeg);
    let _ = std::fs::remove_file(&path);
    assert!(ok, "jpegtran: {err}");
    out
}

/// Where each marker segment before the first scan starts, with its marker.
fn markers(jpeg: &[u8]) -> Vec<(usize, u8)> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1];
        out.push((pos, marker));
        if marker == 0xDA {
            break;
        }
        pos += 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
    }
    out
}

/// Where the first scan's entropy-coded data starts.
fn scan_start(jpeg: &[u8]) -> usize {
    let &(sos, _) = markers(jpeg).last().unwrap();
    sos + 2 + usize::from(u16::from_be_bytes([jpeg[sos + 2], jpeg[sos + 3]]))
}

/// `junk` inserted before the first segment with `marker`.
fn insert_before(jpeg: &[u8], marker: u8, junk: &[u8]) -> Vec<u8> {
    let (at, _) = *markers(jpeg)
        .iter()
        .find(|&&(_, m)| m == marker)
        .unwrap_or_else(|| panic!("no marker {marker:02X}"));
    let mut out = jpeg[..at].to_vec();
    out.extend_from_slice(junk);
    out.extend_from_slice(&jpeg[at..]);
    out
}

fn refusal(input: &[u8]) -> Error {
    match Preprocessor::new(spec()).prepare(input) {
        Ok(_) => panic!("prepared"),
        Err(e) => e,
    }
}

/// `prepare` refuses `input` as a damaged JPEG (saying `says`), and `check` calls it
/// unreadable, at whatever size each decodes it.
fn assert_refused_as_damaged(what: &str, input: &[u8], says: &str) {
    let e = match Preprocessor::new(spec()).prepare(input) {
        Ok(_) => panic!("{what}: prepared"),
        Err(e) => e,
    };
    assert!(
        matches!(&e, Error::Corrupt { format: "JPEG", reason } if reason.contains(says)),
        "{what}: {e}"
    );
    assert_eq!(e.rule(), Rule::Readable, "{what}");
    assert!(e.to_string().contains("damaged"), "{what}: {e}");
    let report = check_with(input, &spec(), &check_options());
    assert!(report.has(Rule::Readable), "{what}: check says {report}");
}

/// `prepare` takes `input`; its output, read back by djpeg, is within 30 dB of djpeg's
/// decode of the input resized the same way; `check` finds it readable; the full-size
/// decode is within 35 dB of djpeg's.
fn assert_read_as_libjpeg_does(what: &str, input: &[u8], reference: &Decoded) {
    let prepared = Preprocessor::new(spec())
        .prepare(input)
        .unwrap_or_else(|e| panic!("{what}: refused: {e}"));
    let (ours, _) = djpeg(prepared.jpeg());
    let img = image::RgbImage::from_raw(reference.width, reference.height, reference.rgb.clone())
        .unwrap();
    let theirs = image::imageops::resize(
        &img,
        ours.width,
        ours.height,
        image::imageops::FilterType::Lanczos3,
    );
    let db = psnr(&ours.rgb, theirs.as_raw());
    assert!(db >= 30.0, "{what}: prepare's output at {db:.1} dB");
    let report = check_with(input, &spec(), &check_options());
    assert!(!report.has(Rule::Readable), "{what}: check says {report}");
    let full = ekyc_preflight::stages::decode(input, reference.width, reference.height)
        .unwrap_or_else(|e| panic!("{what}: full-size decode refused: {e}"));
    if full.raw().len() == reference.rgb.len() {
        let db = psnr(full.raw(), &reference.rgb);
        assert!(db >= 35.0, "{what}: full-size decode at {db:.1} dB");
    }
}

// ---------------------------------------------------------------------------------------
// Item 2: stray bytes between segments.

/// Bytes inserted before a segment, as some writers leave them.
const JUNK: &[u8] = b"\x00\x0Djunk";

/// Stray bytes before each kind of header segment, in files of every decoding path
/// (zune-jpeg at full size, our shrink-on-load decoder, `jpeg-decoder` for separate
/// scans and progressive): read as libjpeg reads them, which warns of them.
#[test]
fn stray_bytes_between_segments_are_skipped_as_libjpeg_skips_them() {
    if !tools::libjpeg_tools() {
        return;
    }
    let layouts: [(&str, &[&str], Option<&str>); 4] = [
        ("420", &["-sample", "2x2,1x1,1x1"], None),
        (
            "444-restarts",
            &["-sample", "1x1,1x1,1x1", "-restart", "2"],
            None,
        ),
        (
            "420-separate-scans",
            &["-sample", "2x2,1x1,1x1"],
            Some("0;\n1;\n2;\n"),
        ),
        (
            "420-progressive",
            &["-sample", "2x2,1x1,1x1", "-progressive"],
            None,
        ),
    ];
    for size in SIZES {
        for (name, args, script) in layouts {
            let clean = cjpeg(args, script, size);
            for (marker, label) in [
                (0xDB, "DQT"),
                (0xC4, "DHT"),
                (0xDA, "SOS"),
                (markers(&clean)[1].1, "the first segment after SOI"),
            ] {
                let what = format!("{name} {size:?}, junk before {label}");
                let input = insert_before(&clean, marker, JUNK);
                let (reference, warnings) = djpeg(&input);
                assert!(
                    warnings.contains("extraneous bytes before marker"),
                    "{what}: djpeg says {warnings:?}"
                );
                assert_read_as_libjpeg_does(&what, &input, &reference);
            }
        }
    }
}

/// The decoders behind the pipeline, asked directly: `image` (zune-jpeg) and
/// `jpeg-decoder` both read a photo with bytes before its DQT as djpeg does.
#[test]
fn both_general_decoders_accept_stray_bytes() {
    if !tools::libjpeg_tools() {
        return;
    }
    let clean = cjpeg(&["-sample", "2x2,1x1,1x1"], None, (250, 317));
    let input = insert_before(&clean, 0xDB, JUNK);
    let (reference, _) = djpeg(&input);
    let zune = image::load_from_memory_with_format(&input, image::ImageFormat::Jpeg)
        .expect("image (zune-jpeg) reads it")
        .into_rgb8();
    assert!(psnr(zune.as_raw(), &reference.rgb) > 35.0);
    let theirs = decode_jpeg(&input); // jpeg-decoder
    assert!(psnr(&theirs.rgb, &reference.rgb) > 35.0);
}

/// Without the tools: a photo of `image`'s encoder with five bytes before its DQT (the
/// issue's case) is prepared, and at the same size as the clean one.
#[test]
fn five_bytes_before_the_quantisation_tables_are_no_refusal() {
    for (width, height) in SIZES {
        let clean = jpeg(&source(width, height));
        let input = insert_before(&clean, 0xDB, b"\x01\x02\x03\x04\x05");
        let mut pre = Preprocessor::new(spec());
        let a = pre.prepare(&clean).unwrap();
        let b = pre.prepare(&input).unwrap();
        assert_eq!(a.jpeg(), b.jpeg(), "{width}x{height}");
        assert!(!check_with(&input, &spec(), &check_options()).has(Rule::Readable));
    }
}

/// A start-of-image marker followed by no marker at all is a damaged JPEG, not another
/// format; followed by junk and then the rest of a JPEG, it is read as libjpeg reads it.
#[test]
fn start_of_image_without_a_marker_is_a_damaged_jpeg() {
    for input in [
        &b"\xFF\xD8"[..],
        b"\xFF\xD8\x00\x00\x00\x00",
        b"\xFF\xD8hello, world",
        b"\xFF\xD8\xFF",
    ] {
        let e = refusal(input);
        assert!(
            matches!(e, Error::Corrupt { format: "JPEG", .. }),
            "{input:?}: {e}"
        );
        assert!(!e.to_string().contains("convert it"), "{input:?}: {e}");
    }
    assert!(refusal(b"\xFF\xD8\x00")
        .to_string()
        .contains("no marker after the start-of-image marker"));
    let clean = jpeg(&source(250, 317));
    let mut input = clean[..2].to_vec();
    input.extend_from_slice(b"\x00\x00junk");
    input.extend_from_slice(&clean[2..]);
    Preprocessor::new(spec()).prepare(&input).unwrap();
}

// ---------------------------------------------------------------------------------------
// Item 2: the end-of-image marker missing.

/// A sequential picture whole but for its end-of-image marker is read (libjpeg warns of
/// a premature end and decodes it whole); cut inside its scan, it is refused, and so is
/// a progressive or multi-scan one without the marker (its last scans may be missing,
/// each a valid end).
#[test]
fn missing_end_of_image_marker_is_accepted_only_when_the_scan_is_whole() {
    if !tools::libjpeg_tools() {
        return;
    }
    for size in SIZES {
        for (name, args) in [
            ("420", &["-sample", "2x2,1x1,1x1"][..]),
            ("444-restarts", &["-sample", "1x1,1x1,1x1", "-restart", "1"]),
            ("grey", &["-grayscale"]),
        ] {
            let clean = cjpeg(args, None, size);
            assert!(clean.ends_with(&[0xFF, 0xD9]));
            let what = format!("{name} {size:?}");
            let no_eoi = &clean[..clean.len() - 2];
            let (reference, warnings) = djpeg(no_eoi);
            assert!(
                warnings.contains("Premature end"),
                "{what}: djpeg says {warnings:?}"
            );
            assert_read_as_libjpeg_does(&format!("{what} without EOI"), no_eoi, &reference);
            // Cut inside the scan: the probe sees no EOI, our decoder runs out of data.
            let start = scan_start(&clean);
            for cut in [start + 10, (start + clean.len()) / 2, clean.len() - 40] {
                let e = refusal(&clean[..cut]);
                assert!(e.to_string().contains("truncated"), "{what} cut {cut}: {e}");
                assert_refused_as_damaged(&format!("{what} cut at {cut}"), &clean[..cut], "");
            }
        }
        for (name, args, script) in [
            ("progressive", &["-progressive"][..], None),
            ("separate-scans", &[][..], Some("0;\n1;\n2;\n")),
        ] {
            let clean = cjpeg(args, script, size);
            let e = refusal(&clean[..clean.len() - 2]);
            assert!(
                e.to_string()
                    .contains("truncated: no end-of-image marker after the scan"),
                "{name} {size:?}: {e}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Item 3: damaged entropy-coded data.

/// Damage libjpeg reports as corrupt data ("Corrupt JPEG data: ..."): bytes of the
/// scan replaced. `prepare` refuses it and `check` calls it unreadable at both sizes (the
/// full-size decoder alone would have filled the picture with grey).
#[test]
fn corrupt_entropy_data_is_refused_by_prepare_and_check_alike() {
    for (width, height) in SIZES {
        let clean = jpeg(&source(width, height));
        let start = scan_start(&clean);
        let end = clean.len() - 2;
        let what = format!("{width}x{height}");
        // A run of one-bits: no code of the standard tables is all ones (T.81 C).
        let mut ones = clean.clone();
        let at = start + (end - start) / 3;
        // Each 0xFF stuffed (a 0xFF before another is only a fill byte).
        ones[at..at + 8].copy_from_slice(&[0xFF, 0x00].repeat(4));
        assert_refused_as_damaged(&format!("{what} ones"), &ones, "entropy-coded data");
        // A stretch of the scan removed: the blocks after it run past the data.
        let mut cut = clean[..at].to_vec();
        cut.extend_from_slice(&clean[at + (end - at) / 2..]);
        assert_refused_as_damaged(
            &format!("{what} stretch removed"),
            &cut,
            "entropy-coded data",
        );
        // The same data again after the scan: left over once the last block is read.
        let mut doubled = clean[..end].to_vec();
        doubled.extend_from_slice(&clean[at..end]);
        doubled.extend_from_slice(&[0xFF, 0xD9]);
        assert_refused_as_damaged(
            &format!("{what} doubled"),
            &doubled,
            "left after the last block",
        );
    }
}

/// Bytes of the scan changed at random, 40 files a size: wherever libjpeg reports corrupt
/// data, `prepare` and `check` agree (both refuse or both read it); most are refused;
/// and where both read it, the output is close to libjpeg's decode of the same bytes.
#[test]
fn random_damage_prepare_and_check_agree() {
    if !tools::libjpeg_tools() {
        return;
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut flagged, mut refused) = (0, 0);
    let mut disagreements = Vec::new();
    for size in SIZES {
        let clean = cjpeg(&["-sample", "2x2,1x1,1x1"], None, size);
        let start = scan_start(&clean);
        let end = clean.len() - 2;
        for i in 0..40 {
            let mut input = clean.clone();
            for _ in 0..3 {
                let at = start + (next() as usize) % (end - start);
                let v = (next() % 255) as u8; // never 0xFF: no marker made
                input[at] = if input[at] == 0xFF { 0xFF } else { v };
            }
            let (_, warnings, _) = tools::run_tool("djpeg", &["-ppm"], &input);
            if !warnings.contains("Corrupt JPEG data") {
                continue;
            }
            flagged += 1;
            let prepared = Preprocessor::new(spec()).prepare(&input);
            let report = check_with(&input, &spec(), &check_options());
            if prepared.is_err() {
                refused += 1;
            }
            if prepared.is_err() != report.has(Rule::Readable) {
                disagreements.push(format!(
                    "{size:?} #{i}: prepare {:?}, check {report}",
                    prepared.as_ref().err()
                ));
            }
        }
    }
    eprintln!("{flagged} files libjpeg calls corrupt, {refused} refused");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(flagged >= 20, "{flagged}");
    assert!(refused * 2 >= flagged, "{refused} of {flagged}");
}
