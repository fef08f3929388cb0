//! Stage 3b: colour. A picture whose file carries an ICC profile is converted to sRGB,
//! the colour every viewer (and the API's models) assumes of an untagged JPEG, with
//! `moxcms` (a pure-Rust colour engine, the one the `image` crate uses). The output
//! carries no profile.
//!
//! Policy:
//! - no profile: the pixels are taken as sRGB, and nothing is done (no cost);
//! - an RGB profile (Display P3, Adobe RGB, ProPhoto, jpegli's XYB, any matrix/shaper
//!   or LUT profile `moxcms` reads): converted, perceptual intent (what lcms, Pillow's
//!   `ImageCms.profileToProfile` and libvips default to), out-of-gamut colours clipped;
//! - a profile that maps every colour to within one level of itself (sRGB under another
//!   name, version 4 sRGB): skipped after a test of [`PROBE_STEPS`]³ colours;
//! - a profile that is unreadable, damaged, longer than `MAX_ICC_BYTES`, or not RGB
//!   (grey, CMYK, Lab): ignored, the pixels taken as sRGB (what browsers do with a
//!   profile they cannot use). A CMYK JPEG keeps its plain CMYK conversion; a grey
//!   picture stays grey.
//!
//! The conversion runs on the resized picture (at most the output's 0.7 MP, not the
//! decoded 12 MP): colour conversion and resizing do not commute exactly, but both are
//! done on gamma-encoded samples either way, and the difference is below JPEG's noise
//! (measured against lcms converting first, in `tests/formats/colour.rs`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use moxcms::{
    ColorProfile, DataColorSpace, Layout, ParsingOptions, Transform8BitExecutor, TransformOptions,
};

use crate::pipeline::header::MAX_ICC_BYTES;

/// A conversion from a file's colour space to sRGB, for packed 8-bit RGB.
#[derive(Clone)]
pub(crate) struct ToSrgb {
    transform: Arc<Transform8BitExecutor>,
}

impl std::fmt::Debug for ToSrgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ToSrgb")
    }
}

/// Grey levels per axis of the colour grid a profile is tested on to find it equivalent
/// to sRGB: 0, 17, 34 … 255 (16 levels, 4,096 colours; the conversion of a P3 or Adobe
/// RGB profile moves most of them by several levels).
const PROBE_STEPS: u16 = 16;

/// How far (levels of 255) a profile may move any colour of the test grid and still be
/// taken for sRGB: one level, the rounding of two 8-bit conversions.
const SRGB_TOLERANCE: u8 = 1;

impl ToSrgb {
    /// The conversion for an ICC profile; `None` when there is nothing to do: the profile
    /// is unreadable, not RGB, or equivalent to sRGB (see the module's policy).
    pub(crate) fn from_icc(icc: &[u8]) -> Option<ToSrgb> {
        // `moxcms` checks what it reads; a panic in it on a hostile profile must not end
        // the caller's process: it is taken as an unreadable profile.
        catch_unwind(AssertUnwindSafe(|| Self::build(icc)))
            .ok()
            .flatten()
    }

    fn build(icc: &[u8]) -> Option<ToSrgb> {
        let options = ParsingOptions {
            max_profile_size: MAX_ICC_BYTES + 1,
            // A lookup table is read from the profile's own bytes, so it can be no
            // larger than the profile.
            max_allowed_clut_size: MAX_ICC_BYTES,
            ..ParsingOptions::default()
        };
        let profile = ColorProfile::new_from_slice_with_options(icc, options).ok()?;
        if profile.color_space != DataColorSpace::Rgb {
            return None;
        }
        let transform = profile
            .create_transform_8bit(
                Layout::Rgb,
                &ColorProfile::new_srgb(),
                Layout::Rgb,
                TransformOptions::default(),
            )
            .ok()?;
        let grid: Vec<u8> = (0..PROBE_STEPS.pow(3))
            .flat_map(|i| {
                let level = |n: u16| (n % PROBE_STEPS * 255 / (PROBE_STEPS - 1)) as u8;
                [
                    level(i / (PROBE_STEPS * PROBE_STEPS)),
                    level(i / PROBE_STEPS),
                    level(i),
                ]
            })
            .collect();
        let mut out = vec![0; grid.len()];
        transform.transform(&grid, &mut out).ok()?;
        let moves = grid
            .iter()
            .zip(&out)
            .any(|(a, b)| a.abs_diff(*b) > SRGB_TOLERANCE);
        moves.then_some(ToSrgb { transform })
    }

