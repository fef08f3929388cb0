//! Stage 5: JPEG encoding with `jpeg-encoder` (SIMD), under the byte budget.

use jpeg_encoder::{
    ChromaSubsamplingMethod, ColorType, Encoder, ImageBuffer, JpegColorType, SamplingFactor,
};

use crate::pipeline::decode::{Picture, Planes};
use crate::{Error, Subsampling};

/// Whether the encoder makes Huffman tables for each picture (a second pass over all its
/// blocks, kept in memory) rather than use the standard's (T.81 K.3). Measured on the
/// 12 MP phone photo's 720 × 960 output at quality 90, 4:2:0: optimised tables save 1.6%
/// of the bytes (109,094 against 110,802) and cost 7% of the whole run (50.9 against
/// 47.1 ms), so the standard tables are used.
const OPTIMISED_HUFFMAN_TABLES: bool = false;

/// Encodes a picture (packed RGB or YCbCr pixels, or Y, Cb and Cr planes) at `quality`
/// into `out` (cleared first). The output carries a JFIF header and nothing else: no
/// EXIF, no orientation tag, no GPS.
pub(crate) fn encode(
    picture: Picture,
    quality: u8,
    subsampling: Subsampling,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    out.clear();
    let (width, height) = picture.size();
    let (width, height) = match (u16::try_from(width), u16::try_from(height)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => {
            return Err(Error::Internal {
                reason: "output larger than a JPEG can hold".into(),
            })
        }
    };
    let mut encoder = Encoder::new(&mut *out, quality);
    // Set explicitly: the encoder's own default switches to 4:4:4 at quality ≥ 90.
    encoder.set_sampling_factor(match subsampling {
        Subsampling::S420 => SamplingFactor::F_2_2,
        Subsampling::S422 => SamplingFactor::F_2_1,
        Subsampling::S444 => SamplingFactor::F_1_1,
    });
    encoder.set_optimized_huffman_tables(OPTIMISED_HUFFMAN_TABLES);
    let encoded = match picture {
        Picture::Rgb(image) => {
            // Each chroma sample the mean of the pixels it covers (as libjpeg does).
            encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
            encoder.encode(&image.pixels, width, height, ColorType::Rgb)
        }
        Picture::Planes(planes) => {
            // The chroma planes are already at their sampled size, each sample given for
            // every pixel it covers: the mean of those is the sample, and so is the first,
            // which is cheaper to take.
            encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Nearest);
            encoder.encode_image(PlanesImage {
                planes,
                width,
                height,
            })
        }
    };
    encoded.map_err(|e| Error::Internal {
        reason: format!("JPEG encoder: {e}"),
    })
}

/// Y, Cb and Cr planes as the encoder reads them, a row at a time: each chroma sample
/// given for every pixel it covers (which 4:2:0 encoding averages back to that sample).
struct PlanesImage<'a> {
    planes: &'a Planes,
    width: u16,
    height: u16,
}

impl ImageBuffer for PlanesImage<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.width
    }

    fn height(&self) -> u16 {
        self.height
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let (width, y) = (usize::from(self.width), usize::from(y));
        let luma_h = self.planes.planes.first().map_or(1, |p| p.h);
        for (plane, buffer) in self.planes.planes.iter().zip(buffers.iter_mut()) {
            let end = buffer.len() + width;
            // Sampled half as densely as luminance, or as densely.
            let shift = usize::from(plane.h < luma_h);
            let row = plane
                .samples
                .get((y >> shift) * plane.stride..)
                .unwrap_or(&[]);
            if shift == 0 {
                buffer.extend_from_slice(&row[..width.min(row.len())]);
            } else {
                let pairs = row.iter().take(width.div_ceil(2));
                buffer.extend(pairs.flat_map(|&sample| [sample, sample]));
            }
            // One sample over for an odd width is cut; a plane shorter than the picture
            // (never, from the pipeline) is padded rather than let the encoder's rows go
            // out of step.
            buffer.resize(end, 0);
        }
    }
}
