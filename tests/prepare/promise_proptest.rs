//! The promise as a property: for any picture (1 … 8000 pixels a side, EXIF orientation
//! 1–8, content from flat to pure noise, JPEG or PNG, with or without alpha) and any
//! `Spec` within the API document's bounds, `prepare` either refuses with a rule the input
//! really breaks, or returns an output an independent decoder confirms meets every rule.
//! The same input and options give the same bytes.
//!
//! Which rules an input breaks is computed here from the generating parameters alone,
//! not with the crate's own geometry.

use crate::common;

use common::*;
use ekyc_preflight::{Error, Preprocessor, Rule, Spec, Subsampling, Turn};
use proptest::prelude::*;

/// One generated input.
#[derive(Debug, Clone)]
struct Input {
    width: u32,
    height: u32,
    orientation: u16,
    /// 0 = flat, 255 = pure noise.
    noise: u8,
    /// A smooth gradient under the noise (else one flat colour).
    gradient: bool,
    png: bool,
    /// PNG only: an alpha channel.
    alpha: bool,
    seed: u64,
}

impl Input {
    fn bytes(&self) -> Vec<u8> {
        let (w, h) = (self.width, self.height);
        let mut s = self.seed | 1;
        let amp = u32::from(self.noise);
        let mut rgba = Vec::with_capacity(w as usize * h as usize * 4);
        for y in 0..h {
            for x in 0..w {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let base = if self.gradient {
                    [x * 255 / w, y * 255 / h, (x + y) * 127 / (w + h)]
                } else {
                    [90, 140, 200]
                };
                let mut px = [0u8; 4];
                for c in 0..3 {
                    let n = (s >> (8 * c)) as u8;
                    px[c] = ((base[c] * (255 - amp) + u32::from(n) * amp) / 255) as u8;
                }
                px[3] = if self.alpha {
                    (s >> 24) as u8 | 0x80
                } else {
                    255
                };
                rgba.extend_from_slice(&px);
            }
        }
        let rgba = image::RgbaImage::from_raw(w, h, rgba).unwrap();
        if self.png {
            let data = if self.alpha {
                png(rgba)
            } else {
                png(image::DynamicImage::from(rgba).into_rgb8())
            };
            if self.orientation == 1 {
                data
            } else {
                insert_png_chunk(&data, b"eXIf", &exif_tiff(self.orientation, false))
            }
        } else {
            let rgb = image::DynamicImage::from(rgba).into_rgb8();
            let data = jpeg(&rgb);
            if self.orientation == 1 {
                data
            } else {
                with_exif(&data, &exif_tiff(self.orientation, false))
            }
        }
    }
}

/// The rules this input breaks beyond what `prepare` may repair under `spec`, computed
/// from the generating parameters.
fn broken_rules(input: &Input, data: &[u8], spec: &Spec) -> Vec<Rule> {
    let mut broken = Vec::new();
    if data.len() > spec.limits.max_input_bytes {
        broken.push(Rule::InputLimit);
    }
    // Orientations 5–8 swap the axes.
    let (dw, dh) = if input.orientation >= 5 {
        (input.height, input.width)
    } else {
        (input.width, input.height)
    };
    if dw > dh && spec.turn == Turn::Off {
        broken.push(Rule::Portrait);
        return broken;
    }
    // Upright after the turn: the short side is the width.
    let (w, h) = (dw.min(dh), dw.max(dh));
    let (fw, fh) = (f64::from(w), f64::from(h));
    let s_min = (f64::from(spec.min_width) / fw).max(f64::from(spec.min_height) / fh);
    let s_max = (f64::from(spec.max_width) / fw).min(f64::from(spec.max_height) / fh);
    // No scale fits both sides (a whisker of tolerance for rounding at the edge).
    if s_min > s_max * 0.995 {
        broken.push(Rule::AspectRatio);
    }
    // Square or nearly: the output must still be taller than wide, a stretch of about one
    // pixel in the short side, which `max_stretch` may forbid.
    if fh / fw < 1.0 + 2.0 / f64::from(spec.min_width)
        && spec.max_stretch < 3.0 / f64::from(spec.min_width)
    {
        broken.push(Rule::AspectRatio);
    }
    if !spec.upscale && (w < spec.min_width || h < spec.min_height) {
        broken.push(Rule::MinResolution);
    }
    // Noise may not fit the byte budget even at the smallest size and lowest quality; nor
    // may content with edges (the gradients wrap every 256 pixels) when the budget allows
    // under 4 bits a pixel at the smallest size the bounds allow (measured: such content
    // takes about 3 bits a pixel at quality 87).
    let smallest_pixels = (fw * s_min) * (fh * s_min);
    let bits_per_pixel = spec.byte_budget() as f64 * 8.0 / smallest_pixels;
    if input.noise >= 32 || bits_per_pixel < 4.0 {
        broken.push(Rule::FileSize);
    }
    broken
}

fn side() -> impl Strategy<Value = u32> {
    prop_oneof![10 => 1u32..=1200, 1 => 1200u32..=8000]
}

fn input() -> impl Strategy<Value = Input> {
    (
        side(),
        side(),
        1u16..=8,
        prop_oneof![Just(0u8), any::<u8>(), Just(255u8)],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(width, height, orientation, noise, gradient, png, alpha, seed)| Input {
                width,
                height,
                orientation,
                noise,
                gradient,
                png,
                alpha: png && alpha,
                seed,
            },
        )
}

