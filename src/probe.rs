//! Stage 2: read the header (dimensions, components, EXIF orientation, quantisation
//! tables) without decoding a pixel, and enforce the limits before anything is allocated.

use crate::orient::Orientation;
use crate::sniff::{sniff, Format};
use crate::{Error, Limits};

/// What the header says about an image.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub(crate) format: Format,
    /// Stored width (before EXIF orientation).
    pub(crate) width: u32,
    /// Stored height (before EXIF orientation).
    pub(crate) height: u32,
    /// EXIF orientation, [`Orientation::Normal`] when absent or unreadable.
    pub(crate) orientation: Orientation,
    /// Whether the file carries EXIF at all.
    pub(crate) has_exif: bool,
    /// Channels the decoder produces before conversion to RGB.
    pub(crate) channels: u8,
    /// Bytes per sample the decoder produces (1, or 2 for 16-bit PNG).
    pub(crate) bytes_per_sample: u8,
    /// JPEG only: the details `check` and the decoder choice need.
    pub(crate) jpeg: Option<JpegHeader>,
    /// The embedded ICC colour profile (a JPEG's APP2 chunks put together, a PNG's iCCP
    /// inflated), when there is one, whole, and at most [`MAX_ICC_BYTES`] long.
    pub(crate) icc: Option<Vec<u8>>,
}

/// The longest ICC profile read, in bytes. A photo's RGB profile is under 4 KB (Display
/// P3's is 536 bytes, Adobe RGB's 560, a jpegli XYB one about 1 KB); the largest in use
/// are printers' CMYK tables, of one to three megabytes, which are not used here (a
/// CMYK JPEG keeps its plain conversion). A JPEG can carry 255 × 65,519 bytes of
/// profile, and a PNG's iCCP inflates without bound: the limit holds before any of it
/// is copied or inflated.
pub(crate) const MAX_ICC_BYTES: usize = 4 << 20;

/// The longest text chunk (PNG tEXt, zTXt, iTXt) read for an orientation, in bytes after
/// inflating: Pillow's own limit for a text chunk (`ImageFile.SAFEBLOCK`, 1 MiB). EXIF is
/// at most 64 KiB (its JPEG segment), 130 KiB as ImageMagick's hex text; an XMP packet
/// rarely passes 100 KiB.
const MAX_TEXT_BYTES: usize = 1 << 20;

/// JPEG header details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JpegHeader {
    pub(crate) progressive: bool,
    /// Colour components: 1 (grey), 3 (YCbCr or RGB) or 4 (CMYK or YCCK).
    pub(crate) components: u8,
    /// The luminance quantisation table (zig-zag order), if the file defines it.
    pub(crate) luma_table: Option<[u16; 64]>,
    /// Components the first scan codes: all of them for the usual interleaved layout,
    /// fewer when they are sent in separate scans.
    pub(crate) first_scan_components: u8,
    /// Scans counted after the frame header (stops counting past the limit).
    pub(crate) scans: usize,
    /// Whether a component other than the first is sampled more densely than the first
    /// (luma) along either axis.
    pub(crate) chroma_denser: bool,
    /// Whether an end-of-image marker follows the first scan.
    pub(crate) has_eoi: bool,
}

impl JpegHeader {
    /// Whether the `image` crate's full-size JPEG decoder (zune-jpeg 0.5) decodes this
    /// layout right. It returns garbage without an error (upstream zune-image #419,
    /// #422) for a sequential frame whose components are coded in separate scans and
    /// for chroma sampled more densely than luma; `jpeg-decoder` decodes both right. A
    /// four-component (CMYK/YCCK) frame stays with zune-jpeg, the one that converts it.
    pub(crate) fn full_decoder_safe(&self) -> bool {
        if self.components == 4 || self.components == 1 {
            return true;
        }
        let interleaved =
            self.progressive || (self.scans == 1 && self.first_scan_components == self.components);
        interleaved && !self.chroma_denser
    }
}

