//! Stage 3: decode to 8-bit RGB, whatever the source's colour type: grey, 16-bit,
//! palette, alpha (composited onto white), CMYK and YCCK.

mod aperture;
mod frame;
pub(crate) mod heif;
mod huffman;
mod idct;
mod jpeg;
mod nclx;
mod progressive;
mod webp;

pub(crate) use crate::pipeline::pixels::{Decoded, Image8, Picture, Planes};

use jpeg::Declined;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader};

use crate::pipeline::header::Header;
use crate::pipeline::sniff::Format;
use crate::{Error, Limits};

/// Decodes a probed image at least `min_width` × `min_height` (in the stored orientation)
/// where the format can decode smaller than full size (JPEG's DCT-domain scaling), at
/// full size otherwise. A JPEG our own decoder takes stays in its planes; anything else
/// comes out as RGB, whatever its colour type. `check` uses this for its small analysis
/// copy; the pipeline for the picture it resizes.
///
/// `reuse`: planes from an earlier call whose memory our decoder may take over (their
/// content is overwritten), so that a caller decoding one picture after another does
/// not fault in fresh pages each time; `Planes::default()` for none.
pub(crate) fn decode_shrunk(
    data: &[u8],
    header: &Header,
    limits: &Limits,
    (min_width, min_height): (u32, u32),
    reuse: Planes,
) -> Result<Decoded, Error> {
    match &header.jpeg {
        Some(jpeg) if jpeg.components != 4 => {
            // `jpeg-decoder`'s reduced IDCT blurs luma when chroma is sampled more densely
            // than luma (it scales by the densest component's factors): such rare files
            // are decoded at full size and left to the resizer.
            let eighths = if jpeg.chroma_denser {
                8
            } else {
                shrink_on_load_eighths(header, min_width, min_height)
            };
            let size = (header.width, header.height);
            if eighths < 8 {
                match jpeg::decode_scaled(data, size, eighths, reuse) {
                    Ok(planes) => return Ok(Decoded::Planes(planes)),
                    Err(Declined::Damaged(reason)) => return Err(damaged(reason)),
                    Err(Declined::Layout) => {}
                }
                return decode_jpeg_scaled(data, header, limits, eighths).map(Decoded::Rgb);
            }
            // The general decoders go on past damaged entropy-coded data (zune-jpeg fills
            // the rest with grey, without an error): our own decoder reads it first, at
            // 1/8 (the entropy decoding, little more), where it takes the layout, so that
            // a picture is refused or taken whatever size it is decoded at.
            if let Err(Declined::Damaged(reason)) =
                jpeg::decode_scaled(data, size, 1, Planes::default())
            {
                return Err(damaged(reason));
            }
            if !jpeg.full_decoder_safe() {
                // Layouts the full decoder mangles without an error go to `jpeg-decoder`.
                return decode_jpeg_scaled(data, header, limits, 8).map(Decoded::Rgb);
            }
            // The full decoder (zune-jpeg) refuses some valid files that `jpeg-decoder`
            // reads.
            decode(data, header, limits)
                .or_else(|e| decode_jpeg_scaled(data, header, limits, 8).map_err(|_| e))
                .map(Decoded::Rgb)
        }
        Some(_) => decode(data, header, limits).map(Decoded::Rgb),
        None if header.format == Format::WebP => {
            match webp::decode_scaled(data, header, limits, (min_width, min_height)) {
                Some(scaled) => scaled.map(|mut s| {
                    if s.alpha {
                        composite_onto_white(&mut s.pixels);
                    }
                    Decoded::Rgb(Image8 {
                        pixels: s.pixels,
                        width: s.width,
                        height: s.height,
                    })
                }),
                None => decode(data, header, limits).map(Decoded::Rgb),
            }
        }
        None if matches!(header.format, Format::Heif | Format::Avif) => {
            decode(data, header, limits).map(Decoded::Rgb)
        }
        None => decode_png(data, header, limits).map(Decoded::Rgb),
    }
}

/// The refusal of a JPEG whose entropy-coded data is damaged.
fn damaged(reason: String) -> Error {
    Error::Corrupt {
        format: "JPEG",
        reason,
    }
}

/// Whether the JPEG's one sequential scan (the probe has seen that it has one) is whole:
/// our decoder reads it to its last block within the data, and no further. `false` for
/// a layout it does not take, and for data cut short or damaged.
pub(crate) fn scan_is_whole(data: &[u8], header: &Header) -> bool {
    jpeg::decode_scaled(data, (header.width, header.height), 1, Planes::default()).is_ok()
}

