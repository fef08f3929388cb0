//! Hostile bytes: each gets a typed error that names what was wrong, before any large
//! allocation (the limits are checked on the header).

use crate::common;

use common::*;
use ekyc_preflight::{Error, Limits, Preprocessor, Rule, Spec};

fn prepare(data: &[u8]) -> Result<ekyc_preflight::Prepared, Error> {
    Preprocessor::default().prepare(data)
}

fn found(data: &[u8]) -> &'static str {
    match prepare(data) {
        Err(Error::UnsupportedFormat { found }) => found,
        other => panic!("expected UnsupportedFormat, got {other:?}"),
    }
}

#[test]
fn empty_text_and_other_formats_are_named() {
    assert_eq!(found(b""), "empty input");
    assert_eq!(found(b"Hello, this is not a picture.\n"), "text");
    assert_eq!(found(b"GIF89a\x10\x00\x10\x00\x80\x00\x00"), "GIF");
    assert_eq!(found(b"BM\x36\x00\x0c\x00\x00\x00"), "BMP");
    assert_eq!(found(b"RIFF\x24\x00\x00\x00WAVEfmt "), "RIFF (not WebP)");
    assert_eq!(found(b"II*\x00\x08\x00\x00\x00"), "TIFF");
    if !cfg!(feature = "heif") {
        assert_eq!(
            found(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"),
            "HEIF/HEIC (this build lacks the `heif` feature)"
        );
    }
    if !cfg!(feature = "avif") {
        assert_eq!(
            found(b"\x00\x00\x00\x1cftypavif"),
            "AVIF (this build lacks the `avif` feature)"
        );
    }
    let err = prepare(b"").unwrap_err();
    assert_eq!(err.rule(), Rule::Format);
    assert!(err.to_string().contains("JPG, JPEG or PNG"), "{err}");
}

#[test]
fn jpeg_truncated_anywhere_is_refused() {
    let data = jpeg(&photo_rgb(600, 800));
    let step = (data.len() / 97).max(1);
    for cut in (0..data.len() - 2).step_by(step).chain(1..40) {
        let err = prepare(&data[..cut]).unwrap_err();
        assert!(
            matches!(err, Error::Corrupt { .. } | Error::UnsupportedFormat { .. }),
            "cut at {cut}: {err:?}"
        );
    }
    assert!(prepare(&data).is_ok());
}

#[test]
fn png_truncated_anywhere_is_refused() {
    let data = png(photo_rgb(600, 800));
    let step = (data.len() / 97).max(1);
    for cut in (0..data.len() - 12).step_by(step).chain(1..60) {
        assert!(prepare(&data[..cut]).is_err(), "cut at {cut} was accepted");
    }
}

#[test]
fn header_only_files() {
    let soi_app0 = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
    assert!(matches!(prepare(soi_app0), Err(Error::Corrupt { .. })));
    let png_sig = b"\x89PNG\r\n\x1a\n";
    assert!(matches!(prepare(png_sig), Err(Error::Corrupt { .. })));
}

fn ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    v.extend_from_slice(b"\x00\x00\x00\x00IEND\xae\x42\x60\x82");
    v
}

#[test]
fn huge_and_zero_dimensions_are_refused_from_the_header() {
    for data in [sof(65_500, 65_500), ihdr(65_500, 65_500), ihdr(1 << 30, 2)] {
        let err = prepare(&data).unwrap_err();
        assert!(matches!(err, Error::Dimensions { .. }), "{err:?}");
        assert_eq!(err.rule(), Rule::InputLimit);
        assert_eq!(err.api_code().as_str(), "ToolargeImage");
    }
    for data in [sof(0, 480), sof(640, 0), ihdr(0, 10)] {
        let err = prepare(&data).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Dimensions {
                    reason: "a side is zero",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn png_bomb_is_refused_before_inflating() {
    // 10,000 × 10,000 RGB of zeros deflates to about 300 kB but would need 600 MB.
    let width = 10_000usize;
    let mut data = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut data, width as u32, width as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_compression(png::Compression::Fast);
        let mut header = enc.write_header().unwrap();
        {
            let mut w = header.stream_writer().unwrap();
            let row = vec![0u8; 3 * width];
            for _ in 0..width {
                std::io::Write::write_all(&mut w, &row).unwrap();
            }
            w.finish().unwrap();
        }
        header.finish().unwrap();
    }
    assert!(data.len() < 2_000_000, "{} bytes", data.len());
    let err = prepare(&data).unwrap_err();
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err:?}");
}

#[test]
fn each_limit_is_enforced_before_decoding() {
    let data = png(photo_rgb(600, 800));
    let with = |limits: Limits| {
        Preprocessor::new(Spec {
            limits,
            ..Spec::default()
        })
        .prepare(&data)
    };
    let bytes = Limits {
        max_input_bytes: data.len() - 1,
        ..Limits::default()
    };
    assert!(matches!(with(bytes), Err(Error::InputTooLarge { .. })));
    let side = Limits {
        max_side: 799,
        ..Limits::default()
    };
    assert!(matches!(with(side), Err(Error::Dimensions { .. })));
    let pixels = Limits {
        max_pixels: 600 * 800 - 1,
        ..Limits::default()
    };
    assert!(matches!(with(pixels), Err(Error::Dimensions { .. })));
    let alloc = Limits {
        max_alloc: 1 << 20,
        ..Limits::default()
    };
    assert!(matches!(with(alloc), Err(Error::MemoryLimit { .. })));
    assert!(with(Limits::default()).is_ok());
}

#[test]
fn unsupported_jpeg_processes_are_named() {
    for (marker, process) in [
        (0xC3, "lossless"),
        (0xC9, "arithmetic-coded"),
        (0xCA, "arithmetic-coded"),
    ] {
        let mut data = sof(640, 480);
        data[3] = marker;
        match prepare(&data) {
            Err(Error::UnsupportedJpeg { process: p }) => assert_eq!(p, process),
            other => panic!("{marker:#x}: {other:?}"),
        }
    }
    let mut twelve = sof(640, 480);
    twelve[6] = 12;
    assert!(matches!(
        prepare(&twelve),
        Err(Error::UnsupportedJpeg { process: "12-bit" })
    ));
}

#[test]
fn garbage_scan_data_is_an_error_not_a_panic() {
    let mut data = sof(640, 480);
    // Replace the scan with random bytes (no EOI inside), then end properly.
    let body: Vec<u8> = noise_rgb(50, 50, 5)
        .into_raw()
        .into_iter()
        .filter(|&b| b != 0xFF)
        .collect();
    let at = data.len() - 6;
    data.splice(at..at + 4, body);
    match prepare(&data) {
        // A lenient decoder may read noise as pixels: then the output must still comply.
        Ok(p) => drop(assert_compliant(p.jpeg(), &Spec::default())),
        Err(e) => assert_eq!(e.rule(), Rule::Readable, "{e:?}"),
    }
}

#[test]
fn bytes_after_eoi_are_allowed() {
    let mut data = jpeg(&photo_rgb(600, 800));
    data.extend_from_slice(b"trailing video of a motion photo");
    assert!(prepare(&data).is_ok());
}
