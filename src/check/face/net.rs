//! BlazeFace's forward pass over the weights `tools/blazeface/convert.py` writes.
//!
//! Activations are planar (channel after channel, each a row-major plane). The network is
//! a list of ops over a few reused buffers ("slots"); the file says which op reads and
//! writes which slot. [`Net::parse`] checks every shape and index once, so the forward
//! pass's slicing cannot go out of bounds.

use pulp::Simd;

use super::kernels::{conv, depthwise_rows, gemm_rows, maxpool, Epilogue, CO};
use super::op::{Kind, Op};

/// Floats of a fused depthwise layer's band of rows (all channels): 32 KB, so that the
/// band stays in the level-1 or level-2 cache while the pointwise layer reads it once per
/// block of output channels.
const BAND_FLOATS: usize = 8 << 10;

/// What the forward pass runs: one op, or a depthwise op fused with the pointwise op that
/// reads it (and the residual add after that, if any), computed a band of rows at a time
/// so that the depthwise output never leaves the cache (nor the pointwise output before
/// the add). Indices into [`Net::ops`].
#[derive(Debug, Clone, Copy)]
enum Step {
    One(usize),
    Fused {
        dw: usize,
        pw: usize,
        add: Option<usize>,
    },
}

/// A parsed network.
#[derive(Debug)]
pub(crate) struct Net {
    /// Input side (the input is `size` × `size` × 3).
    pub(crate) size: usize,
    slots: Vec<usize>,
    ops: Vec<Op>,
    steps: Vec<Step>,
    floats: Vec<f32>,
    /// Slots of the outputs: scores of the fine layer, of the coarse layer, boxes of the
    /// fine layer, of the coarse layer.
    outputs: [usize; 4],
    /// Cells per side of the fine and the coarse output layer (16 and 8 for the
    /// converted models' own input sizes).
    cells: [usize; 2],
}

/// Anchors per cell of the fine and the coarse output layer.
const PER_CELL: [usize; 2] = [2, 6];
/// Anchors in all at the converted models' own input sizes (16 × 16 × 2 + 8 × 8 × 6).
#[cfg(test)]
pub(crate) const ANCHORS: usize = 16 * 16 * 2 + 8 * 8 * 6;
/// Numbers per anchor: box (x, y, w, h) then six keypoints (x, y).
pub(crate) const COORDS: usize = 16;

