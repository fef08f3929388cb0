//! Stage 1: tell the format from the bytes, never from a file name.

use crate::Error;

/// An input format the pipeline accepts.
///
/// ```
/// use ekyc_preflight::Format;
/// assert_eq!(Format::Jpeg.as_str(), "JPEG");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Format {
    /// JPEG (JFIF or EXIF).
    Jpeg,
    /// PNG.
    Png,
    /// WebP (lossy, lossless, with or without alpha): not one the API takes, so
    /// `prepare` converts it and `check` calls it fixable.
    WebP,
    /// HEIF with HEVC-coded pictures (HEIC, iPhone photos): read with the `heif`
    /// feature (the system's libheif), converted like a WebP.
    Heif,
    /// AVIF (HEIF with AV1-coded pictures): read with the `avif` feature (the system's
    /// libheif and its AV1 decoder), converted like a WebP.
    Avif,
}

impl Format {
    /// The format's usual name.
    ///
    /// ```
    /// use ekyc_preflight::Format;
    /// assert_eq!(Format::Png.as_str(), "PNG");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::WebP => "WebP",
            Format::Heif => "HEIF",
            Format::Avif => "AVIF",
        }
    }

    /// Whether EkycVerify takes this format as it is ("Image format: JPG, JPEG, or
    /// PNG."); anything else `prepare` converts to JPEG.
    ///
    /// ```
    /// use ekyc_preflight::Format;
    /// assert!(Format::Png.accepted_by_api());
    /// assert!(!Format::WebP.accepted_by_api());
    /// ```
    pub fn accepted_by_api(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png)
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Tells JPEG, PNG and WebP from the first bytes; names what it saw otherwise. The
/// start-of-image marker alone makes a JPEG: what follows it, a marker or not, is the
/// probe's to judge (a damaged JPEG is no other format).
pub(crate) fn sniff(data: &[u8]) -> Result<Format, Error> {
    if data.starts_with(&[0xFF, 0xD8]) {
        return Ok(Format::Jpeg);
    }
    if data.starts_with(PNG_SIGNATURE) {
        return Ok(Format::Png);
    }
    // A RIFF container of form type WEBP (the WebP container specification); what its
    // chunks hold is the probe's to judge.
    if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        return Ok(Format::WebP);
    }
    match heif_brand(data) {
        #[cfg(feature = "heif")]
        Some(Format::Heif) => return Ok(Format::Heif),
        #[cfg(not(feature = "heif"))]
        Some(Format::Heif) => {
            return Err(Error::UnsupportedFormat {
                found: "HEIF/HEIC (this build lacks the `heif` feature)",
            })
        }
        #[cfg(feature = "avif")]
        Some(Format::Avif) => return Ok(Format::Avif),
        #[cfg(not(feature = "avif"))]
        Some(Format::Avif) => {
            return Err(Error::UnsupportedFormat {
                found: "AVIF (this build lacks the `avif` feature)",
            })
        }
        _ => {}
    }
    Err(Error::UnsupportedFormat {
        found: name_of(data),
    })
}

/// A HEIF container's kind from its `ftyp` box's brands (ISO/IEC 23008-12, annex B;
/// AV1 Image File Format, 9): AVIF when `avif` or `avis` is among them, HEIF for the
/// HEIC and generic image brands. What the primary item is coded with is the probe's to
/// judge.
fn heif_brand(data: &[u8]) -> Option<Format> {
    if data.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = u32::from_be_bytes(data.get(..4)?.try_into().ok()?) as usize;
    let body = data.get(8..size.clamp(8, data.len().min(8 + 4 * 64)))?;
    // The major brand, the minor version (skipped), then the compatible brands.
    let brands = body
        .chunks_exact(4)
        .enumerate()
        .filter(|&(i, _)| i != 1)
        .map(|(_, b)| b);
    let mut heif = false;
    for brand in brands {
        match brand {
            b"avif" | b"avis" => return Some(Format::Avif),
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
                heif = true
            }
            _ => {}
        }
    }
    heif.then_some(Format::Heif)
}

/// A name for bytes that are not JPEG, PNG or WebP.
fn name_of(data: &[u8]) -> &'static str {
    let at = |offset: usize, magic: &[u8]| data.get(offset..offset + magic.len()) == Some(magic);
    if data.is_empty() {
        "empty input"
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        "GIF"
    } else if at(0, b"BM") {
        "BMP"
    } else if at(0, b"RIFF") {
        "RIFF (not WebP)"
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        "TIFF"
    } else if at(4, b"ftyp") && (at(8, b"avif") || at(8, b"avis")) {
        "AVIF"
    } else if at(4, b"ftyp") {
        "HEIF/HEIC"
    } else if at(0, &[0xFF, 0x0A]) || at(4, b"JXL ") {
        "JPEG XL"
    } else if data == [0xFF] {
        "truncated JPEG"
    } else if at(0, &PNG_SIGNATURE[..data.len().min(PNG_SIGNATURE.len())]) {
        "truncated PNG"
    } else if at(0, b"%PDF") {
        "PDF"
    } else if at(0, &[0, 0, 1, 0]) {
        "ICO"
    } else if data
        .iter()
        .take(512)
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "text"
    } else {
        "unknown"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_it_saw() {
        let found = |d: &[u8]| match sniff(d) {
            Err(Error::UnsupportedFormat { found }) => found,
            other => panic!("{other:?}"),
        };
        assert_eq!(found(b""), "empty input");
        assert_eq!(found(b"GIF89a\x01\x00"), "GIF");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), Format::WebP);
        assert_eq!(found(b"RIFF\0\0\0\0WAVEfmt "), "RIFF (not WebP)");
        assert_eq!(found(b"RIFF\0\0\0\0WEB"), "RIFF (not WebP)");
        if cfg!(feature = "heif") {
            assert_eq!(sniff(b"\0\0\0\x10ftypheic\0\0\0\0").unwrap(), Format::Heif);
        } else {
            assert_eq!(
                found(b"\0\0\0\x10ftypheic\0\0\0\0"),
                "HEIF/HEIC (this build lacks the `heif` feature)"
            );
        }
        assert_eq!(found(b"\0\0\0\x10ftypqt  \0\0\0\0"), "HEIF/HEIC");
        assert_eq!(found(b"II*\0"), "TIFF");
        assert_eq!(found(b"hello, world"), "text");
        assert_eq!(found(b"\xFF"), "truncated JPEG");
        assert_eq!(sniff(b"\xFF\xD8").unwrap(), Format::Jpeg);
        assert_eq!(sniff(b"\xFF\xD8\0\0\0").unwrap(), Format::Jpeg);
        assert_eq!(found(b"\x89PN"), "truncated PNG");
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0").unwrap(), Format::Jpeg);
        assert_eq!(sniff(PNG_SIGNATURE).unwrap(), Format::Png);
    }
}
