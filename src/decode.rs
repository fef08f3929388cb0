//! Stage 3: decode to 8-bit RGB, whatever the source's colour type: grey, 16-bit,
//! palette, alpha (composited onto white), CMYK and YCCK.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader};

use crate::probe::Header;
use crate::sniff::Format;
use crate::{Error, Limits};

/// Packed 8-bit RGB pixels in the stored orientation.
#[derive(Debug, Default)]
pub(crate) struct Rgb8 {
    pub(crate) pixels: Vec<u8>,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// Decodes a probed image to RGB, at least `min_width` × `min_height` (in the stored
/// orientation) where the format can decode smaller than full size (JPEG's DCT-domain
/// scaling), at full size otherwise. `check` uses this for its small analysis copy; the
/// pipeline for the picture it resizes.
pub(crate) fn decode_at_least(
    data: &[u8],
    header: &Header,
    limits: &Limits,
    min_width: u32,
    min_height: u32,
) -> Result<Rgb8, Error> {
    match &header.jpeg {
        Some(jpeg) if jpeg.components != 4 => {
            let divisor = shrink_on_load_divisor(header, min_width, min_height);
            if divisor > 1 {
                return decode_jpeg_scaled(data, header, limits, divisor);
            }
            decode(data, header, limits)
        }
        Some(_) => decode(data, header, limits),
        None => decode_png(data, header, limits),
    }
}

/// Decodes a PNG with the `png` crate directly: palettes and low bit depths expanded,
/// 16-bit reduced to 8, and the colour profile and text chunks skipped unread (a small
/// iCCP or zTXt chunk can inflate to hundreds of megabytes; the profile is not used).
fn decode_png(data: &[u8], header: &Header, limits: &Limits) -> Result<Rgb8, Error> {
    let corrupt = |reason: String| Error::Corrupt {
        format: header.format.as_str(),
        reason,
    };
    let budget = usize::try_from(limits.max_alloc).unwrap_or(usize::MAX);
    let mut decoder =
        png::Decoder::new_with_limits(std::io::Cursor::new(data), png::Limits { bytes: budget });
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_ignore_text_chunk(true);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| png_error(e, header, limits))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| corrupt("image too large for this platform".into()))?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| png_error(e, header, limits))?;
    if (info.width, info.height) != (header.width, header.height) {
        return Err(corrupt("decoded size differs from the header".into()));
    }
    buf.truncate(info.buffer_size());
    let pixels = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => {
            composite_onto_white(&mut buf);
            buf
        }
        png::ColorType::Grayscale => buf.iter().flat_map(|&v| [v, v, v]).collect(),
        png::ColorType::GrayscaleAlpha => {
            let mut rgba: Vec<u8> = buf
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect();
            composite_onto_white(&mut rgba);
            rgba
        }
        png::ColorType::Indexed => return Err(corrupt("palette was not expanded".into())),
    };
    Ok(Rgb8 {
        pixels,
        width: info.width,
        height: info.height,
    })
}

fn png_error(e: png::DecodingError, header: &Header, limits: &Limits) -> Error {
    match e {
        png::DecodingError::LimitsExceeded => Error::MemoryLimit {
            needed: header.decode_bytes(),
            limit: limits.max_alloc,
        },
        other => Error::Corrupt {
            format: header.format.as_str(),
            reason: other.to_string(),
        },
    }
}

/// How much larger than the target a shrunk-on-load picture must stay, per side. The DCT
/// scaling is coarse: decoding at 1/4 straight to about the target size loses about
/// 2.5 dB PSNR against a full-resolution Lanczos reference; leaving the last factor of
/// at least this to Lanczos3 loses almost nothing.
const SHRINK_ON_LOAD_MARGIN: u32 = 2;

/// The largest DCT scaling divisor (8, 4 or 2; 1 for none) that keeps the decoded
/// picture at least `SHRINK_ON_LOAD_MARGIN` times the target on both sides.
fn shrink_on_load_divisor(header: &Header, min_width: u32, min_height: u32) -> u32 {
    [8, 4, 2]
        .into_iter()
        .find(|&d| {
            header.width / d >= SHRINK_ON_LOAD_MARGIN * min_width
                && header.height / d >= SHRINK_ON_LOAD_MARGIN * min_height
        })
        .unwrap_or(1)
}

