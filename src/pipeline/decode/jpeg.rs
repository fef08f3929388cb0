//! Stage 3 for JPEG: a decoder that decodes straight to n/8 of the stored size (n = 1 to
//! 4: 1/8, 1/4, 3/8, 1/2) in the DCT domain (shrink-on-load). Each 8 × 8 block's lowest
//! n × n frequencies go through an n-point inverse DCT, so the decoder never builds the
//! full-size picture, and the entropy decoding (most of the time) skips the work of
//! storing coefficients it will not use.
//!
//! It takes the common cases (8-bit Huffman-coded, grey or YCbCr, luminance sampled 1 or
//! 2 times chroma in each direction; baseline in one interleaved scan, or progressive,
//! `progressive.rs`) and answers `None` for anything else or anything odd, so that the
//! general decoder has the last word on those.

use super::frame::{damaged_at, kept, samples, Component, Tables, MAX_KEPT};
use super::huffman::{BitReader, HuffmanTable, Restarts};
use super::idct::Idct;
use super::progressive::{Progressive, Scan};
use crate::pipeline::pixels::{Plane, Planes};

/// Why [`decode_scaled`] gave no picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Declined {
    /// A layout this decoder does not take, or a header with anything odd in it: the
    /// general decoders have the last word on those.
    Layout,
    /// Entropy-coded data no encoder writes: a Huffman code the tables lack, a block of
    /// more than 64 coefficients, a restart marker missing where it is due, data that
    /// ends before the last block, or data left over after it. The file is damaged, and
    /// a decoder that goes on regardless fills the rest with grey or noise.
    Damaged(String),
}

/// Whole bytes of entropy-coded data a scan may leave unread before the marker after
/// it. An encoder writes none (T.81 F.1.2.3 pads the last byte with one-bits); libjpeg
/// warns of any ("Corrupt JPEG data: N extraneous bytes before marker"), and damaged
/// data that still decodes to the last block most often ends well before its marker.
/// One byte of slack for writers that flush a spare byte.
const MAX_UNREAD_SCAN_BYTES: usize = 1;

/// Decodes `data`, a JPEG the probe found `size` (width, height) large, at `eighths`/8
/// (1, 2, 3 or 4) of that size, rounded up; [`Declined::Layout`] when the file is not
/// one this decoder takes or holds anything odd (a second frame header or one of another
/// size among them), [`Declined::Damaged`] when its entropy-coded data is. `reuse`:
/// planes whose memory the result may take over.
pub(crate) fn decode_scaled(
    data: &[u8],
    size: (u32, u32),
    eighths: u32,
    reuse: Planes,
) -> Result<Planes, Declined> {
    let mut damage = None;
    decode_until_damaged(data, size, eighths, reuse, &mut damage).ok_or(match damage {
        Some(reason) => Declined::Damaged(reason),
        None => Declined::Layout,
    })
}