/// Reusable buffers for one network's forward pass.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    slots: Vec<Vec<f32>>,
    pad: Vec<f32>,
    offsets: Vec<usize>,
    /// A fused depthwise layer's band of rows.
    band: Vec<f32>,
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
        // The weights and biases, padded to whole blocks of output channels: about the
        // file's own size (reserved once rather than grown by copying).
        let mut floats = Vec::with_capacity(body.len() / 4 + (nops + 1) * CO * 4);
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
            let raw: Vec<f32> = words
                .0
                .by_ref()
                .take(n)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            if raw.len() != n {
                return None;
            }
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
        if words.next().is_some() || !words.0.remainder().is_empty() {
            return None;
        }
        let cells = [16, 8];
        if !outputs_fit(&shapes, &outputs, cells) {
            return None;
        }
        let steps = plan(&ops, &outputs);
        Some(Net {
            size,
            slots,
            ops,
            steps,
            floats,
            outputs,
            cells,
        })
    }

    /// The same network for an input half as wide and as high: every op on planes of half
    /// the side, with the same weights and padding (each op's input side is even, so a
    /// stride-2 op's padding is the same at either size), and output layers of half as
    /// many cells per side. The network has no layer that depends on the input's size, so
    /// this is the network run on a window of a picture at the scale of its whole pass.
    /// `None` if a side is odd or would fall below one coarse cell.
    pub(crate) fn halved(&self) -> Option<Net> {
        let even = |d: usize| d.is_multiple_of(2);
        let ok = even(self.size)
            && self.cells.iter().all(|&c| even(c) && c >= 2)
            && self
                .ops
                .iter()
                .all(|op| [op.h, op.w, op.ho, op.wo].into_iter().all(even));
        if !ok {
            return None;
        }
        let size = self.size / 2;
        let ops: Vec<Op> = self
            .ops
            .iter()
            .map(|op| Op {
                h: op.h / 2,
                w: op.w / 2,
                ho: op.ho / 2,
                wo: op.wo / 2,
                ..op.clone()
            })
            .collect();
        // Each slot holds the largest output written to it (and the input, slot 0).
        let mut slots = vec![0; self.slots.len()];
        slots[0] = 3 * size * size;
        let mut shapes: Vec<Option<(usize, usize, usize)>> = vec![None; slots.len()];
        shapes[0] = Some((3, size, size));
        for op in &ops {
            let read = if op.kind == Kind::Add {
                op.cout
            } else {
                op.cin
            };
            if shapes[op.a] != Some((read, op.h, op.w)) {
                return None;
            }
            slots[op.out] = slots[op.out].max(op.cout * op.ho * op.wo);
            shapes[op.out] = Some((op.cout, op.ho, op.wo));
        }
        let cells = self.cells.map(|c| c / 2);
        if !outputs_fit(&shapes, &self.outputs, cells) {
            return None;
        }
        Some(Net {
            size,
            slots,
            steps: plan(&ops, &self.outputs),
            ops,
            floats: self.floats.clone(),
            outputs: self.outputs,
            cells,
        })
    }

    /// The output layers: (cells per side, anchors per cell), fine then coarse, in
    /// MediaPipe's anchor order.
    pub(crate) fn layers(&self) -> [(usize, usize); 2] {
        [(self.cells[0], PER_CELL[0]), (self.cells[1], PER_CELL[1])]
    }

    /// The same network run one op at a time, nothing fused (to test the fusion against).
    #[cfg(test)]
    pub(crate) fn unfused(&self) -> Net {
        Net {
            size: self.size,
            slots: self.slots.clone(),
            ops: self.ops.clone(),
            steps: (0..self.ops.len()).map(Step::One).collect(),
            floats: self.floats.clone(),
            outputs: self.outputs,
            cells: self.cells,
        }
    }

    /// The raw outputs for a prepared input tensor (`size` × `size` × 3, NHWC, values in
    /// -1..1 as the ONNX model takes them): regressors ([`COORDS`] per anchor) and score
    /// logits, in MediaPipe's anchor order. Empty if `input` is the wrong size.
    #[cfg(test)]
    pub(crate) fn raw_outputs(&self, scratch: &mut Scratch, input: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let n = self.size * self.size;
        if input.len() != 3 * n {
            return (Vec::new(), Vec::new());
        }
        let planes = self.input(scratch);
        for (i, px) in input.chunks_exact(3).enumerate() {
            for (c, &v) in px.iter().enumerate() {
                planes[c * n + i] = v;
            }
        }
        let (mut scores, mut boxes) = (Vec::new(), Vec::new());
        self.run(scratch, &mut scores, &mut boxes);
        (boxes, scores)
    }

    /// How many steps are fused depthwise–pointwise pairs, and how many of those take the
    /// residual add in too.
    #[cfg(test)]
    pub(crate) fn fused_steps(&self) -> (usize, usize) {
        let fused = |s: &&Step| matches!(s, Step::Fused { .. });
        let with_add = |s: &&Step| matches!(s, Step::Fused { add: Some(_), .. });
        (
            self.steps.iter().filter(fused).count(),
            self.steps.iter().filter(with_add).count(),
        )
    }

    /// The input buffer (`3 × size × size`, planar) for [`Net::run`] to read (the
    /// slots made to fit this network first).
    pub(crate) fn input<'a>(&self, scratch: &'a mut Scratch) -> &'a mut [f32] {
        self.ready(scratch);
        let n = 3 * self.size * self.size;
        &mut scratch.slots[0][..n]
    }

    /// Makes `scratch`'s slots fit this network. Slots at least as large are kept, so a
    /// network's [`halved`](Self::halved) copy runs in its buffers (in memory the whole
    /// network touches anyway).
    fn ready(&self, scratch: &mut Scratch) {
        let fits = scratch.slots.len() == self.slots.len()
            && scratch
                .slots
                .iter()
                .zip(&self.slots)
                .all(|(s, &n)| s.len() >= n);
        if !fits {
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
        for (layer, (cells, per)) in self.layers().into_iter().enumerate() {
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

/// Whether the output slots hold the shapes the anchors need: scores then boxes, of the
/// fine layer (`cells[0]` per side) and the coarse one (`cells[1]`).
fn outputs_fit(
    shapes: &[Option<(usize, usize, usize)>],
    outputs: &[usize; 4],
    cells: [usize; 2],
) -> bool {
    let [fine, coarse] = cells;
    let want = [
        (PER_CELL[0], fine, fine),
        (PER_CELL[1], coarse, coarse),
        (PER_CELL[0] * COORDS, fine, fine),
        (PER_CELL[1] * COORDS, coarse, coarse),
    ];
    outputs
        .iter()
        .zip(want)
        .all(|(&o, w)| shapes.get(o) == Some(&Some(w)))
}

/// Whether `slot`, written by op `i`, is never read again before it is overwritten (and
/// is not an output of the network).
fn dead_after(ops: &[Op], outputs: &[usize; 4], i: usize, slot: usize) -> bool {
    for op in &ops[i + 1..] {
        if op.a == slot || (op.kind == Kind::Add && op.b == slot) {
            return false;
        }
        if op.out == slot {
            return true;
        }
    }
    !outputs.contains(&slot)
}

/// Groups the ops into [`Step`]s: a depthwise op whose output only the next op, a
/// pointwise one, reads is fused with it; so is a residual add after that which alone
/// reads the pointwise output (and whose other operand, the residual, covers at most the
/// pointwise output's channels). The fused step's output slot must be neither of the
/// slots it reads.
fn plan(ops: &[Op], outputs: &[usize; 4]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut i = 0;
    while i < ops.len() {
        let (dw, pw) = (&ops[i], ops.get(i + 1));
        let Some(pw) = pw.filter(|pw| {
            dw.kind == Kind::Depthwise
                && pw.kind == Kind::Pointwise
                && pw.a == dw.out
                && dead_after(ops, outputs, i + 1, dw.out)
        }) else {
            steps.push(Step::One(i));
            i += 1;
            continue;
        };
        let add = ops.get(i + 2).filter(|add| {
            let residual = if add.a == pw.out { add.b } else { add.a };
            add.kind == Kind::Add
                && (add.a == pw.out) != (add.b == pw.out)
                && !pw.relu
                && pw.cout == add.cout
                && dead_after(ops, outputs, i + 2, pw.out)
                && add.out != dw.a
                && add.out != residual
        });
        if add.is_none() && pw.out == dw.a {
            steps.push(Step::One(i));
            i += 1;
            continue;
        }
        steps.push(Step::Fused {
            dw: i,
            pw: i + 1,
            add: add.map(|_| i + 2),
        });
        i += if add.is_some() { 3 } else { 2 };
    }
    steps
}

/// Runs every step of `net` over the slots of `scratch`.
#[inline(always)]
fn forward<S: Simd>(simd: S, net: &Net, scratch: &mut Scratch) {
    for &step in &net.steps {
        match step {
            Step::One(i) => one(simd, net, &net.ops[i], scratch),
            Step::Fused { dw, pw, add } => fused(
                simd,
                net,
                &net.ops[dw],
                &net.ops[pw],
                add.map(|i| &net.ops[i]),
                scratch,
            ),
        }
    }
}

/// One op over the slots of `scratch`.
#[inline(always)]
fn one<S: Simd>(simd: S, net: &Net, op: &Op, scratch: &mut Scratch) {
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
        Kind::Depthwise => {
            let (n, m) = (op.h * op.w, op.ho * op.wo);
            for c in 0..op.cin {
                let k: &[f32; 9] = w[c * 9..c * 9 + 9].try_into().unwrap_or(&[0.0; 9]);
                depthwise_rows(
                    simd,
                    op,
                    &a[c * n..(c + 1) * n],
                    k,
                    bias[c],
                    0..op.ho,
                    &mut scratch.pad,
                    &mut out[c * m..(c + 1) * m],
                );
            }
        }
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
                Epilogue::plain(op.relu),
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

/// A depthwise op, the pointwise op that reads it and perhaps the residual add after
/// that (see [`plan`]), a band of output rows at a time: the band's depthwise rows of
/// every channel go to `scratch.band`, and the pointwise product of the band, with the
/// residual added in its epilogue, to the output slot.
#[inline(always)]
fn fused<S: Simd>(simd: S, net: &Net, dw: &Op, pw: &Op, add: Option<&Op>, scratch: &mut Scratch) {
    let out_slot = add.map_or(pw.out, |a| a.out);
    let mut out = std::mem::take(&mut scratch.slots[out_slot]);
    let src = &scratch.slots[dw.a];
    let epi = match add {
        Some(add) => {
            // The pointwise output is the add's `a` (all channels, the residual `b` has
            // `cin`) or its `b` (then `cin` = `cout`: `plan` asks for as many channels
            // as the add's output).
            let (slot, channels) = if add.a == pw.out {
                (add.b, add.cin)
            } else {
                (add.a, add.cout)
            };
            Epilogue {
                residual: &scratch.slots[slot],
                channels,
                relu: add.relu,
            }
        }
        None => Epilogue::plain(pw.relu),
    };
    let (n, wo, plane) = (dw.h * dw.w, dw.wo, dw.ho * dw.wo);
    let dw_w = &net.floats[dw.weights.clone()];
    let dw_b = &net.floats[dw.bias.clone()];
    let pw_w = &net.floats[pw.weights.clone()];
    let pw_b = &net.floats[pw.bias.clone()];
    // Rows per band: as many as fit in `BAND_FLOATS`, rounded down to make whole vector
    // tiles of pixels where the rows are short (a tile is two vectors).
    let tile = 2 * S::F32_LANES;
    let step = tile / gcd(tile, wo.max(1));
    let fit = BAND_FLOATS / (dw.cin * wo).max(1);
    let rows = (fit - fit % step).max(step).clamp(1, dw.ho);
    scratch.band.resize(dw.cin * rows * wo, 0.0);
    let mut y0 = 0;
    while y0 < dw.ho {
        let y1 = (y0 + rows).min(dw.ho);
        let pixels = (y1 - y0) * wo;
        for c in 0..dw.cin {
            let k: &[f32; 9] = dw_w[c * 9..c * 9 + 9].try_into().unwrap_or(&[0.0; 9]);
            depthwise_rows(
                simd,
                dw,
                &src[c * n..(c + 1) * n],
                k,
                dw_b[c],
                y0..y1,
                &mut scratch.pad,
                &mut scratch.band[c * pixels..(c + 1) * pixels],
            );
        }
        scratch.offsets.clear();
        scratch.offsets.extend((0..dw.cin).map(|c| c * pixels));
        gemm_rows(
            simd,
            &scratch.band,
            &scratch.offsets,
            pw_w,
            pw_b,
            pw.cout,
            pixels,
            &mut out,
            plane,
            y0 * wo,
            epi,
        );
        y0 = y1;
    }
    scratch.slots[out_slot] = out;
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
