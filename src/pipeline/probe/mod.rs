//! Stage 2: read the header (dimensions, components, EXIF orientation, quantisation
//! tables) without decoding a pixel, and enforce the limits before anything is allocated.

use crate::pipeline::header::Header;
use crate::pipeline::sniff::{sniff, Format};
use crate::{Error, Limits};

mod jpeg;
mod png;
mod read;
mod webp;

#[cfg(test)]
mod tests;

use jpeg::probe_jpeg;
use png::probe_png;
use read::corrupt_jpeg;
use webp::probe_webp;

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
        format @ (Format::Heif | Format::Avif) => {
            let (header, (width, height)) =
                crate::pipeline::decode::heif::probe_heif(data, format)?;
            // libheif decodes the whole canvas before `clap` crops it: the limits hold
            // for it too (a small aperture in a huge canvas is no smaller a decode).
            check_limits(
                &Header {
                    width,
                    height,
                    icc: None,
                    ..header.clone()
                },
                limits,
            )?;
            header
        }
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
        }) && crate::pipeline::decode::scan_is_whole(data, &header);
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
