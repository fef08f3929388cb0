//! Stage 3: decode to 8-bit RGB, whatever the source's colour type: grey, 16-bit,
//! palette, alpha (composited onto white), CMYK and YCCK.

pub(crate) mod heif;
mod huffman;
mod jpeg;
mod progressive;

pub(crate) use jpeg::Planes;

use jpeg::Declined;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader};

use crate::probe::Header;
use crate::sniff::Format;
use crate::{Error, Limits};

/// Packed 8-bit RGB pixels, in the stored orientation.
#[derive(Debug, Default)]
pub(crate) struct Image8 {
    pub(crate) pixels: Vec<u8>,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// A decoded picture as the decoder left it: packed RGB, or a JPEG's planes at their own
/// sampling (resized each on its own, so that chroma is never upsampled only to be
/// subsampled again).
#[derive(Debug)]
pub(crate) enum Decoded {
    Rgb(Image8),
    Planes(Planes),
}

impl Decoded {
    /// Width and height in pixels (stored orientation).
    pub(crate) fn size(&self) -> (u32, u32) {
        self.picture().size()
    }

    /// The picture, borrowed.
    pub(crate) fn picture(&self) -> Picture<'_> {
        match self {
            Decoded::Rgb(image) => Picture::Rgb(image),
            Decoded::Planes(planes) => Picture::Planes(planes),
        }
    }
}

/// A picture borrowed from wherever it is kept: packed pixels, or planes (a JPEG's as
/// decoded, or resized and turned ones on their way to the encoder).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Picture<'a> {
    Rgb(&'a Image8),
    Planes(&'a Planes),
}

impl Picture<'_> {
    /// Width and height in pixels.
    pub(crate) fn size(self) -> (u32, u32) {
        match self {
            Picture::Rgb(image) => (image.width, image.height),
            Picture::Planes(planes) => (planes.width, planes.height),
        }
    }
}

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
        None if header.format == Format::WebP => decode(data, header, limits).map(Decoded::Rgb),
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
mod scaled_tests {
    use super::*;
    use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

    /// A smooth picture with edges and texture, `w` × `h`.
    fn photo(w: u32, h: u32) -> Vec<u8> {
        let mut px = Vec::with_capacity((w * h * 3) as usize);
        for y in 0..h {
            for x in 0..w {
                let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
                let edge = if (x / 37 + y / 23) % 3 == 0 {
                    60.0
                } else {
                    0.0
                };
                let tex = ((x * 7 + y * 13) % 17) as f32;
                px.push((40.0 + 150.0 * fx + edge + tex) as u8);
                px.push((200.0 - 120.0 * fy + tex) as u8);
                px.push((90.0 + 80.0 * (fx * 9.0).sin() * fy + edge) as u8);
            }
        }
        px
    }

    fn jpeg(w: u32, h: u32, sampling: SamplingFactor, restart: u16, grey: bool) -> Vec<u8> {
        jpeg_sent(w, h, sampling, restart, grey, false)
    }

