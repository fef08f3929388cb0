//! Progressive JPEG (T.81 annex G) for the shrink-on-load decoder. A progressive file
//! sends each block's coefficients over several scans (spectral bands, then the lower bits
//! of each band), so they must be kept until the last scan. Only the ones the reduced
//! IDCT reads are: the first `keep` in zig-zag order, as sent (not yet dequantised), plus
//! one bit per coefficient saying whether it has become non-zero, which is all the
//! refinement scans need of the others.
//!
//! Scans are checked against the successive-approximation state of each coefficient
//! (G.1.1.1.1): a band sent twice, refined before it was sent, or refined by other than
//! one bit, or AC before DC, makes the decoder answer `None`, as anything odd does.

use super::frame::{damaged_at, samples, Component, Tables};
use super::huffman::{BitReader, HuffmanTable, Restarts};
use super::idct::Idct;
use crate::pipeline::pixels::{Plane, Planes};

/// One component's coefficients, on the frame's grid of whole MCUs.
struct Store {
    /// Blocks per row and rows of blocks (whole MCUs).
    blocks_w: usize,
    blocks_h: usize,
    /// Blocks a scan of this component alone covers (T.81 A.2.2: the component's own
    /// size, in whole blocks, not whole MCUs).
    scan_w: usize,
    scan_h: usize,
    /// `keep` coefficients per block, in zig-zag order, as sent (shifted by the point
    /// transform, not dequantised).
    values: Vec<i16>,
    /// For each block, bit `k` set once zig-zag coefficient `k` is non-zero.
    nonzero: Vec<u64>,
    /// The point transform each coefficient was last sent at (-1: not yet).
    bits: [i8; 64],
    /// The quantisation table when the component's first scan began (T.81 B.2.4.1).
    quant: Option<[u16; 64]>,
}

/// What a scan header (SOS) of a progressive frame says.
pub(super) struct Scan {
    /// For each component in the scan: its index in the frame, DC and AC table.
    pub(super) components: Vec<(usize, usize, usize)>,
    /// Spectral selection: first and last zig-zag position.
    pub(super) start: usize,
    pub(super) end: usize,
    /// Successive approximation: the previous point transform (0 in a first scan) and
    /// this one.
    pub(super) high: u8,
    pub(super) low: u8,
}

/// The coefficients of a progressive frame, scan after scan.
pub(super) struct Progressive {
    /// Zig-zag positions kept per block.
    keep: usize,
    mcus: (usize, usize),
    sampling: Vec<(usize, usize)>,
    stores: Vec<Store>,
}

/// The decoder state a restart marker resets.
struct Run {
    predictors: [i32; 3],
    /// Blocks left in the current end-of-band run (G.1.2.2).
    eob: u32,
}

impl Progressive {
    /// Empty stores for a frame of `width` × `height` whose blocks keep `keep` zig-zag
    /// coefficients. Their size (58 bytes a block at most) stays below the full-size
    /// decode's that the probe checked against the limits.
    pub(super) fn new(width: u32, height: u32, components: &[Component], keep: usize) -> Self {
        let h_max = components.iter().map(|c| c.h).max().unwrap_or(1);
        let v_max = components.iter().map(|c| c.v).max().unwrap_or(1);
        let mcus = (
            (width as usize).div_ceil(8 * h_max),
            (height as usize).div_ceil(8 * v_max),
        );
        let stores = components
            .iter()
            .map(|c| {
                let (blocks_w, blocks_h) = (mcus.0 * c.h, mcus.1 * c.v);
                let blocks = blocks_w * blocks_h;
                Store {
                    blocks_w,
                    blocks_h,
                    scan_w: (width as usize * c.h).div_ceil(h_max).div_ceil(8),
                    scan_h: (height as usize * c.v).div_ceil(v_max).div_ceil(8),
                    values: vec![0; blocks * keep],
                    nonzero: vec![0; blocks],
                    bits: [-1; 64],
                    quant: None,
                }
            })
            .collect();
        Progressive {
            keep,
            mcus,
            sampling: components.iter().map(|c| (c.h, c.v)).collect(),
            stores,
        }
    }

