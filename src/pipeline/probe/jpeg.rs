//! The JPEG header: frame, tables, scans counted, EXIF and ICC segments.

use super::read::{be16, corrupt_jpeg, read_orientation};
use crate::pipeline::header::{next_marker, Header, JpegHeader, MAX_ICC_BYTES};
use crate::pipeline::sniff::Format;
use crate::Error;

/// Walks the JPEG markers up to the first scan.
pub(super) fn probe_jpeg(data: &[u8]) -> Result<Header, Error> {
    let mut pos = 2;
    let mut exif: Option<&[u8]> = None;
    let mut tables: [Option<[u16; 64]>; 4] = [None; 4];
    let mut frame: Option<Frame> = None;
    let mut icc_chunks: Vec<IccChunk> = Vec::new();
    let first_scan_components = loop {
        // Bytes that are not a marker where one belongs are skipped, as libjpeg does
        // (with a warning, "extraneous bytes before marker"): some writers leave a few.
        let Some(at) = next_marker(data, pos) else {
            return Err(corrupt_jpeg(if pos == 2 {
                "no marker after the start-of-image marker"
            } else {
                "truncated in the header"
            }));
        };
        let marker = data[at];
        pos = at + 1;
        match marker {
            0xD0..=0xD7 | 0x01 => continue,
            0xD9 => return Err(corrupt_jpeg("end of image before any scan")),
            _ => {}
        }
        let len = be16(data, pos).ok_or_else(|| corrupt_jpeg("truncated in the header"))? as usize;
        if len < 2 {
            return Err(corrupt_jpeg(format!("segment length {len} at byte {pos}")));
        }
        let segment = data
            .get(pos + 2..pos + len)
            .ok_or_else(|| corrupt_jpeg("truncated in the header"))?;
        pos += len;
        match marker {
            0xE1 if exif.is_none() && segment.starts_with(b"Exif\0\0") => {
                exif = Some(&segment[6..]);
            }
            0xE2 if segment.starts_with(ICC_SIGNATURE) => {
                // Sequence number and count (ICC.1, annex B.4), then the chunk's bytes.
                if let [seq, count, bytes @ ..] = &segment[ICC_SIGNATURE.len()..]
                    && icc_chunks.len() < usize::from(u8::MAX)
                {
                    icc_chunks.push((*seq, *count, bytes));
                }
            }
            0xDB => read_dqt(segment, &mut tables)?,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if frame.is_some() {
                    return Err(corrupt_jpeg("more than one frame header"));
                }
                frame = Some(read_sof(marker, segment)?);
            }
            0xDA => break segment.first().copied().unwrap_or(0),
            _ => {}
        }
    };
    // Decoders fill a truncated scan with grey and call it a success; a picture cut short
    // must be refused instead. Entropy-coded data cannot hold an EOI marker (0xFF is
    // stuffed), so one after the first scan means the file was written to its end; bytes
    // after it (a motion photo's video, say) are allowed. Searched from the end, where it
    // almost always is. Without one, [`probe`] asks whether the scan is complete.
    let has_eoi = data[pos..].windows(2).rev().any(|w| w == [0xFF, 0xD9]);
    let Frame {
        width,
        height,
        components,
        progressive,
        luma_id,
        chroma_denser,
    } = frame.ok_or_else(|| corrupt_jpeg("scan before the frame header"))?;
    // Each scan is a pass over every block of its components for a decoder, so a small
    // file repeating scans would keep one busy for minutes. A sequential JPEG codes each
    // component in exactly one scan (ITU-T T.81, 4.10): at most one scan per component.
    let max_scans = if progressive {
        MAX_PROGRESSIVE_SCANS
    } else {
        usize::from(components)
    };
    let scans = scans_from(data, pos, max_scans);
    if scans > max_scans {
        return Err(corrupt_jpeg(if progressive {
            format!("progressive JPEG with more than {MAX_PROGRESSIVE_SCANS} scans")
        } else {
            format!("sequential JPEG with more scans than its {components} components")
        }));
    }
    let channels = if components == 1 { 1 } else { 4 };
    let (orientation, has_exif) = read_orientation(exif);
    Ok(Header {
        format: Format::Jpeg,
        width,
        height,
        orientation,
        has_exif,
        channels,
        bytes_per_sample: 1,
        jpeg: Some(JpegHeader {
            progressive,
            components,
            luma_table: tables.get(luma_id).copied().flatten(),
            first_scan_components,
            scans,
            chroma_denser,
            has_eoi,
        }),
        icc: assemble_icc(&icc_chunks),
    })
}

/// What starts an APP2 segment holding a piece of an ICC profile (ICC.1, annex B.4).
pub(super) const ICC_SIGNATURE: &[u8] = b"ICC_PROFILE\0";

/// One APP2 piece of an ICC profile: its sequence number (from 1), the number of pieces,
/// and its bytes.
pub(super) type IccChunk<'a> = (u8, u8, &'a [u8]);

