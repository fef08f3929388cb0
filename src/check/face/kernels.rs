//! The forward pass's arithmetic: the full convolution, the depthwise rows, the
//! pointwise (1 × 1) product with its epilogue (bias, residual add, ReLU) and the
//! max-pool. Every kernel is `#[inline(always)]` so that it is compiled once more inside
//! each of `pulp`'s instruction sets ([`net`](super::net) dispatches the whole pass).
//!
//! Every output value is summed in the same order whichever path computes it (vector
//! tile, scalar tail, one layer at a time or a band of a fused depthwise–pointwise pair),
//! and every path fuses its multiply-adds the same way: the outputs do not depend on the
//! instruction set or on how the work is cut.

use std::ops::Range;

use pulp::Simd;

use super::op::Op;

/// Output channels computed together by [`gemm_rows`] (weights are stored in blocks of
/// this many).
pub(super) const CO: usize = 4;
/// Pixels computed together by [`gemm_rows`]'s scalar path.
const PX: usize = 16;

/// What [`gemm_rows`] does to each sum before it stores it: the first `channels` output
/// planes of `planes` (laid out as the output) added, then ReLU if `relu`.
#[derive(Clone, Copy)]
pub(super) struct Epilogue<'a> {
    pub(super) residual: &'a [f32],
    pub(super) channels: usize,
    pub(super) relu: bool,
}

impl Epilogue<'_> {
    /// No residual; ReLU if `relu`.
    pub(super) fn plain(relu: bool) -> Self {
        Epilogue {
            residual: &[],
            channels: 0,
            relu,
        }
    }
}

/// `acc + w · x`, fused where `S` has vectors (each of pulp's vector levels has FMA;
/// without it a fused multiply-add would be a slow library call).
#[inline(always)]
fn madd<S: Simd>(acc: f32, w: f32, x: f32) -> f32 {
    if !S::IS_SCALAR {
        w.mul_add(x, acc)
    } else {
        acc + w * x
    }
}

/// `out[co][out_offset + p] = bias[co] + Σ_t w[co][t] · src[offsets[t] + p]` for
/// `p < pixels`, output planes `plane` apart, then `epi` (the residual read at the same
/// place as the output). `w` in blocks of [`CO`] output channels (`[block][tap][CO]`).
/// The inner loops are fixed-size so that the compiler keeps the accumulators in vector
/// registers.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn gemm_rows<S: Simd>(
    simd: S,
    src: &[f32],
    offsets: &[usize],
    w: &[f32],
    bias: &[f32],
    cout: usize,
    pixels: usize,
    out: &mut [f32],
    plane: usize,
    out_offset: usize,
    epi: Epilogue,
) {
    let taps = offsets.len();
    let floor = if epi.relu { 0.0 } else { f32::NEG_INFINITY };
    let blocks = (w.len() / (taps * CO).max(1)).min(bias.len() / CO);
    // With 32 vector registers (AVX-512) two blocks of output channels share each load
    // of the input; with 16 one block at a time keeps every accumulator in a register.
    let group = if S::F32_LANES >= 16 { 2 } else { 1 };
    let mut blk = 0;
    while blk < blocks {
        let n = group.min(blocks - blk);
        let mut p0 = 0;
        if !S::IS_SCALAR {
            let tiles = Tiles {
                src,
                offsets,
                cout,
                pixels,
                plane,
                out_offset,
                epi,
            };
            let wb = |b: usize| &w[b * taps * CO..(b + 1) * taps * CO];
            let bb = |b: usize| &bias[b * CO..(b + 1) * CO];
            p0 = if n == 2 {
                gemm_tiles(
                    simd,
                    &tiles,
                    [wb(blk), wb(blk + 1)],
                    [bb(blk), bb(blk + 1)],
                    blk,
                    out,
                )
            } else {
                gemm_tiles(simd, &tiles, [wb(blk)], [bb(blk)], blk, out)
            };
        }
        for blk in blk..blk + n {
            let wb = &w[blk * taps * CO..(blk + 1) * taps * CO];
            let bb = &bias[blk * CO..(blk + 1) * CO];
            let mut p0 = p0;
            while p0 < pixels {
                let len = PX.min(pixels - p0);
                let mut acc = [[0f32; PX]; CO];
                for (row, &b) in acc.iter_mut().zip(bb) {
                    *row = [b; PX];
                }
                for (&off, wt) in offsets.iter().zip(wb.chunks_exact(CO)) {
                    let mut x = [0f32; PX];
                    x[..len].copy_from_slice(&src[off + p0..off + p0 + len]);
                    for (row, &wv) in acc.iter_mut().zip(wt) {
                        for (a, &xv) in row.iter_mut().zip(&x) {
                            *a = madd::<S>(*a, wv, xv);
                        }
                    }
                }
                for (j, row) in acc.iter().enumerate() {
                    let co = blk * CO + j;
                    if co >= cout {
                        break;
                    }
                    let start = co * plane + out_offset + p0;
                    let o = &mut out[start..start + len];
                    if co < epi.channels {
                        let r = &epi.residual[start..start + len];
                        for ((o, &v), &r) in o.iter_mut().zip(row).zip(r) {
                            *o = (v + r).max(floor);
                        }
                    } else {
                        for (o, &v) in o.iter_mut().zip(row) {
                            *o = v.max(floor);
                        }
                    }
                }
                p0 += len;
            }
        }
        blk += n;
    }
}

