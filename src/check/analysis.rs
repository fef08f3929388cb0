//! The pixel analysis: a small luminance copy, and the measures the image-quality rules
//! judge (sharpness, exposure, contrast).

use crate::pipeline::decode::{Image8, Picture, Planes};
use crate::Size;

/// ITU-R BT.601 luma weights (the ones JPEG's YCbCr uses), in 1/256ths: 0.299, 0.587,
/// 0.114.
const LUMA_WEIGHTS: [u32; 3] = [77, 150, 29];

/// The four directions sharpness is measured along: across, down, and the two diagonals
/// (as (dx, dy) steps).
const DIRECTIONS: [(isize, isize); 4] = [(1, 0), (0, 1), (1, 1), (1, -1)];

/// What the analysis measured on an image's luminance copy.
///
/// ```
/// let report = ekyc_preflight::check(&ekyc_preflight::doc_sample_png());
/// let m = report.metrics.expect("a readable picture is analysed");
/// assert!(m.shadow_luma <= m.median_luma && m.median_luma <= m.highlight_luma);
/// assert!((0.0..=1.0).contains(&m.contrast));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Metrics {
    /// Size of the luminance copy analysed (stored orientation).
    pub analysed: Size,
    /// Edge crispness in the blurriest direction: along each of four directions (across,
    /// down, both diagonals) the mean squared second difference over the mean squared
    /// first difference, halved; the smallest of the four. A sampled step edge scores 1,
    /// fine texture and noise up to 2; a blurred edge scores about 1/(width in pixels)².
    /// It does not depend on contrast, exposure or how much of the picture is edges.
    pub sharpness: f64,
    /// Variance of the 4-neighbour Laplacian, the classic blur measure (reported for
    /// comparison; it depends on content and contrast, so no rule uses it).
    pub laplacian_variance: f64,
    /// Mean luminance, 0–255.
    pub mean_luma: f64,
    /// 2nd percentile of luminance (the shadows).
    pub shadow_luma: u8,
    /// Median luminance.
    pub median_luma: u8,
    /// 98th percentile of luminance (the highlights).
    pub highlight_luma: u8,
    /// Contrast of the shadows and highlights, (p98 − p2) / (p98 + p2), 0–1.
    pub contrast: f64,
    /// Share of pixels at or below [`CheckOptions::dark_level`](crate::CheckOptions).
    pub dark_fraction: f64,
    /// Share of pixels at or above [`CheckOptions::bright_level`](crate::CheckOptions).
    pub bright_fraction: f64,
}

/// What the analysis measured on the largest face's box.
///
/// ```
/// # let report = ekyc_preflight::check(&ekyc_preflight::doc_sample_png());
/// // A gradient has no face, so nothing was measured on one.
/// assert!(report.face_metrics.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FaceMetrics {
    /// The measures of the face's box, area-averaged to at most 96 pixels on its longer
    /// side (so the file's stored size does not change them).
    pub region: Metrics,
    /// Median luminance of the face's surroundings (a ring as wide as the box around it).
    pub surround_luma: u8,
    /// The surroundings' median over the face's: how much brighter the background is
    /// than the face (backlight), in luminance levels; negative when the face is brighter.
    pub backlight: i16,
}

/// A single-channel picture, f32 samples on the 0–255 scale.
pub(crate) struct Luma {
    pub(crate) pixels: Vec<f32>,
    pub(crate) width: usize,
    pub(crate) height: usize,
}

/// The luminance of `rgb`, scaled by area averaging so its short side is at most
/// `short_side` (never enlarged), in the memory of `reuse`.
pub(crate) fn luma_copy(rgb: &Image8, short_side: u32, reuse: Vec<f32>) -> Option<Luma> {
    let (w, h) = (rgb.width as usize, rgb.height as usize);
    if w == 0 || h == 0 || rgb.pixels.len() < w * h * 3 {
        return None;
    }
    Some(scaled_luma(w, h, short_side, reuse, |y, out| {
        let row = rgb.pixels[y * w * 3..(y + 1) * w * 3].chunks_exact(3);
        for (o, p) in out.iter_mut().zip(row) {
            let y: u32 = p
                .iter()
                .zip(LUMA_WEIGHTS)
                .map(|(&c, k)| u32::from(c) * k)
                .sum();
            *o = y as f32 / 256.0;
        }
    }))
}

