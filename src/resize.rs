//! Stage 4c: resize with `fast_image_resize` (SIMD).
//!
//! Filter: Lanczos3 convolution. It is the sharpest of the common windowed-sinc filters
//! without visible ringing on photos, and it is what libvips (`vipsthumbnail`) and Pillow
//! (`Image.LANCZOS`) use, so our output compares with theirs at equal quality. Its cost is
//! small here: shrink-on-load hands it a picture at most twice the target size.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::decode::{Decoded, Image8, Planes, Space};
use crate::Error;

/// The resize filter of the pipeline.
const ALGORITHM: ResizeAlg = ResizeAlg::Convolution(FilterType::Lanczos3);

/// Resizes `src` to `width` × `height` into `dst`, reusing `dst`'s buffer. A picture
/// already at that size is copied unchanged.
pub(crate) fn resize(
    resizer: &mut Resizer,
    src: &Image8,
    width: u32,
    height: u32,
    dst: &mut Image8,
) -> Result<(), Error> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal {
        reason: format!("resize: {e}"),
    };
    dst.width = width;
    dst.height = height;
    dst.space = src.space;
    dst.pixels.clear();
    if (src.width, src.height) == (width, height) {
        dst.pixels.extend_from_slice(&src.pixels);
        return Ok(());
    }
    dst.pixels.resize(width as usize * height as usize * 3, 0);
    let from = ImageRef::new(src.width, src.height, &src.pixels, PixelType::U8x3)
        .map_err(|e| internal(&e))?;
    let mut to = Image::from_slice_u8(width, height, &mut dst.pixels, PixelType::U8x3)
        .map_err(|e| internal(&e))?;
    let options = ResizeOptions::new().resize_alg(ALGORITHM);
    resizer
        .resize(&from, &mut to, &options)
        .map_err(|e| internal(&e))
}

/// Resizes a decoded picture to `width` × `height` into `dst`: packed RGB as it is, and a
/// JPEG's planes one by one (chroma from its own, smaller, plane: never upsampled first)
/// into packed YCbCr. `scratch` holds the resized planes between calls.
pub(crate) fn resize_decoded(
    resizer: &mut Resizer,
    src: &Decoded,
    width: u32,
    height: u32,
    scratch: &mut [Vec<u8>; 3],
    dst: &mut Image8,
) -> Result<(), Error> {
    match src {
        Decoded::Rgb(image) => resize(resizer, image, width, height, dst),
        Decoded::Planes(planes) => resize_planes(resizer, planes, width, height, scratch, dst),
    }
}

fn resize_planes(
    resizer: &mut Resizer,
    src: &Planes,
    width: u32,
    height: u32,
    scratch: &mut [Vec<u8>; 3],
    dst: &mut Image8,
) -> Result<(), Error> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal {
        reason: format!("resize: {e}"),
    };
    let count = width as usize * height as usize;
    let h_max = src.planes.iter().map(|p| p.h).max().unwrap_or(1);
    let v_max = src.planes.iter().map(|p| p.v).max().unwrap_or(1);
    for (plane, out) in src.planes.iter().zip(scratch.iter_mut()) {
        out.clear();
        out.resize(count, 0);
        let rows = (plane.samples.len() / plane.stride.max(1)) as u32;
        let from = ImageRef::new(plane.stride as u32, rows, &plane.samples, PixelType::U8)
            .map_err(|e| internal(&e))?;
        let mut to =
            Image::from_slice_u8(width, height, out, PixelType::U8).map_err(|e| internal(&e))?;
        // The plane is padded to whole blocks; its picture covers this much of it. A
        // chroma sample stands for `h_max / h` pixels across, centred on them (JFIF).
        let crop_w = f64::from(src.width) * plane.h as f64 / h_max as f64;
        let crop_h = f64::from(src.height) * plane.v as f64 / v_max as f64;
        let options = ResizeOptions::new()
            .resize_alg(ALGORITHM)
            .crop(0.0, 0.0, crop_w, crop_h);
        resizer
            .resize(&from, &mut to, &options)
            .map_err(|e| internal(&e))?;
    }
    dst.width = width;
    dst.height = height;
    dst.space = Space::YCbCr;
    dst.pixels.clear();
    dst.pixels.resize(count * 3, 0);
    let [luma, cb, cr] = &*scratch;
    if src.planes.len() == 1 {
        for (px, &y) in dst.pixels.chunks_exact_mut(3).zip(luma) {
            px.copy_from_slice(&[y, 128, 128]);
        }
    } else {
        let chroma = cb.iter().zip(cr);
        for ((px, &y), (&b, &r)) in dst.pixels.chunks_exact_mut(3).zip(luma).zip(chroma) {
            px.copy_from_slice(&[y, b, r]);
        }
    }
    Ok(())
}
