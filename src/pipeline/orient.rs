//! Stage 4a: EXIF orientation and the portrait turn, composed into one transform and
//! applied once, to the small resized picture.

use crate::pipeline::orientation::Orientation;
use crate::pipeline::pixels::Planes;
use crate::Turn;

/// An element of the square's symmetry group, as the integer matrix that maps a stored
/// pixel's coordinates (x right, y down) to its shown coordinates, about the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transform {
    m: [[i8; 2]; 2],
}

impl Transform {
    pub(crate) const IDENTITY: Transform = Transform {
        m: [[1, 0], [0, 1]],
    };
    const CLOCKWISE: Transform = Transform {
        m: [[0, -1], [1, 0]],
    };
    const COUNTER_CLOCKWISE: Transform = Transform {
        m: [[0, 1], [-1, 0]],
    };

    /// The quarter turn that makes a landscape picture portrait ([`Turn::Auto`] without a
    /// face: clockwise).
    pub(crate) fn turn(turn: Turn) -> Transform {
        match turn {
            Turn::Auto | Turn::Clockwise => Self::CLOCKWISE,
            Turn::CounterClockwise => Self::COUNTER_CLOCKWISE,
            Turn::Off => Self::IDENTITY,
        }
    }

    /// `self` applied after `first`.
    pub(crate) fn after(self, first: Transform) -> Transform {
        let (a, b) = (self.m, first.m);
        let cell = |r: usize, c: usize| a[r][0] * b[0][c] + a[r][1] * b[1][c];
        Transform {
            m: [[cell(0, 0), cell(0, 1)], [cell(1, 0), cell(1, 1)]],
        }
    }

    pub(crate) fn swaps_axes(self) -> bool {
        self.m[0][0] == 0
    }

    /// `n` quarter turns clockwise.
    pub(crate) fn quarter_turns(n: u8) -> Transform {
        (0..n % 4).fold(Self::IDENTITY, |t, _| Self::CLOCKWISE.after(t))
    }

    /// Whether the transform mirrors the picture (its determinant is −1): a face's right
    /// and left swap sides.
    pub(crate) fn mirrors(self) -> bool {
        let [[a, b], [c, d]] = self.m;
        a * d - b * c < 0
    }

    /// Where a point (continuous coordinates, x right, y down, 0 at the top-left corner)
    /// of a `width` × `height` input lands in the output.
    pub(crate) fn map_point(self, (x, y): (f32, f32), width: u32, height: u32) -> (f32, f32) {
        let (w, h) = (width as f32, height as f32);
        let (dx, dy) = (x - w / 2.0, y - h / 2.0);
        let [[a, b], [c, d]] = self.m.map(|row| row.map(f32::from));
        let (ow, oh) = self.output_size(width, height);
        (
            a * dx + b * dy + ow as f32 / 2.0,
            c * dx + d * dy + oh as f32 / 2.0,
        )
    }

    /// The inverse transform.
    pub(crate) fn inverted(self) -> Transform {
        Transform { m: self.inverse() }
    }

    /// The output size for a `width` × `height` input.
    pub(crate) fn output_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_axes() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// Applies the transform to packed 8-bit pixels of `channels` samples each, into `out`
    /// (resized to fit). Each output pixel is read from one input pixel: the inverse map
    /// walks the input with a fixed stride per output step.
    pub(crate) fn apply(
        self,
        src: &[u8],
        width: u32,
        height: u32,
        channels: usize,
        out: &mut Vec<u8>,
    ) {
        let (w, h) = (width as usize, height as usize);
        let (ow, oh) = self.output_size(width, height);
        let (ow, oh) = (ow as usize, oh as usize);
        // Every sample is written below: the buffer's old content need not be cleared.
        out.resize(ow * oh * channels, 0);
        if out.is_empty() {
            return;
        }
        if self == Self::IDENTITY {
            out.copy_from_slice(&src[..w * h * channels]);
            return;
        }
        if channels == 1 {
            self.walk_tiles(w, h, src, out);
            return;
        }
        self.walk(w, h, channels, out, |px, i| {
            px.copy_from_slice(&src[i * channels..(i + 1) * channels])
        });
    }

