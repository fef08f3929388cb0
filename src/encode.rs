//! Stage 5: JPEG encoding with `jpeg-encoder` (SIMD), under the byte budget.

use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};

use crate::decode::{Image8, Space};
use crate::{Error, Subsampling};

/// Encodes packed RGB or YCbCr pixels at `quality` into `out` (cleared first). The output carries a JFIF
/// header and nothing else: no EXIF, no orientation tag, no GPS.
pub(crate) fn encode(
    image: &Image8,
    quality: u8,
    subsampling: Subsampling,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    out.clear();
    let (width, height) = match (u16::try_from(image.width), u16::try_from(image.height)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => {
            return Err(Error::Internal {
                reason: "output larger than a JPEG can hold".into(),
            })
        }
    };
    let colour_type = match image.space {
        Space::Rgb => ColorType::Rgb,
        Space::YCbCr => ColorType::Ycbcr,
    };
    let mut encoder = Encoder::new(&mut *out, quality);
    // Set explicitly: the encoder's own default switches to 4:4:4 at quality ≥ 90.
    encoder.set_sampling_factor(match subsampling {
        Subsampling::S420 => SamplingFactor::F_2_2,
        Subsampling::S422 => SamplingFactor::F_2_1,
        Subsampling::S444 => SamplingFactor::F_1_1,
    });
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    encoder.set_optimized_huffman_tables(true);
    encoder
        .encode(&image.pixels, width, height, colour_type)
        .map_err(|e| Error::Internal {
            reason: format!("JPEG encoder: {e}"),
        })
}