impl Header {
    /// Bytes the decode needs at most: the decoder's own buffer plus the RGB copy.
    pub(crate) fn decode_bytes(&self) -> u64 {
        let pixels = u64::from(self.width) * u64::from(self.height);
        pixels * (u64::from(self.channels) * u64::from(self.bytes_per_sample) + 3)
    }
}

/// Sniffs and probes `data`, and checks it against `limits`.
pub(crate) fn probe(data: &[u8], limits: &Limits) -> Result<Header, Error> {
    if data.len() > limits.max_input_bytes {
        return Err(Error::InputTooLarge {
            bytes: data.len(),
            limit: limits.max_input_bytes,
        });
    }
    let header = match sniff(data)? {
        Format::Jpeg => probe_jpeg(data)?,
        Format::Png => probe_png(
            data,
            usize::try_from(limits.max_alloc).unwrap_or(usize::MAX),
        )?,
        Format::WebP => probe_webp(data)?,
        format @ (Format::Heif | Format::Avif) => crate::decode::heif::probe_heif(data, format)?,
    };
    check_limits(&header, limits)?;
    if header.jpeg.as_ref().is_some_and(|j| !j.has_eoi) {
        // libjpeg decodes a picture whose only fault is a missing end-of-image marker
        // (with a warning); so do we, when the picture is provably whole: one sequential
        // scan of every component (a progressive file may lack whole scans, each a valid
        // end) that our own decoder reads to its last block within the data. Anything
        // else without the marker is taken to be cut short.
        let whole = header.jpeg.as_ref().is_some_and(|j| {
            !j.progressive && j.scans == 1 && j.first_scan_components == j.components
        }) && crate::decode::scan_is_whole(data, &header);
        if !whole {
            return Err(corrupt_jpeg(
                "truncated: no end-of-image marker after the scan",
            ));
        }
    }
    Ok(header)
}

fn check_limits(h: &Header, limits: &Limits) -> Result<(), Error> {
    let reason = if h.width == 0 || h.height == 0 {
        Some("a side is zero")
    } else if h.width > limits.max_side || h.height > limits.max_side {
        Some("a side is over Limits::max_side")
    } else if u64::from(h.width) * u64::from(h.height) > limits.max_pixels {
        Some("over Limits::max_pixels")
    } else {
        None
    };
    if let Some(reason) = reason {
        return Err(Error::Dimensions {
            width: h.width,
            height: h.height,
            reason,
        });
    }
    let needed = h.decode_bytes();
    if needed > limits.max_alloc {
        return Err(Error::MemoryLimit {
            needed,
            limit: limits.max_alloc,
        });
    }
    Ok(())
}

fn corrupt_jpeg(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        format: "JPEG",
        reason: reason.into(),
    }
}

fn corrupt_png(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        format: "PNG",
        reason: reason.into(),
    }
}

fn corrupt_webp(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        format: "WebP",
        reason: reason.into(),
    }
}

fn le16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn le24(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at + 3)?;
    Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

