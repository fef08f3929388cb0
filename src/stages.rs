//! The pipeline's stages one by one, for the benchmarks. Not part of the API: hidden from
//! the documentation, and free to change.

use crate::decode::{Decoded, Image8};
use crate::orient::Transform;
use crate::{Error, Limits, Orientation, Spec, Subsampling};

/// A decoded picture (packed, or a JPEG's planes) and its size.
#[derive(Debug)]
pub struct Pixels(Decoded);

impl Default for Pixels {
    fn default() -> Self {
        Pixels(Decoded::Rgb(Image8::default()))
    }
}

impl Pixels {
    /// Width and height.
    pub fn size(&self) -> (u32, u32) {
        self.0.size()
    }

    /// The packed bytes (RGB, or YCbCr after resizing planes); empty for planes.
    pub fn raw(&self) -> &[u8] {
        match &self.0 {
            Decoded::Rgb(image) => &image.pixels,
            Decoded::Planes(_) => &[],
        }
    }

    /// The packed picture; an empty one for planes (resize them first).
    fn image(&self) -> &Image8 {
        static EMPTY: Image8 = Image8 {
            pixels: Vec::new(),
            width: 0,
            height: 0,
            space: crate::decode::Space::Rgb,
        };
        match &self.0 {
            Decoded::Rgb(image) => image,
            Decoded::Planes(_) => &EMPTY,
        }
    }

    fn packed(&mut self) -> &mut Image8 {
        if let Decoded::Planes(_) = self.0 {
            self.0 = Decoded::Rgb(Image8::default());
        }
        match &mut self.0 {
            Decoded::Rgb(image) => image,
            Decoded::Planes(_) => unreachable!("replaced above"),
        }
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
    crate::decode::decode_shrunk(data, &h, &limits, min_width, min_height).map(Pixels)
}

/// Resize with the pipeline's filter.
pub fn resize(
    resizer: &mut fast_image_resize::Resizer,
    src: &Pixels,
    width: u32,
    height: u32,
    dst: &mut Pixels,
) -> Result<(), Error> {
    let dst = dst.packed();
    match &src.0 {
        Decoded::Rgb(image) => crate::resize::resize(resizer, image, width, height, dst),
        Decoded::Planes(planes) => {
            let mut scratch = Default::default();
            let (w, h) = (width, height);
            let (half, chroma) = crate::resize::chroma_size(Spec::default().subsampling, w, h);
            crate::resize::resize_planes(resizer, planes, (w, h), chroma, &mut scratch)?;
            let [y, cb, cr] = &scratch;
            Transform::IDENTITY.apply_planes([y, cb, cr], w, h, half, &mut dst.pixels);
            dst.width = width;
            dst.height = height;
            dst.space = crate::decode::Space::YCbCr;
            Ok(())
        }
    }
}

/// Apply an EXIF orientation then the clockwise portrait turn, as one transform.
pub fn orient(src: &Pixels, orientation: Orientation, turn: bool, dst: &mut Pixels) {
    let mut t = Transform::from(orientation);
    if turn {
        t = Transform::turn(crate::Turn::Clockwise).after(t);
    }
    let src = src.image();
    let (w, h) = t.output_size(src.width, src.height);
    let dst = dst.packed();
    t.apply(&src.pixels, src.width, src.height, 3, &mut dst.pixels);
    dst.width = w;
    dst.height = h;
    dst.space = src.space;
}

/// Encode at `quality` with the pipeline's settings.
pub fn encode(src: &Pixels, quality: u8, out: &mut Vec<u8>) -> Result<(), Error> {
    crate::encode::encode(src.image(), quality, Spec::default().subsampling, out)
}

/// Encode with an explicit subsampling, for comparing settings.
pub fn encode_with(
    src: &Pixels,
    quality: u8,
    subsampling: Subsampling,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    crate::encode::encode(src.image(), quality, subsampling, out)
}
