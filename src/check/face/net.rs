//! BlazeFace's forward pass over the weights `tools/blazeface/convert.py` writes.
//!
//! Activations are planar (channel after channel, each a row-major plane). The network is
//! a list of ops over a few reused buffers ("slots"); the file says which op reads and
//! writes which slot. [`Net::parse`] checks every shape and index once, so the forward
//! pass's slicing cannot go out of bounds.

/// Output channels computed together by [`gemm_rows`] (weights are stored in blocks of
/// this many).
const CO: usize = 4;
/// Pixels computed together by [`gemm_rows`].
const PX: usize = 8;

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
        for op in &self.ops {
            let mut out = std::mem::take(&mut scratch.slots[op.out]);
            let a = &scratch.slots[op.a];
            let w = &self.floats[op.weights.clone()];
            let bias = &self.floats[op.bias.clone()];
            match op.kind {
                Kind::Conv => conv(
                    op,
                    a,
                    w,
                    bias,
                    &mut out,
                    &mut scratch.pad,
                    &mut scratch.offsets,
                ),
                Kind::Depthwise => depthwise(op, a, w, bias, &mut out, &mut scratch.pad),
                Kind::Pointwise => {
                    let n = op.h * op.w;
                    scratch.offsets.clear();
                    scratch.offsets.extend((0..op.cin).map(|c| c * n));
                    let o = &mut out[..op.cout * n];
                    gemm_rows(a, &scratch.offsets, w, bias, op.cout, n, o, n, 0, op.relu);
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

/// `out[co][out_offset + p] = bias[co] + Σ_t w[co][t] · src[offsets[t] + p]` for
/// `p < pixels`, output planes `plane` apart; ReLU if `relu`. `w` in blocks of [`CO`]
/// output channels (`[block][tap][CO]`). The inner loops are fixed-size so that the
/// compiler keeps the accumulators in vector registers.
#[allow(clippy::too_many_arguments)]
fn gemm_rows(
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
                            *a += wv * xv;
                        }
                    }
                }
            } else {
                for (&off, wt) in offsets.iter().zip(wb.chunks_exact(CO)) {
                    let mut x = [0f32; PX];
                    x[..len].copy_from_slice(&src[off + p0..off + p0 + len]);
                    for (row, &wv) in acc.iter_mut().zip(wt) {
                        for (a, &xv) in row.iter_mut().zip(&x) {
                            *a += wv * xv;
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

/// The full convolution: each input plane is zero-padded and split into `stride` ×
/// `stride` phases so that every tap reads a contiguous run; then [`gemm_rows`] row by
/// row.
fn conv(
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
fn depthwise(op: &Op, src: &[f32], w: &[f32], bias: &[f32], out: &mut [f32], pad: &mut Vec<f32>) {
    let s = op.stride;
    let (ph, pw) = ((op.ho - 1) * s + 3, (op.wo - 1) * s + 3);
    pad.clear();
    pad.resize(ph * pw, 0.0);
    let (h, wi, wo) = (op.h, op.w, op.wo);
    // The border (zero) is never written: each channel overwrites the same interior.
    for c in 0..op.cin {
        let plane = &src[c * h * wi..(c + 1) * h * wi];
        for (y, row) in plane.chunks_exact(wi).enumerate() {
            let py = y + op.pad_top;
            if py >= ph {
                break;
            }
            let n = wi.min(pw - op.pad_left);
            pad[py * pw + op.pad_left..py * pw + op.pad_left + n].copy_from_slice(&row[..n]);
        }
        let k: &[f32; 9] = w[c * 9..c * 9 + 9].try_into().unwrap_or(&[0.0; 9]);
        let b = bias[c];
        let dst = &mut out[c * op.ho * wo..(c + 1) * op.ho * wo];
        for (y, orow) in dst.chunks_exact_mut(wo).enumerate() {
            let r0 = &pad[(y * s) * pw..(y * s + 1) * pw];
            let r1 = &pad[(y * s + 1) * pw..(y * s + 2) * pw];
            let r2 = &pad[(y * s + 2) * pw..(y * s + 3) * pw];
            if s == 1 {
                let (r0, r1, r2) = (&r0[..wo + 2], &r1[..wo + 2], &r2[..wo + 2]);
                for (x, o) in orow.iter_mut().enumerate() {
                    let v = b
                        + k[0] * r0[x]
                        + k[1] * r0[x + 1]
                        + k[2] * r0[x + 2]
                        + k[3] * r1[x]
                        + k[4] * r1[x + 1]
                        + k[5] * r1[x + 2]
                        + k[6] * r2[x]
                        + k[7] * r2[x + 1]
                        + k[8] * r2[x + 2];
                    *o = v;
                }
            } else {
                for (x, o) in orow.iter_mut().enumerate() {
                    let i = x * s;
                    let v = b
                        + k[0] * r0[i]
                        + k[1] * r0[i + 1]
                        + k[2] * r0[i + 2]
                        + k[3] * r1[i]
                        + k[4] * r1[i + 1]
                        + k[5] * r1[i + 2]
                        + k[6] * r2[i]
                        + k[7] * r2[i + 1]
                        + k[8] * r2[i + 2];
                    *o = v;
                }
            }
            if op.relu {
                orow.iter_mut().for_each(|v| *v = v.max(0.0));
            }
        }
    }
}

/// 2 × 2 max-pool, stride 2.
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
