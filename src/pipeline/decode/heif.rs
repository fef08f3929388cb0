//! HEIF containers: HEIC (HEVC, iPhone photos) and AVIF (AV1). The container is read
//! here in pure Rust, with limits, before anything is handed to a decoder (ISO/IEC
//! 14496-12 boxes, ISO/IEC 23008-12 items and properties); the pixels come from the
//! system's libheif (features `heif` and `avif`), which applies the `irot`/`imir`/`clap`
//! transforms and assembles grids.
//!
//! What the probe refuses, each with a typed error before a decoder sees a byte: a box
//! or item extent past the data (a file cut short), a primary item that is not a coded
//! image or a grid of them (a grid of grids is refused: "deep"), a grid of more than
//! [`boxes::MAX_GRID_TILES`] tiles or whose tiles do not cover its canvas or overshoot it by a
//! whole tile, tiles of different sizes or with transforms of their own (`clap`, `irot`,
//! `imir` on a tile rather than the grid), and a canvas past [`Limits`] (checked by the
//! caller from the size returned, turned by `irot`).
//!
//! The clean aperture (`clap`, a crop) is honoured: libheif crops with it, and the probe
//! works out the cropped size exactly as libheif 1.15 rounds it (`aperture.rs`),
//! refusing apertures that are empty, larger than the picture, reach outside it or
//! overflow libheif's 32-bit fractions; the limits hold for the canvas before the crop
//! as well as for the picture after it.
//!
//! Orientation: HEIF carries it in the `irot` and `imir` properties, which libheif (and
//! every HEIF reader: Apple's, `heif-convert`, libvips) applies; an EXIF orientation tag
//! inside is informative only (ISO/IEC 23008-12, 6.5.10: a reader ignores it), so the
//! header reports the picture as displayed, upright, with [`Orientation::Normal`].
//! Colour: the `colr` property's ICC profile (`prof`, `rICC`) goes to the colour stage
//! like a JPEG's; an `nclx` one's codes become a profile for it (`nclx.rs`), unless they
//! are sRGB's.
//!
//! Reduced-size decoding: neither HEVC nor AV1 decodes at a fraction of its size (no
//! DCT-domain scaling as in JPEG), so a HEIF is decoded whole and resized.

use crate::pipeline::header::{Header, MAX_ICC_BYTES};
use crate::pipeline::orientation::Orientation;
use crate::pipeline::sniff::Format;
use crate::Error;

mod boxes;

use boxes::{
    be16, be32, boxes, corrupt, item_data, read_grid, read_iloc, read_ipma, Item, Props, Transform,
    MAX_ITEMS,
};