    /// [`photo`] as a JPEG at quality 92, baseline or progressive (DC, then AC bands):
    /// the same coefficients either way.
    fn jpeg_sent(
        w: u32,
        h: u32,
        sampling: SamplingFactor,
        restart: u16,
        grey: bool,
        progressive: bool,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, 92);
        enc.set_sampling_factor(sampling);
        enc.set_restart_interval(restart);
        enc.set_progressive(progressive);
        let rgb = photo(w, h);
        if grey {
            let luma: Vec<u8> = rgb.chunks(3).map(|p| p[1]).collect();
            enc.encode(&luma, w as u16, h as u16, ColorType::Luma)
                .unwrap();
        } else {
            enc.encode(&rgb, w as u16, h as u16, ColorType::Rgb)
                .unwrap();
        }
        out
    }

    /// The size in the frame header, as the probe reads it.
    fn size_of(data: &[u8]) -> (u32, u32) {
        let header = crate::probe::probe(data, &Limits::default()).unwrap();
        (header.width, header.height)
    }

    /// A file of the hostile-JPEG fixtures.
    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/hostile/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// `jpeg-decoder`'s decode of `data` at 1/`divisor` (1 for full size), as RGB.
    fn theirs(data: &[u8], divisor: u32) -> (Vec<u8>, u32, u32) {
        let mut d = jpeg_decoder::Decoder::new(data);
        d.read_info().unwrap();
        let info = d.info().unwrap();
        let request = |s: u16| s.div_ceil(divisor as u16);
        d.scale(request(info.width), request(info.height)).unwrap();
        let pixels = d.decode().unwrap();
        let info = d.info().unwrap();
        let pixels = if info.pixel_format == jpeg_decoder::PixelFormat::L8 {
            pixels.iter().flat_map(|&v| [v, v, v]).collect()
        } else {
            pixels
        };
        (pixels, u32::from(info.width), u32::from(info.height))
    }

    /// Mean absolute difference of two pictures of the same size.
    fn mad(a: &[u8], b: &[u8]) -> f64 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(&x, &y)| f64::from(x.abs_diff(y)))
            .sum::<f64>()
            / a.len() as f64
    }

    /// The full-size decode averaged over `divisor` × `divisor` squares: what a
    /// shrunk-on-load picture stands for.
    fn reference(data: &[u8], divisor: u32) -> Vec<u8> {
        let (full, w, h) = theirs(data, 1);
        let (sw, sh) = (w.div_ceil(divisor), h.div_ceil(divisor));
        let mut out = Vec::new();
        for y in 0..sh {
            for x in 0..sw {
                for c in 0..3 {
                    let (mut sum, mut n) = (0u32, 0u32);
                    for yy in y * divisor..((y + 1) * divisor).min(h) {
                        for xx in x * divisor..((x + 1) * divisor).min(w) {
                            sum += u32::from(full[((yy * w + xx) * 3 + c) as usize]);
                            n += 1;
                        }
                    }
                    out.push(((sum + n / 2) / n) as u8);
                }
            }
        }
        out
    }

    #[test]
    fn matches_jpeg_decoder_without_subsampling() {
        for (restart, grey) in [(7, false), (0, true), (0, false)] {
            for (w, h) in [(333, 251), (64, 48), (17, 9)] {
                let data = jpeg(w, h, SamplingFactor::F_1_1, restart, grey);
                for divisor in [2, 4, 8] {
                    let planes =
                        jpeg::decode_scaled(&data, size_of(&data), 8 / divisor, Planes::default())
                            .expect("ours takes it");
                    let (theirs, tw, th) = theirs(&data, divisor);
                    assert_eq!((planes.width, planes.height), (tw, th));
                    let diff = mad(&jpeg::to_rgb(&planes), &theirs);
                    // At 1/8 the two round the DC term differently.
                    let bound = if divisor == 8 { 1.2 } else { 0.1 };
                    assert!(
                        diff < bound,
                        "rst {restart} grey {grey} {w}x{h} /{divisor}: {diff}"
                    );
                }
            }
        }
    }

    /// Decoded planes as RGB, chroma brought up to the luminance's size as the pipeline
    /// resizes planes.
    fn full_rgb(planes: &Planes) -> Vec<u8> {
        let (w, h) = (planes.width, planes.height);
        let mut resized: [Vec<u8>; 3] = Default::default();
        crate::resize::resize_planes(
            &mut fast_image_resize::Resizer::new(),
            planes,
            None,
            (w, h),
            (w, h),
            &mut resized,
        )
        .unwrap();
        let mut full = Planes::default();
        let [y, cb, cr] = &resized;
        crate::orient::Transform::IDENTITY.apply_planes([y, cb, cr], w, h, false, &mut full);
        jpeg::to_rgb(&full)
    }

    /// Mean absolute differences from the box-averaged full decode of our decode at
    /// 1/`divisor` (planes resized as the pipeline does, chroma brought up to the
    /// luminance's size) and of `jpeg-decoder`'s; and whether the picture is under 16
    /// pixels on a side.
    fn against_reference(data: &[u8], divisor: u32) -> (f64, f64, bool) {
        let planes = jpeg::decode_scaled(data, size_of(data), 8 / divisor, Planes::default())
            .expect("ours takes it");
        let reference = reference(data, divisor);
        let (pw, ph) = (planes.width, planes.height);
        let rgb = full_rgb(&planes);
        let ours = mad(&rgb, &reference);
        let theirs = mad(&theirs(data, divisor).0, &reference);
        (ours, theirs, pw.min(ph) < 16)
    }

    #[test]
    fn subsampled_planes_are_as_close_to_the_full_decode_as_jpeg_decoder() {
        for (sampling, restart) in [
            (SamplingFactor::F_2_2, 0),
            (SamplingFactor::F_2_1, 5),
            (SamplingFactor::F_1_2, 3),
        ] {
            for (w, h) in [(333, 251), (64, 48), (17, 9)] {
                let data = jpeg(w, h, sampling, restart, false);
                for divisor in [2, 4, 8] {
                    let (ours, theirs, small) = against_reference(&data, divisor);
                    eprintln!(
                        "{sampling:?} {w}x{h} /{divisor}: ours {ours:.2}, jpeg-decoder {theirs:.2}"
                    );
                    // A few pixels across, one chroma sample more or less weighs heavily.
                    let slack = if small { 1.5 } else { 0.5 };
                    assert!(
                        ours < theirs + slack,
                        "{sampling:?} {w}x{h} /{divisor}: {ours} vs {theirs}"
                    );
                }
            }
        }
    }

    fn progressive(w: u32, h: u32, sampling: SamplingFactor, restart: u16, grey: bool) -> Vec<u8> {
        jpeg_sent(w, h, sampling, restart, grey, true)
    }

    /// Our decode of `data` at `eighths`/8, as RGB at the reduced size.
    fn ours(data: &[u8], eighths: u32) -> Vec<u8> {
        let planes = jpeg::decode_scaled(data, size_of(data), eighths, Planes::default())
            .expect("ours takes it");
        jpeg::to_rgb(&planes)
    }

    /// The full-size decode averaged over the area each sample at `eighths`/8 of the size
    /// covers (8/`eighths` pixels a side, in fractions where it is not whole), as RGB.
    fn area_reference(data: &[u8], eighths: u32) -> (Vec<u8>, u32, u32) {
        let (full, w, h) = theirs(data, 1);
        let scale = 8.0 / f64::from(eighths);
        let (sw, sh) = ((w * eighths).div_ceil(8), (h * eighths).div_ceil(8));
        // For each output index along an axis of `n` pixels: (pixel, weight) pairs.
        let weights = |n: u32, m: u32| -> Vec<Vec<(usize, f64)>> {
            (0..m)
                .map(|i| {
                    let (lo, hi) = (
                        f64::from(i) * scale,
                        (f64::from(i + 1) * scale).min(f64::from(n)),
                    );
                    (lo.floor() as u32..hi.ceil() as u32)
                        .map(|p| {
                            let cover = hi.min(f64::from(p + 1)) - lo.max(f64::from(p));
                            (p as usize, cover / (hi - lo))
                        })
                        .collect()
                })
                .collect()
        };
        let (wx, wy) = (weights(w, sw), weights(h, sh));
        let mut out = Vec::new();
        for ys in &wy {
            for xs in &wx {
                for c in 0..3 {
                    let mut sum = 0.0;
                    for &(y, ky) in ys {
                        for &(x, kx) in xs {
                            sum += ky * kx * f64::from(full[(y * w as usize + x) * 3 + c]);
                        }
                    }
                    out.push(sum.round() as u8);
                }
            }
        }
        (out, sw, sh)
    }

    #[test]
    fn three_eighths_is_as_close_to_its_reference_as_a_half_is_to_its_own() {
        for (sampling, grey) in [
            (SamplingFactor::F_2_2, false),
            (SamplingFactor::F_1_1, false),
            (SamplingFactor::F_1_1, true),
        ] {
            for (w, h) in [(333, 251), (64, 48)] {
                let data = jpeg(w, h, sampling, 0, grey);
                let distance = |eighths: u32| {
                    let planes =
                        jpeg::decode_scaled(&data, size_of(&data), eighths, Planes::default())
                            .expect("ours takes it");
                    let (reference, rw, rh) = area_reference(&data, eighths);
                    assert_eq!((planes.width, planes.height), (rw, rh));
                    mad(&full_rgb(&planes), &reference)
                };
                let (three, four) = (distance(3), distance(4));
                eprintln!("{sampling:?} grey {grey} {w}x{h}: 3/8 {three:.2}, 1/2 {four:.2}");
                assert!(
                    three < four + 0.5,
                    "{sampling:?} {w}x{h}: {three} vs {four}"
                );
            }
        }
    }

    #[test]
    fn reduced_idcts_read_the_lowest_frequencies_and_the_factored_ones_match_their_basis() {
        assert_eq!([1, 2, 3, 4].map(jpeg::kept), [1, 5, 13, 25]);
        // Random blocks through the factored 3- and 4-point transforms and through the
        // general one built on the same basis.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 401) as i32 - 200
        };
        for _ in 0..200 {
            let block: [i32; 64] = std::array::from_fn(|_| next());
            for n in [3, 4] {
                let idct = jpeg::Idct::new(n);
                let (mut factored, mut general) = ([0u8; 16], [0u8; 16]);
                idct.apply(&block, 63, &mut factored, n);
                idct.apply_general(&block, &mut general, n);
                for (a, b) in factored.iter().zip(&general) {
                    assert!(a.abs_diff(*b) <= 1, "{n}: {factored:?} vs {general:?}");
                }
            }
        }
    }

    #[test]
    fn progressive_files_decode_to_the_pixels_of_the_same_coefficients_sent_at_once() {
        // jpegtran's lossless transcodings: DC and AC in every order, successive
        // approximation one bit a scan down from 7, restart markers between blocks.
        let baseline = fixture("baseline-restart-every-row.jpg");
        let cropped = fixture("baseline-cropped-333x251.jpg");
        let pairs = [
            ("progressive-default-script.jpg", &baseline),
            ("progressive-one-coefficient-per-scan.jpg", &baseline),
            ("progressive-deep-successive-approximation.jpg", &baseline),
            ("progressive-non-interleaved-odd-order.jpg", &baseline),
            ("progressive-restart-every-block.jpg", &baseline),
            ("progressive-cropped-333x251.jpg", &cropped),
        ];
        for (name, baseline) in pairs {
            let progressive = fixture(name);
            for eighths in 1..=4 {
                assert!(
                    ours(&progressive, eighths) == ours(baseline, eighths),
                    "{name} {eighths}/8"
                );
            }
        }
        // jpeg-encoder's: spectral selection only, DC per component, partial MCUs.
        for (sampling, restart, grey) in [
            (SamplingFactor::F_2_2, 0, false),
            (SamplingFactor::F_2_1, 3, false),
            (SamplingFactor::F_1_1, 0, true),
        ] {
            for (w, h) in [(333, 251), (17, 9)] {
                let progressive = progressive(w, h, sampling, restart, grey);
                let baseline = jpeg(w, h, sampling, restart, grey);
                for eighths in 1..=4 {
                    assert!(
                        ours(&progressive, eighths) == ours(&baseline, eighths),
                        "{sampling:?} {w}x{h} {eighths}/8"
                    );
                }
            }
        }
    }

    #[test]
    fn reused_planes_leave_no_trace_of_their_last_picture() {
        let files = [
            "baseline-restart-every-row.jpg",
            "progressive-default-script.jpg",
            "baseline-cropped-333x251.jpg",
            "progressive-cropped-333x251.jpg",
        ]
        .map(fixture);
        let decode = |data: &[u8], eighths, reuse| {
            jpeg::decode_scaled(data, size_of(data), eighths, reuse).expect("ours takes it")
        };
        for data in &files {
            for eighths in 1..=4 {
                let fresh = decode(data, eighths, Planes::default());
                // Planes of larger and smaller pictures, every sample one value.
                for other in &files {
                    let mut reuse = decode(other, 4, Planes::default());
                    for plane in &mut reuse.planes {
                        plane.samples.fill(0xA5);
                    }
                    let reused = decode(data, eighths, reuse);
                    assert_eq!((reused.width, reused.height), (fresh.width, fresh.height));
                    for (a, b) in reused.planes.iter().zip(&fresh.planes) {
                        assert!(a.samples == b.samples && a.stride == b.stride);
                    }
                }
            }
        }
    }

    #[test]
    fn progressive_files_left_incomplete_decode_as_far_as_they_go() {
        // DC only, at full precision: at 1/8 what the baseline file gives, and at 1/4,
        // 3/8 and 1/2 each block flat at that value.
        let dc_only = fixture("progressive-dc-only.jpg");
        let size = size_of(&dc_only);
        let eighth = jpeg::decode_scaled(&dc_only, size, 1, Planes::default()).unwrap();
        assert!(ours(&dc_only, 1) == ours(&fixture("baseline-restart-every-row.jpg"), 1));
        for n in 2..=4 {
            let planes = jpeg::decode_scaled(&dc_only, size, n as u32, Planes::default()).unwrap();
            for (plane, dc) in planes.planes.iter().zip(&eighth.planes) {
                for (y, row) in plane.samples.chunks_exact(plane.stride).enumerate() {
                    for (x, &sample) in row.iter().enumerate() {
                        assert_eq!(sample, dc.samples[y / n * dc.stride + x / n]);
                    }
                }
            }
        }
        // DC never refined and chroma AC left at one bit: as close to the full decode as
        // jpeg-decoder's.
        let partial = fixture("progressive-partial-refinement.jpg");
        for divisor in [2, 4, 8] {
            let (ours, theirs, _) = against_reference(&partial, divisor);
            assert!(ours < theirs + 0.5, "/{divisor}: {ours} vs {theirs}");
        }
    }

    #[test]
    fn progressive_scans_out_of_order_are_left_to_the_general_decoder() {
        let data = fixture("progressive-default-script.jpg");
        let size = size_of(&data);
        assert!(jpeg::decode_scaled(&data, size, 4, Planes::default()).is_ok());
        // The same file with the scans' headers altered one way or another.
        let sos: Vec<usize> = data
            .windows(2)
            .enumerate()
            .filter(|(_, w)| *w == [0xFF, 0xDA])
            .map(|(i, _)| i)
            .collect();
        let approximation = |i: usize| {
            let count = usize::from(data[i + 4]);
            i + 4 + 1 + 2 * count + 2
        };
        // The first AC scan refines a band never sent.
        let mut refined_early = data.clone();
        refined_early[approximation(sos[1])] = 0x21;
        // The first scan sends AC and DC together.
        let mut mixed = data.clone();
        mixed[approximation(sos[0]) - 1] = 5;
        // A second frame header.
        let mut two_frames = data.clone();
        let sof = data.windows(2).position(|w| w == [0xFF, 0xC2]).unwrap();
        let len = usize::from(u16::from_be_bytes([data[sof + 2], data[sof + 3]]));
        two_frames.splice(sof..sof, data[sof..sof + 2 + len].to_vec());
        for (what, damaged) in [
            ("refined early", refined_early),
            ("mixed", mixed),
            ("two frames", two_frames),
        ] {
            assert!(
                matches!(
                    jpeg::decode_scaled(&damaged, size, 4, Planes::default()),
                    Err(Declined::Layout)
                ),
                "{what}"
            );
        }
        // A frame of another size than the probe read.
        assert!(jpeg::decode_scaled(&data, (size.0 + 1, size.1), 4, Planes::default()).is_err());
    }
}