/// What [`gemm_tiles`] reads and where it writes (see [`gemm_rows`]).
struct Tiles<'a> {
    src: &'a [f32],
    offsets: &'a [usize],
    cout: usize,
    pixels: usize,
    plane: usize,
    out_offset: usize,
    epi: Epilogue<'a>,
}

/// [`gemm_rows`] for `S`'s vectors, two per row of [`CO`] output channels, for the `NB`
/// output blocks from `blk` on (weights `wb`, bias `bb`, one per block); returns how
/// many pixels it did (whole tiles only, the rest is left to the caller).
#[inline(always)]
fn gemm_tiles<S: Simd, const NB: usize>(
    simd: S,
    t: &Tiles,
    wb: [&[f32]; NB],
    bb: [&[f32]; NB],
    blk: usize,
    out: &mut [f32],
) -> usize {
    let lanes = S::F32_LANES;
    let tile = 2 * lanes;
    let epi = t.epi;
    let floor = simd.splat_f32s(if epi.relu { 0.0 } else { f32::NEG_INFINITY });
    let mut p0 = 0;
    while p0 + tile <= t.pixels {
        let mut acc = [[[simd.splat_f32s(0.0); 2]; CO]; NB];
        for (acc, bb) in acc.iter_mut().zip(bb) {
            for (row, &b) in acc.iter_mut().zip(bb) {
                *row = [simd.splat_f32s(b); 2];
            }
        }
        for (i, &off) in t.offsets.iter().enumerate() {
            let (x, _) = S::as_simd_f32s(&t.src[off + p0..off + p0 + tile]);
            let (x0, x1) = (x[0], x[1]);
            for (acc, wb) in acc.iter_mut().zip(wb) {
                let wt = &wb[i * CO..i * CO + CO];
                for (row, &wv) in acc.iter_mut().zip(wt) {
                    let wv = simd.splat_f32s(wv);
                    row[0] = simd.mul_add_e_f32s(wv, x0, row[0]);
                    row[1] = simd.mul_add_e_f32s(wv, x1, row[1]);
                }
            }
        }
        for (b, acc) in acc.iter().enumerate() {
            for (j, row) in acc.iter().enumerate() {
                let co = (blk + b) * CO + j;
                if co >= t.cout {
                    break;
                }
                let start = co * t.plane + t.out_offset + p0;
                let mut v = *row;
                if co < epi.channels {
                    let (r, _) = S::as_simd_f32s(&epi.residual[start..start + tile]);
                    v = [simd.add_f32s(v[0], r[0]), simd.add_f32s(v[1], r[1])];
                }
                let (o, _) = S::as_mut_simd_f32s(&mut out[start..start + tile]);
                o[0] = simd.max_f32s(v[0], floor);
                o[1] = simd.max_f32s(v[1], floor);
            }
        }
        p0 += tile;
    }
    p0
}

