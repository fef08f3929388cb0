//! Calibration of `check`'s image-quality rules on a labelled set: sharp photos against
//! Gaussian- and motion-blurred copies, and exposure shifted down and up by whole stops.
//!
//! The set is built from `testdata/phone-orientation6.jpg` (whole and cropped) and
//! generated scenes, and, where the team's corpus (`../shared/corpus`) is present, from
//! its photos as well. Each variant is encoded as JPEG (quality 92) and judged by `check`
//! from its bytes, as an upload would be. `CALIBRATION_DUMP=1` prints every measure;
//! `CALIBRATION_COMMITTED_ONLY=1` leaves the corpus out.

use crate::common;

use ekyc_preflight::{check, Metrics, Rule, Severity};
use image::RgbImage;

/// What a variant is, as made.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Variant {
    Original,
    Gaussian(f32),
    /// Motion blur: a line of `len` pixels at `angle` degrees.
    Motion(u32, u32),
    /// Exposure first set so the median is mid-grey (18% in linear light), then shifted
    /// by this many stops (× 2^stops): 0 is the well-exposed reference.
    Stops(i32),
    /// Contrast scaled by this factor about mid-grey (haze).
    Flat(f32),
}

impl Variant {
    fn name(self) -> String {
        match self {
            Variant::Original => "original".into(),
            Variant::Gaussian(s) => format!("gaussian σ{s}"),
            Variant::Motion(l, a) => format!("motion {l}px {a}°"),
            Variant::Stops(0) => "exposure: median at mid-grey".into(),
            Variant::Stops(s) => format!("exposure {s:+} stops from mid-grey"),
            Variant::Flat(k) => format!("contrast × {k}"),
        }
    }

    /// Blur at σ ≥ 3 (the bar) or motion blur: must be found.
    fn is_blurred(self) -> bool {
        matches!(self, Variant::Motion(..)) || matches!(self, Variant::Gaussian(s) if s >= 3.0)
    }

    /// σ 1.5: reported, neither counted as blurred nor as sharp.
    fn is_mild_blur(self) -> bool {
        matches!(self, Variant::Gaussian(s) if s < 3.0)
    }

    /// Three stops under: must be found.
    fn is_under(self) -> bool {
        matches!(self, Variant::Stops(s) if s <= -3)
    }

    /// Three stops over: must be found.
    fn is_over(self) -> bool {
        matches!(self, Variant::Stops(s) if s >= 3)
    }

    /// Two stops either way: reported, counted neither way (a median of 60 or 218 is
    /// dim or bright, yet some photos as taken sit there).
    fn is_mild_exposure(self) -> bool {
        matches!(self, Variant::Stops(s) if s.abs() == 2)
    }

    fn is_flat(self) -> bool {
        matches!(self, Variant::Flat(_))
    }
}

const VARIANTS: [Variant; 12] = [
    Variant::Original,
    Variant::Gaussian(1.5),
    Variant::Gaussian(3.0),
    Variant::Gaussian(6.0),
    Variant::Motion(15, 0),
    Variant::Motion(15, 45),
    Variant::Stops(0),
    Variant::Stops(-3),
    Variant::Stops(-2),
    Variant::Stops(2),
    Variant::Stops(3),
    Variant::Flat(0.25),
];

/// One judged picture.
struct Sample {
    source: String,
    variant: Variant,
    metrics: Metrics,
    blur: bool,
    under: bool,
    over: bool,
    flat: bool,
}

fn judge(source: &str, img: &RgbImage, variant: Variant) -> Sample {
    let made = match variant {
        Variant::Original => img.clone(),
        Variant::Gaussian(s) => image::imageops::blur(img, s),
        Variant::Motion(len, angle) => motion_blur(img, len, angle),
        Variant::Stops(s) => exposure(img, s),
        Variant::Flat(k) => flatten(img, k),
    };
    let report = check(&common::jpeg(&made));
    let metrics = report.metrics.expect("every variant decodes");
    let exposure = |under: bool| {
        report.findings.iter().any(|f| {
            f.rule == Rule::Exposure
                && f.severity == Severity::Reject
                && f.message.starts_with(if under { "under" } else { "over" })
        })
    };
    Sample {
        source: source.to_owned(),
        variant,
        metrics,
        blur: report.has(Rule::Blur),
        under: exposure(true),
        over: exposure(false),
        flat: report.has(Rule::Contrast),
    }
}

/// Motion blur: the mean along a line of `len` pixels through each pixel, at `angle`
/// degrees (0 = horizontal, 45 = diagonal), edges clamped.
fn motion_blur(img: &RgbImage, len: u32, angle: u32) -> RgbImage {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (dx, dy) = match angle {
        0 => (1, 0),
        45 => (1, 1),
        _ => panic!("angle {angle} not supported"),
    };
    let half = i64::from(len / 2);
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let mut sum = [0u32; 3];
        for t in -half..=half {
            let sx = (i64::from(x) + t * dx).clamp(0, w - 1) as u32;
            let sy = (i64::from(y) + t * dy).clamp(0, h - 1) as u32;
            for (s, v) in sum.iter_mut().zip(img.get_pixel(sx, sy).0) {
                *s += u32::from(v);
            }
        }
        let n = 2 * half as u32 + 1;
        image::Rgb(sum.map(|s| ((s + n / 2) / n) as u8))
    })
}

