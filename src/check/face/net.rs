//! BlazeFace's forward pass over the weights `tools/blazeface/convert.py` writes.
//!
//! Activations are planar (channel after channel, each a row-major plane). The network is
//! a list of ops over a few reused buffers ("slots"); the file says which op reads and
//! writes which slot. [`Net::parse`] checks every shape and index once, so the forward
//! pass's slicing cannot go out of bounds.

use pulp::Simd;

/// Output channels computed together by [`gemm_rows`] (weights are stored in blocks of
/// this many).
const CO: usize = 4;
/// Pixels computed together by [`gemm_rows`].
const PX: usize = 16;

/// One operation of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Full convolution (the first layer: 5 × 5, stride 2).
    Conv,
    /// Depthwise 3 × 3 convolution, stride 1 or 2.
    Depthwise,
    /// Pointwise (1 × 1) convolution.
    Pointwise,
    /// Residual add; `b` has at most as many channels as `a`, the rest count as zero.
    Add,
    /// 2 × 2 max-pool, stride 2.
    MaxPool,
}

/// An op and its shapes, with its weights' place in [`Net::floats`].
#[derive(Debug, Clone)]
struct Op {
    kind: Kind,
    a: usize,
    b: usize,
    out: usize,
    cin: usize,
    cout: usize,
    h: usize,
    w: usize,
    ho: usize,
    wo: usize,
    k: usize,
    stride: usize,
    pad_top: usize,
    pad_left: usize,
    relu: bool,
    /// Weights: for `Conv` and `Pointwise` in blocks of [`CO`] output channels, tap by
    /// tap (`[block][tap][CO]`, zero beyond `cout`); for `Depthwise` `[c][9]`.
    weights: std::ops::Range<usize>,
    /// Bias (`cout` values, for `Conv` and `Pointwise` padded with zeros to a multiple of
    /// [`CO`]).
    bias: std::ops::Range<usize>,
}

/// A parsed network.
#[derive(Debug)]
pub(crate) struct Net {
    /// Input side (the input is `size` × `size` × 3).
    pub(crate) size: usize,
    slots: Vec<usize>,
    ops: Vec<Op>,
    floats: Vec<f32>,
    /// Slots of the outputs: scores 16 × 16, scores 8 × 8, boxes 16 × 16, boxes 8 × 8.
    outputs: [usize; 4],
}

/// Anchors of the two output layers: (cells per side, anchors per cell).
pub(crate) const LAYERS: [(usize, usize); 2] = [(16, 2), (8, 6)];
/// Anchors in all.
pub(crate) const ANCHORS: usize = 16 * 16 * 2 + 8 * 8 * 6;
/// Numbers per anchor: box (x, y, w, h) then six keypoints (x, y).
pub(crate) const COORDS: usize = 16;

/// Reusable buffers for one network's forward pass.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    slots: Vec<Vec<f32>>,
    pad: Vec<f32>,
    offsets: Vec<usize>,
}

/// Reads little-endian 32-bit words.
struct Words<'a>(std::slice::ChunksExact<'a, u8>);

impl Words<'_> {
    fn next(&mut self) -> Option<u32> {
        let c = self.0.next()?;
        Some(u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.next()?).ok()
    }
}

