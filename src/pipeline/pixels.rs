//! The decoded picture's nouns, shared by the decoder and every stage after it: packed
//! RGB, a JPEG's planes, and the two borrowed or owned as one. Imports nothing of ours.

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

/// One decoded component at the reduced size, padded to whole blocks.
#[derive(Debug, Default)]
pub(crate) struct Plane {
    pub(crate) samples: Vec<u8>,
    /// Samples per row (whole blocks).
    pub(crate) stride: usize,
    /// Sampling factors from the frame header.
    pub(crate) h: usize,
    pub(crate) v: usize,
}

/// A decoded picture: one plane (grey) or three (Y, Cb, Cr).
#[derive(Debug, Default)]
pub(crate) struct Planes {
    /// Size at the reduced scale: n/8 of the stored size, rounded up.
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) planes: Vec<Plane>,
}

impl Planes {
    /// Fills each plane's padding (the blocks past the picture's edge, which complete
    /// the last MCU) with copies of the picture's last column and row. The file's own
    /// padding is whatever its encoder chose, and a progressive file never sends most of
    /// it; the resampling filter reaches into it at the edges, and should find the edge.
    pub(crate) fn extend_edges(&mut self) {
        let h_max = self.planes.iter().map(|p| p.h).max().unwrap_or(1);
        let v_max = self.planes.iter().map(|p| p.v).max().unwrap_or(1);
        let (width, height) = (self.width as usize, self.height as usize);
        for plane in &mut self.planes {
            let stride = plane.stride;
            let rows = plane.samples.len() / stride.max(1);
            let valid_w = (width * plane.h).div_ceil(h_max).clamp(1, stride.max(1));
            let valid_h = (height * plane.v).div_ceil(v_max).clamp(1, rows.max(1));
            if stride == 0 || rows == 0 {
                continue;
            }
            for row in plane.samples.chunks_exact_mut(stride).take(valid_h) {
                let edge = row[valid_w - 1];
                row[valid_w..].fill(edge);
            }
            let (picture, padding) = plane.samples.split_at_mut(valid_h * stride);
            let last = &picture[(valid_h - 1) * stride..];
            for row in padding.chunks_exact_mut(stride) {
                row.copy_from_slice(last);
            }
        }
    }
}
