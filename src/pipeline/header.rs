//! What the header says about an image, the noun `probe` makes and the decoders and
//! `check` read; and the JPEG marker walk both `probe` and the decoder use.

use crate::pipeline::orientation::Orientation;
use crate::pipeline::sniff::Format;

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
