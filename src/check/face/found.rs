//! Faces as reports give them: looked for on a small RGB copy of the decoded picture, and
//! mapped from there to the pixels of whichever picture the report describes.

use super::{Detection, Detector, Model, ALL_TURNS, SURE_UPRIGHT};
use crate::check::Role;
use crate::face::{roll, Face, Landmarks};
use crate::pipeline::decode::{Image8, Picture, Planes};

/// The longest side of the RGB copy faces are looked for on. The short-range network sees
/// 128 × 128 and the full-range one 256 × 256; a copy of at most twice the larger keeps
/// the detector's own area average fine while costing little to make.
const DETECTION_SIDE: u32 = 512;

/// The short-range network's score above which its answer stands alone (below it the
/// full-range network is asked too). Measured on our test photos: faces filling a fifth
/// of the picture or more score 0.85–0.95; a face a tenth of a landscape photo's width
/// scores 0.6–0.7 there, with landmarks off by its own size, and 0.97 with the full-range
/// network.
const CONFIDENT: f32 = 0.8;

/// The score above which a network is taken to have seen a face it is unsure of: 0.5,
/// MediaPipe's own threshold. A short-range detection this sure is a hint that guides the
/// full-range network into the hint's quarter turn; a full-range one this sure sends it
/// on into the turns it has not looked in.
const HINT: f32 = 0.5;

/// Faces found on a decoded picture, in its pixels (the picture as decoded: stored
/// orientation, perhaps shrunk on load), largest first.
#[derive(Debug, Default, Clone)]
pub(crate) struct Located {
    /// The faces, largest first.
    pub(crate) faces: Vec<Face>,
    /// The decoded picture's size, which the faces' coordinates refer to.
    pub(crate) size: (u32, u32),
}

impl Located {
    /// The faces in the pixels of a `width` × `height` picture of the same scene and
    /// orientation (the stored one at its full size, say).
    pub(crate) fn scaled_to(&self, (width, height): (u32, u32)) -> Vec<Face> {
        let sx = width as f32 / self.size.0.max(1) as f32;
        let sy = height as f32 / self.size.1.max(1) as f32;
        self.faces
            .iter()
            .map(|f| f.mapped(|[x, y]| [x * sx, y * sy], false))
            .collect()
    }
}

/// Looks for faces on `picture` in all four quarter turns, with the network the role
/// needs: for a selfie the short-range one, then the full-range one if that found no face
/// it is sure of; for a document's small portrait the full-range one.
pub(crate) fn locate(
    detector: &mut Detector,
    picture: Picture,
    role: Role,
    min_score: f32,
    scratch: &mut Image8,
) -> Located {
    let size = picture.size();
    if !small_rgb(picture, DETECTION_SIDE, scratch) {
        return Located {
            faces: Vec::new(),
            size,
        };
    }
    let (rgb, width, height) = (&scratch.pixels, scratch.width, scratch.height);
    let best = |found: &[Detection]| found.iter().map(|d| d.score).fold(0.0, f32::max);
    let found = match role {
        Role::Face => {
            // The short-range network sees a face that fills a good part of the picture
            // at once. A smaller one (a person standing in a landscape photo) it finds
            // unsure, its landmarks loose, or does not see at all: then the full-range
            // network looks too, and the surer answer is kept.
            let hint = min_score.min(HINT);
            let short = detector.detect_in(rgb, width, height, Model::ShortRange, hint, ALL_TURNS);
            let best_short = best(&short);
            if best_short >= CONFIDENT.max(min_score) {
                short
            } else {
                // The full-range network looks at the whole picture as given, whatever
                // the short-range one saw. In another quarter turn it looks at the whole
                // picture only where the short-range one saw a hint in that turn (or the
                // hint's landmarks say the turn makes it upright) and a window around the
                // hint, a quarter of the work, shows the full-range network a face. It
                // goes on into the other turns only if it saw something there that it is
                // unsure of: nothing at all, or a sure upright face, ends the search.
                let hinted = short
                    .iter()
                    .fold(0, |m, d| m | d.seen | (1 << d.quarter_turns))
                    & !1;
                let turns = 1 | detector.full_range_near(rgb, width, height, &short, hint, hinted);
                let mut full =
                    detector.detect_in(rgb, width, height, Model::FullRange, hint, turns);
                let sure = full
                    .iter()
                    .any(|d| d.score >= SURE_UPRIGHT && d.seen & (1 << d.quarter_turns) != 0);
                if !sure && !full.is_empty() && turns != ALL_TURNS {
                    full = detector.look_further(
                        rgb,
                        width,
                        height,
                        Model::FullRange,
                        hint,
                        ALL_TURNS & !turns,
                    );
                }
                if best(&full) > best_short {
                    full
                } else {
                    short
                }
            }
        }
        Role::Id => detector.detect_in(rgb, width, height, Model::FullRange, min_score, ALL_TURNS),
    };
    let found: Vec<Detection> = found.into_iter().filter(|d| d.score >= min_score).collect();
    let sx = size.0 as f32 / scratch.width.max(1) as f32;
    let sy = size.1 as f32 / scratch.height.max(1) as f32;
    let mut faces: Vec<Face> = found
        .iter()
        .map(|d| from_detection(d).mapped(|[x, y]| [x * sx, y * sy], false))
        .collect();
    faces.sort_by(|a, b| b.area().total_cmp(&a.area()));
    Located { faces, size }
}