/// Reads the container and returns the header of its primary image, as displayed (its
/// `clap` and `irot` applied to the size, in the order the file lists them), and the
/// size of the canvas libheif decodes before it crops (the limits hold for both).
/// `format` is the sniffed one; the primary item's coding (`hvc1` or `av01`) decides
/// the one returned.
pub(crate) fn probe_heif(data: &[u8], sniffed: Format) -> Result<(Header, (u32, u32)), Error> {
    let f = sniffed;
    let top = boxes(f, data)?;
    let meta = top
        .iter()
        .find(|b| &b.kind == b"meta")
        .ok_or_else(|| corrupt(f, "no meta box"))?;
    let meta_children = boxes(f, meta.body.get(4..).unwrap_or_default())?;
    let child = |k: &[u8; 4]| meta_children.iter().find(|b| &b.kind == k);

    match child(b"hdlr").and_then(|h| h.body.get(8..12)) {
        Some(b"pict") => {}
        _ => return Err(corrupt(f, "no picture handler (hdlr pict)")),
    }
    let pitm = child(b"pitm").ok_or_else(|| corrupt(f, "no primary item (pitm)"))?;
    let primary = if pitm.body.first() == Some(&0) {
        be16(pitm.body, 4).map(u32::from)
    } else {
        be32(pitm.body, 4)
    }
    .ok_or_else(|| corrupt(f, "truncated pitm"))?;

    let mut items: std::collections::HashMap<u32, Item> = Default::default();
    // iinf: the item types.
    let iinf = child(b"iinf").ok_or_else(|| corrupt(f, "no item information (iinf)"))?;
    let skip = if iinf.body.first() == Some(&0) { 6 } else { 8 };
    for infe in boxes(f, iinf.body.get(skip..).unwrap_or_default())? {
        if &infe.kind != b"infe" {
            continue;
        }
        let b = infe.body;
        let (id, kind_at) = match b.first() {
            Some(2) => (be16(b, 4).map(u32::from), 8),
            Some(3) => (be32(b, 4), 10),
            _ => continue,
        };
        let (Some(id), Some(kind)) = (id, b.get(kind_at..kind_at + 4)) else {
            return Err(corrupt(f, "truncated infe"));
        };
        let entry = items.entry(id).or_default();
        entry.kind.copy_from_slice(kind);
    }
    if items.len() as u32 > MAX_ITEMS {
        return Err(corrupt(f, format!("more than {MAX_ITEMS} items")));
    }

    // iloc: where each item's data is.
    let iloc = child(b"iloc").ok_or_else(|| corrupt(f, "no item locations (iloc)"))?;
    read_iloc(f, iloc.body, &mut items)?;
    let idat = child(b"idat").map(|b| b.body).unwrap_or_default();

    // iprp: properties and their associations.
    let mut props: std::collections::HashMap<u32, Props> = Default::default();
    if let Some(iprp) = child(b"iprp") {
        let parts = boxes(f, iprp.body)?;
        let ipco = parts
            .iter()
            .find(|b| &b.kind == b"ipco")
            .map(|b| boxes(f, b.body))
            .transpose()?
            .unwrap_or_default();
        for ipma in parts.iter().filter(|b| &b.kind == b"ipma") {
            read_ipma(f, ipma.body, &ipco, &mut props)?;
        }
    }

    // iref: grid tiles (dimg), metadata (cdsc), alpha (auxl).
    let mut dimg: Vec<u32> = Vec::new();
    let mut exif_item = None;
    let mut alpha_items: Vec<u32> = Vec::new();
    if let Some(iref) = child(b"iref") {
        let wide = iref.body.first().is_some_and(|&v| v != 0);
        for r in boxes(f, iref.body.get(4..).unwrap_or_default())? {
            let b = r.body;
            let read = |at: usize| {
                if wide {
                    be32(b, at)
                } else {
                    be16(b, at).map(u32::from)
                }
            };
            let w = if wide { 4 } else { 2 };
            let (Some(from), Some(count)) = (read(0), be16(b, w)) else {
                return Err(corrupt(f, "truncated iref"));
            };
            let to: Vec<u32> = (0..usize::from(count))
                .map(|i| read(w + 2 + i * w))
                .collect::<Option<_>>()
                .ok_or_else(|| corrupt(f, "truncated iref"))?;
            match &r.kind {
                b"dimg" if from == primary => dimg = to,
                b"cdsc"
                    if to.contains(&primary)
                        && items.get(&from).is_some_and(|i| &i.kind == b"Exif") =>
                {
                    exif_item = Some(from);
                }
                b"auxl"
                    if to.contains(&primary) && props.get(&from).is_some_and(|p| p.alpha_aux) =>
                {
                    alpha_items.push(from);
                }
                _ => {}
            }
        }
    }

    let item = items
        .get(&primary)
        .ok_or_else(|| corrupt(f, format!("the primary item {primary} is not in iinf")))?;
    let p = props.get(&primary).cloned().unwrap_or_default();
    let (mut width, mut height) = p
        .ispe
        .ok_or_else(|| corrupt(f, "the primary item has no size (ispe)"))?;
    let mut bits = p.bits;
    // An alpha plane of another size than the picture's is left out, as libheif 1.15
    // leaves it out (it decodes the picture without alpha).
    let alpha = alpha_items
        .iter()
        .any(|id| props.get(id).and_then(|a| a.ispe) == p.ispe);
    let coding = match &item.kind {
        b"hvc1" | b"av01" => {
            item_data(f, data, idat, item)?;
            item.kind
        }
        b"grid" => {
            let grid = item_data(f, data, idat, item)?;
            let (rows, cols, ow, oh) = read_grid(f, &grid)?;
            if (ow, oh) != (width, height) {
                return Err(corrupt(
                    f,
                    format!("the grid declares {ow}x{oh}, its ispe {width}x{height}"),
                ));
            }
            if dimg.len() as u64 != u64::from(rows) * u64::from(cols) {
                return Err(corrupt(
                    f,
                    format!("a {rows}x{cols} grid with {} tiles", dimg.len()),
                ));
            }
            let mut tile: Option<(u32, u32, [u8; 4])> = None;
            for id in &dimg {
                let t = items
                    .get(id)
                    .ok_or_else(|| corrupt(f, format!("grid tile {id} is not in iinf")))?;
                if &t.kind != b"hvc1" && &t.kind != b"av01" {
                    return Err(corrupt(
                        f,
                        format!(
                            "a grid tile is {}: grids of grids (deep grids) and other tiles are refused",
                            String::from_utf8_lossy(&t.kind)
                        ),
                    ));
                }
                let tp = props.get(id).cloned().unwrap_or_default();
                // Transforms belong to the grid item, where every encoder puts them. A
                // tile's own (libheif 1.15 applies them tile by tile: a cropped tile is
                // pasted at the next tile's place and leaves the canvas's edge unwritten,
                // a turned one turns inside its square) would make a picture no two
                // readers agree on, so it is refused.
                if !tp.transforms.is_empty() || tp.mirrored {
                    return Err(corrupt(
                        f,
                        format!("grid tile {id} has its own clap, irot or imir: only the grid may transform"),
                    ));
                }
                let (tw, th) = tp
                    .ispe
                    .ok_or_else(|| corrupt(f, format!("grid tile {id} has no size")))?;
                bits = bits.max(tp.bits);
                match tile {
                    None => tile = Some((tw, th, t.kind)),
                    Some(s) if s == (tw, th, t.kind) => {}
                    Some(_) => return Err(corrupt(f, "grid tiles of different sizes or codings")),
                }
                item_data(f, data, idat, t)?;
            }
            let (tw, th, kind) = tile.ok_or_else(|| corrupt(f, "a grid without tiles"))?;
            let covers = |n: u32, t: u32, out: u32| {
                let span = u64::from(n) * u64::from(t);
                span >= u64::from(out) && span < u64::from(out) + u64::from(t)
            };
            if tw == 0 || th == 0 || !covers(cols, tw, ow) || !covers(rows, th, oh) {
                return Err(corrupt(
                    f,
                    format!("{cols}x{rows} tiles of {tw}x{th} do not fit a {ow}x{oh} canvas"),
                ));
            }
            kind
        }
        other => {
            return Err(corrupt(
                f,
                format!(
                    "the primary item is {}, not a coded image (hvc1, av01) or a grid of them",
                    String::from_utf8_lossy(other)
                ),
            ))
        }
    };
    let format = if &coding == b"av01" {
        Format::Avif
    } else {
        Format::Heif
    };
    if format == Format::Avif && !cfg!(feature = "avif") {
        return Err(Error::UnsupportedFormat {
            found: "AVIF (this build lacks the `avif` feature)",
        });
    }
    if format == Format::Heif && !cfg!(feature = "heif") {
        return Err(Error::UnsupportedFormat {
            found: "HEIF/HEIC (this build lacks the `heif` feature)",
        });
    }
    let canvas = (width, height);
    for t in &p.transforms {
        match *t {
            Transform::Rotate(quarters) => {
                if quarters % 2 == 1 {
                    std::mem::swap(&mut width, &mut height);
                }
            }
            Transform::Crop(body) => {
                (width, height) = super::aperture::Clap::read(body)
                    .and_then(|clap| clap.crop(width, height))
                    .map_err(|reason| corrupt(f, reason))?;
            }
        }
    }
    // A profile the file carries comes first; else the `nclx` codes' (PQ and HLG refused).
    let icc = match p.icc.filter(|icc| icc.len() <= MAX_ICC_BYTES) {
        Some(icc) => Some(icc.to_vec()),
        None => match p.nclx {
            Some(nclx) => nclx.profile(format)?,
            None => None,
        },
    };
    let exif = match exif_item.and_then(|id| items.get(&id)) {
        Some(e) => item_data(f, data, idat, e).ok(),
        None => None,
    };
    let header = Header {
        format,
        width,
        height,
        orientation: Orientation::Normal,
        has_exif: exif.is_some(),
        channels: if alpha { 4 } else { 3 },
        bytes_per_sample: if bits > 8 { 2 } else { 1 },
        jpeg: None,
        icc,
    };
    Ok((header, canvas))
}