/// The full convolution: each input plane is zero-padded and split into `stride` ×
/// `stride` phases so that every tap reads a contiguous run; then [`gemm_rows`] row by
/// row.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn conv<S: Simd>(
    simd: S,
    op: &Op,
    src: &[f32],
    w: &[f32],
    bias: &[f32],
    out: &mut [f32],
    pad: &mut Vec<f32>,
    offsets: &mut Vec<usize>,
) {
    let (s, k) = (op.stride, op.k);
    // Phase plane size: enough for every tap of every output.
    let (ph, pw) = (op.ho + (k - 1) / s, op.wo + (k - 1) / s);
    let phase = ph * pw;
    pad.clear();
    pad.resize(op.cin * s * s * phase, 0.0);
    for c in 0..op.cin {
        let plane = &src[c * op.h * op.w..(c + 1) * op.h * op.w];
        for py in 0..s {
            for px in 0..s {
                let base = ((c * s + py) * s + px) * phase;
                for i in 0..ph {
                    // Padded row i * s + py is input row i * s + py - pad_top.
                    let Some(y) = (i * s + py).checked_sub(op.pad_top) else {
                        continue;
                    };
                    if y >= op.h {
                        break;
                    }
                    let row = &plane[y * op.w..(y + 1) * op.w];
                    let dst = &mut pad[base + i * pw..base + (i + 1) * pw];
                    for (j, d) in dst.iter_mut().enumerate() {
                        if let Some(x) = (j * s + px).checked_sub(op.pad_left)
                            && let Some(&v) = row.get(x)
                        {
                            *d = v;
                        }
                    }
                }
            }
        }
    }
    let plane = op.ho * op.wo;
    for y in 0..op.ho {
        offsets.clear();
        for c in 0..op.cin {
            for ky in 0..k {
                for kx in 0..k {
                    let base = ((c * s + ky % s) * s + kx % s) * phase;
                    offsets.push(base + (y + ky / s) * pw + kx / s);
                }
            }
        }
        gemm_rows(
            simd,
            pad,
            offsets,
            w,
            bias,
            op.cout,
            op.wo,
            out,
            plane,
            y * op.wo,
            Epilogue::plain(op.relu),
        );
    }
}