/// Decodes a grey or three-component JPEG at 1/`divisor` of its size in the DCT domain
/// (`jpeg-decoder`'s scaled IDCT), baseline or progressive.
fn decode_jpeg_scaled(
    data: &[u8],
    header: &Header,
    limits: &Limits,
    divisor: u32,
) -> Result<Rgb8, Error> {
    let corrupt = |reason: String| Error::Corrupt {
        format: header.format.as_str(),
        reason,
    };
    let mut decoder = jpeg_decoder::Decoder::new(data);
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_alloc).unwrap_or(usize::MAX));
    // `scale` picks the smallest scale meeting the request on either axis: asking for
    // exactly 1/divisor on both gets exactly that.
    let request = |side: u32| u16::try_from(side.div_ceil(divisor)).unwrap_or(u16::MAX);
    decoder
        .scale(request(header.width), request(header.height))
        .map_err(|e| corrupt(e.to_string()))?;
    let pixels = decoder.decode().map_err(|e| corrupt(e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| corrupt("no frame header".into()))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let pixels = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
        other => return Err(corrupt(format!("unexpected pixel format {other:?}"))),
    };
    if pixels.len() != width as usize * height as usize * 3 {
        return Err(corrupt("decoded size differs from the header".into()));
    }
    Ok(Rgb8 {
        pixels,
        width,
        height,
    })
}

/// Decodes a probed image to RGB at full size. The probe has checked the size against the limits; the
/// decoder gets them too, so a header that lies cannot make it allocate more.
pub(crate) fn decode(data: &[u8], header: &Header, limits: &Limits) -> Result<Rgb8, Error> {
    let format = match header.format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
    };
    let mut reader = ImageReader::with_format(Cursor::new(data), format);
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(decoder_limits);
    let image = reader
        .decode()
        .map_err(|e| decode_error(e, header, limits))?;
    if (image.width(), image.height()) != (header.width, header.height) {
        return Err(Error::Corrupt {
            format: header.format.as_str(),
            reason: "decoded size differs from the header".into(),
        });
    }
    Ok(to_rgb8(image))
}

fn decode_error(e: image::ImageError, header: &Header, limits: &Limits) -> Error {
    match e {
        image::ImageError::Limits(_) => Error::MemoryLimit {
            needed: header.decode_bytes(),
            limit: limits.max_alloc,
        },
        image::ImageError::Unsupported(u) => Error::Corrupt {
            format: header.format.as_str(),
            reason: format!("unsupported feature: {u}"),
        },
        other => Error::Corrupt {
            format: header.format.as_str(),
            reason: other.to_string(),
        },
    }
}

/// Converts any decoded colour type to RGB, compositing alpha onto white.
fn to_rgb8(image: DynamicImage) -> Rgb8 {
    let (width, height) = (image.width(), image.height());
    let pixels = if image.color().has_alpha() {
        let mut rgba = image.into_rgba8().into_raw();
        composite_onto_white(&mut rgba);
        rgba
    } else {
        image.into_rgb8().into_raw()
    };
    Rgb8 {
        pixels,
        width,
        height,
    }
}

/// Blends RGBA onto white in place and packs the result to RGB.
fn composite_onto_white(rgba: &mut Vec<u8>) {
    let n = rgba.len() / 4;
    for i in 0..n {
        let px = [
            rgba[4 * i],
            rgba[4 * i + 1],
            rgba[4 * i + 2],
            rgba[4 * i + 3],
        ];
        let a = u32::from(px[3]);
        for c in 0..3 {
            // value·a + 255·(255 − a), divided by 255 with rounding.
            let v = u32::from(px[c]) * a + 255 * (255 - a);
            rgba[3 * i + c] = ((v + 127) / 255) as u8;
        }
    }
    rgba.truncate(3 * n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_blends_onto_white() {
        let mut px = vec![0, 0, 0, 0, 0, 0, 0, 255, 200, 100, 0, 128];
        composite_onto_white(&mut px);
        assert_eq!(px, vec![255, 255, 255, 0, 0, 0, 227, 177, 127]);
    }
}