    /// Decodes one scan from `data` (the bytes after its header); returns where the
    /// marker after it starts. `None` for a scan out of order or damaged; `damage` says
    /// why when its entropy-coded data is damaged.
    pub(super) fn decode_scan(
        &mut self,
        data: &[u8],
        scan: &Scan,
        tables: &Tables,
        components: &[Component],
        damage: &mut Option<String>,
    ) -> Option<usize> {
        let first = scan.high == 0;
        if !first && scan.high != scan.low + 1 {
            return None;
        }
        // The successive-approximation state of every coefficient the scan sends.
        for &(c, _, _) in &scan.components {
            let store = &mut self.stores[c];
            if scan.start > 0 && store.bits[0] < 0 {
                return None; // AC before DC
            }
            for bits in &mut store.bits[scan.start..=scan.end] {
                let expected = if first { -1 } else { scan.high as i8 };
                if *bits != expected {
                    return None;
                }
                *bits = scan.low as i8;
            }
            store.quant.get_or_insert(tables.quant[components[c].quant]);
        }
        // The tables the scan uses must be defined.
        let mut huffman = Vec::with_capacity(scan.components.len());
        for &(_, dc, ac) in &scan.components {
            let dc = if scan.start == 0 && first {
                Some(tables.dc[dc].as_ref()?)
            } else {
                None
            };
            let ac = if scan.start > 0 {
                Some(tables.ac[ac].as_ref()?)
            } else {
                None
            };
            huffman.push((dc, ac));
        }
        let mut reader = BitReader::new(data);
        let mut run = Run {
            predictors: [0; 3],
            eob: 0,
        };
        let mut restarts = Restarts::new(tables.restart_interval);
        let mut restart = |reader: &mut BitReader, run: &mut Run| {
            let restarted = restarts.before_mcu(reader)?;
            if restarted {
                *run = Run {
                    predictors: [0; 3],
                    eob: 0,
                };
            }
            Some(())
        };
        let mut at = (0, 0);
        let mut entropy = || -> Option<()> {
            if let [(c, _, _)] = scan.components[..] {
                // One component: its blocks in raster order, one per MCU.
                let (scan_w, scan_h, blocks_w) = {
                    let s = &self.stores[c];
                    (s.scan_w, s.scan_h, s.blocks_w)
                };
                for y in 0..scan_h {
                    for x in 0..scan_w {
                        at = (x, y);
                        restart(&mut reader, &mut run)?;
                        self.block(
                            &mut reader,
                            scan,
                            c,
                            0,
                            huffman[0],
                            y * blocks_w + x,
                            &mut run,
                        )?;
                    }
                }
            } else {
                // Several components (DC only): whole MCUs, as in a baseline scan.
                for mcu_y in 0..self.mcus.1 {
                    for mcu_x in 0..self.mcus.0 {
                        at = (mcu_x, mcu_y);
                        restart(&mut reader, &mut run)?;
                        for (i, &(c, _, _)) in scan.components.iter().enumerate() {
                            let (h, v) = self.sampling[c];
                            let blocks_w = self.stores[c].blocks_w;
                            for by in 0..v {
                                for bx in 0..h {
                                    let at = (mcu_y * v + by) * blocks_w + mcu_x * h + bx;
                                    self.block(&mut reader, scan, c, i, huffman[i], at, &mut run)?;
                                }
                            }
                        }
                    }
                }
            }
            Some(())
        };
        if entropy().is_none() {
            *damage = Some(damaged_at(
                &reader,
                "a Huffman code out of place or a restart marker missing",
                at.0,
                at.1,
            ));
            return None;
        }
        if reader.overran() {
            *damage = Some("the entropy-coded data of a scan ends before its last block".into());
            return None;
        }
        Some(reader.end())
    }