/// Puts a JPEG's ICC profile together from its APP2 pieces, in sequence order. `None`
/// when there are none, when they disagree on their count, when one is missing or
/// repeated (as libjpeg's `jpeg_read_icc_profile` decides), or when the whole is longer
/// than [`MAX_ICC_BYTES`]: the pixels are then taken as they are.
pub(super) fn assemble_icc(chunks: &[IccChunk]) -> Option<Vec<u8>> {
    let count = chunks.first()?.1;
    if count == 0 || chunks.len() != usize::from(count) || chunks.iter().any(|c| c.1 != count) {
        return None;
    }
    let mut ordered: Vec<Option<&[u8]>> = vec![None; usize::from(count)];
    for &(seq, _, bytes) in chunks {
        let slot = ordered.get_mut(usize::from(seq).checked_sub(1)?)?;
        if slot.replace(bytes).is_some() {
            return None;
        }
    }
    let total: usize = ordered.iter().flatten().map(|b| b.len()).sum();
    if total > MAX_ICC_BYTES {
        return None;
    }
    let mut profile = Vec::with_capacity(total);
    for bytes in ordered {
        profile.extend_from_slice(bytes?);
    }
    Some(profile)
}

/// The most scans a progressive JPEG may have. Each scan is a pass over every block of its
/// components, so a small file of thousands of scans that each say little (end-of-band
/// runs cover 32,767 blocks in a few bits) would keep any decoder busy for minutes.
/// libjpeg's default script has 10 and jpegtran's finest sensible one, a coefficient per
/// scan with successive approximation, well under 200; libjpeg-turbo advises a limit of
/// this order to its users.
pub(super) const MAX_PROGRESSIVE_SCANS: usize = 256;

/// Counts the scans of a JPEG from the first scan's header (`pos` is just past it) to EOI
/// or the end of the data, skipping the entropy-coded bytes between markers; stops
/// counting past `limit`.
pub(super) fn scans_from(data: &[u8], mut pos: usize, limit: usize) -> usize {
    let mut scans = 1;
    while scans <= limit {
        // The next marker: 0xFF followed by neither a stuffed zero, a restart marker nor
        // another fill byte.
        let Some(at) = data.get(pos..).and_then(|rest| memchr::memchr(0xFF, rest)) else {
            break;
        };
        pos += at + 1;
        match data.get(pos) {
            None => break,
            Some(0x00 | 0xD0..=0xD7 | 0xFF) => continue,
            Some(0xD9) => break,
            Some(&marker) => {
                if marker == 0xDA {
                    scans += 1;
                }
                // Past the segment (its length counts itself, not the marker).
                pos += 1 + be16(data, pos + 1).map_or(0, usize::from);
            }
        }
    }
    scans
}

/// What a frame header says.
pub(super) struct Frame {
    width: u32,
    height: u32,
    components: u8,
    progressive: bool,
    /// The quantisation table the first component uses.
    luma_id: usize,
    /// Whether a later component is sampled more densely than the first on either axis.
    chroma_denser: bool,
}

/// Reads a frame header; refuses the coding processes the decoders lack.
pub(super) fn read_sof(marker: u8, s: &[u8]) -> Result<Frame, Error> {
    let process = match marker {
        0xC0..=0xC2 => None,
        0xC3 => Some("lossless"),
        0xC5..=0xC7 => Some("hierarchical (differential)"),
        0xC9 | 0xCA => Some("arithmetic-coded"),
        _ => Some("arithmetic-coded lossless or hierarchical"),
    };
    if let Some(process) = process {
        return Err(Error::UnsupportedJpeg { process });
    }
    if s.len() < 6 {
        return Err(corrupt_jpeg("frame header too short"));
    }
    if s[0] != 8 {
        return Err(Error::UnsupportedJpeg {
            process: if s[0] == 12 { "12-bit" } else { "not 8-bit" },
        });
    }
    let height = u32::from(be16(s, 1).unwrap_or(0));
    let width = u32::from(be16(s, 3).unwrap_or(0));
    let components = s[5];
    if !matches!(components, 1 | 3 | 4) {
        return Err(corrupt_jpeg(format!("{components} colour components")));
    }
    if s.len() < 6 + 3 * usize::from(components) {
        return Err(corrupt_jpeg("frame header too short"));
    }
    // Per component: id, sampling factors (high nibble across, low down), table.
    let sampling = |i: usize| (s[7 + 3 * i] >> 4, s[7 + 3 * i] & 0x0F);
    let (luma_h, luma_v) = sampling(0);
    let chroma_denser = (1..usize::from(components)).any(|i| {
        let (h, v) = sampling(i);
        h > luma_h || v > luma_v
    });
    Ok(Frame {
        width,
        height,
        components,
        progressive: marker == 0xC2,
        luma_id: usize::from(s[8] & 0x0F),
        chroma_denser,
    })
}

/// Reads the quantisation tables of a DQT segment (zig-zag order).
pub(super) fn read_dqt(mut s: &[u8], tables: &mut [Option<[u16; 64]>; 4]) -> Result<(), Error> {
    while let Some((&pq_tq, rest)) = s.split_first() {
        let wide = pq_tq >> 4 != 0;
        let id = usize::from(pq_tq & 0x0F);
        let size = if wide { 128 } else { 64 };
        let body = rest
            .get(..size)
            .ok_or_else(|| corrupt_jpeg("quantisation table truncated"))?;
        let mut table = [0u16; 64];
        for (k, q) in table.iter_mut().enumerate() {
            *q = if wide {
                u16::from_be_bytes([body[2 * k], body[2 * k + 1]])
            } else {
                u16::from(body[k])
            };
        }
        if let Some(slot) = tables.get_mut(id) {
            *slot = Some(table);
        }
        s = &rest[size..];
    }
    Ok(())
}
