//! The WebP header: the VP8X, VP8 and VP8L chunks, with EXIF and ICCP.

use super::read::{corrupt_webp, le16, le24, le32, read_orientation};
use crate::pipeline::header::{Header, MAX_ICC_BYTES};
use crate::pipeline::sniff::Format;
use crate::Error;

/// Walks the WebP container (Google's "WebP Container Specification"): the RIFF header,
/// then chunks of a FourCC, a little-endian size and a body padded to an even length.
/// The size comes from the VP8X chunk's canvas when there is one, else from the image
/// chunk's own header (VP8 key frame or VP8L); the orientation from the EXIF chunk,
/// the colour profile from ICCP. Every chunk must lie inside the RIFF size, and the RIFF
/// size inside the data: a file cut anywhere is refused here, before a pixel is
/// decoded. The walk reads each chunk's header only, so it is linear in the data.
pub(super) fn probe_webp(data: &[u8]) -> Result<Header, Error> {
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
pub(super) fn vp8_size(body: &[u8]) -> Result<(u32, u32, bool), Error> {
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
pub(super) fn vp8l_size(body: &[u8]) -> Result<(u32, u32, bool), Error> {
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
