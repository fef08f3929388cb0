//! What every format's probe reads with: little- and big-endian fields, the errors that
//! name a damaged file, and the EXIF orientation tag.

use crate::pipeline::orientation::Orientation;
use crate::Error;

pub(super) fn corrupt_jpeg(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        format: "JPEG",
        reason: reason.into(),
    }
}

pub(super) fn corrupt_png(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        format: "PNG",
        reason: reason.into(),
    }
}

pub(super) fn corrupt_webp(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        format: "WebP",
        reason: reason.into(),
    }
}

pub(super) fn le16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

pub(super) fn le24(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at + 3)?;
    Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

pub(super) fn le32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

pub(super) fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

pub(super) fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// The orientation tag's value in raw EXIF (a TIFF structure); `None` when the EXIF is
/// unreadable or has no such tag.
pub(super) fn orientation_tag(raw: &[u8]) -> Option<u32> {
    let exif = exif::Reader::new().read_raw(raw.to_vec()).ok()?;
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
}

/// Reads the orientation tag from raw EXIF (a TIFF structure).
pub(super) fn read_orientation(exif: Option<&[u8]>) -> (Orientation, bool) {
    let Some(raw) = exif else {
        return (Orientation::Normal, false);
    };
    let orientation = orientation_tag(raw)
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::Normal);
    (orientation, true)
}