/// libheif's `max_decoding_threads` for grid tiles: 0, decoded in the calling thread
/// (see [`decode_heif`] for why not libheif's parallel default).
#[cfg(any(feature = "heif", feature = "avif"))]
const SEQUENTIAL_TILE_DECODING: u32 = 0;

/// Decodes the primary image through libheif to 8-bit RGB, alpha composited on white,
/// the `irot`/`imir`/`clap` transforms applied (the header's size is the displayed
/// one). The probe has checked the container and the canvas against the limits.
#[cfg(any(feature = "heif", feature = "avif"))]
pub(crate) fn decode_heif(data: &[u8], header: &Header) -> Result<super::Image8, Error> {
    use libheif_rs::{ColorSpace, HeifContext, LibHeif, RgbChroma};
    let f = header.format;
    let lib = LibHeif::new();
    let mut ctx = HeifContext::read_from_bytes(data).map_err(|e| corrupt(f, e.to_string()))?;
    // Grid tiles decoded one after the other, in this thread: libheif 1.15 decoding a
    // HEVC grid's tiles in parallel threads (its default) returns different pixels from
    // one call to the next on the same file (the `check` fuzz target's fresh-against-
    // reused comparison found it on `fuzz/seeds/heif/grid-irot3-exif6.heic`; a C
    // program calling libheif directly shows it too, and `heif-convert`), that is
    // memory the tiles did not write; sequential decoding gives the same picture
    // every time.
    ctx.set_max_decoding_threads(SEQUENTIAL_TILE_DECODING);
    let handle = ctx
        .primary_image_handle()
        .map_err(|e| corrupt(f, e.to_string()))?;
    let alpha = handle.has_alpha_channel();
    let chroma = if alpha {
        RgbChroma::Rgba
    } else {
        RgbChroma::Rgb
    };
    // libheif's default decoding options: transforms applied, and 8-bit interleaved RGB
    // asked for, so 10-bit pictures come down to 8 bits. No options are passed:
    // libheif-rs 0.20 frees a `DecodingOptions` before libheif reads it (its `decode`
    // takes the pointer out and drops the wrapper), which reads freed memory.
    let image = lib
        .decode(&handle, ColorSpace::Rgb(chroma), None)
        .map_err(|e| corrupt(f, e.to_string()))?;
    let (width, height) = (image.width(), image.height());
    if (width, height) != (header.width, header.height) {
        return Err(corrupt(
            f,
            format!(
                "decoded {width}x{height}, the header says {}x{}",
                header.width, header.height
            ),
        ));
    }
    let planes = image.planes();
    let plane = planes
        .interleaved
        .ok_or_else(|| corrupt(f, "libheif returned no interleaved plane"))?;
    let channels = if alpha { 4 } else { 3 };
    let row = width as usize * channels;
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height as usize {
        let line = plane
            .data
            .get(y * plane.stride..y * plane.stride + row)
            .ok_or_else(|| corrupt(f, "libheif's plane is shorter than its size"))?;
        if alpha {
            for px in line.chunks_exact(4) {
                let a = u32::from(px[3]);
                for &c in &px[..3] {
                    // Over white: c·a + 255·(1 − a), rounded.
                    pixels.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
                }
            }
        } else {
            pixels.extend_from_slice(line);
        }
    }
    Ok(super::Image8 {
        pixels,
        width,
        height,
    })
}