    /// Applies the transform to a picture in three planes (Y, Cb, Cr), each on its own,
    /// into `out`. `planes[0]` is `width` × `height`; the other two are that size too,
    /// or half of it on each axis when `half_chroma` (each of their samples then serves a
    /// 2 × 2 square, which a turn keeps). `out` holds the turned planes, each as long as
    /// its rows, sampled as a JPEG's would be.
    pub(crate) fn apply_planes(
        self,
        planes: [&[u8]; 3],
        width: u32,
        height: u32,
        half_chroma: bool,
        out: &mut Planes,
    ) {
        let shift = u32::from(half_chroma);
        let chroma = (width.div_ceil(1 << shift), height.div_ceil(1 << shift));
        let (ow, oh) = self.output_size(width, height);
        out.width = ow;
        out.height = oh;
        out.planes.resize_with(3, Default::default);
        for (i, (src, plane)) in planes.into_iter().zip(&mut out.planes).enumerate() {
            let (w, h) = if i == 0 { (width, height) } else { chroma };
            let sampling = if i == 0 { 1 << shift } else { 1 };
            if src.len() < w as usize * h as usize {
                plane.samples.clear();
                continue;
            }
            self.apply(src, w, h, 1, &mut plane.samples);
            plane.stride = self.output_size(w, h).0 as usize;
            (plane.h, plane.v) = (sampling, sampling);
        }
    }

    /// The inverse map; the inverse of an orthogonal matrix is its transpose.
    fn inverse(self) -> [[i8; 2]; 2] {
        [[self.m[0][0], self.m[1][0]], [self.m[0][1], self.m[1][1]]]
    }

    /// The input pixel (x, y) shown at output (0, 0), for a `w` × `h` input.
    fn start(self, w: usize, h: usize) -> (isize, isize) {
        let inv = self.inverse();
        let x = if inv[0][0] < 0 || inv[0][1] < 0 {
            w - 1
        } else {
            0
        };
        let y = if inv[1][0] < 0 || inv[1][1] < 0 {
            h - 1
        } else {
            0
        };
        (x as isize, y as isize)
    }

    /// Fills `out`, a `w` × `h` one-sample-a-pixel `src` turned by the transform, tile by
    /// tile: a quarter turn reads the input down its columns, and square tiles keep the
    /// rows it reads from in cache (a plane of the 720 × 960 output turns in a tenth of the
    /// time it takes pixel by pixel).
    fn walk_tiles(self, w: usize, h: usize, src: &[u8], out: &mut [u8]) {
        const TILE: usize = 32;
        let (ow, _) = self.output_size(w as u32, h as u32);
        let ow = ow as usize;
        let inv = self.inverse();
        let stride = |dx: i8, dy: i8| isize::from(dx) + isize::from(dy) * w as isize;
        let step_x = stride(inv[0][0], inv[1][0]);
        let step_y = stride(inv[0][1], inv[1][1]);
        let (start_x, start_y) = self.start(w, h);
        let origin = start_y * w as isize + start_x;
        let src = &src[..w * h];
        for (band, rows) in out.chunks_mut(ow * TILE).enumerate() {
            for tile_x in (0..ow).step_by(TILE) {
                let end_x = (tile_x + TILE).min(ow);
                for (y, row) in rows.chunks_exact_mut(ow).enumerate() {
                    let oy = (band * TILE + y) as isize;
                    let mut at = origin + oy * step_y + tile_x as isize * step_x;
                    for sample in &mut row[tile_x..end_x] {
                        *sample = src[at as usize];
                        at += step_x;
                    }
                }
            }
        }
    }

    /// Calls `put(output pixel, input pixel index)` for every pixel of `out`, a
    /// `w` × `h` input turned by the transform, `channels` samples a pixel.
    #[inline(always)]
    fn walk(
        self,
        w: usize,
        h: usize,
        channels: usize,
        out: &mut [u8],
        mut put: impl FnMut(&mut [u8], usize),
    ) {
        let (ow, _) = self.output_size(w as u32, h as u32);
        let inv = self.inverse();
        let stride = |dx: i8, dy: i8| isize::from(dx) + isize::from(dy) * w as isize;
        let step_x = stride(inv[0][0], inv[1][0]);
        let step_y = stride(inv[0][1], inv[1][1]);
        let (start_x, start_y) = self.start(w, h);
        let mut row_start = start_y * w as isize + start_x;
        for out_row in out.chunks_exact_mut(ow as usize * channels) {
            let mut at = row_start;
            for px in out_row.chunks_exact_mut(channels) {
                put(px, at as usize);
                at += step_x;
            }
            row_start += step_y;
        }
    }
}