/// [`decode_scaled`], with `None` for either reason: `damage` says why when the
/// entropy-coded data is damaged.
fn decode_until_damaged(
    data: &[u8],
    size: (u32, u32),
    eighths: u32,
    reuse: Planes,
    damage: &mut Option<String>,
) -> Option<Planes> {
    let mut reuse = reuse.planes.into_iter().map(|plane| plane.samples);
    let n = match eighths {
        1..=4 => eighths as usize,
        _ => return None,
    };
    let mut tables = Tables::default();
    let mut frame: Option<(u32, u32, Vec<Component>)> = None;
    let mut progressive: Option<Progressive> = None;
    let mut pos = 2;
    loop {
        // Fill bytes, and bytes that are not a marker where one belongs, are skipped, as
        // the probe (and libjpeg) skip them.
        pos = crate::pipeline::header::next_marker(data, pos)?;
        let (&marker, rest) = data[pos..].split_first()?;
        pos += 1;
        if matches!(marker, 0x01 | 0xD0..=0xD8) {
            continue;
        }
        if marker == 0xD9 {
            // The end of the image: a progressive frame's coefficients are complete (a
            // baseline frame returned at its scan).
            let (width, height, _) = frame?;
            let mut planes = progressive?.finish(width, height, &Idct::new(n), reuse);
            planes.extend_edges();
            return Some(planes);
        }
        let len = usize::from(u16::from_be_bytes(*rest.first_chunk::<2>()?));
        let body = rest.get(2..len)?;
        pos += len;
        match marker {
            0xC0..=0xC2 => {
                let parsed = parse_frame(body)?;
                if frame.is_some() || (parsed.0, parsed.1) != size {
                    return None;
                }
                if marker == 0xC2 {
                    progressive = Some(Progressive::new(parsed.0, parsed.1, &parsed.2, kept(n)));
                }
                frame = Some(parsed);
            }
            0xDB => parse_quant(body, &mut tables.quant)?,
            0xC4 => parse_huffman(body, &mut tables.dc, &mut tables.ac)?,
            0xDD => {
                tables.restart_interval = usize::from(u16::from_be_bytes(*body.first_chunk()?));
            }
            // Adobe's segment may say the components are RGB: leave that to the general
            // decoder.
            0xEE => return None,
            // Lossless, arithmetic-coded, hierarchical.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xDA if progressive.is_some() => {
                let (_, _, components) = frame.as_ref()?;
                let scan = parse_progressive_scan(body, components)?;
                let coefficients = progressive.as_mut()?;
                pos += coefficients.decode_scan(
                    data.get(pos..)?,
                    &scan,
                    &tables,
                    components,
                    damage,
                )?;
            }
            0xDA => {
                let (width, height, components) = frame.as_ref()?;
                let scan = parse_scan(body, components)?;
                let huffman = scan
                    .iter()
                    .map(|&(dc, ac)| Some((tables.dc[dc].as_ref()?, tables.ac[ac].as_ref()?)))
                    .collect::<Option<Vec<_>>>()?;
                let quants: Vec<&[u16; 64]> =
                    components.iter().map(|c| &tables.quant[c.quant]).collect();
                let decoded = decode_scan(
                    data.get(pos..)?,
                    (*width, *height),
                    components,
                    &huffman,
                    &quants,
                    tables.restart_interval,
                    n,
                    &mut reuse,
                );
                return decoded.map_err(|reason| *damage = Some(reason)).ok();
            }
            _ => {}
        }
    }
}

fn parse_frame(body: &[u8]) -> Option<(u32, u32, Vec<Component>)> {
    let (&[precision, h1, h0, w1, w0, count], rest) = body.split_first_chunk::<6>()?;
    let (width, height) = (
        u32::from(u16::from_be_bytes([w1, w0])),
        u32::from(u16::from_be_bytes([h1, h0])),
    );
    if precision != 8 || width == 0 || height == 0 || !matches!(count, 1 | 3) {
        return None;
    }
    let components: Vec<Component> = rest
        .chunks_exact(3)
        .take(usize::from(count))
        .map(|c| Component {
            id: c[0],
            h: usize::from(c[1] >> 4),
            v: usize::from(c[1] & 15),
            quant: usize::from(c[2]),
        })
        .collect();
    if components.len() != usize::from(count) || components.iter().any(|c| c.quant > 3) {
        return None;
    }
    if count == 1 {
        // A single component's scan is not interleaved: one block per MCU, whatever its
        // sampling factors say.
        let c = &components[0];
        return Some((width, height, vec![Component { h: 1, v: 1, ..*c }]));
    }
    let luma = &components[0];
    let chroma_plain = components[1..].iter().all(|c| c.h == 1 && c.v == 1);
    if !chroma_plain || !matches!(luma.h, 1 | 2) || !matches!(luma.v, 1 | 2) {
        return None;
    }
    if components.iter().map(|c| c.id).eq(*b"RGB") {
        return None;
    }
    Some((width, height, components))
}