    /// Decodes one block's share of a scan: component `c` (the scan's `i`-th), block `at`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn block(
        &mut self,
        reader: &mut BitReader,
        scan: &Scan,
        c: usize,
        i: usize,
        (dc, ac): (Option<&HuffmanTable>, Option<&HuffmanTable>),
        at: usize,
        run: &mut Run,
    ) -> Option<()> {
        let keep = self.keep;
        let store = &mut self.stores[c];
        let values = &mut store.values[at * keep..(at + 1) * keep];
        let nonzero = &mut store.nonzero[at];
        match (dc, ac) {
            (Some(dc), _) => {
                let predictor = &mut run.predictors[i];
                *predictor = predictor.wrapping_add(reader.dc_diff(dc)?);
                values[0] = predictor.wrapping_shl(u32::from(scan.low)) as i16;
            }
            (None, None) => {
                if reader.bit() {
                    values[0] |= 1 << scan.low;
                }
            }
            (None, Some(ac)) if scan.high == 0 => {
                ac_first(reader, ac, scan, &mut run.eob, values, nonzero)?;
            }
            (None, Some(ac)) => ac_refine(reader, ac, scan, &mut run.eob, values, nonzero)?,
        }
        Some(())
    }

    /// Dequantises and inverse-transforms every block (the frame's last scan is done):
    /// planes at 1/`8 / idct.n` of the size, as the baseline decoder gives them.
    /// `reuse`: buffers the planes may take over.
    pub(super) fn finish(
        self,
        width: u32,
        height: u32,
        idct: &Idct,
        mut reuse: impl Iterator<Item = Vec<u8>>,
    ) -> Planes {
        let (n, keep) = (idct.n, self.keep);
        let planes = self
            .stores
            .into_iter()
            .zip(&self.sampling)
            .map(|(store, &(h, v))| {
                let stride = store.blocks_w * n;
                let mut samples = samples(reuse.next(), stride * store.blocks_h * n);
                let quant = store.quant.unwrap_or([0; 64]);
                let kept_ac = ((1u64 << keep) - 1) & !1;
                let mut rows = samples.chunks_exact_mut(stride * n);
                let mut blocks = store.values.chunks_exact(keep).zip(&store.nonzero);
                for band in rows.by_ref().take(store.blocks_h) {
                    for (x, (values, &nonzero)) in blocks.by_ref().take(store.blocks_w).enumerate()
                    {
                        // The last kept AC coefficient that is non-zero (0: none).
                        let ac = nonzero & kept_ac;
                        let last = if ac == 0 {
                            0
                        } else {
                            63 - ac.leading_zeros() as usize
                        };
                        let coefficient = |k: usize| i32::from(values[k]) * i32::from(quant[k]);
                        idct.apply_with(coefficient, last, &mut band[x * n..], stride);
                    }
                }
                Plane {
                    samples,
                    stride,
                    h,
                    v,
                }
            })
            .collect();
        let n = idct.n as u32;
        Planes {
            width: (width * n).div_ceil(8),
            height: (height * n).div_ceil(8),
            planes,
        }
    }
}

/// Sets zig-zag coefficient `k` (non-zero) of a block.
#[inline(always)]
fn set(values: &mut [i16], nonzero: &mut u64, k: usize, value: i32) {
    *nonzero |= 1 << k;
    if let Some(v) = values.get_mut(k) {
        *v = value as i16;
    }
}