/// Decodes a PNG with the `png` crate directly: palettes and low bit depths expanded,
/// 16-bit reduced to 8, and the colour profile and text chunks skipped unread (a small
/// iCCP or zTXt chunk can inflate to hundreds of megabytes; the profile is not used).
fn decode_png(data: &[u8], header: &Header, limits: &Limits) -> Result<Image8, Error> {
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
    Ok(Image8 {
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

/// How much larger than the output a shrunk-on-load picture must stay, per side, as a
/// fraction (numerator, denominator), so that Lanczos3 does the last part of the
/// shrinking: the DCT scaling alone is coarse. Measured on the 12 MP phone photo
/// (`testdata/seeding-12mp-orientation6.jpg`, PSNR of the 720 × 960 output against a
/// full-resolution Lanczos reference): decoded at 1/4, 1.05 times the output, it loses
/// 0.9 dB; at 3/8, 1.575 times, 0.03 dB (40.84 against 40.87 dB at 1/2).
const SHRINK_ON_LOAD_MARGIN: (u32, u32) = (3, 2);

/// The size a picture that will be resized to `target` (width, height) is decoded at, at
/// least: the target with [`SHRINK_ON_LOAD_MARGIN`].
pub(crate) fn shrink_on_load_size((width, height): (u32, u32)) -> (u32, u32) {
    let (num, den) = SHRINK_ON_LOAD_MARGIN;
    let side = |s: u32| (u64::from(s) * u64::from(num)).div_ceil(u64::from(den));
    let clamp = |s: u64| u32::try_from(s).unwrap_or(u32::MAX);
    (clamp(side(width)), clamp(side(height)))
}

/// The smallest DCT scale, in eighths of the stored size (1 to 4; 8 for none), that
/// decodes the picture at least `min_width` × `min_height`.
fn shrink_on_load_eighths(header: &Header, min_width: u32, min_height: u32) -> u32 {
    let covers = |side: u32, min: u32, n: u32| u64::from(side) * u64::from(n) >= 8 * u64::from(min);
    (1..=4)
        .find(|&n| covers(header.width, min_width, n) && covers(header.height, min_height, n))
        .unwrap_or(8)
}

/// Decodes a grey or three-component JPEG at `eighths`/8 of its size or more in the DCT
/// domain with `jpeg-decoder`'s scaled IDCT (which has 1/8, 1/4 and 1/2): the files our
/// own decoder leaves (scans out of order, unusual sampling, and anything odd). With
/// `eighths` 8, a full-size decode: the fallback for files the full decoder refuses.
fn decode_jpeg_scaled(
    data: &[u8],
    header: &Header,
    limits: &Limits,
    eighths: u32,
) -> Result<Image8, Error> {
    let corrupt = |reason: String| Error::Corrupt {
        format: header.format.as_str(),
        reason,
    };
    let mut decoder = jpeg_decoder::Decoder::new(data);
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_alloc).unwrap_or(usize::MAX));
    // `scale` picks the smallest of its scales meeting the request on either axis: asking
    // for `eighths`/8 on both gets that, or the next larger it has (1/2 for 3/8).
    let request = |side: u32| {
        u16::try_from((u64::from(side) * u64::from(eighths)).div_ceil(8)).unwrap_or(u16::MAX)
    };
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
    Ok(Image8 {
        pixels,
        width,
        height,
    })
}

/// Decodes a probed image to RGB at full size. The probe has checked the size against the limits; the
/// decoder gets them too, so a header that lies cannot make it allocate more.
pub(crate) fn decode(data: &[u8], header: &Header, limits: &Limits) -> Result<Image8, Error> {
    let format = match header.format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        // `image-webp`, pure Rust: lossy and lossless, alpha, the first frame of an
        // animation.
        Format::WebP => ImageFormat::WebP,
        // The system's libheif (features `heif`, `avif`); sniffing refuses these
        // formats in a build without them.
        #[cfg(any(feature = "heif", feature = "avif"))]
        Format::Heif | Format::Avif => return heif::decode_heif(data, header),
        #[cfg(not(any(feature = "heif", feature = "avif")))]
        Format::Heif | Format::Avif => {
            return Err(Error::UnsupportedFormat {
                found: "HEIF/AVIF (this build lacks the `heif` and `avif` features)",
            })
        }
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
fn to_rgb8(image: DynamicImage) -> Image8 {
    let (width, height) = (image.width(), image.height());
    let pixels = if image.color().has_alpha() {
        let mut rgba = image.into_rgba8().into_raw();
        composite_onto_white(&mut rgba);
        rgba
    } else {
        image.into_rgb8().into_raw()
    };
    Image8 {
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

#[cfg(test)]
mod scaled_tests;