/// sRGB (0–255) to linear light (0–1).
fn to_linear(v: f64) -> f64 {
    let c = v / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light (clipped to 0–1) to sRGB (0–255).
fn to_srgb(l: f64) -> u8 {
    let l = l.clamp(0.0, 1.0);
    let c = if l <= 0.003_130_8 {
        12.92 * l
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    };
    (c * 255.0).round() as u8
}

/// Exposure set so the median luminance is mid-grey (18% linear), then shifted by
/// `stops`; clipped as a sensor clips.
fn exposure(img: &RgbImage, stops: i32) -> RgbImage {
    let median = median_luma(img);
    let gain = 0.18 / to_linear(f64::from(median.max(1))) * 2f64.powi(stops);
    let lut: Vec<u8> = (0..=255u8)
        .map(|v| to_srgb(to_linear(f64::from(v)) * gain))
        .collect();
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0 = p.0.map(|v| lut[usize::from(v)]);
    }
    out
}

/// Median BT.601 luma of an RGB picture.
fn median_luma(img: &RgbImage) -> u8 {
    let mut lumas: Vec<u8> = img
        .pixels()
        .map(|p| ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8) as u8)
        .collect();
    let mid = lumas.len() / 2;
    *lumas.select_nth_unstable(mid).1
}

/// Contrast scaled by `k` about mid-grey.
fn flatten(img: &RgbImage, k: f32) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0 =
            p.0.map(|v| (128.0 + k * (f32::from(v) - 128.0)).round() as u8);
    }
    out
}

/// A generated scene: overlapping anti-aliased discs and bars of random colours on a
/// gradient, with a little grain — hard and soft edges in every direction.
fn scene(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    // Drawn at twice the size, then halved: edges a pixel wide, as a lens makes them.
    let (bw, bh) = (2 * width, 2 * height);
    let mut big = RgbImage::from_fn(bw, bh, |x, y| {
        image::Rgb([
            (40 + 150 * x / bw) as u8,
            (60 + 120 * y / bh) as u8,
            (90 + 80 * (x + y) / (bw + bh)) as u8,
        ])
    });
    for _ in 0..60 {
        let colour = image::Rgb([next() as u8, (next() >> 8) as u8, (next() >> 16) as u8]);
        let cx = (next() % u64::from(bw)) as i64;
        let cy = (next() % u64::from(bh)) as i64;
        let r = (20 + next() % 200) as i64;
        let bar = next() % 2 == 0;
        let (rx, ry) = if bar { (r, r / 5 + 2) } else { (r, r) };
        let (rx, ry) = if next() % 2 == 0 { (rx, ry) } else { (ry, rx) };
        for y in (cy - ry).max(0)..(cy + ry).min(i64::from(bh)) {
            for x in (cx - rx).max(0)..(cx + rx).min(i64::from(bw)) {
                let inside = if bar {
                    true
                } else {
                    (x - cx).pow(2) + (y - cy).pow(2) <= r * r
                };
                if inside {
                    big.put_pixel(x as u32, y as u32, colour);
                }
            }
        }
    }
    let mut img =
        image::imageops::resize(&big, width, height, image::imageops::FilterType::Triangle);
    for p in img.pixels_mut() {
        let grain = (next() % 7) as i16 - 3;
        p.0 = p.0.map(|v| (i16::from(v) + grain).clamp(0, 255) as u8);
    }
    img
}

/// The photos of the set: name and picture (upright orientation does not matter to the
/// measures).
fn sources() -> Vec<(String, RgbImage)> {
    let mut out = Vec::new();
    let sample = image::load_from_memory(include_bytes!("../../testdata/phone-orientation6.jpg"))
        .unwrap()
        .to_rgb8();
    out.push(("phone-orientation6".to_owned(), sample.clone()));
    // Crops of a photo are photos only if they are exposed as one: a crop of the
    // shadows alone is under-exposed whatever its label says. Keep the crops whose median
    // is within the band photos as taken have (60–190).
    let mut crops = 0;
    for (x, y) in [
        (0, 0),
        (384, 0),
        (192, 144),
        (384, 288),
        (0, 288),
        (192, 288),
    ] {
        let crop = image::imageops::crop_imm(&sample, x, y, 640, 480).to_image();
        if (60..=190).contains(&median_luma(&crop)) {
            out.push((format!("phone-orientation6 crop at {x},{y}"), crop));
            crops += 1;
        }
    }
    assert!(
        crops >= 3,
        "only {crops} crops of the sample are exposed as photos"
    );
    for seed in 1..=4 {
        out.push((format!("scene {seed}"), scene(960, 720, seed)));
    }
    // `CALIBRATION_COMMITTED_ONLY=1` leaves the corpus out even where it is present: the
    // set a user's clone builds.
    if std::env::var_os("CALIBRATION_COMMITTED_ONLY").is_some() {
        return out;
    }
    if let Some(dir) = common::shared("corpus/exif-orientation") {
        for name in ["Landscape_0.jpg", "Portrait_0.jpg"] {
            let img = image::open(dir.join(name)).unwrap().to_rgb8();
            let (w, h) = img.dimensions();
            let crop = image::imageops::crop_imm(&img, w / 4, h / 4, w / 2, h / 2).to_image();
            out.push((name.to_owned(), img));
            out.push((format!("{name} centre"), crop));
        }
    }
    if let Some(dir) = common::shared("corpus/phone") {
        // The 12 MP photo at a corpus-like 1600 × 1200, and a full-resolution crop.
        let img = image::open(dir.join("seeding-12mp-orientation6.jpg"))
            .unwrap()
            .to_rgb8();
        let small =
            image::imageops::resize(&img, 1600, 1200, image::imageops::FilterType::Triangle);
        let crop = image::imageops::crop_imm(&img, 1200, 900, 1600, 1200).to_image();
        out.push(("seeding-12mp at 1600x1200".to_owned(), small));
        out.push(("seeding-12mp crop 1600x1200".to_owned(), crop));
    }
    out
}