/// The luminance of a picture (its Y plane where it is in planes), in the memory of
/// `reuse` (a `Luma`'s pixels handed back, or empty).
pub(crate) fn luma_of(picture: Picture, short_side: u32, reuse: Vec<f32>) -> Option<Luma> {
    match picture {
        Picture::Rgb(rgb) => luma_copy(rgb, short_side, reuse),
        Picture::Planes(planes) => luma_of_planes(planes, short_side, reuse),
    }
}

fn luma_of_planes(planes: &Planes, short_side: u32, reuse: Vec<f32>) -> Option<Luma> {
    let (w, h) = (planes.width as usize, planes.height as usize);
    let luma = planes.planes.first()?;
    if w == 0 || h == 0 || luma.stride < w || luma.samples.len() < luma.stride * h {
        return None;
    }
    Some(scaled_luma(w, h, short_side, reuse, |y, out| {
        let row = &luma.samples[y * luma.stride..][..w];
        for (o, &v) in out.iter_mut().zip(row) {
            *o = f32::from(v);
        }
    }))
}

/// `luma` as it will be in a picture `prepare --upscale` enlarges `factor` times: enlarged
/// with the pipeline's filter (in 8 bits, as the output is), then area-averaged so that
/// its short side is at most `short_side`, as `check` analyses the output. `luma` as it
/// is when the enlargement cannot be made (it is then judged unenlarged).
pub(crate) fn enlarged(luma: Luma, factor: f64, short_side: u32) -> Luma {
    let size = |n: usize| ((n as f64 * factor).round() as u32).max(1);
    let to = (size(luma.width), size(luma.height));
    let grey: Vec<u8> = luma
        .pixels
        .iter()
        .map(|&v| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    let from = (luma.width as u32, luma.height as u32);
    match crate::pipeline::resize::resize_grey(&grey, from, to) {
        Ok(big) => {
            let width = to.0 as usize;
            scaled_luma(width, to.1 as usize, short_side, luma.pixels, |y, out| {
                for (o, &v) in out.iter_mut().zip(&big[y * width..][..width]) {
                    *o = f32::from(v);
                }
            })
        }
        Err(_) => luma,
    }
}

/// A `w` × `h` luminance, given row by row by `row(y, out)`, area-averaged so that its
/// short side is at most `short_side` (never enlarged). Only the result and one row are
/// held as floats; the result goes into the memory of `reuse`.
fn scaled_luma(
    w: usize,
    h: usize,
    short_side: u32,
    reuse: Vec<f32>,
    row: impl FnMut(usize, &mut [f32]),
) -> Luma {
    let short = w.min(h);
    let target = short_side.max(1) as usize;
    let (nw, nh) = if short <= target {
        (w, h)
    } else {
        let scale = target as f64 / short as f64;
        (
            ((w as f64 * scale).round() as usize).clamp(1, w),
            ((h as f64 * scale).round() as usize).clamp(1, h),
        )
    };
    area_resize((w, h), (nw, nh), reuse, row)
}

/// For each output index along an axis of `n` → `m` samples (m ≤ n): the first source
/// index and the weights of the source samples it covers (summing to 1).
fn area_weights(n: usize, m: usize) -> Vec<(usize, Vec<f32>)> {
    let step = n as f64 / m as f64;
    (0..m)
        .map(|i| {
            let (lo, hi) = (i as f64 * step, ((i + 1) as f64 * step).min(n as f64));
            let first = lo.floor() as usize;
            let last = (hi.ceil() as usize).clamp(first + 1, n);
            let weights = (first..last)
                .map(|s| {
                    let cover = (hi.min(s as f64 + 1.0) - lo.max(s as f64)).max(0.0);
                    (cover / (hi - lo)) as f32
                })
                .collect();
            (first, weights)
        })
        .collect()
}

/// [`area_weights`] along rows, as the same number of taps for every output sample (the
/// most any has), so that the sums run over fixed windows. A sample with fewer has zero
/// weights added before or after its own, which leave its sum exactly as it was.
struct Taps {
    taps: usize,
    /// For each output sample: the first source sample of its window.
    first: Vec<usize>,
    /// `taps` weights per output sample.
    weights: Vec<f32>,
}

impl Taps {
    fn new(weights: &[(usize, Vec<f32>)], n: usize) -> Self {
        let taps = weights
            .iter()
            .map(|(_, w)| w.len())
            .max()
            .unwrap_or(1)
            .min(n);
        let mut t = Taps {
            taps,
            first: Vec::with_capacity(weights.len()),
            weights: Vec::with_capacity(weights.len() * taps),
        };
        for (first, w) in weights {
            // The window starts early enough to end inside the row.
            let start = (*first).min(n - taps);
            let before = first - start;
            t.first.push(start);
            t.weights.extend((0..taps).map(|i| {
                i.checked_sub(before)
                    .and_then(|i| w.get(i))
                    .copied()
                    .unwrap_or(0.0)
            }));
        }
        t
    }

    /// `out[i]`: the weighted sum of `src` over output sample i's window, for `T` taps.
    fn apply<const T: usize>(&self, src: &[f32], out: &mut [f32]) {
        let windows = self.first.iter().zip(self.weights.chunks_exact(T));
        for (out, (&first, weights)) in out.iter_mut().zip(windows) {
            let window = &src[first..first + T];
            *out = window.iter().zip(weights).map(|(v, k)| v * k).sum();
        }
    }

    /// [`Self::apply`] for any number of taps.
    fn apply_any(&self, src: &[f32], out: &mut [f32]) {
        let windows = self.first.iter().zip(self.weights.chunks_exact(self.taps));
        for (out, (&first, weights)) in out.iter_mut().zip(windows) {
            let window = &src[first..first + self.taps];
            *out = window.iter().zip(weights).map(|(v, k)| v * k).sum();
        }
    }
}

/// Area-average downscale of a `w` × `h` picture given row by row by `source_row(y, out)`:
/// each source row is averaged across once, then added into the output rows it covers.
/// The output goes into the memory of `pixels`, whatever it held.
fn area_resize(
    (w, h): (usize, usize),
    (nw, nh): (usize, usize),
    mut pixels: Vec<f32>,
    mut source_row: impl FnMut(usize, &mut [f32]),
) -> Luma {
    let wx = Taps::new(&area_weights(w, nw), w);
    let wy = area_weights(h, nh);
    let mut src = vec![0f32; w];
    let mut across = vec![0f32; nw];
    let mut across_row = usize::MAX;
    pixels.clear();
    pixels.resize(nw * nh, 0.0);
    for (out_row, (first, weights)) in pixels.chunks_exact_mut(nw).zip(&wy) {
        for (k, weight) in weights.iter().enumerate() {
            // Neighbouring output rows share at most their boundary row: the last one.
            if first + k != across_row {
                across_row = first + k;
                source_row(across_row, &mut src);
                match wx.taps {
                    2 => wx.apply::<2>(&src, &mut across),
                    3 => wx.apply::<3>(&src, &mut across),
                    _ => wx.apply_any(&src, &mut across),
                }
            }
            for (o, v) in out_row.iter_mut().zip(&across) {
                *o += weight * v;
            }
        }
    }
    Luma {
        pixels,
        width: nw,
        height: nh,
    }
}

/// Measures `luma`. `dark_level` and `bright_level` are the clipping levels.
pub(crate) fn measure(luma: &Luma, dark_level: u8, bright_level: u8) -> Metrics {
    let n = luma.pixels.len().max(1);
    let mut histogram = [0usize; 256];
    let mut sum = 0f64;
    for &v in &luma.pixels {
        sum += f64::from(v);
        // Rounded to the nearest level (`f32::round` is a library call on baseline x86-64;
        // `as u8`, whose range the value is in, a cheaper conversion than `as usize`).
        histogram[usize::from((v.clamp(0.0, 255.0) + 0.5) as u8)] += 1;
    }
    let texture = texture(luma);
    let percentile = |p: f64| {
        let want = ((p * n as f64).ceil() as usize).max(1);
        let mut seen = 0;
        for (level, &count) in histogram.iter().enumerate() {
            seen += count;
            if seen >= want {
                return level as u8;
            }
        }
        u8::MAX
    };
    let (shadow, median, highlight) = (percentile(0.02), percentile(0.5), percentile(0.98));
    let share = |levels: &[usize]| levels.iter().sum::<usize>() as f64 / n as f64;
    let (lo, hi) = (f64::from(shadow), f64::from(highlight));
    Metrics {
        analysed: Size {
            width: luma.width as u32,
            height: luma.height as u32,
        },
        sharpness: texture.sharpness(),
        laplacian_variance: texture.laplacian_variance(),
        mean_luma: sum / n as f64,
        shadow_luma: shadow,
        median_luma: median,
        highlight_luma: highlight,
        contrast: if hi + lo > 0.0 {
            (hi - lo) / (hi + lo)
        } else {
            0.0
        },
        dark_fraction: share(&histogram[..=usize::from(dark_level)]),
        bright_fraction: share(&histogram[usize::from(bright_level)..]),
    }
}

/// The side (the longer one) a face's region is measured at: a larger region is
/// area-averaged down to it, so that the stored size of the file (or how much of the
/// picture the face fills) does not change the scores, and sensor noise is averaged out
/// before sharpness is measured. Never enlarged: a face smaller than this in the analysis
/// copy is measured as it is.
pub(crate) const FACE_REGION_SIDE: usize = 96;

/// A face's box in a luminance copy's pixels: (left, top, right, bottom), inside it.
pub(crate) type Region = (usize, usize, usize, usize);

/// The measures of `luma` within `region` (a face's box), the region area-averaged down to
/// [`FACE_REGION_SIDE`]; and the median luminance of its surroundings (a ring as wide as
/// the box around it, inside the picture), for backlight. `None` when the region is
/// smaller than 3 × 3.
pub(crate) fn measure_region(
    luma: &Luma,
    (x0, y0, x1, y1): Region,
    dark_level: u8,
    bright_level: u8,
) -> Option<(Metrics, u8)> {
    let (w, h) = (x1.saturating_sub(x0), y1.saturating_sub(y0));
    if w < 3 || h < 3 || x1 > luma.width || y1 > luma.height {
        return None;
    }
    let scale = (FACE_REGION_SIDE as f64 / w.max(h) as f64).min(1.0);
    let (nw, nh) = (
        ((w as f64 * scale).round() as usize).clamp(3, w),
        ((h as f64 * scale).round() as usize).clamp(3, h),
    );
    let region = area_resize((w, h), (nw, nh), Vec::new(), |y, out| {
        out.copy_from_slice(&luma.pixels[(y0 + y) * luma.width + x0..][..w]);
    });
    let mut metrics = measure(&region, dark_level, bright_level);
    // Noise is "sharp" too: a blurred face under sensor noise would pass. Its share of the
    // differences is estimated and taken out.
    metrics.sharpness = texture(&region).sharpness_without_noise(noise_variance(&region));
    // The ring: the box grown by its own size on every side, less the box.
    let (rx0, ry0) = (x0.saturating_sub(w), y0.saturating_sub(h));
    let (rx1, ry1) = ((x1 + w).min(luma.width), (y1 + h).min(luma.height));
    let mut histogram = [0usize; 256];
    let mut count = 0;
    for y in ry0..ry1 {
        for x in rx0..rx1 {
            if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
                continue;
            }
            let v = luma.pixels[y * luma.width + x];
            histogram[usize::from((v.clamp(0.0, 255.0) + 0.5) as u8)] += 1;
            count += 1;
        }
    }
    let mut seen = 0;
    let mut surround = metrics.median_luma;
    if count > 0 {
        for (level, &n) in histogram.iter().enumerate() {
            seen += n;
            if seen * 2 >= count {
                surround = level as u8;
                break;
            }
        }
    }
    Some((metrics, surround))
}