/// A `Spec` within the document's bounds (640 × 480 … 1920 × 1080, 0.6 MB, 1 MB Base64).
fn spec() -> impl Strategy<Value = Spec> {
    (
        (480u32..=720, 640u32..=960, 720u32..=1080, 1280u32..=1920),
        (0u32..=100, 100_000usize..=600_000, 400_000usize..=1_000_000),
        (80u8..=100, 0u8..=30),
        (
            any::<bool>(),
            prop_oneof![
                Just(Turn::Clockwise),
                Just(Turn::CounterClockwise),
                Just(Turn::Off)
            ],
            prop_oneof![Just(0.0), Just(0.01), Just(0.05)],
            prop_oneof![
                Just(Subsampling::S420),
                Just(Subsampling::S422),
                Just(Subsampling::S444)
            ],
        ),
    )
        .prop_map(
            |(
                (min_width, min_height, max_width, max_height),
                (target, max_bytes, max_base64_bytes),
                (quality, drop),
                (upscale, turn, max_stretch, subsampling),
            )| {
                let max_width = max_width.max(min_width);
                Spec {
                    min_width,
                    min_height,
                    max_width,
                    max_height,
                    target_short_side: min_width + (max_width - min_width) * target / 100,
                    max_bytes,
                    max_base64_bytes,
                    quality,
                    min_quality: quality - drop,
                    upscale,
                    turn,
                    max_stretch,
                    subsampling,
                    ..Spec::default()
                }
            },
        )
}

fn check(input: &Input, spec: &Spec) -> Result<(), TestCaseError> {
    prop_assert!(spec.validate().is_ok(), "{spec:?}");
    let data = input.bytes();
    let mut pre = Preprocessor::new(*spec);
    match pre.prepare(&data) {
        Ok(prepared) => {
            let decoded = assert_compliant(prepared.jpeg(), spec);
            prop_assert_eq!(
                (decoded.width, decoded.height),
                (prepared.width(), prepared.height())
            );
            // Determinism: the same preprocessor again (its buffers now reused), and a
            // fresh one.
            if u64::from(input.width) * u64::from(input.height) <= 2_000_000 {
                let again = pre.prepare(&data).unwrap();
                prop_assert!(again.jpeg() == prepared.jpeg(), "reused: other bytes");
                let fresh = Preprocessor::new(*spec).prepare(&data).unwrap();
                prop_assert!(fresh.jpeg() == prepared.jpeg(), "fresh: other bytes");
            }
        }
        Err(e) => {
            let broken = broken_rules(input, &data, spec);
            prop_assert!(
                broken.contains(&e.rule()),
                "refused with {:?} ({e}), but the input breaks only {broken:?}",
                e.rule()
            );
            if let Error::OverBudget {
                bytes,
                budget,
                quality,
                ..
            } = e
            {
                prop_assert!(bytes > budget);
                prop_assert_eq!(budget, spec.byte_budget());
                prop_assert_eq!(quality, spec.min_quality);
            }
        }
    }
    Ok(())
}

proptest! {
    // A fixed seed: CI runs the same 48 cases every time (change it to explore others;
    // each seed tried so far is listed in the commit log), and no regression file is
    // written behind the test's back.
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0e4c_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn prepare_refuses_only_what_is_broken_and_outputs_comply(
        input in input(),
        spec in spec(),
    ) {
        check(&input, &spec)?;
    }
}

/// The oracle itself: it must call a picture fine when it is, and broken when it is.
#[test]
fn oracle_knows_the_rules() {
    let spec = Spec::default();
    let input = |width, height, orientation| Input {
        width,
        height,
        orientation,
        noise: 0,
        gradient: true,
        png: true,
        alpha: false,
        seed: 1,
    };
    let rules = |i: &Input| broken_rules(i, &[], &spec);
    assert!(rules(&input(3024, 4032, 1)).is_empty());
    assert!(rules(&input(4032, 3024, 6)).is_empty());
    assert_eq!(rules(&input(479, 640, 1)), [Rule::MinResolution]);
    assert_eq!(rules(&input(640, 479, 6)), [Rule::MinResolution]);
    assert_eq!(rules(&input(1000, 5000, 1)), [Rule::AspectRatio]);
    assert!(rules(&input(1000, 3900, 1)).is_empty());
    let off = Spec {
        turn: Turn::Off,
        ..spec
    };
    assert_eq!(
        broken_rules(&input(800, 600, 1), &[], &off),
        [Rule::Portrait]
    );
    assert!(broken_rules(&input(800, 600, 8), &[], &off).is_empty());
}

/// A few fixed cases that must always pass, whatever proptest draws.
#[test]
fn fixed_cases_keep_the_promise() {
    let base = Input {
        width: 4032,
        height: 3024,
        orientation: 6,
        noise: 0,
        gradient: true,
        png: false,
        alpha: false,
        seed: 7,
    };
    for input in [
        base.clone(),
        Input {
            width: 1,
            height: 1,
            png: true,
            alpha: true,
            ..base.clone()
        },
        Input {
            width: 700,
            height: 700,
            orientation: 1,
            noise: 255,
            ..base.clone()
        },
    ] {
        for spec in [
            Spec::default(),
            Spec {
                upscale: true,
                max_stretch: 0.0,
                max_bytes: 100_000,
                ..Spec::default()
            },
        ] {
            check(&input, &spec).unwrap();
        }
    }
}
