//! Generated images for each edge of the rules. Every output is re-checked against every
//! rule by an independent decoder (`common::assert_compliant`).

use crate::common;

use common::*;
use ekyc_preflight::{Error, Preprocessor, Rule, Spec, Turn};

fn prepare_with(
    spec: Spec,
    data: &[u8],
) -> Result<(Decoded, ekyc_preflight::PrepareReport), Error> {
    let prepared = Preprocessor::new(spec).with_base64(true).prepare(data)?;
    let decoded = assert_compliant(prepared.jpeg(), &spec);
    let b64 = prepared.base64().unwrap();
    assert_eq!(b64.len(), base64_len(prepared.jpeg().len()));
    assert!(b64.len() <= spec.max_base64_bytes);
    // `prepare` checks its own output: nothing left that `prepare` could fix.
    let check = &prepared.report().check;
    assert!(
        !check
            .findings
            .iter()
            .any(|f| f.severity == ekyc_preflight::Severity::WillFix),
        "{check:?}"
    );
    Ok((decoded, prepared.report().clone()))
}

fn prepare(data: &[u8]) -> Result<(Decoded, ekyc_preflight::PrepareReport), Error> {
    prepare_with(Spec::default(), data)
}

fn size(d: &Decoded) -> (u32, u32) {
    (d.width, d.height)
}

#[test]
fn exact_bounds_are_kept_or_scaled_to_720() {
    assert_eq!(
        size(&prepare(&png(photo_rgb(480, 640))).unwrap().0),
        (480, 640)
    );
    assert_eq!(
        size(&prepare(&png(photo_rgb(720, 960))).unwrap().0),
        (720, 960)
    );
    assert_eq!(
        size(&prepare(&png(photo_rgb(1080, 1920))).unwrap().0),
        (720, 1280)
    );
    assert_eq!(
        size(&prepare(&png(photo_rgb(481, 641))).unwrap().0),
        (481, 641)
    );
}

#[test]
fn just_below_minimum_is_refused_with_the_rule() {
    for (w, h) in [(479, 640), (480, 639), (10, 10), (1, 1)] {
        let err = prepare(&png(photo_rgb(w, h))).unwrap_err();
        assert!(matches!(err, Error::TooSmall { .. }), "{w}x{h}: {err:?}");
        assert_eq!(err.rule(), Rule::MinResolution);
        assert_eq!(err.api_code().as_str(), "UnqualifiedPhoto");
    }
}

#[test]
fn tiny_is_upscaled_to_the_minimum_when_asked() {
    let spec = Spec {
        upscale: true,
        ..Spec::default()
    };
    let (d, _) = prepare_with(spec, &png(photo_rgb(30, 40))).unwrap();
    assert_eq!(size(&d), (480, 640));
    let (d, _) = prepare_with(spec, &png(photo_rgb(1, 1))).unwrap();
    assert_eq!(size(&d), (640, 641));
}

#[test]
fn extreme_aspect_ratios() {
    // 1:5 cannot fit 480..1080 × 640..1920 without cropping.
    let err = prepare(&png(photo_rgb(400, 2000))).unwrap_err();
    assert!(matches!(err, Error::AspectRatio { .. }), "{err:?}");
    // 1:4 fits exactly at the extremes.
    assert_eq!(
        size(&prepare(&png(photo_rgb(500, 2000))).unwrap().0),
        (480, 1920)
    );
    // A wide panorama is turned, then fits.
    let (d, r) = prepare(&png(photo_rgb(2000, 600))).unwrap();
    assert_eq!(size(&d), (576, 1920));
    assert_eq!(r.turned, Some(ekyc_preflight::Turned::Clockwise));
    // Square: stretched by one pixel to be portrait.
    assert_eq!(
        size(&prepare(&png(photo_rgb(1000, 1000))).unwrap().0),
        (720, 721)
    );
}