fn from_detection(d: &Detection) -> Face {
    let [right_eye, left_eye, nose, mouth, right_ear, left_ear] = d.landmarks;
    let landmarks = Landmarks {
        right_eye,
        left_eye,
        nose,
        mouth,
        right_ear,
        left_ear,
    };
    Face {
        x: d.x,
        y: d.y,
        width: d.width,
        height: d.height,
        score: d.score,
        roll: roll(&landmarks),
        landmarks,
    }
}

/// Makes a packed RGB copy of `picture` whose long side is at most `max_side` (box
/// average over whole pixels; never enlarged) in `out`; false if the picture is empty or
/// its planes are not as expected.
pub(crate) fn small_rgb(picture: Picture, max_side: u32, out: &mut Image8) -> bool {
    let (w, h) = picture.size();
    if w == 0 || h == 0 {
        return false;
    }
    let step = w.max(h).div_ceil(max_side.max(1)).max(1) as usize;
    let (ow, oh) = (w as usize / step, h as usize / step);
    if ow == 0 || oh == 0 {
        return false;
    }
    out.width = ow as u32;
    out.height = oh as u32;
    out.pixels.clear();
    out.pixels.reserve(ow * oh * 3);
    let area = (step * step) as u32;
    match picture {
        Picture::Rgb(image) => {
            if image.pixels.len() < w as usize * h as usize * 3 {
                return false;
            }
            let row_len = w as usize * 3;
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut sum = [0u32; 3];
                    for y in oy * step..(oy + 1) * step {
                        let row = &image.pixels[y * row_len..][..row_len];
                        for px in row[ox * step * 3..(ox + 1) * step * 3].chunks_exact(3) {
                            for c in 0..3 {
                                sum[c] += u32::from(px[c]);
                            }
                        }
                    }
                    out.pixels
                        .extend(sum.map(|s| ((s + area / 2) / area) as u8));
                }
            }
            true
        }
        Picture::Planes(planes) => planes_rgb(planes, step, (ow, oh), &mut out.pixels),
    }
}