/// What the measures of texture need from the interior pixels (all but the border),
/// gathered in one pass: for each of [`DIRECTIONS`], the sums of squared first and second
/// differences; and the sum and squared sum of the 4-neighbour Laplacian.
#[derive(Default)]
struct Texture {
    first: [f64; 4],
    second: [f64; 4],
    laplacian: f64,
    laplacian_sq: f64,
    /// Interior pixels.
    n: f64,
}

/// Lanes of the per-row sums (each row's sums are kept in `f32` lanes, which the
/// compiler turns into vector code, and added to `f64` totals once a row).
const LANES: usize = 8;

fn texture(l: &Luma) -> Texture {
    let (w, h, p) = (l.width, l.height, &l.pixels);
    let mut t = Texture::default();
    if w < 3 || h < 3 || p.len() < w * h {
        return t;
    }
    let n = w - 2;
    t.n = (n * (h - 2)) as f64;
    for y in 1..h - 1 {
        // Each window below starts one pixel left of, at, or right of the pixel.
        let row = |y: usize, dx: usize| &p[y * w + dx..y * w + dx + n];
        let (ul, uc, ur) = (row(y - 1, 0), row(y - 1, 1), row(y - 1, 2));
        let (ml, mc, mr) = (row(y, 0), row(y, 1), row(y, 2));
        let (dl, dc, dr) = (row(y + 1, 0), row(y + 1, 1), row(y + 1, 2));
        // Per lane: first and second differences of each direction, Laplacian, squared.
        let mut acc = [[0f32; LANES]; 10];
        let windows = [&ul, &uc, &ur, &ml, &mc, &mr, &dl, &dc, &dr];
        let whole = n - n % LANES;
        for base in (0..whole).step_by(LANES) {
            accumulate(
                &mut acc,
                windows.map(|w| w[base..base + LANES].try_into().expect("LANES long")),
            );
        }
        if whole < n {
            // The last few pixels, in lanes padded with zeros (which add nothing).
            let tail = windows.map(|w| {
                let mut lanes = [0f32; LANES];
                lanes[..n - whole].copy_from_slice(&w[whole..]);
                lanes
            });
            accumulate(&mut acc, [0, 1, 2, 3, 4, 5, 6, 7, 8].map(|k| &tail[k]));
        }
        let sum = |lanes: &[f32; LANES]| lanes.iter().map(|&v| f64::from(v)).sum::<f64>();
        for d in 0..4 {
            t.first[d] += sum(&acc[d]);
            t.second[d] += sum(&acc[4 + d]);
        }
        t.laplacian += sum(&acc[8]);
        t.laplacian_sq += sum(&acc[9]);
    }
    t
}

