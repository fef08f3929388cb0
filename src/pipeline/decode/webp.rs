//! WebP: shrink-on-load through libwebp's scaled decoding (feature `libwebp`), or the
//! whole picture through `image-webp` (pure Rust, the default).
//!
//! libwebp (vendored source, built by `libwebp-sys`, reached through `webpx`'s safe API)
//! decodes a lossy picture a few macroblock rows at a time and scales each band into the
//! output as it goes (`WebPDecoderConfig.options.use_scaling`): the full-size canvas is
//! never allocated. On the 12 MP photo of BENCHMARKS.md this decodes in a third of
//! `image-webp`'s time, at a fifth of its peak memory. Lossless pictures are scaled the
//! same way, though libwebp keeps their full ARGB canvas while it decodes. Animations
//! (libwebp has no scaled decoding for them) go to `image-webp`, which gives the first
//! frame.

use crate::pipeline::header::Header;
use crate::{Error, Limits};

/// A picture libwebp decoded: RGB, or RGBA when `alpha` (for the caller to composite).
pub(super) struct Scaled {
    pub(super) pixels: Vec<u8>,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) alpha: bool,
}

/// Decodes a probed still WebP at least `min` (width, height) large through libwebp
/// (feature `libwebp`); `None` where the caller's full-size decoder (`image-webp`) is to
/// read it: a build without the feature, or an animation.
pub(super) fn decode_scaled(
    data: &[u8],
    header: &Header,
    limits: &Limits,
    min: (u32, u32),
) -> Option<Result<Scaled, Error>> {
    #[cfg(feature = "libwebp")]
    {
        decode_libwebp(data, header, limits, min)
    }
    #[cfg(not(feature = "libwebp"))]
    {
        let _ = (data, header, limits, min);
        None
    }
}

/// The size, in the stored orientation, that keeps the picture's shape and is at least
/// `min` on both sides: the stored size itself when that is no larger.
#[cfg(any(test, feature = "libwebp"))]
fn scaled_size((width, height): (u32, u32), (min_w, min_h): (u32, u32)) -> (u32, u32) {
    let (w, h) = (u64::from(width), u64::from(height));
    let (mw, mh) = (u64::from(min_w.max(1)), u64::from(min_h.max(1)));
    // The side whose ratio to its minimum is smaller binds: w/mw < h/mh.
    let (sw, sh) = if w * mh <= h * mw {
        (mw, (h * mw).div_ceil(w.max(1)))
    } else {
        ((w * mh).div_ceil(h.max(1)), mh)
    };
    if sw >= w || sh >= h {
        (width, height)
    } else {
        // Both below the stored size, so both fit in u32.
        (sw as u32, sh as u32)
    }
}

#[cfg(feature = "libwebp")]
fn decode_libwebp(
    data: &[u8],
    header: &Header,
    limits: &Limits,
    min: (u32, u32),
) -> Option<Result<Scaled, Error>> {
    let f = header.format.as_str();
    let corrupt = |reason: String| Error::Corrupt { format: f, reason };
    let decoder = match webpx::Decoder::new(data) {
        Ok(d) => d,
        Err(e) => return Some(Err(corrupt(e.to_string()))),
    };
    let info = decoder.info();
    if info.has_animation {
        return None;
    }
    Some(decode_still(decoder, header, limits, min))
}

#[cfg(feature = "libwebp")]
fn decode_still(
    decoder: webpx::Decoder<'_>,
    header: &Header,
    limits: &Limits,
    min: (u32, u32),
) -> Result<Scaled, Error> {
    let f = header.format.as_str();
    let corrupt = |reason: String| Error::Corrupt { format: f, reason };
    let info = decoder.info();
    if (info.width, info.height) != (header.width, header.height) {
        return Err(corrupt(format!(
            "the bitstream is {}x{}, the header says {}x{}",
            info.width, info.height, header.width, header.height
        )));
    }
    let alpha = info.has_alpha;
    let (width, height) = scaled_size((header.width, header.height), min);
    // The probe has checked the stored size against our limits; libwebp gets them too.
    let ours = webpx::Limits::default()
        .with_max_width(limits.max_side)
        .with_max_height(limits.max_side)
        .with_max_pixels(limits.max_pixels)
        .with_max_input_bytes(u64::try_from(limits.max_input_bytes).unwrap_or(u64::MAX));
    let mut decoder = decoder.config(webpx::DecoderConfig::new().limits(ours));
    if (width, height) != (header.width, header.height) {
        decoder = decoder.scale(width, height);
    }
    let decoded = if alpha {
        decoder.decode_rgba_raw()
    } else {
        decoder.decode_rgb_raw()
    };
    let (pixels, w, h) = decoded.map_err(|e| match e.error() {
        webpx::Error::LimitExceeded(_) => Error::MemoryLimit {
            needed: header.decode_bytes(),
            limit: limits.max_alloc,
        },
        other => corrupt(other.to_string()),
    })?;
    let channels = if alpha { 4 } else { 3 };
    if (w, h) != (width, height) || pixels.len() != w as usize * h as usize * channels {
        return Err(corrupt(format!(
            "libwebp gave {w}x{h} in {} bytes, {width}x{height} was asked for",
            pixels.len()
        )));
    }
    Ok(Scaled {
        pixels,
        width,
        height,
        alpha,
    })
}

#[cfg(test)]
mod tests {
    use super::scaled_size;

    #[test]
    fn scaled_size_keeps_the_shape_and_the_minimum() {
        // 12 MP portrait to at least 1080 x 1440: exactly a third.
        assert_eq!(scaled_size((3024, 4032), (1080, 1440)), (1080, 1440));
        // Height binds: a wide minimum on a tall picture.
        assert_eq!(scaled_size((3000, 4000), (100, 1000)), (750, 1000));
        // Width binds, the other side rounded up.
        assert_eq!(scaled_size((3001, 4000), (1000, 10)), (1000, 1333));
        // Nothing to gain: the stored size.
        assert_eq!(scaled_size((800, 600), (800, 10)), (800, 600));
        assert_eq!(scaled_size((800, 600), (900, 700)), (800, 600));
        // Degenerate minimums and pictures stay in range.
        assert_eq!(scaled_size((1, 1), (0, 0)), (1, 1));
        assert_eq!(scaled_size((16383, 1), (1, 1)), (16383, 1));
    }
}