fn parse_quant(mut body: &[u8], quant: &mut [[u16; 64]; 4]) -> Option<()> {
    while let Some((&pq_tq, rest)) = body.split_first() {
        let (precision, id) = (pq_tq >> 4, usize::from(pq_tq & 15));
        let table = quant.get_mut(id)?;
        let size = if precision == 0 { 64 } else { 128 };
        let values = rest.get(..size)?;
        for (k, q) in table.iter_mut().enumerate() {
            *q = if precision == 0 {
                u16::from(values[k])
            } else {
                u16::from_be_bytes([values[2 * k], values[2 * k + 1]])
            };
        }
        body = &rest[size..];
    }
    Some(())
}

fn parse_huffman(
    mut body: &[u8],
    dc: &mut [Option<HuffmanTable>; 4],
    ac: &mut [Option<HuffmanTable>; 4],
) -> Option<()> {
    while let Some((&tc_th, rest)) = body.split_first() {
        let (class, id) = (tc_th >> 4, usize::from(tc_th & 15));
        let (counts, rest) = rest.split_first_chunk::<16>()?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let symbols = rest.get(..total)?;
        let table = HuffmanTable::new(counts, symbols, class == 1)?;
        match class {
            0 => *dc.get_mut(id)? = Some(table),
            1 => *ac.get_mut(id)? = Some(table),
            _ => return None,
        }
        body = &rest[total..];
    }
    Some(())
}

/// A progressive scan's header (T.81 B.2.3): its components (a subset of the frame's, in
/// frame order; one for AC), spectral band and point transforms; `None` for values no
/// valid progressive scan has.
fn parse_progressive_scan(body: &[u8], components: &[Component]) -> Option<Scan> {
    let (&count, rest) = body.split_first()?;
    let (selectors, tail) = rest.split_at_checked(2 * usize::from(count))?;
    let &[start, end, approximation] = tail.get(..3)? else {
        return None;
    };
    let (start, end) = (usize::from(start), usize::from(end));
    let (high, low) = (approximation >> 4, approximation & 15);
    let mut next = 0;
    let mut chosen = Vec::with_capacity(selectors.len() / 2);
    for s in selectors.chunks_exact(2) {
        // In frame order, each once.
        let c = next + components[next..].iter().position(|c| c.id == s[0])?;
        next = c + 1;
        let (dc, ac) = (usize::from(s[1] >> 4), usize::from(s[1] & 15));
        if dc > 3 || ac > 3 {
            return None;
        }
        chosen.push((c, dc, ac));
    }
    let dc = start == 0 && end == 0 && !chosen.is_empty();
    let ac = start >= 1 && start <= end && end <= 63 && chosen.len() == 1;
    if !(dc || ac) || high > 13 || low > 13 {
        return None;
    }
    Some(Scan {
        components: chosen,
        start,
        end,
        high,
        low,
    })
}

