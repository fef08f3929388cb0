//! The pipeline's stages one by one, for the benchmarks. Not part of the API: hidden from
//! the documentation, and free to change.

use crate::decode::Rgb8;
use crate::orient::Transform;
use crate::{Error, Limits, Orientation, Spec, Subsampling};

/// Decoded RGB pixels and their size.
#[derive(Debug, Default)]
pub struct Pixels(Rgb8);

impl Pixels {
    /// Width and height.
    pub fn size(&self) -> (u32, u32) {
        (self.0.width, self.0.height)
    }

    /// The packed RGB bytes.
    pub fn raw(&self) -> &[u8] {
        &self.0.pixels
    }
}

/// Sniff and probe: the stored size and EXIF orientation.
pub fn probe(data: &[u8]) -> Result<(u32, u32, Orientation), Error> {
    let h = crate::probe::probe(data, &Limits::default())?;
    Ok((h.width, h.height, h.orientation))
}

/// Decode, shrinking on load to at least `min_width` × `min_height` where possible.
pub fn decode(data: &[u8], min_width: u32, min_height: u32) -> Result<Pixels, Error> {
    let limits = Limits::default();
    let h = crate::probe::probe(data, &limits)?;
    crate::decode::decode_at_least(data, &h, &limits, min_width, min_height).map(Pixels)
}

/// Resize with the pipeline's filter.
pub fn resize(
    resizer: &mut fast_image_resize::Resizer,
    src: &Pixels,
    width: u32,
    height: u32,
    dst: &mut Pixels,
) -> Result<(), Error> {
    crate::resize::resize(resizer, &src.0, width, height, &mut dst.0)
}

/// Apply an EXIF orientation then the clockwise portrait turn, as one transform.
pub fn orient(src: &Pixels, orientation: Orientation, turn: bool, dst: &mut Pixels) {
    let mut t = Transform::from(orientation);
    if turn {
        t = Transform::turn(crate::Turn::Clockwise).after(t);
    }
    let (w, h) = t.output_size(src.0.width, src.0.height);
    t.apply(
        &src.0.pixels,
        src.0.width,
        src.0.height,
        3,
        &mut dst.0.pixels,
    );
    dst.0.width = w;
    dst.0.height = h;
}

/// Encode at `quality` with the pipeline's settings.
pub fn encode(src: &Pixels, quality: u8, out: &mut Vec<u8>) -> Result<(), Error> {
    crate::encode::encode(&src.0, quality, Spec::default().subsampling, out)
}

/// Encode with an explicit subsampling, for comparing settings.
pub fn encode_with(
    src: &Pixels,
    quality: u8,
    subsampling: Subsampling,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    crate::encode::encode(&src.0, quality, subsampling, out)
}