fn le32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// Walks the JPEG markers up to the first scan.
fn probe_jpeg(data: &[u8]) -> Result<Header, Error> {
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
                if let [seq, count, bytes @ ..] = &segment[ICC_SIGNATURE.len()..] {
                    if icc_chunks.len() < usize::from(u8::MAX) {
                        icc_chunks.push((*seq, *count, bytes));
                    }
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
const ICC_SIGNATURE: &[u8] = b"ICC_PROFILE\0";

/// One APP2 piece of an ICC profile: its sequence number (from 1), the number of pieces,
/// and its bytes.
type IccChunk<'a> = (u8, u8, &'a [u8]);

/// Puts a JPEG's ICC profile together from its APP2 pieces, in sequence order. `None`
/// when there are none, when they disagree on their count, when one is missing or
/// repeated (as libjpeg's `jpeg_read_icc_profile` decides), or when the whole is longer
/// than [`MAX_ICC_BYTES`]: the pixels are then taken as they are.
fn assemble_icc(chunks: &[IccChunk]) -> Option<Vec<u8>> {
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
const MAX_PROGRESSIVE_SCANS: usize = 256;

/// Counts the scans of a JPEG from the first scan's header (`pos` is just past it) to EOI
/// or the end of the data, skipping the entropy-coded bytes between markers; stops
/// counting past `limit`.
fn scans_from(data: &[u8], mut pos: usize, limit: usize) -> usize {
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

/// Where the next marker's code is, from `pos` on: past any bytes that are not a marker
/// (libjpeg's `next_marker`: anything up to a 0xFF, fill bytes, and a 0xFF followed by a
/// stuffed zero, are skipped); `None` when the data ends first.
pub(crate) fn next_marker(data: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        pos += memchr::memchr(0xFF, data.get(pos..)?)?;
        while data.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        match data.get(pos)? {
            0x00 => pos += 1,
            _ => return Some(pos),
        }
    }
}

/// What a frame header says.
struct Frame {
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
fn read_sof(marker: u8, s: &[u8]) -> Result<Frame, Error> {
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
fn read_dqt(mut s: &[u8], tables: &mut [Option<[u16; 64]>; 4]) -> Result<(), Error> {
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

/// Walks the PNG chunks: IHDR for the size; eXIf, ImageMagick's EXIF text and XMP for
/// the orientation; iCCP for the colour profile. Text and profile are inflated to at most
/// their limits, or `budget` (`Limits::max_alloc`) if it is smaller.
fn probe_png(data: &[u8], budget: usize) -> Result<Header, Error> {
    let mut pos = 8;
    let mut ihdr: Option<&[u8]> = None;
    let mut exif: Option<&[u8]> = None;
    let mut iccp: Option<&[u8]> = None;
    // The last text chunk of each key, as Pillow keeps them (a later one replaces an
    // earlier one); inflated only after the walk, so that a file of many such chunks
    // costs one inflation each.
    let mut raw_exif: Option<TextChunk> = None;
    let mut xmp: Option<TextChunk> = None;
    while let (Some(len), Some(kind)) = (be32(data, pos), data.get(pos + 4..pos + 8)) {
        let start = pos + 8;
        let Some(body) = start
            .checked_add(len as usize)
            .and_then(|end| data.get(start..end))
        else {
            break;
        };
        match kind {
            b"IHDR" if ihdr.is_none() => ihdr = Some(body),
            b"eXIf" if exif.is_none() => exif = Some(body),
            b"iCCP" if iccp.is_none() => iccp = Some(body),
            b"tEXt" | b"zTXt" | b"iTXt" => {
                let chunk = TextChunk { kind, body };
                match chunk.keyword() {
                    Some(RAW_EXIF_KEY) => raw_exif = Some(chunk),
                    Some(XMP_KEY) => xmp = Some(chunk),
                    _ => {}
                }
            }
            b"IEND" => break,
            _ => {}
        }
        if ihdr.is_none() {
            return Err(corrupt_png("the first chunk is not IHDR"));
        }
        pos = start + len as usize + 4;
    }
    let ihdr = ihdr.ok_or_else(|| corrupt_png("no IHDR chunk"))?;
    if ihdr.len() != 13 {
        return Err(corrupt_png("IHDR is not 13 bytes"));
    }
    let width = be32(ihdr, 0).unwrap_or(0);
    let height = be32(ihdr, 4).unwrap_or(0);
    let (depth, colour) = (ihdr[8], ihdr[9]);
    let channels = match colour {
        0 => 1,
        2 => 3,
        3 => 4,
        4 => 2,
        6 => 4,
        _ => return Err(corrupt_png(format!("colour type {colour}"))),
    };
    if !matches!(depth, 1 | 2 | 4 | 8 | 16) {
        return Err(corrupt_png(format!("bit depth {depth}")));
    }
    // Pillow's order (`Image.getexif`): the eXIf chunk, or else ImageMagick's hex text;
    // then, when that EXIF has no orientation tag at all, XMP's `tiff:Orientation`.
    let raw_exif = if exif.is_none() {
        raw_exif
            .and_then(|c| c.text(budget))
            .and_then(|t| raw_profile_exif(&t))
    } else {
        None
    };
    let exif = exif.or(raw_exif.as_deref());
    let tag = exif.and_then(orientation_tag);
    let value = tag.or_else(|| {
        xmp.and_then(|c| c.text(budget))
            .and_then(|t| xmp_orientation(&t))
    });
    let orientation = value
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::Normal);
    let icc = iccp.and_then(|body| {
        // Keyword, a zero, the compression method (0, zlib), the profile.
        let (_, rest) = split_at_nul(body)?;
        let (&method, compressed) = rest.split_first()?;
        (method == 0).then_some(())?;
        inflate(compressed, MAX_ICC_BYTES.min(budget))
    });
    Ok(Header {
        format: Format::Png,
        width,
        height,
        orientation,
        has_exif: exif.is_some(),
        channels,
        bytes_per_sample: if depth == 16 { 2 } else { 1 },
        jpeg: None,
        icc,
    })
}

/// Walks the WebP container (Google's "WebP Container Specification"): the RIFF header,
/// then chunks of a FourCC, a little-endian size and a body padded to an even length.
/// The size comes from the VP8X chunk's canvas when there is one, else from the image
/// chunk's own header (VP8 key frame or VP8L); the orientation from the EXIF chunk,
/// the colour profile from ICCP. Every chunk must lie inside the RIFF size, and the RIFF
/// size inside the data: a file cut anywhere is refused here, before a pixel is
/// decoded. The walk reads each chunk's header only, so it is linear in the data.
fn probe_webp(data: &[u8]) -> Result<Header, Error> {
    let riff = le32(data, 4).ok_or_else(|| corrupt_webp("truncated RIFF header"))? as usize;
    let end = riff
        .checked_add(8)
        .filter(|&end| end <= data.len())
        .ok_or_else(|| {
            corrupt_webp(format!(
                "truncated: the RIFF header declares {riff} bytes, {} follow",
                data.len().saturating_sub(8)
            ))
        })?;
    if riff < 4 {
        return Err(corrupt_webp(format!("RIFF size {riff}")));
    }
    let data = &data[..end];
    let mut pos = 12;
    let mut vp8x: Option<&[u8]> = None;
    let mut image: Option<(&[u8], &[u8])> = None;
    let mut alph = false;
    let mut animated = false;
    let mut exif: Option<&[u8]> = None;
    let mut iccp: Option<&[u8]> = None;
    let mut first = true;
    while pos < end {
        let (Some(kind), Some(len)) = (data.get(pos..pos + 4), le32(data, pos + 4)) else {
            return Err(corrupt_webp(format!(
                "truncated chunk header at byte {pos}"
            )));
        };
        let start = pos + 8;
        let body = start
            .checked_add(len as usize)
            .and_then(|e| data.get(start..e))
            .ok_or_else(|| {
                corrupt_webp(format!(
                    "chunk {} at byte {pos} declares {len} bytes past the end",
                    String::from_utf8_lossy(kind)
                ))
            })?;
        match kind {
            b"VP8X" if first => vp8x = Some(body),
            b"VP8 " | b"VP8L" if image.is_none() => image = Some((kind, body)),
            b"ALPH" => alph = true,
            b"ANIM" | b"ANMF" => animated = true,
            b"EXIF" if exif.is_none() => exif = Some(body),
            b"ICCP" if iccp.is_none() => iccp = Some(body),
            _ => {}
        }
        if first && vp8x.is_none() && image.is_none() {
            return Err(corrupt_webp(format!(
                "the first chunk is {}, not VP8, VP8L or VP8X",
                String::from_utf8_lossy(kind)
            )));
        }
        first = false;
        // Bodies are padded to an even length; the pad may be the file's last byte.
        pos = start + len as usize + (len as usize & 1);
    }
    let (width, height, mut alpha) = match vp8x {
        Some(x) => {
            if x.len() < 10 {
                return Err(corrupt_webp("VP8X chunk shorter than 10 bytes"));
            }
            let (w, h) = (le24(x, 4).unwrap_or(0) + 1, le24(x, 7).unwrap_or(0) + 1);
            (w, h, x[0] & 0x10 != 0)
        }
        None => (0, 0, false),
    };
    let (width, height) = match image {
        Some((kind, body)) => {
            let (w, h, a) = if kind == b"VP8L" {
                vp8l_size(body)?
            } else {
                vp8_size(body)?
            };
            alpha |= a;
            if vp8x.is_some() && !animated && (w, h) != (width, height) {
                return Err(corrupt_webp(format!(
                    "the image is {w}x{h}, the canvas {width}x{height}"
                )));
            }
            if vp8x.is_some() {
                (width, height)
            } else {
                (w, h)
            }
        }
        None if animated && vp8x.is_some() => (width, height),
        None => return Err(corrupt_webp("no image chunk (VP8 or VP8L)")),
    };
    alpha |= alph;
    // Some writers (Pillow among them) keep JPEG's "Exif\0\0" before the TIFF header.
    let exif = exif.map(|e| e.strip_prefix(b"Exif\0\0").unwrap_or(e));
    let (orientation, has_exif) = read_orientation(exif);
    let icc = iccp
        .filter(|p| p.len() <= MAX_ICC_BYTES)
        .map(<[u8]>::to_vec);
    Ok(Header {
        format: Format::WebP,
        width,
        height,
        orientation,
        has_exif,
        channels: if alpha || animated { 4 } else { 3 },
        bytes_per_sample: 1,
        jpeg: None,
        icc,
    })
}

/// The size in a lossy bitstream's key-frame header (RFC 6386, 9.1): a 3-byte frame
/// tag, the start code 9D 01 2A, then 14-bit width and height (2 bits of scale each).
fn vp8_size(body: &[u8]) -> Result<(u32, u32, bool), Error> {
    if body.len() < 10 {
        return Err(corrupt_webp("VP8 chunk shorter than its frame header"));
    }
    if body[0] & 1 != 0 {
        return Err(corrupt_webp("the VP8 frame is not a key frame"));
    }
    if body[3..6] != [0x9D, 0x01, 0x2A] {
        return Err(corrupt_webp("no VP8 start code"));
    }
    let w = u32::from(le16(body, 6).unwrap_or(0) & 0x3FFF);
    let h = u32::from(le16(body, 8).unwrap_or(0) & 0x3FFF);
    Ok((w, h, false))
}

/// The size in a lossless bitstream's header (WebP Lossless Bitstream Specification,
/// 3.2): the signature 0x2F, then 14 bits of width − 1, 14 of height − 1, the
/// alpha-is-used bit and a 3-bit version that must be 0.
fn vp8l_size(body: &[u8]) -> Result<(u32, u32, bool), Error> {
    if body.first() != Some(&0x2F) {
        return Err(corrupt_webp("no VP8L signature"));
    }
    let bits = le32(body, 1).ok_or_else(|| corrupt_webp("VP8L chunk shorter than its header"))?;
    if bits >> 29 != 0 {
        return Err(corrupt_webp(format!("VP8L version {}", bits >> 29)));
    }
    Ok((
        (bits & 0x3FFF) + 1,
        ((bits >> 14) & 0x3FFF) + 1,
        (bits >> 28) & 1 != 0,
    ))
}

/// The key of ImageMagick's text chunk holding EXIF as hex ("Raw profile type exif").
const RAW_EXIF_KEY: &[u8] = b"Raw profile type exif";

/// The key of the text chunk holding an XMP packet (Adobe's XMP specification, part 3).
const XMP_KEY: &[u8] = b"XML:com.adobe.xmp";

/// A PNG text chunk, not yet decoded.
#[derive(Clone, Copy)]
struct TextChunk<'a> {
    kind: &'a [u8],
    body: &'a [u8],
}

impl TextChunk<'_> {
    /// The keyword: the bytes before the first zero.
    fn keyword(&self) -> Option<&[u8]> {
        split_at_nul(self.body).map(|(key, _)| key)
    }

    /// The text, inflated if the chunk says it is compressed, at most [`MAX_TEXT_BYTES`]
    /// (or `budget`) long; `None` when the chunk is malformed or the text longer.
    fn text(&self, budget: usize) -> Option<Vec<u8>> {
        let limit = MAX_TEXT_BYTES.min(budget);
        let (_, rest) = split_at_nul(self.body)?;
        let bounded = |t: &[u8]| (t.len() <= limit).then(|| t.to_vec());
        match self.kind {
            // tEXt: keyword, zero, text.
            b"tEXt" => bounded(rest),
            // zTXt: keyword, zero, compression method (0), compressed text.
            b"zTXt" => match rest.split_first()? {
                (0, compressed) => inflate(compressed, limit),
                _ => None,
            },
            // iTXt: keyword, zero, compression flag, method, language tag, zero,
            // translated keyword, zero, text.
            _ => {
                let [flag, method, rest @ ..] = rest else {
                    return None;
                };
                let (_, rest) = split_at_nul(rest)?;
                let (_, text) = split_at_nul(rest)?;
                match (flag, method) {
                    (0, _) => bounded(text),
                    (_, 0) => inflate(text, limit),
                    _ => None,
                }
            }
        }
    }
}

/// The bytes before the first zero, and those after it.
fn split_at_nul(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = memchr::memchr(0, bytes)?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

/// Inflates zlib data to at most `limit` bytes; `None` when it is damaged or longer.
fn inflate(compressed: &[u8], limit: usize) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, limit).ok()
}

/// The EXIF in ImageMagick's "Raw profile type exif" text: a line break, the profile's
/// name, its length, then hex digits over lines (as Pillow reads it: the lines from the
/// fourth on, white space ignored). `None` when the digits are not hex.
fn raw_profile_exif(text: &[u8]) -> Option<Vec<u8>> {
    let mut lines = text.split(|&b| b == b'\n');
    lines.by_ref().take(3).for_each(drop);
    let mut bytes = Vec::new();
    let mut high: Option<u8> = None;
    for &b in lines.flatten() {
        if b.is_ascii_whitespace() {
            continue;
        }
        let digit = (b as char).to_digit(16)? as u8;
        match high.take() {
            Some(h) => bytes.push(h << 4 | digit),
            None => high = Some(digit),
        }
    }
    if high.is_some() {
        return None;
    }
    // Pillow's EXIF reader takes the profile with or without its JPEG header.
    Some(match bytes.strip_prefix(b"Exif\0\0") {
        Some(tiff) => tiff.to_vec(),
        None => bytes,
    })
}

/// The value of the first `tiff:Orientation` in an XMP packet, as an attribute
/// (`tiff:Orientation="6"`) or an element (`<tiff:Orientation>6</tiff:Orientation>`): a
/// single digit, as Pillow's pattern `tiff:Orientation(="|>)([0-9])` reads it.
fn xmp_orientation(xmp: &[u8]) -> Option<u32> {
    const NAME: &[u8] = b"tiff:Orientation";
    memchr::memmem::find_iter(xmp, NAME).find_map(|at| match &xmp[at + NAME.len()..] {
        [b'=', b'"', d, ..] | [b'>', d, ..] if d.is_ascii_digit() => Some(u32::from(d - b'0')),
        _ => None,
    })
}

/// The orientation tag's value in raw EXIF (a TIFF structure); `None` when the EXIF is
/// unreadable or has no such tag.
fn orientation_tag(raw: &[u8]) -> Option<u32> {
    let exif = exif::Reader::new().read_raw(raw.to_vec()).ok()?;
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
}

/// Reads the orientation tag from raw EXIF (a TIFF structure).
fn read_orientation(exif: Option<&[u8]>) -> (Orientation, bool) {
    let Some(raw) = exif else {
        return (Orientation::Normal, false);
    };
    let orientation = orientation_tag(raw)
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::Normal);
    (orientation, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sof(width: u16, height: u16) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8];
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&width.to_be_bytes());
        v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        v.extend_from_slice(&[0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
        v
    }

    #[test]
    fn reads_jpeg_size() {
        let h = probe(&sof(4032, 3024), &Limits::default()).unwrap();
        assert_eq!((h.width, h.height), (4032, 3024));
        assert_eq!(h.orientation, Orientation::Normal);
    }

    #[test]
    fn refuses_huge_and_zero_before_decoding() {
        let huge = probe(&sof(65_500, 65_500), &Limits::default()).unwrap_err();
        assert!(matches!(huge, Error::Dimensions { .. }), "{huge:?}");
        let zero = probe(&sof(0, 100), &Limits::default()).unwrap_err();
        assert!(matches!(
            zero,
            Error::Dimensions {
                reason: "a side is zero",
                ..
            }
        ));
    }

    #[test]
    fn every_truncation_of_the_header_is_an_error() {
        let data = sof(640, 480);
        for cut in 3..data.len() - 1 {
            assert!(
                probe(&data[..cut], &Limits::default()).is_err(),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn icc_pieces_are_put_together_in_sequence_or_not_at_all() {
        let whole = |chunks: &[IccChunk]| assemble_icc(chunks);
        assert_eq!(
            whole(&[(2, 2, b"cd"), (1, 2, b"ab")]),
            Some(b"abcd".to_vec())
        );
        assert_eq!(whole(&[(1, 2, b"ab")]), None, "one missing");
        assert_eq!(whole(&[(1, 2, b"ab"), (1, 2, b"ab")]), None, "one twice");
        assert_eq!(
            whole(&[(1, 2, b"ab"), (2, 3, b"cd")]),
            None,
            "counts differ"
        );
        assert_eq!(whole(&[(0, 1, b"ab")]), None, "numbered from 0");
        assert_eq!(whole(&[(1, 0, b"ab")]), None, "count 0");
        assert_eq!(whole(&[]), None);
    }

    #[test]
    fn xmp_orientation_reads_attribute_and_element_only() {
        assert_eq!(xmp_orientation(br#"<x tiff:Orientation="6"/>"#), Some(6));
        assert_eq!(
            xmp_orientation(b"<tiff:Orientation>8</tiff:Orientation>"),
            Some(8)
        );
        // The first match of the pattern, as Pillow's `re.search` takes it.
        assert_eq!(
            xmp_orientation(br#"tiff:Orientation tiff:Orientation="3""#),
            Some(3)
        );
        assert_eq!(xmp_orientation(br#"tiff:Orientation='6'"#), None);
        assert_eq!(xmp_orientation(b"tiff:Orientation>"), None);
        assert_eq!(xmp_orientation(b""), None);
    }

    #[test]
    fn raw_profile_hex_is_read_as_pillow_reads_it() {
        assert_eq!(
            raw_profile_exif(b"\nexif\n       8\n457869660000\n4d4d\n"),
            Some(b"MM".to_vec())
        );
        assert_eq!(
            raw_profile_exif(b"\nexif\n 2\n4 d 4 d"),
            Some(b"MM".to_vec())
        );
        assert_eq!(raw_profile_exif(b"\nexif\n 2\n4d4"), None);
        assert_eq!(raw_profile_exif(b"\nexif\n 2\nxx"), None);
    }
}
