//! The PNG header: IHDR, the eXIf and iCCP chunks, and the orientation that text chunks
//! (ImageMagick's raw EXIF, XMP) carry.

use super::read::{be32, corrupt_png, orientation_tag};
use crate::pipeline::header::{Header, MAX_ICC_BYTES};
use crate::pipeline::orientation::Orientation;
use crate::pipeline::sniff::Format;
use crate::Error;

/// The longest text chunk (PNG tEXt, zTXt, iTXt) read for an orientation, in bytes after
/// inflating: Pillow's own limit for a text chunk (`ImageFile.SAFEBLOCK`, 1 MiB). EXIF is
/// at most 64 KiB (its JPEG segment), 130 KiB as ImageMagick's hex text; an XMP packet
/// rarely passes 100 KiB.
pub(super) const MAX_TEXT_BYTES: usize = 1 << 20;

/// Walks the PNG chunks: IHDR for the size; eXIf, ImageMagick's EXIF text and XMP for
/// the orientation; iCCP for the colour profile. Text and profile are inflated to at most
/// their limits, or `budget` (`Limits::max_alloc`) if it is smaller.
pub(super) fn probe_png(data: &[u8], budget: usize) -> Result<Header, Error> {
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

/// The key of ImageMagick's text chunk holding EXIF as hex ("Raw profile type exif").
pub(super) const RAW_EXIF_KEY: &[u8] = b"Raw profile type exif";

/// The key of the text chunk holding an XMP packet (Adobe's XMP specification, part 3).
pub(super) const XMP_KEY: &[u8] = b"XML:com.adobe.xmp";

/// A PNG text chunk, not yet decoded.
#[derive(Clone, Copy)]
pub(super) struct TextChunk<'a> {
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
pub(super) fn split_at_nul(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = memchr::memchr(0, bytes)?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

/// Inflates zlib data to at most `limit` bytes; `None` when it is damaged or longer.
pub(super) fn inflate(compressed: &[u8], limit: usize) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, limit).ok()
}

/// The EXIF in ImageMagick's "Raw profile type exif" text: a line break, the profile's
/// name, its length, then hex digits over lines (as Pillow reads it: the lines from the
/// fourth on, white space ignored). `None` when the digits are not hex.
pub(super) fn raw_profile_exif(text: &[u8]) -> Option<Vec<u8>> {
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
pub(super) fn xmp_orientation(xmp: &[u8]) -> Option<u32> {
    const NAME: &[u8] = b"tiff:Orientation";
    memchr::memmem::find_iter(xmp, NAME).find_map(|at| match &xmp[at + NAME.len()..] {
        [b'=', b'"', d, ..] | [b'>', d, ..] if d.is_ascii_digit() => Some(u32::from(d - b'0')),
        _ => None,
    })
}