/// Output rows `rows` of one channel of a depthwise 3 × 3 convolution (`op`), read from
/// that channel's input `plane`, kernel `k` and bias `b`, into `dst` (`rows.len()` rows
/// of `op.wo`). The input rows they need are zero-padded into `pad`; with stride 2 each
/// padded row is split into its even and odd columns, so that every tap reads a
/// contiguous run (and the loop vectorises).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn depthwise_rows<S: Simd>(
    simd: S,
    op: &Op,
    plane: &[f32],
    k: &[f32; 9],
    b: f32,
    rows: Range<usize>,
    pad: &mut Vec<f32>,
    dst: &mut [f32],
) {
    let s = op.stride;
    let (h, wi, wo) = (op.h, op.w, op.wo);
    if rows.is_empty() {
        return;
    }
    // Padded rows `first ..= first + n - 1`; padded row `py` is input row `py - pad_top`.
    let first = rows.start * s;
    let n = (rows.len() - 1) * s + 3;
    // Padded row length; with stride 2, `wo + 1` even columns then `wo + 1` odd ones.
    let pw = if s == 1 { wo + 2 } else { 2 * (wo + 1) };
    pad.clear();
    pad.resize(n * pw, 0.0);
    for (i, prow) in pad.chunks_exact_mut(pw).enumerate() {
        let Some(y) = (first + i).checked_sub(op.pad_top) else {
            continue;
        };
        if y >= h {
            break;
        }
        let row = &plane[y * wi..(y + 1) * wi];
        if s == 1 {
            let n = wi.min(pw - op.pad_left);
            prow[op.pad_left..op.pad_left + n].copy_from_slice(&row[..n]);
        } else {
            let (even, odd) = prow.split_at_mut(wo + 1);
            // Padded column j = x + pad_left goes to (j % 2)[j / 2].
            for (x, &v) in row.iter().enumerate() {
                let j = x + op.pad_left;
                let half = if j.is_multiple_of(2) {
                    &mut *even
                } else {
                    &mut *odd
                };
                if let Some(d) = half.get_mut(j / 2) {
                    *d = v;
                }
            }
        }
    }
    for (y, orow) in dst.chunks_exact_mut(wo).take(rows.len()).enumerate() {
        let r = |i: usize| &pad[(y * s + i) * pw..(y * s + i + 1) * pw];
        // Tap t of a row reads `taps[t][x]`.
        let (r0, r1, r2) = (r(0), r(1), r(2));
        let taps: [[&[f32]; 3]; 3] = if s == 1 {
            [r0, r1, r2].map(|r| [&r[..wo], &r[1..wo + 1], &r[2..wo + 2]])
        } else {
            [r0, r1, r2].map(|r| {
                let (e, o) = r.split_at(wo + 1);
                [&e[..wo], &o[..wo], &e[1..wo + 1]]
            })
        };
        let [[a0, a1, a2], [b0, b1, b2], [c0, c1, c2]] = taps;
        let (a0, a1, a2) = (&a0[..wo], &a1[..wo], &a2[..wo]);
        let (b0, b1, b2) = (&b0[..wo], &b1[..wo], &b2[..wo]);
        let (c0, c1, c2) = (&c0[..wo], &c1[..wo], &c2[..wo]);
        let mut x0 = 0;
        if !S::IS_SCALAR {
            let lanes = S::F32_LANES;
            let taps = [a0, a1, a2, b0, b1, b2, c0, c1, c2];
            while x0 + lanes <= wo {
                let mut v = simd.splat_f32s(b);
                for (t, &kv) in taps.iter().zip(k) {
                    let (xs, _) = S::as_simd_f32s(&t[x0..x0 + lanes]);
                    v = simd.mul_add_e_f32s(simd.splat_f32s(kv), xs[0], v);
                }
                let (o, _) = S::as_mut_simd_f32s(&mut orow[x0..x0 + lanes]);
                o[0] = v;
                x0 += lanes;
            }
        }
        for (x, o) in orow.iter_mut().enumerate().skip(x0) {
            let mut v = madd::<S>(b, k[0], a0[x]);
            v = madd::<S>(v, k[1], a1[x]);
            v = madd::<S>(v, k[2], a2[x]);
            v = madd::<S>(v, k[3], b0[x]);
            v = madd::<S>(v, k[4], b1[x]);
            v = madd::<S>(v, k[5], b2[x]);
            v = madd::<S>(v, k[6], c0[x]);
            v = madd::<S>(v, k[7], c1[x]);
            *o = madd::<S>(v, k[8], c2[x]);
        }
        if op.relu {
            orow.iter_mut().for_each(|v| *v = v.max(0.0));
        }
    }
}

/// 2 × 2 max-pool, stride 2.
#[inline(always)]
pub(super) fn maxpool(op: &Op, src: &[f32], out: &mut [f32]) {
    let (h, w, ho, wo) = (op.h, op.w, op.ho, op.wo);
    for c in 0..op.cin {
        let plane = &src[c * h * w..(c + 1) * h * w];
        let dst = &mut out[c * ho * wo..(c + 1) * ho * wo];
        for (y, orow) in dst.chunks_exact_mut(wo).enumerate() {
            let r0 = &plane[2 * y * w..2 * y * w + w];
            let r1 = &plane[(2 * y + 1) * w..(2 * y + 1) * w + w];
            for (x, o) in orow.iter_mut().enumerate() {
                *o = r0[2 * x]
                    .max(r0[2 * x + 1])
                    .max(r1[2 * x])
                    .max(r1[2 * x + 1]);
            }
        }
    }
}
