//! The JPEG frame's parts both scan decoders read (baseline in `jpeg.rs`, progressive in
//! `progressive.rs`): the zig-zag order, the tables in force, the frame's components,
//! and the buffers and damage reports they share.

use super::huffman::{BitReader, HuffmanTable};

/// The natural (row-major) index of each zig-zag position (T.81 figure A.6).
pub(super) const ZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// The tables in force at a scan (T.81 B.2.4).
pub(super) struct Tables {
    pub(super) quant: [[u16; 64]; 4],
    pub(super) dc: [Option<HuffmanTable>; 4],
    pub(super) ac: [Option<HuffmanTable>; 4],
    /// MCUs between restart markers (0: none).
    pub(super) restart_interval: usize,
}

impl Default for Tables {
    fn default() -> Self {
        Tables {
            quant: [[0; 64]; 4],
            dc: Default::default(),
            ac: Default::default(),
            restart_interval: 0,
        }
    }
}

/// The most zig-zag positions a reduced IDCT reads ([`kept`] of 4).
pub(super) const MAX_KEPT: usize = 25;

/// How many zig-zag positions the `n`-point reduced IDCT reads: up to the last of the
/// lowest `n` × `n` frequencies.
pub(super) fn kept(n: usize) -> usize {
    ZIGZAG
        .iter()
        .rposition(|&natural| usize::from(natural % 8) < n && usize::from(natural / 8) < n)
        .map_or(1, |last| last + 1)
}

/// A buffer of `len` samples, in `reused`'s memory where there is one. Its content is
/// left as it was: the decoder writes every sample (each block's, and the padding's).
pub(super) fn samples(reused: Option<Vec<u8>>, len: usize) -> Vec<u8> {
    let mut samples = reused.unwrap_or_default();
    samples.truncate(len);
    samples.resize(len, 0);
    samples
}

/// A component of the frame header.
#[derive(Clone, Copy)]
pub(super) struct Component {
    pub(super) id: u8,
    pub(super) h: usize,
    pub(super) v: usize,
    pub(super) quant: usize,
}

/// A reason for damage found in MCU (`x`, `y`): the data ending early, or `what`.
pub(super) fn damaged_at(reader: &BitReader, what: &str, x: usize, y: usize) -> String {
    if reader.overran() {
        format!("the entropy-coded data ends in MCU row {y}")
    } else {
        format!("{what} in the entropy-coded data (MCU row {y}, column {x})")
    }
}
