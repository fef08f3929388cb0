//! The reduced inverse DCT both scan decoders use.

use super::frame::ZIGZAG;

/// The reduced inverse DCT: an `n`-point IDCT (n = 1, 2, 3 or 4) of each block's lowest
/// `n` × `n` frequencies, scaled so that the output samples stand for the means of
/// `8 / n` × `8 / n` pixels of the full-size block.
pub(super) struct Idct {
    pub(super) n: usize,
    /// `basis[k * n + u]`: the weight of frequency `u` at output sample `k`,
    /// `C(u) / 2 · cos((2k + 1) u π / 2n)`, with `C(0) = 1/√2` (T.81 A.3.3, evaluated
    /// at the centres of the `8 / n`-pixel groups).
    basis: [f32; 16],
    /// Zig-zag position of frequency (v, u), at `v * n + u`.
    at: [usize; 16],
}

impl Idct {
    pub(super) fn new(n: usize) -> Self {
        let mut basis = [0.0; 16];
        let mut at = [0; 16];
        for k in 0..n {
            for u in 0..n {
                let c = if u == 0 {
                    std::f64::consts::FRAC_1_SQRT_2
                } else {
                    1.0
                };
                let angle = (2 * k + 1) as f64 * u as f64 * std::f64::consts::PI / (2 * n) as f64;
                basis[k * n + u] = (c / 2.0 * angle.cos()) as f32;
                at[k * n + u] = ZIGZAG
                    .iter()
                    .position(|&natural| usize::from(natural) == k * 8 + u)
                    .unwrap_or(0);
            }
        }
        Idct { n, basis, at }
    }

    /// Writes the block's `n` × `n` samples at the start of `out`, rows `stride` apart.
    /// `last` is the highest zig-zag position the block may have non-zero.
    #[inline(always)]
    pub(super) fn apply(&self, block: &[i32; 64], last: usize, out: &mut [u8], stride: usize) {
        self.apply_with(|k| block[k], last, out, stride);
    }

    /// [`Self::apply`] with the dequantised coefficient at each zig-zag position read from
    /// `coefficient` (asked only for positions the reduced IDCT uses).
    #[inline(always)]
    pub(super) fn apply_with(
        &self,
        coefficient: impl Fn(usize) -> i32,
        last: usize,
        out: &mut [u8],
        stride: usize,
    ) {
        let block = |k: usize| coefficient(k);
        if last == 0 {
            // A flat block (most of them, in smooth areas): its mean is DC / 8.
            let value = level_shift(block(0) as f32 / 8.0);
            match self.n {
                1 => out[0] = value,
                2 => fill::<2>(value, out, stride),
                3 => fill::<3>(value, out, stride),
                _ => fill::<4>(value, out, stride),
            }
            return;
        }
        match self.n {
            1 => out[0] = level_shift(block(0) as f32 / 8.0),
            2 => self.apply_n::<2>(block, out, stride),
            3 => self.apply_3(block, out, stride),
            _ => self.apply_4(block, out, stride),
        }
    }

    /// The 4-point case, factored (even and odd halves).
    #[inline(always)]
    fn apply_4(&self, block: impl Fn(usize) -> i32, out: &mut [u8], stride: usize) {
        // C(0)/2 = cos(π/4)/2, cos(π/8)/2, cos(3π/8)/2.
        const A: f32 = 0.353_553_38;
        const C1: f32 = 0.461_939_77;
        const C3: f32 = 0.191_341_72;
        self.separable(block, out, stride, |f: [f32; 4]| {
            let (e0, e1) = (A * (f[0] + f[2]), A * (f[0] - f[2]));
            let (o0, o1) = (C1 * f[1] + C3 * f[3], C3 * f[1] - C1 * f[3]);
            [e0 + o0, e1 + o1, e1 - o1, e0 - o0]
        });
    }

    /// The 3-point case, factored.
    #[inline(always)]
    fn apply_3(&self, block: impl Fn(usize) -> i32, out: &mut [u8], stride: usize) {
        // C(0)/2 = cos(π/4)/2; cos(π/6)/2 = √3/4; cos(π/3)/2 = 1/4 (and cos(π) = −1).
        const A: f32 = 0.353_553_38;
        const B: f32 = 0.433_012_7;
        const C: f32 = 0.25;
        self.separable(block, out, stride, |f: [f32; 3]| {
            let even = A * f[0] + C * f[2];
            [even + B * f[1], A * f[0] - 2.0 * C * f[2], even - B * f[1]]
        });
    }

    /// [`Self::apply`] by the `n`-point basis for any `n`, unfactored: for tests of the
    /// factored forms.
    #[cfg(test)]
    pub(super) fn apply_general(&self, block: &[i32; 64], out: &mut [u8], stride: usize) {
        let block = |k: usize| block[k];
        match self.n {
            1 => self.apply_n::<1>(block, out, stride),
            2 => self.apply_n::<2>(block, out, stride),
            3 => self.apply_n::<3>(block, out, stride),
            _ => self.apply_n::<4>(block, out, stride),
        }
    }

    /// The `N`-point case by its basis: output sample x is Σ_u basis[x][u] f[u].
    #[inline(always)]
    fn apply_n<const N: usize>(&self, block: impl Fn(usize) -> i32, out: &mut [u8], stride: usize) {
        self.separable(block, out, stride, |f: [f32; N]| {
            std::array::from_fn(|x| (0..N).map(|u| self.basis[x * N + u] * f[u]).sum())
        });
    }

    /// A 2-D IDCT as a 1-D `N`-point one, `idct`, on the rows of the block's lowest
    /// `N` × `N` frequencies and then on the columns of the result; the samples go at
    /// the start of `out`, rows `stride` apart.
    #[inline(always)]
    fn separable<const N: usize>(
        &self,
        block: impl Fn(usize) -> i32,
        out: &mut [u8],
        stride: usize,
        idct: impl Fn([f32; N]) -> [f32; N],
    ) {
        // rows[v][x]: row v's x-th output.
        let rows: [[f32; N]; N] = std::array::from_fn(|v| {
            idct(std::array::from_fn(|u| block(self.at[v * N + u]) as f32))
        });
        // columns[x][y]: the sample at (x, y).
        let columns: [[f32; N]; N] =
            std::array::from_fn(|x| idct(std::array::from_fn(|v| rows[v][x])));
        for (y, row) in out.chunks_mut(stride).take(N).enumerate() {
            for (x, sample) in row[..N].iter_mut().enumerate() {
                *sample = level_shift(columns[x][y]);
            }
        }
    }
}

/// Sets the `N` × `N` samples at the start of `out`, rows `stride` apart, to `value`
/// (stores of a known length, not a call per row).
#[inline(always)]
fn fill<const N: usize>(value: u8, out: &mut [u8], stride: usize) {
    for row in out.chunks_mut(stride).take(N) {
        row[..N].copy_from_slice(&[value; N]);
    }
}

/// Adds the level shift of 128 and rounds and clamps to a sample.
#[inline(always)]
fn level_shift(value: f32) -> u8 {
    (value + 128.5).clamp(0.0, 255.0) as u8
}
