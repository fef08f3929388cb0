//! Stage 4c: resize with `fast_image_resize` (SIMD).
//!
//! Filter: Lanczos3 convolution. It is the sharpest of the common windowed-sinc filters
//! without visible ringing on photos, and it is what libvips (`vipsthumbnail`) and Pillow
//! (`Image.LANCZOS`) use, so our output compares with theirs at equal quality. Its cost is
//! small here: shrink-on-load hands it a picture 1.5 to 3 times the target size.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{Filter, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::pipeline::decode::{Image8, Planes};
use crate::{Error, Subsampling};

/// The resize filter of the pipeline: Lanczos3, computed by [`lanczos3`].
fn algorithm() -> ResizeAlg {
    let filter = Filter::new("Lanczos3", lanczos3, 3.0);
    ResizeAlg::Convolution(filter.map_or(FilterType::Lanczos3, FilterType::Custom))
}

/// The Lanczos3 kernel, sinc(x) · sinc(x / 3) on (−3, 3), with one sine where
/// `fast_image_resize`'s own takes two: for t = πx / 3, sin(πx) = sin(3t) =
/// sin t · (3 − 4 sin² t) (the triple-angle formula). The resizer evaluates it for every
/// tap of every output row and column of each plane, and the sines were 2% of a run.
fn lanczos3(x: f64) -> f64 {
    if !(-3.0..3.0).contains(&x) {
        return 0.0;
    }
    if x == 0.0 {
        return 1.0;
    }
    let t = x * std::f64::consts::PI / 3.0;
    let s = t.sin();
    // sinc(x) = sin(3t) / 3t; sinc(x / 3) = sin(t) / t.
    s * (3.0 - 4.0 * s * s) / (3.0 * t) * (s / t)
}

/// Resizes `src` (or its window `crop`, [left, top, width, height] in its pixels) to
/// `width` × `height` into `dst`, reusing `dst`'s buffer. A whole picture already at that
/// size is copied unchanged.
pub(crate) fn resize(
    resizer: &mut Resizer,
    src: &Image8,
    crop: Option<[f64; 4]>,
    width: u32,
    height: u32,
    dst: &mut Image8,
) -> Result<(), Error> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal {
        reason: format!("resize: {e}"),
    };
    dst.width = width;
    dst.height = height;
    dst.pixels.clear();
    if crop.is_none() && (src.width, src.height) == (width, height) {
        dst.pixels.extend_from_slice(&src.pixels);
        return Ok(());
    }
    dst.pixels.resize(width as usize * height as usize * 3, 0);
    let from = ImageRef::new(src.width, src.height, &src.pixels, PixelType::U8x3)
        .map_err(|e| internal(&e))?;
    let mut to = Image::from_slice_u8(width, height, &mut dst.pixels, PixelType::U8x3)
        .map_err(|e| internal(&e))?;
    let mut options = ResizeOptions::new().resize_alg(algorithm());
    if let Some([x, y, w, h]) = crop {
        options = options.crop(x, y, w, h);
    }
    resizer
        .resize(&from, &mut to, &options)
        .map_err(|e| internal(&e))
}

/// Resizes one grey plane `src` (`width` × `height`) to `to` with the pipeline's filter:
/// how `check` sees what `prepare --upscale` will make of a small picture.
pub(crate) fn resize_grey(
    src: &[u8],
    (width, height): (u32, u32),
    to: (u32, u32),
) -> Result<Vec<u8>, Error> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal {
        reason: format!("resize: {e}"),
    };
    let from = ImageRef::new(width, height, src, PixelType::U8).map_err(|e| internal(&e))?;
    let mut out = vec![0; to.0 as usize * to.1 as usize];
    let mut dst =
        Image::from_slice_u8(to.0, to.1, &mut out, PixelType::U8).map_err(|e| internal(&e))?;
    Resizer::new()
        .resize(
            &from,
            &mut dst,
            &ResizeOptions::new().resize_alg(algorithm()),
        )
        .map_err(|e| internal(&e))?;
    Ok(out)
}

/// The size chroma planes are resized to for a `width` × `height` output: half on each
/// axis for 4:2:0 when the picture has whole 2 × 2 squares (the encoder's 2 × 2 average of
/// the samples repeated over them gives them back exactly), full size otherwise. The flag
/// says which.
pub(crate) fn chroma_size(subsampling: Subsampling, width: u32, height: u32) -> (bool, (u32, u32)) {
    let half =
        subsampling == Subsampling::S420 && width.is_multiple_of(2) && height.is_multiple_of(2);
    (
        half,
        if half {
            (width / 2, height / 2)
        } else {
            (width, height)
        },
    )
}

/// Resizes a JPEG's planes one by one into `out`: luminance to `width` × `height`,
/// chroma to `chroma` (the same, or half on each axis for 4:2:0 output), each from its own
/// plane (chroma never upsampled first). A grey picture gets neutral chroma.
pub(crate) fn resize_planes(
    resizer: &mut Resizer,
    src: &Planes,
    crop: Option<[f64; 4]>,
    (width, height): (u32, u32),
    chroma: (u32, u32),
    out: &mut [Vec<u8>; 3],
) -> Result<(), Error> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal {
        reason: format!("resize: {e}"),
    };
    let h_max = src.planes.iter().map(|p| p.h).max().unwrap_or(1);
    let v_max = src.planes.iter().map(|p| p.v).max().unwrap_or(1);
    for (i, (plane, out)) in src.planes.iter().zip(out.iter_mut()).enumerate() {
        let (width, height) = if i == 0 { (width, height) } else { chroma };
        let count = width as usize * height as usize;
        // The resizer writes every sample: the old content need not be cleared.
        out.resize(count, 0);
        let rows = (plane.samples.len() / plane.stride.max(1)) as u32;
        let from = ImageRef::new(plane.stride as u32, rows, &plane.samples, PixelType::U8)
            .map_err(|e| internal(&e))?;
        let mut to =
            Image::from_slice_u8(width, height, out, PixelType::U8).map_err(|e| internal(&e))?;
        // The plane is padded to whole blocks; its picture covers this much of it. A
        // chroma sample stands for `h_max / h` pixels across, centred on them (JFIF).
        // The window (the whole picture without a crop) in this plane's samples.
        let [x, y, w, h] = crop.unwrap_or([0.0, 0.0, f64::from(src.width), f64::from(src.height)]);
        let (fx, fy) = (plane.h as f64 / h_max as f64, plane.v as f64 / v_max as f64);
        let options =
            ResizeOptions::new()
                .resize_alg(algorithm())
                .crop(x * fx, y * fy, w * fx, h * fy);
        resizer
            .resize(&from, &mut to, &options)
            .map_err(|e| internal(&e))?;
    }
    for neutral in out.iter_mut().skip(src.planes.len()) {
        neutral.clear();
        neutral.resize(chroma.0 as usize * chroma.1 as usize, 128);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanczos3_with_one_sine_is_the_textbook_kernel() {
        let sinc = |x: f64| {
            if x == 0.0 {
                1.0
            } else {
                (x * std::f64::consts::PI).sin() / (x * std::f64::consts::PI)
            }
        };
        for i in -3500..=3500 {
            let x = f64::from(i) / 1000.0;
            let textbook = if x.abs() < 3.0 {
                sinc(x) * sinc(x / 3.0)
            } else {
                0.0
            };
            assert!((lanczos3(x) - textbook).abs() < 1e-12, "{x}");
        }
    }
}
