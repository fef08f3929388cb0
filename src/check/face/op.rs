//! The network's operations and their shapes: the nouns that [`net`](super::net) (which
//! parses and walks them) and [`kernels`](super::kernels) (which computes them) share,
//! in a room below both.

/// One operation of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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

/// An op and its shapes, with its weights' place in the network's floats
/// ([`Net`](super::net::Net)).
#[derive(Debug, Clone)]
pub(super) struct Op {
    pub(super) kind: Kind,
    pub(super) a: usize,
    pub(super) b: usize,
    pub(super) out: usize,
    pub(super) cin: usize,
    pub(super) cout: usize,
    pub(super) h: usize,
    pub(super) w: usize,
    pub(super) ho: usize,
    pub(super) wo: usize,
    pub(super) k: usize,
    pub(super) stride: usize,
    pub(super) pad_top: usize,
    pub(super) pad_left: usize,
    pub(super) relu: bool,
    /// Weights: for `Conv` and `Pointwise` in blocks of [`CO`](super::kernels::CO) output channels, tap by
    /// tap (`[block][tap][CO]`, zero beyond `cout`); for `Depthwise` `[c][9]`.
    pub(super) weights: std::ops::Range<usize>,
    /// Bias (`cout` values, for `Conv` and `Pointwise` padded with zeros to a multiple of
    /// [`CO`](super::kernels::CO)).
    pub(super) bias: std::ops::Range<usize>,
}