#[test]
fn turn_direction_is_honoured() {
    // Landscape picture whose left half is black, right half white.
    let img = image::RgbImage::from_fn(1200, 800, |x, _| {
        if x < 600 {
            image::Rgb([0, 0, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let cw = prepare(&png(img.clone())).unwrap().0;
    // Clockwise: the left edge goes to the top.
    assert!(pixel(&cw, 360, 10)[0] < 30 && pixel(&cw, 360, 1070)[0] > 225);
    let spec = Spec {
        turn: Turn::CounterClockwise,
        ..Spec::default()
    };
    let ccw = prepare_with(spec, &png(img.clone())).unwrap().0;
    assert!(pixel(&ccw, 360, 10)[0] > 225 && pixel(&ccw, 360, 1070)[0] < 30);
    let off = Spec {
        turn: Turn::Off,
        ..Spec::default()
    };
    let err = prepare_with(off, &png(img)).unwrap_err();
    assert!(matches!(err, Error::Landscape { .. }));
    assert_eq!(err.rule(), Rule::Portrait);
}

#[test]
fn alpha_is_composited_onto_white() {
    let img = image::RgbaImage::from_fn(600, 800, |x, _| {
        if x < 300 {
            image::Rgba([255, 0, 0, 0])
        } else {
            image::Rgba([0, 0, 255, 255])
        }
    });
    let (d, _) = prepare(&png(img)).unwrap();
    let left = pixel(&d, 100, 400);
    let right = pixel(&d, 500, 400);
    assert!(
        left.iter().all(|&v| v > 245),
        "transparent should be white, got {left:?}"
    );
    assert!(
        right[2] > 230 && right[0] < 25,
        "opaque blue, got {right:?}"
    );
}

#[test]
fn gray_and_16_bit_and_gray_alpha() {
    let gray = image::GrayImage::from_fn(600, 800, |x, _| image::Luma([(x / 3) as u8]));
    let (d, _) = prepare(&png(gray.clone())).unwrap();
    let p = pixel(&d, 300, 400);
    assert!(p[0].abs_diff(100) < 4 && p[0].abs_diff(p[2]) < 3, "{p:?}");
    let (d, _) = prepare(&jpeg(&image::DynamicImage::ImageLuma8(gray).to_rgb8())).unwrap();
    assert_eq!(size(&d), (600, 800));

    let deep = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(600, 800, |_, _| {
        image::Rgb([65535u16, 32768, 0])
    });
    let (d, _) = prepare(&png(image::DynamicImage::ImageRgb16(deep))).unwrap();
    let p = pixel(&d, 300, 400);
    assert!(p[0] > 250 && p[1].abs_diff(128) < 4 && p[2] < 5, "{p:?}");

    let ga =
        image::ImageBuffer::<image::LumaA<u8>, _>::from_fn(600, 800, |_, _| image::LumaA([0u8, 0]));
    let (d, _) = prepare(&png(image::DynamicImage::ImageLumaA8(ga))).unwrap();
    assert!(pixel(&d, 300, 400).iter().all(|&v| v > 250));
}

#[test]
fn palette_png() {
    let mut data = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut data, 600, 800);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_palette(vec![255, 0, 0, 0, 255, 0]);
        enc.set_trns(vec![255, 0]);
        let mut w = enc.write_header().unwrap();
        let pixels: Vec<u8> = (0..600 * 800).map(|i| u8::from(i % 600 >= 300)).collect();
        w.write_image_data(&pixels).unwrap();
    }
    let (d, _) = prepare(&data).unwrap();
    let red = pixel(&d, 100, 400);
    assert!(
        red[0] > 230 && red[1] < 30,
        "palette entry 0 is red, got {red:?}"
    );
    // Entry 1 is transparent: white.
    assert!(pixel(&d, 500, 400).iter().all(|&v| v > 245));
}

#[test]
fn cmyk_and_ycck_jpeg_colours() {
    for color in [
        jpeg_encoder::ColorType::Cmyk,
        jpeg_encoder::ColorType::CmykAsYcck,
    ] {
        // Pure red as CMYK: C=0, M=255, Y=255, K=0 (stored inverted by the Adobe
        // convention that jpeg-encoder writes).
        let px: Vec<u8> = std::iter::repeat_n([0u8, 255, 255, 0], 600 * 800)
            .flatten()
            .collect();
        let mut data = Vec::new();
        jpeg_encoder::Encoder::new(&mut data, 95)
            .encode(&px, 600, 800, color)
            .unwrap();
        let (d, r) = prepare(&data).unwrap();
        assert_eq!(r.source_format, ekyc_preflight::Format::Jpeg);
        let p = pixel(&d, 300, 400);
        assert!(
            p[0] > 200 && p[1] < 60 && p[2] < 60,
            "{color:?}: expected red, got {p:?}"
        );
    }
}

#[test]
fn noise_over_budget_lowers_quality_then_size() {
    let data = png(noise_rgb(720, 960, 7));
    let spec = Spec::default();
    // Pure noise at quality 90 is far over a 250 kB budget at 720 × 960.
    let tight = Spec {
        max_bytes: 250_000,
        ..spec
    };
    let (d, r) = prepare_with(tight, &data).unwrap();
    assert!(r.bytes <= 250_000);
    assert!(r.quality < 90 || (d.width, d.height) < (720, 960), "{r:?}");
    assert!(r.encodes > 1);
    // A budget no quality floor meets is a typed refusal.
    let impossible = Spec {
        max_bytes: 20_000,
        ..spec
    };
    let err = prepare_with(impossible, &data).unwrap_err();
    assert!(matches!(err, Error::OverBudget { .. }), "{err:?}");
    assert_eq!(err.api_code().as_str(), "ToolargeImage");
}

#[test]
fn noise_at_default_spec_fits_the_document_budget() {
    let (_, r) = prepare(&png(noise_rgb(1080, 1920, 3))).unwrap();
    assert!(r.bytes <= 600_000, "{r:?}");
}

#[test]
fn exif_with_gps_is_applied_and_dropped() {
    // Stored landscape, tagged orientation 6 (turn clockwise to show): shows portrait.
    let img = photo_rgb(1000, 750);
    let data = with_exif(&jpeg(&img), &exif_tiff(6, true));
    let (d, r) = prepare(&data).unwrap();
    assert!(r.had_exif);
    assert_eq!(r.orientation, ekyc_preflight::Orientation::Rotate90);
    assert_eq!(r.turned, None, "already portrait once oriented");
    assert_eq!(size(&d), (720, 960));
    // Stored top-left (red 0, green 0) is shown at the top-right after a clockwise turn.
    let tr = pixel(&d, 715, 4);
    assert!(tr[0] < 20 && tr[1] < 20, "{tr:?}");
}

#[test]
fn png_exif_chunk_is_applied() {
    // Insert an eXIf chunk before IDAT.
    let base = png(photo_rgb(1000, 750));
    let tiff = exif_tiff(8, false);
    let mut chunk = (tiff.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"eXIf");
    chunk.extend_from_slice(&tiff);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let ihdr_end = 8 + 25;
    let data = [&base[..ihdr_end], &chunk, &base[ihdr_end..]].concat();
    let (d, r) = prepare(&data).unwrap();
    assert_eq!(r.orientation, ekyc_preflight::Orientation::Rotate270);
    assert_eq!(size(&d), (720, 960));
    // Counter-clockwise: stored top-left goes to bottom-left.
    let bl = pixel(&d, 4, 955);
    assert!(bl[0] < 20 && bl[1] < 20, "{bl:?}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn deterministic() {
    let data = png(noise_rgb(800, 1000, 11));
    let spec = Spec {
        max_bytes: 200_000,
        ..Spec::default()
    };
    let a = Preprocessor::new(spec).prepare(&data).unwrap();
    let mut pre = Preprocessor::new(spec);
    pre.prepare(&png(photo_rgb(900, 1200))).unwrap();
    let b = pre.prepare(&data).unwrap();
    assert_eq!(a.jpeg(), b.jpeg(), "same input and options, same bytes");
}