impl From<Orientation> for Transform {
    fn from(o: Orientation) -> Self {
        let m = match o {
            Orientation::Normal => [[1, 0], [0, 1]],
            Orientation::FlipHorizontal => [[-1, 0], [0, 1]],
            Orientation::Rotate180 => [[-1, 0], [0, -1]],
            Orientation::FlipVertical => [[1, 0], [0, -1]],
            Orientation::Transpose => [[0, 1], [1, 0]],
            Orientation::Rotate90 => [[0, -1], [1, 0]],
            Orientation::Transverse => [[0, -1], [-1, 0]],
            Orientation::Rotate270 => [[0, 1], [-1, 0]],
        };
        Transform { m }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every transform of three planes (chroma at half size, or full) matches the packed
    /// transform of the same picture with each chroma sample repeated over its square.
    #[test]
    fn planes_turn_like_packed_pixels() {
        let (w, h) = (6usize, 4usize);
        let luma: Vec<u8> = (0..w * h).map(|i| i as u8).collect();
        let cb: Vec<u8> = (0..w * h / 4).map(|i| 100 + i as u8).collect();
        let cr: Vec<u8> = (0..w * h / 4).map(|i| 200 + i as u8).collect();
        let packed: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let c = (i / w / 2) * (w / 2) + (i % w) / 2;
                [luma[i], cb[c], cr[c]]
            })
            .collect();
        let full_cb: Vec<u8> = packed.chunks(3).map(|p| p[1]).collect();
        let full_cr: Vec<u8> = packed.chunks(3).map(|p| p[2]).collect();
        for value in 1..=8 {
            let t = Transform::from(Orientation::from_exif(value).unwrap());
            let t = Transform::turn(Turn::Clockwise).after(t);
            let mut expected = Vec::new();
            t.apply(&packed, w as u32, h as u32, 3, &mut expected);
            let mut half = Planes::default();
            t.apply_planes([&luma, &cb, &cr], w as u32, h as u32, true, &mut half);
            assert_eq!(
                interleave(&half),
                expected,
                "orientation {value}, half chroma"
            );
            let mut full = Planes::default();
            t.apply_planes(
                [&luma, &full_cb, &full_cr],
                w as u32,
                h as u32,
                false,
                &mut full,
            );
            assert_eq!(
                interleave(&full),
                expected,
                "orientation {value}, full chroma"
            );
        }
    }

    /// Packed YCbCr pixels from planes, each pixel with the chroma sample covering it.
    fn interleave(p: &Planes) -> Vec<u8> {
        let luma_h = p.planes[0].h;
        let mut out = Vec::new();
        for y in 0..p.height as usize {
            for x in 0..p.width as usize {
                for plane in &p.planes {
                    let shift = usize::from(plane.h < luma_h);
                    out.push(plane.samples[(y >> shift) * plane.stride + (x >> shift)]);
                }
            }
        }
        out
    }

    /// A 3 × 2 picture of one-channel pixels 0..6, row by row.
    fn apply(t: Transform) -> (Vec<u8>, (u32, u32)) {
        let src = [0, 1, 2, 3, 4, 5];
        let mut out = Vec::new();
        t.apply(&src, 3, 2, 1, &mut out);
        (out, t.output_size(3, 2))
    }

    #[test]
    fn each_orientation_moves_pixels_as_exif_says() {
        use Orientation::*;
        // Stored:  0 1 2
        //          3 4 5
        let cases: [(Orientation, &[u8]); 8] = [
            (Normal, &[0, 1, 2, 3, 4, 5]),
            (FlipHorizontal, &[2, 1, 0, 5, 4, 3]),
            (Rotate180, &[5, 4, 3, 2, 1, 0]),
            (FlipVertical, &[3, 4, 5, 0, 1, 2]),
            (Transpose, &[0, 3, 1, 4, 2, 5]),
            (Rotate90, &[3, 0, 4, 1, 5, 2]),
            (Transverse, &[5, 2, 4, 1, 3, 0]),
            (Rotate270, &[2, 5, 1, 4, 0, 3]),
        ];
        for (o, want) in cases {
            let (got, size) = apply(o.into());
            assert_eq!(got, want, "{o:?}");
            assert_eq!(size, if o.swaps_axes() { (2, 3) } else { (3, 2) });
        }
    }

    #[test]
    fn empty_pictures_stay_empty() {
        let mut out = vec![1, 2, 3];
        Transform::from(Orientation::Rotate90).apply(&[], 0, 0, 3, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn composing_equals_applying_twice() {
        for o in 1..=8 {
            let o = Transform::from(Orientation::from_exif(o).unwrap());
            for turn in [Turn::Clockwise, Turn::CounterClockwise, Turn::Off] {
                let t = Transform::turn(turn);
                let (once, _) = apply(t.after(o));
                let (first, (w, h)) = apply(o);
                let mut twice = Vec::new();
                t.apply(&first, w, h, 1, &mut twice);
                assert_eq!(once, twice, "{o:?} then {turn:?}");
            }
        }
    }
}