/// The scan's (DC table, AC table) for each frame component, in frame order; `None`
/// unless the scan is one baseline scan over all components.
fn parse_scan(body: &[u8], components: &[Component]) -> Option<Vec<(usize, usize)>> {
    let (&count, rest) = body.split_first()?;
    if usize::from(count) != components.len() {
        return None;
    }
    let (selectors, tail) = rest.split_at_checked(2 * usize::from(count))?;
    if tail.get(..3)? != [0, 63, 0] {
        return None;
    }
    selectors
        .chunks_exact(2)
        .zip(components)
        .map(|(s, c)| {
            let (dc, ac) = (usize::from(s[1] >> 4), usize::from(s[1] & 15));
            (s[0] == c.id && dc < 4 && ac < 4).then_some((dc, ac))
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn decode_scan(
    scan: &[u8],
    (width, height): (u32, u32),
    components: &[Component],
    tables: &[(&HuffmanTable, &HuffmanTable)],
    quants: &[&[u16; 64]],
    restart_interval: usize,
    n: usize,
    reuse: &mut impl Iterator<Item = Vec<u8>>,
) -> Result<Planes, String> {
    let keep = kept(n);
    let h_max = components.iter().map(|c| c.h).max().unwrap_or(1);
    let v_max = components.iter().map(|c| c.v).max().unwrap_or(1);
    let mcus_x = (width as usize).div_ceil(8 * h_max);
    let mcus_y = (height as usize).div_ceil(8 * v_max);
    let mut planes: Vec<Plane> = components
        .iter()
        .map(|c| {
            let stride = mcus_x * c.h * n;
            Plane {
                samples: samples(reuse.next(), stride * mcus_y * c.v * n),
                stride,
                h: c.h,
                v: c.v,
            }
        })
        .collect();
    let idct = Idct::new(n);
    let mut reader = BitReader::new(scan);
    let mut block = [0i32; 64];
    let mut predictors = [0i32; 3];
    let mut restarts = Restarts::new(restart_interval);
    for mcu_y in 0..mcus_y {
        for mcu_x in 0..mcus_x {
            if restarts
                .before_mcu(&mut reader)
                .ok_or_else(|| damaged_at(&reader, "a restart marker missing", mcu_x, mcu_y))?
            {
                predictors = [0; 3];
            }
            for (c, comp) in components.iter().enumerate() {
                let (dc, ac) = tables[c];
                let plane = &mut planes[c];
                for by in 0..comp.v {
                    for bx in 0..comp.h {
                        // All that `block` may write, at a length known here (an inline
                        // store rather than a call).
                        block[..MAX_KEPT].fill(0);
                        let last = reader
                            .block(dc, ac, quants[c], &mut predictors[c], &mut block, keep)
                            .ok_or_else(|| {
                                damaged_at(&reader, "a Huffman code out of place", mcu_x, mcu_y)
                            })?;
                        let x = (mcu_x * comp.h + bx) * n;
                        let y = (mcu_y * comp.v + by) * n;
                        idct.apply(
                            &block,
                            last,
                            &mut plane.samples[y * plane.stride + x..],
                            plane.stride,
                        );
                    }
                }
            }
        }
    }
    if reader.overran() {
        return Err("the entropy-coded data ends before the last block".into());
    }
    let unread = reader.unread_bytes();
    if unread > MAX_UNREAD_SCAN_BYTES {
        return Err(format!(
            "{unread} bytes of entropy-coded data left after the last block"
        ));
    }
    let mut planes = Planes {
        width: (width * n as u32).div_ceil(8),
        height: (height * n as u32).div_ceil(8),
        planes,
    };
    planes.extend_edges();
    Ok(planes)
}

#[cfg(test)]
/// Converts the planes to packed RGB at the reduced size (JFIF's YCbCr, T.871), taking
/// each pixel's chroma from the sample that covers it.
pub(super) fn to_rgb(decoded: &Planes) -> Vec<u8> {
    let (width, height) = (decoded.width as usize, decoded.height as usize);
    let mut rgb = vec![0; width * height * 3];
    let rows = rgb.chunks_exact_mut(width * 3).enumerate();
    match decoded.planes.as_slice() {
        [grey] => {
            for (y, out) in rows {
                let row = &grey.samples[y * grey.stride..][..width];
                for (px, &v) in out.chunks_exact_mut(3).zip(row) {
                    px.copy_from_slice(&[v, v, v]);
                }
            }
        }
        [luma, cb, cr] => {
            // Luminance is sampled once or twice as densely as chroma on each axis.
            let (shift_x, shift_y) = (luma.h - 1, luma.v - 1);
            for (y, out) in rows {
                let row = &luma.samples[y * luma.stride..][..width];
                let chroma = (y >> shift_y) * cb.stride;
                let cb_row = &cb.samples[chroma..chroma + cb.stride];
                let cr_row = &cr.samples[chroma..chroma + cr.stride];
                for (x, (px, &l)) in out.chunks_exact_mut(3).zip(row).enumerate() {
                    let c = x >> shift_x;
                    px.copy_from_slice(&crate::pipeline::colour::ycbcr_to_rgb(
                        l, cb_row[c], cr_row[c],
                    ));
                }
            }
        }
        _ => {}
    }
    rgb
}