impl Net {
    /// Parses and checks a converted model; `None` if anything is inconsistent.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Net> {
        let body = bytes.strip_prefix(b"BLZF")?;
        let mut words = Words(body.chunks_exact(4));
        if words.next()? != 1 {
            return None;
        }
        let size = words.usize()?;
        let nslots = words.usize()?;
        if !(1..=64).contains(&nslots) || size == 0 || size > 1024 {
            return None;
        }
        let slots: Vec<usize> = (0..nslots).map(|_| words.usize()).collect::<Option<_>>()?;
        if slots.iter().any(|&s| s > 64 << 20) || slots[0] < 3 * size * size {
            return None;
        }
        // The shape each slot holds as the ops run.
        let mut shapes: Vec<Option<(usize, usize, usize)>> = vec![None; nslots];
        shapes[0] = Some((3, size, size));
        let nops = words.usize()?;
        if nops > 1000 {
            return None;
        }
        let mut ops = Vec::with_capacity(nops);
        let mut floats = Vec::new();
        for _ in 0..nops {
            let mut f = [0usize; 16];
            for v in &mut f {
                *v = words.usize()?;
            }
            let [kind, a, b, out, cin, cout, h, w, ho, wo, k, stride, pad_top, pad_left, relu, n] =
                f;
            let kind = match kind {
                1 => Kind::Conv,
                2 => Kind::Depthwise,
                3 => Kind::Pointwise,
                4 => Kind::Add,
                5 => Kind::MaxPool,
                _ => return None,
            };
            let reads_b = kind == Kind::Add;
            if a >= nslots
                || b >= nslots
                || out >= nslots
                || out == a
                || (reads_b && out == b)
                || relu > 1
            {
                return None;
            }
            if [cin, cout, h, w, ho, wo]
                .iter()
                .any(|&d| d == 0 || d > 4096)
            {
                return None;
            }
            if shapes[a] != Some((if kind == Kind::Add { cout } else { cin }, h, w)) {
                return None;
            }
            let taps = cin * k * k;
            let blocks = cout.div_ceil(CO);
            let expected = match kind {
                Kind::Conv => {
                    let ok = (1..=7).contains(&k)
                        && (1..=2).contains(&stride)
                        && pad_top < k
                        && pad_left < k;
                    if !ok {
                        return None;
                    }
                    cout * taps + cout
                }
                Kind::Depthwise => {
                    let ok = k == 3
                        && cin == cout
                        && (1..=2).contains(&stride)
                        && pad_top <= 1
                        && pad_left <= 1
                        && (ho - 1) * stride + 3 <= h + pad_top + 1
                        && (wo - 1) * stride + 3 <= w + pad_left + 1;
                    if !ok {
                        return None;
                    }
                    cin * 9 + cin
                }
                Kind::Pointwise => {
                    if k != 1 || ho != h || wo != w {
                        return None;
                    }
                    cout * cin + cout
                }
                Kind::Add => {
                    if shapes[b] != Some((cin, h, w)) || cin > cout || ho != h || wo != w {
                        return None;
                    }
                    0
                }
                Kind::MaxPool => {
                    if cin != cout || ho != h / 2 || wo != w / 2 {
                        return None;
                    }
                    0
                }
            };
            if n != expected || cout * ho * wo > slots[out] {
                return None;
            }
            let raw: Vec<f32> = (0..n)
                .map(|_| words.next().map(f32::from_bits))
                .collect::<Option<_>>()?;
            let (weights, bias) = match kind {
                Kind::Conv | Kind::Pointwise => {
                    let taps = if kind == Kind::Conv { taps } else { cin };
                    let start = floats.len();
                    for blk in 0..blocks {
                        for t in 0..taps {
                            for j in 0..CO {
                                let co = blk * CO + j;
                                floats.push(if co < cout { raw[co * taps + t] } else { 0.0 });
                            }
                        }
                    }
                    let mid = floats.len();
                    floats.extend_from_slice(&raw[cout * taps..]);
                    floats.resize(mid + blocks * CO, 0.0);
                    (start..mid, mid..floats.len())
                }
                Kind::Depthwise => {
                    let start = floats.len();
                    floats.extend_from_slice(&raw);
                    (start..start + cin * 9, start + cin * 9..floats.len())
                }
                Kind::Add | Kind::MaxPool => (0..0, 0..0),
            };
            shapes[out] = Some((cout, ho, wo));
            ops.push(Op {
                kind,
                a,
                b,
                out,
                cin,
                cout,
                h,
                w,
                ho,
                wo,
                k,
                stride,
                pad_top,
                pad_left,
                relu: relu == 1,
                weights,
                bias,
            });
        }
        let mut outputs = [0usize; 4];
        for o in &mut outputs {
            *o = words.usize()?;
            if *o >= nslots {
                return None;
            }
        }
        let want = [
            (2, 16, 16),
            (6, 8, 8),
            (2 * COORDS, 16, 16),
            (6 * COORDS, 8, 8),
        ];
        let ok = outputs.iter().zip(want).all(|(&o, w)| shapes[o] == Some(w));
        if !ok || words.next().is_some() || !words.0.remainder().is_empty() {
            return None;
        }
        Some(Net {
            size,
            slots,
            ops,
            floats,
            outputs,
        })
    }

    /// The input buffer (`3 × size × size`, planar) for [`Net::run`] to read.
    pub(crate) fn input<'a>(&self, scratch: &'a mut Scratch) -> &'a mut [f32] {
        self.ready(scratch);
        let n = 3 * self.size * self.size;
        &mut scratch.slots[0][..n]
    }

    fn ready(&self, scratch: &mut Scratch) {
        if scratch.slots.len() != self.slots.len() {
            scratch.slots = self.slots.iter().map(|&n| vec![0.0; n]).collect();
        }
    }

    /// Runs the network on the input in `scratch` (see [`Net::input`]), then writes the
    /// score logits (one per anchor) to `scores` and the regressors ([`COORDS`] per
    /// anchor) to `boxes`, in MediaPipe's anchor order.
    pub(crate) fn run(&self, scratch: &mut Scratch, scores: &mut Vec<f32>, boxes: &mut Vec<f32>) {
        self.ready(scratch);
        // The whole pass is compiled once more for each instruction set `pulp` detects at
        // run time (AVX2 + FMA, ...): every kernel below is `#[inline(always)]`.
        pulp::Arch::new().dispatch(Forward { net: self, scratch });
        scores.clear();
        boxes.clear();
        for (layer, &(cells, per)) in LAYERS.iter().enumerate() {
            let n = cells * cells;
            let s = &scratch.slots[self.outputs[layer]][..per * n];
            let r = &scratch.slots[self.outputs[2 + layer]][..per * COORDS * n];
            // Planar [anchor-in-cell × coord][cell] to MediaPipe's [cell][anchor][coord].
            for cell in 0..n {
                for a in 0..per {
                    scores.push(s[a * n + cell]);
                    boxes.extend((0..COORDS).map(|c| r[(a * COORDS + c) * n + cell]));
                }
            }
        }
    }
}

