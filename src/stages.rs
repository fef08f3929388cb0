//! The benchmarks' door to the private stages: the pipeline's stages one by one (and the
//! face detector), as `benches/` times them. The crate's only hidden module and its only
//! way in to `pipeline` and `check::face` from outside; not part of the API, hidden from
//! the documentation, and free to change.

use crate::pipeline::decode::{Decoded, Image8, Planes};
use crate::pipeline::orient::Transform;
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

    /// The packed bytes (RGB); for planes, the luminance plane's.
    pub fn raw(&self) -> &[u8] {
        match &self.0 {
            Decoded::Rgb(image) => &image.pixels,
            Decoded::Planes(planes) => planes.planes.first().map_or(&[], |p| &p.samples),
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

    fn planes(&mut self) -> &mut Planes {
        if let Decoded::Rgb(_) = self.0 {
            self.0 = Decoded::Planes(Planes::default());
        }
        match &mut self.0 {
            Decoded::Planes(planes) => planes,
            Decoded::Rgb(_) => unreachable!("replaced above"),
        }
    }
}

/// Sniff and probe: the stored size and EXIF orientation.
pub fn probe(data: &[u8]) -> Result<(u32, u32, Orientation), Error> {
    let h = crate::pipeline::probe::probe(data, &Limits::default())?;
    Ok((h.width, h.height, h.orientation))
}

/// Decode as the pipeline does for an output `target_width` × `target_height` (stored
/// orientation): shrinking on load where possible, keeping the resizer's margin.
pub fn decode(data: &[u8], target_width: u32, target_height: u32) -> Result<Pixels, Error> {
    let limits = Limits::default();
    let h = crate::pipeline::probe::probe(data, &limits)?;
    let size = crate::pipeline::decode::shrink_on_load_size((target_width, target_height));
    crate::pipeline::decode::decode_shrunk(data, &h, &limits, size, Planes::default()).map(Pixels)
}

/// Resize with the pipeline's filter.
pub fn resize(
    resizer: &mut fast_image_resize::Resizer,
    src: &Pixels,
    width: u32,
    height: u32,
    dst: &mut Pixels,
) -> Result<(), Error> {
    match &src.0 {
        Decoded::Rgb(image) => {
            crate::pipeline::resize::resize(resizer, image, None, width, height, dst.packed())
        }
        Decoded::Planes(planes) => {
            let mut scratch = Default::default();
            let (w, h) = (width, height);
            let (half, chroma) =
                crate::pipeline::resize::chroma_size(Spec::default().subsampling, w, h);
            crate::pipeline::resize::resize_planes(
                resizer,
                planes,
                None,
                (w, h),
                chroma,
                &mut scratch,
            )?;
            let [y, cb, cr] = &scratch;
            Transform::IDENTITY.apply_planes([y, cb, cr], w, h, half, dst.planes());
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
    match &src.0 {
        Decoded::Rgb(src) => {
            let (w, h) = t.output_size(src.width, src.height);
            let dst = dst.packed();
            t.apply(&src.pixels, src.width, src.height, 3, &mut dst.pixels);
            dst.width = w;
            dst.height = h;
        }
        Decoded::Planes(src) => {
            // Planes as `resize` leaves them: each as long as its rows.
            let [y, cb, cr] = [0, 1, 2].map(|i| src.planes.get(i).map_or(&[][..], |p| &p.samples));
            let half = src.planes.first().is_some_and(|p| p.h == 2);
            t.apply_planes([y, cb, cr], src.width, src.height, half, dst.planes());
        }
    }
}

/// Encode at `quality` with the pipeline's settings.
pub fn encode(src: &Pixels, quality: u8, out: &mut Vec<u8>) -> Result<(), Error> {
    crate::pipeline::encode::encode(src.0.picture(), quality, Spec::default().subsampling, out)
}

/// Encode with an explicit subsampling, for comparing settings.
pub fn encode_with(
    src: &Pixels,
    quality: u8,
    subsampling: Subsampling,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    crate::pipeline::encode::encode(src.0.picture(), quality, subsampling, out)
}

/// The face detector (`check::face`), for the benchmarks.
#[derive(Debug, Default)]
pub struct FaceDetector(crate::check::face::Detector);

impl FaceDetector {
    /// Looks for faces in packed RGB in all four quarter turns (a sure upright face in
    /// the picture as given ends the search after the first), with the short-range
    /// (`full_range` false) or full-range model; returns how many scored at least
    /// `min_score`.
    pub fn detect(
        &mut self,
        rgb: &[u8],
        width: u32,
        height: u32,
        full_range: bool,
        min_score: f32,
    ) -> usize {
        use crate::check::face::Model;
        let model = if full_range {
            Model::FullRange
        } else {
            Model::ShortRange
        };
        self.0.detect(rgb, width, height, model, min_score).len()
    }
}