/// Adds the terms of `LANES` neighbouring pixels to the per-row sums, one pixel a lane;
/// `[ul, uc, ur, ml, mc, mr, dl, dc, dr]` are their 3 × 3 neighbourhoods.
#[inline(always)]
fn accumulate(acc: &mut [[f32; LANES]; 10], px: [&[f32; LANES]; 9]) {
    let [ul, uc, ur, ml, c, mr, dl, dc, dr] = px;
    // (a, b): the neighbours before and after along each direction.
    let pairs = [(ml, mr), (uc, dc), (ul, dr), (dl, ur)];
    for (d, (a, b)) in pairs.into_iter().enumerate() {
        for lane in 0..LANES {
            let first = b[lane] - c[lane];
            acc[d][lane] += first * first;
            let second = a[lane] - 2.0 * c[lane] + b[lane];
            acc[4 + d][lane] += second * second;
        }
    }
    for lane in 0..LANES {
        let laplacian = ml[lane] + mr[lane] + uc[lane] + dc[lane] - 4.0 * c[lane];
        acc[8][lane] += laplacian;
        acc[9][lane] += laplacian * laplacian;
    }
}

/// The variance of white noise in `l`, estimated as Donoho's: from the median absolute
/// value of the finest diagonal Haar detail (half the 2 × 2 block's diagonal difference),
/// over 0.6745, squared. Edges and texture are a minority of blocks, so the median reads
/// the noise.
///
/// The blocks of each of the four 2 × 2 grids are read apart and the largest median
/// kept. An analysis copy area-averaged by a factor that is not whole has neighbours
/// averaged from the same source pixels at some places of the grid and not at others, so
/// one grid's median depends on where the face's box starts (by a quarter on such noise),
/// and the sharpness the estimate is taken out of moves several times as much. The grid
/// whose blocks straddle the averaging shows the most of the noise: the least correlated
/// reading of it. On white noise the four agree.
fn noise_variance(l: &Luma) -> f64 {
    let (w, h) = (l.width, l.height);
    let mut details: Vec<f32> = Vec::with_capacity((w / 2) * (h / 2));
    let mut largest = 0f64;
    for (px, py) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
        details.clear();
        for y in (py..h.saturating_sub(1)).step_by(2) {
            for x in (px..w.saturating_sub(1)).step_by(2) {
                let p = |dx: usize, dy: usize| l.pixels[(y + dy) * w + x + dx];
                details.push(((p(0, 0) - p(1, 0) - p(0, 1) + p(1, 1)) / 2.0).abs());
            }
        }
        if details.is_empty() {
            continue;
        }
        let mid = details.len() / 2;
        let (_, median, _) = details.select_nth_unstable_by(mid, f32::total_cmp);
        largest = largest.max(f64::from(*median));
    }
    (largest / 0.6745).powi(2)
}