    /// Converts packed RGB in place, `scratch` taking the converted copy for the time.
    pub(crate) fn apply(&self, rgb: &mut Vec<u8>, scratch: &mut Vec<u8>) -> bool {
        scratch.resize(rgb.len(), 0);
        let ok = catch_unwind(AssertUnwindSafe(|| {
            self.transform.transform(rgb, scratch).is_ok()
        }))
        .unwrap_or(false);
        if ok {
            std::mem::swap(rgb, scratch);
        }
        ok
    }
}

/// Packed RGB from resized YCbCr planes (JFIF's full-range BT.601, T.871): luminance
/// `width` × `height`, chroma the same or half on each axis (`half`), each pixel taking
/// the chroma sample that covers it. `out` is resized to fit.
pub(crate) fn planes_to_rgb(
    [y, cb, cr]: [&[u8]; 3],
    (width, height): (u32, u32),
    half: bool,
    out: &mut Vec<u8>,
) {
    let (w, h) = (width as usize, height as usize);
    let shift = usize::from(half);
    let chroma_w = w.div_ceil(1 << shift);
    out.resize(w * h * 3, 0);
    for (row, (out_row, luma)) in out
        .chunks_exact_mut(w * 3)
        .zip(y.chunks_exact(w))
        .enumerate()
    {
        let at = (row >> shift) * chroma_w;
        let (Some(cb), Some(cr)) = (cb.get(at..at + chroma_w), cr.get(at..at + chroma_w)) else {
            continue;
        };
        for (x, (px, &l)) in out_row.chunks_exact_mut(3).zip(luma).enumerate() {
            let c = x >> shift;
            px.copy_from_slice(&ycbcr_to_rgb(l, cb[c], cr[c]));
        }
    }
}

/// One pixel from YCbCr to RGB in 16-bit fixed point (T.871 section 7).
pub(crate) fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = i32::from(y) << 16;
    let (cb, cr) = (i32::from(cb) - 128, i32::from(cr) - 128);
    let clamp = |v: i32| ((v + 32768) >> 16).clamp(0, 255) as u8;
    [
        clamp(y + 91_881 * cr),
        clamp(y - 22_554 * cb - 46_802 * cr),
        clamp(y + 116_130 * cb),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(profile: ColorProfile) -> Vec<u8> {
        profile.encode().unwrap()
    }

    #[test]
    fn srgb_is_skipped_and_wide_gamuts_are_not() {
        assert!(ToSrgb::from_icc(&encoded(ColorProfile::new_srgb())).is_none());
        for wide in [
            ColorProfile::new_display_p3(),
            ColorProfile::new_adobe_rgb(),
        ] {
            let to = ToSrgb::from_icc(&encoded(wide)).expect("a wide gamut converts");
            // Pure green of the wide space is outside sRGB: clipped to sRGB's green.
            let mut px = vec![0, 255, 0];
            assert!(to.apply(&mut px, &mut Vec::new()));
            assert_eq!(px[1], 255);
            assert!(px[0] < 0x20 && px[2] < 0x20, "{px:?}");
            // Grey stays grey.
            let mut grey = vec![128, 128, 128];
            to.apply(&mut grey, &mut Vec::new());
            assert!(grey.iter().all(|&v| v.abs_diff(128) <= 1), "{grey:?}");
        }
    }

    #[test]
    fn grey_and_unreadable_profiles_are_ignored() {
        assert!(ToSrgb::from_icc(&encoded(ColorProfile::new_gray_with_gamma(2.2))).is_none());
        assert!(ToSrgb::from_icc(b"").is_none());
        assert!(ToSrgb::from_icc(&[0; 200]).is_none());
    }

    /// Every byte of a real profile changed, one at a time, and every cut of it: no panic
    /// escapes, whatever the result.
    #[test]
    fn damaged_profiles_never_panic() {
        let p3 = encoded(ColorProfile::new_display_p3());
        for cut in 0..p3.len() {
            let _ = ToSrgb::from_icc(&p3[..cut]);
        }
        for at in 0..p3.len() {
            for value in [0x00, 0x7F, 0xFF] {
                let mut bad = p3.clone();
                bad[at] = value;
                let _ = ToSrgb::from_icc(&bad);
            }
        }
    }

    #[test]
    fn planes_convert_like_jfif() {
        // 2 × 2 luma, one chroma sample: red, as JFIF codes it.
        let mut out = Vec::new();
        planes_to_rgb([&[76; 4], &[85], &[255]], (2, 2), true, &mut out);
        for px in out.chunks_exact(3) {
            assert!(px[0] >= 253 && px[1] <= 2 && px[2] <= 2, "{px:?}");
        }
    }
}