/// [`Net::run`]'s layers, for [`pulp::Arch::dispatch`].
struct Forward<'a> {
    net: &'a Net,
    scratch: &'a mut Scratch,
}

impl pulp::WithSimd for Forward<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> Self::Output {
        forward(simd, self.net, self.scratch);
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

/// Runs every op of `net` over the slots of `scratch`.
#[inline(always)]
fn forward<S: Simd>(simd: S, net: &Net, scratch: &mut Scratch) {
    for op in &net.ops {
        let mut out = std::mem::take(&mut scratch.slots[op.out]);
        let a = &scratch.slots[op.a];
        let w = &net.floats[op.weights.clone()];
        let bias = &net.floats[op.bias.clone()];
        match op.kind {
            Kind::Conv => conv(
                simd,
                op,
                a,
                w,
                bias,
                &mut out,
                &mut scratch.pad,
                &mut scratch.offsets,
            ),
            Kind::Depthwise => depthwise(simd, op, a, w, bias, &mut out, &mut scratch.pad),
            Kind::Pointwise => {
                let n = op.h * op.w;
                scratch.offsets.clear();
                scratch.offsets.extend((0..op.cin).map(|c| c * n));
                let o = &mut out[..op.cout * n];
                gemm_rows(
                    simd,
                    a,
                    &scratch.offsets,
                    w,
                    bias,
                    op.cout,
                    n,
                    o,
                    n,
                    0,
                    op.relu,
                );
            }
            Kind::Add => {
                let n = op.h * op.w;
                let b = &scratch.slots[op.b][..op.cin * n];
                let a = &a[..op.cout * n];
                let o = &mut out[..op.cout * n];
                let (head, tail) = o.split_at_mut(op.cin * n);
                let (a_head, a_tail) = a.split_at(op.cin * n);
                for ((o, &x), &y) in head.iter_mut().zip(a_head).zip(b) {
                    *o = x + y;
                }
                tail.copy_from_slice(a_tail);
                if op.relu {
                    o.iter_mut().for_each(|v| *v = v.max(0.0));
                }
            }
            Kind::MaxPool => maxpool(op, a, &mut out),
        }
        scratch.slots[op.out] = out;
    }
}

/// `out[co][out_offset + p] = bias[co] + Σ_t w[co][t] · src[offsets[t] + p]` for
/// `p < pixels`, output planes `plane` apart; ReLU if `relu`. `w` in blocks of [`CO`]
/// output channels (`[block][tap][CO]`). The inner loops are fixed-size so that the
/// compiler keeps the accumulators in vector registers.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn gemm_rows<S: Simd>(
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
    relu: bool,
) {
    let taps = offsets.len();
    let floor = if relu { 0.0 } else { f32::NEG_INFINITY };
    for (blk, (wb, bb)) in w
        .chunks_exact(taps * CO)
        .zip(bias.chunks_exact(CO))
        .enumerate()
    {
        let mut p0 = 0;
        if !S::IS_SCALAR {
            p0 = gemm_tiles(
                simd, src, offsets, wb, bb, blk, cout, pixels, out, plane, out_offset, relu,
            );
        }
        while p0 < pixels {
            let len = PX.min(pixels - p0);
            let mut acc = [[0f32; PX]; CO];
            for (row, &b) in acc.iter_mut().zip(bb) {
                *row = [b; PX];
            }
            if len == PX {
                for (&off, wt) in offsets.iter().zip(wb.chunks_exact(CO)) {
                    let x: &[f32; PX] = src[off + p0..off + p0 + PX]
                        .try_into()
                        .unwrap_or(&[0.0; PX]);
                    for (row, &wv) in acc.iter_mut().zip(wt) {
                        for (a, &xv) in row.iter_mut().zip(x) {
                            *a = madd::<S>(*a, wv, xv);
                        }
                    }
                }
            } else {
                for (&off, wt) in offsets.iter().zip(wb.chunks_exact(CO)) {
                    let mut x = [0f32; PX];
                    x[..len].copy_from_slice(&src[off + p0..off + p0 + len]);
                    for (row, &wv) in acc.iter_mut().zip(wt) {
                        for (a, &xv) in row.iter_mut().zip(&x) {
                            *a = madd::<S>(*a, wv, xv);
                        }
                    }
                }
            }
            for (j, row) in acc.iter().enumerate() {
                let co = blk * CO + j;
                if co >= cout {
                    break;
                }
                let start = co * plane + out_offset + p0;
                for (o, &v) in out[start..start + len].iter_mut().zip(row) {
                    *o = v.max(floor);
                }
            }
            p0 += len;
        }
    }
}