/// An AC band's first scan for one block (G.1.2.2): like a baseline block's AC part,
/// within the band, with runs of blocks whose band is all zero.
#[inline(always)]
fn ac_first(
    reader: &mut BitReader,
    table: &HuffmanTable,
    scan: &Scan,
    eob: &mut u32,
    values: &mut [i16],
    nonzero: &mut u64,
) -> Option<()> {
    if *eob > 0 {
        *eob -= 1;
        return Some(());
    }
    let mut k = scan.start;
    while k <= scan.end {
        if let Some((run, value)) = reader.fast_ac(table) {
            if value == 0 {
                break; // end of band, for this block alone
            }
            k += run;
            if k > scan.end {
                return None;
            }
            set(values, nonzero, k, value << scan.low);
            k += 1;
            continue;
        }
        let symbol = reader.symbol(table)?;
        let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            if run == 15 {
                k += 16;
                continue;
            }
            // End of band, for this block and (2^run − 1 + the next run bits) more.
            *eob = (1 << run) - 1 + reader.receive(run as u32);
            break;
        }
        k += run;
        if k > scan.end || size > 10 {
            return None;
        }
        let value = reader.receive_extend(size);
        set(values, nonzero, k, value << scan.low);
        k += 1;
    }
    Some(())
}

/// An AC band's refinement scan for one block (G.1.2.3): one more bit of every
/// coefficient already non-zero, and the coefficients that become non-zero (±1 at this
/// bit), placed by runs that count only the ones still zero.
#[inline(never)]
fn ac_refine(
    reader: &mut BitReader,
    table: &HuffmanTable,
    scan: &Scan,
    eob: &mut u32,
    values: &mut [i16],
    nonzero: &mut u64,
) -> Option<()> {
    let bit = 1i16 << scan.low;
    // Positions k.. of the band.
    let from = |k: usize| (u64::MAX << k) & (u64::MAX >> (63 - scan.end));
    let mut k = scan.start;
    if *eob == 0 {
        while k <= scan.end {
            let symbol = reader.symbol(table)?;
            let (run, size) = (symbol >> 4, symbol & 15);
            let value = match size {
                0 if run < 15 => {
                    *eob = (1 << run) + reader.receive(u32::from(run));
                    break;
                }
                0 => 0, // sixteen zeros
                1 if reader.bit() => bit,
                1 => -bit,
                _ => return None,
            };
            // The zero coefficient that takes `value`: past `run` others still zero,
            // correcting the non-zero ones on the way.
            let mut zeros = !*nonzero & from(k);
            for _ in 0..run {
                zeros &= zeros.wrapping_sub(1);
            }
            let target = zeros.trailing_zeros() as usize; // 64: past the band
            let before_target = !u64::MAX.checked_shl(target as u32).unwrap_or(0);
            correct(reader, values, *nonzero & from(k) & before_target, bit);
            if value != 0 {
                if target > scan.end {
                    return None;
                }
                set(values, nonzero, target, i32::from(value));
            }
            k = target + 1;
        }
    }
    if *eob > 0 {
        // The rest of the band in this block: corrections only.
        if k <= scan.end {
            correct(reader, values, *nonzero & from(k), bit);
        }
        *eob -= 1;
    }
    Some(())
}

/// Reads a correction bit for each coefficient in `positions` (all non-zero), in zig-zag
/// order, adding `bit` to the magnitude of those kept whose bit is 1.
#[inline(always)]
fn correct(reader: &mut BitReader, values: &mut [i16], positions: u64, bit: i16) {
    if positions == 0 {
        return;
    }
    // Kept coefficients come first in zig-zag order; the others' bits are only skipped.
    let kept_mask = (1u64 << values.len()) - 1;
    let mut kept = positions & kept_mask;
    let count = kept.count_ones();
    if count > 0 {
        let bits = reader.receive_long(count);
        for i in (0..count).rev() {
            let k = kept.trailing_zeros() as usize;
            kept &= kept - 1;
            if bits >> i & 1 != 0 && values[k] & bit == 0 {
                values[k] = if values[k] >= 0 {
                    values[k].wrapping_add(bit)
                } else {
                    values[k].wrapping_sub(bit)
                };
            }
        }
    }
    let mut skipped = (positions & !kept_mask).count_ones();
    while skipped > 0 {
        let n = skipped.min(32);
        reader.receive_long(n);
        skipped -= n;
    }
}