/// [`small_rgb`] for a JPEG's planes: luma averaged over each box, chroma read at its
/// centre, then JPEG's YCbCr to RGB (ITU-T T.871).
fn planes_rgb(planes: &Planes, step: usize, (ow, oh): (usize, usize), out: &mut Vec<u8>) -> bool {
    let h_max = planes.planes.iter().map(|p| p.h).max().unwrap_or(1).max(1);
    let v_max = planes.planes.iter().map(|p| p.v).max().unwrap_or(1).max(1);
    // Plane `i`'s row under picture row `y`, and its column under picture column `x`.
    let row = |i: usize, y: usize| -> Option<&[u8]> {
        let p = planes.planes.get(i)?;
        let start = (y * p.v / v_max).checked_mul(p.stride)?;
        p.samples.get(start..start.checked_add(p.stride)?)
    };
    let column = |i: usize, x: usize| planes.planes.get(i).map_or(0, |p| x * p.h / h_max);
    let colour = planes.planes.len() >= 3;
    let width = ow * step;
    // Luma is sampled at the full rate in every JPEG but odd ones: picture column `x` is
    // sample `x`. Otherwise, picture column `x`'s luma sample, per output row.
    let luma_full = planes.planes.first().is_some_and(|p| p.h == h_max);
    let luma_columns: Vec<usize> = if luma_full {
        Vec::new()
    } else {
        (0..width).map(|x| column(0, x)).collect()
    };
    // Per picture column, the sum of the box's rows; then per box, of its columns (whole
    // numbers: the same sums in any order).
    let mut columns = vec![0u32; width];
    let mut sums = vec![0u32; ow];
    for oy in 0..oh {
        columns.fill(0);
        for y in oy * step..(oy + 1) * step {
            let Some(luma) = row(0, y) else {
                return false;
            };
            if luma_full {
                let Some(luma) = luma.get(..width) else {
                    return false;
                };
                for (sum, &v) in columns.iter_mut().zip(luma) {
                    *sum += u32::from(v);
                }
            } else {
                if luma_columns.last().is_some_and(|&x| x >= luma.len()) {
                    return false;
                }
                for (sum, &x) in columns.iter_mut().zip(&luma_columns) {
                    *sum += u32::from(luma[x]);
                }
            }
        }
        for (sum, box_columns) in sums.iter_mut().zip(columns.chunks_exact(step)) {
            *sum = box_columns.iter().sum();
        }
        let centre = oy * step + step / 2;
        let (cb_row, cr_row) = if colour {
            let (Some(cb), Some(cr)) = (row(1, centre), row(2, centre)) else {
                return false;
            };
            (cb, cr)
        } else {
            (&[][..], &[][..])
        };
        let area = (step * step) as f32;
        for (ox, &sum) in sums.iter().enumerate() {
            let y = sum as f32 / area;
            let rgb = if colour {
                let cx = ox * step + step / 2;
                let (Some(&cb), Some(&cr)) = (cb_row.get(column(1, cx)), cr_row.get(column(2, cx)))
                else {
                    return false;
                };
                let (cb, cr) = (f32::from(cb) - 128.0, f32::from(cr) - 128.0);
                [
                    y + 1.402 * cr,
                    y - 0.344_136 * cb - 0.714_136 * cr,
                    y + 1.772 * cb,
                ]
            } else {
                [y; 3]
            };
            out.extend(rgb.map(round_to_u8));
        }
    }
    true
}

/// `v.round().clamp(0.0, 255.0) as u8` (halves away from zero), without the call to
/// `roundf` that `f32::round` compiles to on a CPU without SSE4.1 (once per sample, a
/// millisecond a picture).
fn round_to_u8(v: f32) -> u8 {
    if v.is_nan() || v <= 0.0 {
        // NaN (which `as u8` also makes 0), zero or below.
        return 0;
    }
    if v >= 255.0 {
        return 255;
    }
    let whole = v as u32;
    // Exact: `v` and its whole part are within a factor of two (or the part is 0).
    let up = v - whole as f32 >= 0.5;
    (whole + u32::from(up)) as u8
}

#[cfg(test)]
mod tests {
    #[test]
    fn rounding_to_a_sample_is_std_rounding() {
        // Every 97th f32 from −2 to 260 (both signs' bit patterns walked upwards), and
        // the halves and the values either side of them.
        let same = |v: f32| {
            assert_eq!(
                super::round_to_u8(v),
                v.round().clamp(0.0, 255.0) as u8,
                "{v}"
            )
        };
        for bits in ((-0.0f32).to_bits()..=(-2.0f32).to_bits()).step_by(97) {
            same(f32::from_bits(bits));
        }
        for bits in (0..=260.0f32.to_bits()).step_by(97) {
            same(f32::from_bits(bits));
        }
        for half in (0..256).map(|k| k as f32 + 0.5) {
            for bits in half.to_bits() - 2..=half.to_bits() + 2 {
                same(f32::from_bits(bits));
            }
        }
        assert_eq!(super::round_to_u8(f32::NAN), 0);
        assert_eq!(super::round_to_u8(f32::INFINITY), 255);
        assert_eq!(super::round_to_u8(-0.0), 0);
    }
}