impl Texture {
    /// [`sharpness`](Self::sharpness) with white noise of variance `noise` taken out of
    /// the differences: it adds 2·noise to a mean squared first difference and 6·noise to
    /// a second one.
    fn sharpness_without_noise(&self, noise: f64) -> f64 {
        if self.n == 0.0 {
            return 0.0;
        }
        (0..DIRECTIONS.len())
            .map(|d| {
                let first = self.first[d] / self.n - 2.0 * noise;
                let second = (self.second[d] / self.n - 6.0 * noise).max(0.0);
                if first > f64::EPSILON {
                    0.5 * second / first
                } else {
                    0.0
                }
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Variance of the 4-neighbour Laplacian over the interior.
    fn laplacian_variance(&self) -> f64 {
        if self.n == 0.0 {
            return 0.0;
        }
        let mean = self.laplacian / self.n;
        (self.laplacian_sq / self.n - mean * mean).max(0.0)
    }

    /// [`Metrics::sharpness`]: the smallest over [`DIRECTIONS`] of half the ratio of mean
    /// squared second to first differences (so motion blur, which leaves detail across
    /// its path, still shows).
    fn sharpness(&self) -> f64 {
        (0..DIRECTIONS.len())
            .map(|d| {
                if self.first[d] > 0.0 {
                    0.5 * self.second[d] / self.first[d]
                } else {
                    0.0
                }
            })
            .fold(f64::INFINITY, f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luma(width: usize, height: usize, f: impl Fn(usize, usize) -> f32) -> Luma {
        let pixels = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect();
        Luma {
            pixels,
            width,
            height,
        }
    }

    #[test]
    fn area_resize_keeps_the_mean_and_halves_exactly() {
        let l = luma(8, 6, |x, y| (x * 10 + y) as f32);
        let rows = |y: usize, out: &mut [f32]| out.copy_from_slice(&l.pixels[y * 8..y * 8 + 8]);
        let half = area_resize((8, 6), (4, 3), Vec::new(), rows);
        assert_eq!((half.width, half.height), (4, 3));
        // Output (0, 0) averages (0,0), (1,0), (0,1), (1,1): 0, 10, 1, 11.
        assert!((half.pixels[0] - 5.5).abs() < 1e-4);
        let odd = area_resize((8, 6), (3, 5), Vec::new(), rows);
        let mean = |p: &[f32]| p.iter().sum::<f32>() / p.len() as f32;
        assert!((mean(&odd.pixels) - mean(&l.pixels)).abs() < 1e-3);
    }

    #[test]
    fn area_resize_leaves_no_trace_of_the_memory_it_reuses() {
        let l = luma(8, 6, |x, y| (x * 10 + y) as f32);
        let rows = |y: usize, out: &mut [f32]| out.copy_from_slice(&l.pixels[y * 8..y * 8 + 8]);
        let fresh = area_resize((8, 6), (3, 5), Vec::new(), rows);
        // Larger and smaller than the result, full of a value no average here gives.
        for reuse in [vec![1e6f32; 64], vec![-7.0; 4]] {
            let reused = area_resize((8, 6), (3, 5), reuse, rows);
            assert_eq!(reused.pixels, fresh.pixels);
        }
    }

    #[test]
    fn flat_picture_has_no_sharpness_and_no_contrast() {
        let m = measure(&luma(64, 48, |_, _| 128.0), 10, 245);
        assert_eq!(m.sharpness, 0.0);
        assert_eq!(m.contrast, 0.0);
        assert_eq!(
            (m.shadow_luma, m.median_luma, m.highlight_luma),
            (128, 128, 128)
        );
        assert_eq!((m.dark_fraction, m.bright_fraction), (0.0, 0.0));
    }

    #[test]
    fn a_step_edge_scores_one_and_a_ramp_far_less() {
        // A step edge at an angle that every direction crosses.
        let step = measure(
            &luma(64, 48, |x, y| if 2 * x + y < 80 { 0.0 } else { 200.0 }),
            10,
            245,
        );
        assert!((0.8..=1.2).contains(&step.sharpness), "{step:?}");
        // The same edge spread over 8 levels of 2x + y.
        let ramp = measure(
            &luma(64, 48, |x, y| {
                (25.0 * ((2 * x + y) as f32 - 76.0)).clamp(0.0, 200.0)
            }),
            10,
            245,
        );
        assert!(ramp.sharpness < 0.3 * step.sharpness, "{ramp:?}");
    }

    #[test]
    fn stripes_across_one_direction_only_are_judged_by_the_blurriest() {
        // Vertical edges only: nothing changes down the picture.
        let m = measure(
            &luma(64, 48, |x, _| {
                if (x / 16).is_multiple_of(2) {
                    0.0
                } else {
                    255.0
                }
            }),
            10,
            245,
        );
        assert_eq!(m.sharpness, 0.0);
        assert!((m.dark_fraction - 0.5).abs() < 0.01);
        assert_eq!((m.shadow_luma, m.highlight_luma), (0, 255));
        assert_eq!(m.contrast, 1.0);
    }

    /// White noise σ 10, area-averaged from 180 to 120 pixels as a photo is for analysis:
    /// neighbours become correlated in a pattern of period 2, so that half the 2 × 2 blocks
    /// hold pixels averaged from the same source pixels and show less of the noise. Where
    /// the face's box starts must not change the estimate. (Read on one grid only, it was
    /// 4.35 from one start and 5.49 from the next.)
    #[test]
    fn the_noise_estimate_does_not_depend_on_where_the_box_starts() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32
        };
        // The sum of twelve uniforms less six: near enough a standard normal.
        let noise: Vec<f32> = (0..180 * 180)
            .map(|_| 128.0 + 10.0 * ((0..12).map(|_| uniform()).sum::<f32>() - 6.0))
            .collect();
        let picture = area_resize((180, 180), (120, 120), Vec::new(), |y, out| {
            out.copy_from_slice(&noise[y * 180..][..180]);
        });
        let from = |start: usize| {
            let crop = luma(110, 110, |x, y| {
                picture.pixels[(start + y) * 120 + start + x]
            });
            noise_variance(&crop).sqrt()
        };
        let (on, off) = (from(0), from(1));
        assert!((on / off - 1.0).abs() < 0.05, "{on:.2} against {off:.2}");
    }
}