/// [`gemm_rows`] for `S`'s vectors, two per row of [`CO`] output channels, for the
/// output block `blk` (weights `wb`, bias `bb`); returns how many pixels it did (whole
/// tiles only, the rest is left to the caller).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn gemm_tiles<S: Simd>(
    simd: S,
    src: &[f32],
    offsets: &[usize],
    wb: &[f32],
    bb: &[f32],
    blk: usize,
    cout: usize,
    pixels: usize,
    out: &mut [f32],
    plane: usize,
    out_offset: usize,
    relu: bool,
) -> usize {
    let lanes = S::F32_LANES;
    let tile = 2 * lanes;
    let floor = simd.splat_f32s(if relu { 0.0 } else { f32::NEG_INFINITY });
    let mut p0 = 0;
    while p0 + tile <= pixels {
        let mut acc = [[simd.splat_f32s(0.0); 2]; CO];
        for (row, &b) in acc.iter_mut().zip(bb) {
            *row = [simd.splat_f32s(b); 2];
        }
        for (&off, wt) in offsets.iter().zip(wb.chunks_exact(CO)) {
            let (x, _) = S::as_simd_f32s(&src[off + p0..off + p0 + tile]);
            let (x0, x1) = (x[0], x[1]);
            for (row, &wv) in acc.iter_mut().zip(wt) {
                let wv = simd.splat_f32s(wv);
                row[0] = simd.mul_add_e_f32s(wv, x0, row[0]);
                row[1] = simd.mul_add_e_f32s(wv, x1, row[1]);
            }
        }
        for (j, row) in acc.iter().enumerate() {
            let co = blk * CO + j;
            if co >= cout {
                break;
            }
            let start = co * plane + out_offset + p0;
            let (o, _) = S::as_mut_simd_f32s(&mut out[start..start + tile]);
            o[0] = simd.max_f32s(row[0], floor);
            o[1] = simd.max_f32s(row[1], floor);
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
fn conv<S: Simd>(
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
                        if let Some(x) = (j * s + px).checked_sub(op.pad_left) {
                            if let Some(&v) = row.get(x) {
                                *d = v;
                            }
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
            op.relu,
        );
    }
}

/// Depthwise 3 × 3 convolution: each plane zero-padded, then three rows × three taps.
/// With stride 2 each padded row is split into its even and odd columns, so that every
/// tap reads a contiguous run (and the loop vectorises).
#[inline(always)]
fn depthwise<S: Simd>(
    simd: S,
    op: &Op,
    src: &[f32],
    w: &[f32],
    bias: &[f32],
    out: &mut [f32],
    pad: &mut Vec<f32>,
) {
    let s = op.stride;
    let (h, wi, ho, wo) = (op.h, op.w, op.ho, op.wo);
    let ph = (ho - 1) * s + 3;
    // Padded row length; with stride 2, `wo + 1` even columns then `wo + 1` odd ones.
    let pw = if s == 1 { wo + 2 } else { 2 * (wo + 1) };
    pad.clear();
    pad.resize(ph * pw, 0.0);
    // The border (zero) is never written: each channel overwrites the same interior.
    for c in 0..op.cin {
        let plane = &src[c * h * wi..(c + 1) * h * wi];
        for (y, row) in plane.chunks_exact(wi).enumerate() {
            let py = y + op.pad_top;
            if py >= ph {
                break;
            }
            let prow = &mut pad[py * pw..(py + 1) * pw];
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
        let k: &[f32; 9] = w[c * 9..c * 9 + 9].try_into().unwrap_or(&[0.0; 9]);
        let b = bias[c];
        let dst = &mut out[c * ho * wo..(c + 1) * ho * wo];
        for (y, orow) in dst.chunks_exact_mut(wo).enumerate() {
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
}

/// 2 × 2 max-pool, stride 2.
#[inline(always)]
fn maxpool(op: &Op, src: &[f32], out: &mut [f32]) {
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