/// Precision and recall of a detector over the samples `counted`, `truth` saying which
/// are positives.
fn precision_recall(
    samples: &[Sample],
    counted: impl Fn(&Sample) -> bool,
    truth: impl Fn(&Sample) -> bool,
    found: impl Fn(&Sample) -> bool,
) -> (f64, f64, usize, usize) {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut positives = 0;
    let mut n = 0;
    for s in samples.iter().filter(|s| counted(s)) {
        n += 1;
        positives += usize::from(truth(s));
        match (truth(s), found(s)) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => {}
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    (ratio(tp, tp + fp), ratio(tp, tp + fn_), positives, n)
}

#[test]
fn blur_and_exposure_are_found_with_precision_and_recall_of_at_least_0_9() {
    let sources = sources();
    let samples: Vec<Sample> = sources
        .iter()
        .flat_map(|(name, img)| VARIANTS.map(|v| judge(name, img, v)))
        .collect();
    if std::env::var_os("CALIBRATION_DUMP").is_some() {
        eprintln!("source | variant | sharpness | laplacian var | p2 | p50 | p98 | dark | bright | contrast | blur | under | over | flat");
        for s in &samples {
            let m = &s.metrics;
            eprintln!(
                "{} | {} | {:.3} | {:.1} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {}",
                s.source,
                s.variant.name(),
                m.sharpness,
                m.laplacian_variance,
                m.shadow_luma,
                m.median_luma,
                m.highlight_luma,
                m.dark_fraction,
                m.bright_fraction,
                m.contrast,
                s.blur,
                s.under,
                s.over,
                s.flat,
            );
        }
    }
    // Blur: positives σ ≥ 3 and motion; negatives every sharp variant (originals and
    // exposure shifts); σ 1.5 left out.
    let blur = precision_recall(
        &samples,
        |s| !s.variant.is_mild_blur(),
        |s| s.variant.is_blurred(),
        |s| s.blur,
    );
    let counted = |s: &Sample| !s.variant.is_mild_exposure();
    let under = precision_recall(&samples, counted, |s| s.variant.is_under(), |s| s.under);
    let over = precision_recall(&samples, counted, |s| s.variant.is_over(), |s| s.over);
    let flat = precision_recall(&samples, |_| true, |s| s.variant.is_flat(), |s| s.flat);
    let mild = samples
        .iter()
        .filter(|s| s.variant.is_mild_blur())
        .filter(|s| s.blur)
        .count();
    let per_variant = |v: Variant, found: &dyn Fn(&Sample) -> bool| {
        let of: Vec<_> = samples.iter().filter(|s| s.variant == v).collect();
        format!("{}/{}", of.iter().filter(|s| found(s)).count(), of.len())
    };
    eprintln!("{} sources × {} variants", sources.len(), VARIANTS.len());
    eprintln!("class | precision | recall | positives | samples");
    for (name, (p, r, pos, n)) in [
        ("blur (σ ≥ 3, motion)", blur),
        ("under-exposed", under),
        ("over-exposed", over),
        ("low contrast", flat),
    ] {
        eprintln!("{name} | {p:.3} | {r:.3} | {pos} | {n}");
    }
    eprintln!("variant | flagged blur | flagged under | flagged over | flagged low contrast");
    for v in VARIANTS {
        eprintln!(
            "{} | {} | {} | {} | {}",
            v.name().replace('σ', "sigma "),
            per_variant(v, &|s| s.blur),
            per_variant(v, &|s| s.under),
            per_variant(v, &|s| s.over),
            per_variant(v, &|s| s.flat)
        );
    }
    eprintln!("σ 1.5 flagged as blurred: {mild} of {}", sources.len());
    for (name, (p, r, _, _)) in [
        ("blur", blur),
        ("under-exposure", under),
        ("over-exposure", over),
        ("low contrast", flat),
    ] {
        assert!(p >= 0.9, "{name}: precision {p:.3} below 0.9");
        assert!(r >= 0.9, "{name}: recall {r:.3} below 0.9");
    }
}
