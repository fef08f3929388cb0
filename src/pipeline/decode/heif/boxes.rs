//! The container's boxes as the probe reads them (ISO/IEC 14496-12 boxes, ISO/IEC
//! 23008-12 items and properties): big-endian fields, the box walk, `iloc`, `ipma` and
//! the grid descriptor, each bounded by the limits below and by the data there is.

use crate::pipeline::decode::nclx;
use crate::pipeline::sniff::Format;
use crate::Error;

/// The most tiles a grid may have. An iPhone's 12 MP photo is 8 × 6 tiles of 512 × 512,
/// a 48 MP one 16 × 12; 1,024 tiles of 512² is 268 MP, past any limit's canvas anyway.
pub(super) const MAX_GRID_TILES: u32 = 1024;

/// The most boxes walked in one container (`ipco` properties, items, references): a
/// phone's HEIC has under 200 (one item and a few properties per tile).
const MAX_BOXES: usize = 16_384;

/// The most items in `iinf` and `iloc`.
pub(super) const MAX_ITEMS: u32 = 16_384;

pub(super) fn corrupt(format: Format, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        format: format.as_str(),
        reason: reason.into(),
    }
}

pub(super) fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        d.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

pub(super) fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        d.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be64(d: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        d.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// Big-endian unsigned of 0, 2, 4 or 8 bytes (the sizes `iloc` allows; 0 reads as 0).
/// A big-endian count or item id of 4 bytes (`wide`) or 2, read at `*at`, which moves
/// past it.
fn be_id(d: &[u8], at: &mut usize, wide: bool) -> Option<u32> {
    let value = if wide {
        be32(d, *at)
    } else {
        be16(d, *at).map(u32::from)
    };
    *at += if wide { 4 } else { 2 };
    value
}

fn be_n(d: &[u8], at: usize, n: u8) -> Option<u64> {
    match n {
        0 => Some(0),
        2 => be16(d, at).map(u64::from),
        4 => be32(d, at).map(u64::from),
        8 => be64(d, at),
        _ => None,
    }
}

/// One box: its type and its body.
pub(super) struct Bx<'a> {
    pub(super) kind: [u8; 4],
    pub(super) body: &'a [u8],
}

/// The boxes in `data`, each inside it (a box past the end is an error: a file cut
/// short); at most [`MAX_BOXES`].
pub(super) fn boxes(format: Format, data: &[u8]) -> Result<Vec<Bx<'_>>, Error> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        if out.len() >= MAX_BOXES {
            return Err(corrupt(format, format!("more than {MAX_BOXES} boxes")));
        }
        let size32 = be32(data, pos)
            .ok_or_else(|| corrupt(format, format!("truncated box header at byte {pos}")))?;
        let kind: [u8; 4] = data
            .get(pos + 4..pos + 8)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| corrupt(format, format!("truncated box header at byte {pos}")))?;
        let (header, size) = match size32 {
            0 => (8, (data.len() - pos) as u64),
            1 => (
                16,
                be64(data, pos + 8).ok_or_else(|| corrupt(format, "truncated 64-bit box size"))?,
            ),
            s => (8, u64::from(s)),
        };
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| pos.checked_add(s))
            .filter(|&e| e <= data.len() && e >= pos + header)
            .ok_or_else(|| {
                corrupt(
                    format,
                    format!(
                        "box {} at byte {pos} declares {size} bytes, {} are there",
                        String::from_utf8_lossy(&kind),
                        data.len() - pos
                    ),
                )
            })?;
        out.push(Bx {
            kind,
            body: &data[pos + header..end],
        });
        pos = end;
    }
    Ok(out)
}

/// The most transformative properties (`clap`, `irot`) an item may list: ISO/IEC
/// 23008-12 allows one of each (and `imir`, which keeps the size); libheif applies as
/// many as there are, in order.
const MAX_TRANSFORMS: usize = 8;

/// A property that changes an item's size, in the order `ipma` lists it: libheif
/// applies them in that order (the standard's is `clap`, then `irot`, then `imir`).
#[derive(Clone, Copy)]
pub(super) enum Transform<'a> {
    /// `irot`: anticlockwise quarter turns.
    Rotate(u8),
    /// `clap`'s body, read when the size is worked out.
    Crop(&'a [u8]),
}

/// The HEIF item properties the probe reads.
#[derive(Default, Clone)]
pub(super) struct Props<'a> {
    pub(super) ispe: Option<(u32, u32)>,
    pub(super) transforms: Vec<Transform<'a>>,
    /// Whether the item has an `imir` (a mirror, which keeps the size).
    pub(super) mirrored: bool,
    pub(super) icc: Option<&'a [u8]>,
    pub(super) nclx: Option<nclx::Nclx>,
    pub(super) bits: u8,
    pub(super) alpha_aux: bool,
}

/// An item: type, and its data's extents.
#[derive(Default, Clone)]
pub(super) struct Item {
    pub(super) kind: [u8; 4],
    pub(super) method: u8,
    pub(super) extents: Vec<(u64, u64)>,
    pub(super) base: u64,
}

/// The grid's rows, columns and canvas (ISO/IEC 23008-12, 6.6.2.3.2).
pub(super) fn read_grid(f: Format, g: &[u8]) -> Result<(u32, u32, u32, u32), Error> {
    let bad = || corrupt(f, "truncated grid descriptor");
    if g.first().copied().ok_or_else(bad)? != 0 {
        return Err(corrupt(f, "grid descriptor version is not 0"));
    }
    let flags = *g.get(1).ok_or_else(bad)?;
    let rows = u32::from(*g.get(2).ok_or_else(bad)?) + 1;
    let cols = u32::from(*g.get(3).ok_or_else(bad)?) + 1;
    let (ow, oh) = if flags & 1 == 0 {
        (
            be16(g, 4).map(u32::from).ok_or_else(bad)?,
            be16(g, 6).map(u32::from).ok_or_else(bad)?,
        )
    } else {
        (be32(g, 4).ok_or_else(bad)?, be32(g, 8).ok_or_else(bad)?)
    };
    if rows * cols > MAX_GRID_TILES {
        return Err(corrupt(
            f,
            format!("a grid of {cols}x{rows} tiles, more than {MAX_GRID_TILES}"),
        ));
    }
    Ok((rows, cols, ow, oh))
}

/// An item's data, put together from its extents, each inside the file (`iloc`
/// construction method 0) or the `idat` box (1). Only small items are copied (a grid
/// descriptor, EXIF); the extents of coded images are only checked.
pub(super) fn item_data(
    f: Format,
    data: &[u8],
    idat: &[u8],
    item: &Item,
) -> Result<Vec<u8>, Error> {
    let source = match item.method {
        0 => data,
        1 => idat,
        m => return Err(corrupt(f, format!("item construction method {m}"))),
    };
    if item.extents.is_empty() {
        return Err(corrupt(f, "an item without data"));
    }
    let mut out = Vec::new();
    for &(offset, length) in &item.extents {
        let start = item.base.checked_add(offset);
        // Length 0 means "to the end of the source" (ISO/IEC 14496-12, 8.11.3.3).
        let range = start.and_then(|s| {
            let s = usize::try_from(s).ok()?;
            let e = if length == 0 {
                source.len()
            } else {
                s.checked_add(usize::try_from(length).ok()?)?
            };
            source.get(s..e)
        });
        let bytes = range.ok_or_else(|| {
            corrupt(
                f,
                format!("an item's data ({length} bytes at {offset}) lies past the end: the file is cut short"),
            )
        })?;
        if out.len() < 1 << 20 {
            out.extend_from_slice(&bytes[..bytes.len().min(1 << 20)]);
        }
    }
    Ok(out)
}

/// `iloc` (ISO/IEC 14496-12, 8.11.3), versions 0 to 2.
pub(super) fn read_iloc(
    f: Format,
    b: &[u8],
    items: &mut std::collections::HashMap<u32, Item>,
) -> Result<(), Error> {
    let bad = || corrupt(f, "truncated iloc");
    let version = *b.first().ok_or_else(bad)?;
    if version > 2 {
        return Err(corrupt(f, format!("iloc version {version}")));
    }
    let sizes = *b.get(4).ok_or_else(bad)?;
    let sizes2 = *b.get(5).ok_or_else(bad)?;
    let (offset_size, length_size, base_size) = (sizes >> 4, sizes & 15, sizes2 >> 4);
    let index_size = if version > 0 { sizes2 & 15 } else { 0 };
    let mut at = 6;
    let count = be_id(b, &mut at, version >= 2).ok_or_else(bad)?;
    if count > MAX_ITEMS {
        return Err(corrupt(f, format!("iloc lists {count} items")));
    }
    for _ in 0..count {
        let id = be_id(b, &mut at, version >= 2).ok_or_else(bad)?;
        let method = if version > 0 {
            at += 2;
            (be16(b, at - 2).ok_or_else(bad)? & 15) as u8
        } else {
            0
        };
        at += 2; // data_reference_index
        let base = be_n(b, at, base_size).ok_or_else(bad)?;
        at += usize::from(base_size);
        let extents = be16(b, at).ok_or_else(bad)?;
        at += 2;
        let mut list = Vec::with_capacity(usize::from(extents).min(64));
        for _ in 0..extents {
            at += usize::from(index_size);
            let offset = be_n(b, at, offset_size).ok_or_else(bad)?;
            at += usize::from(offset_size);
            let length = be_n(b, at, length_size).ok_or_else(bad)?;
            at += usize::from(length_size);
            list.push((offset, length));
        }
        if let Some(item) = items.get_mut(&id) {
            item.method = method;
            item.base = base;
            item.extents = list;
        }
    }
    Ok(())
}

/// `ipma`: the properties of each item, read from `ipco`.
pub(super) fn read_ipma<'a>(
    f: Format,
    b: &[u8],
    ipco: &[Bx<'a>],
    props: &mut std::collections::HashMap<u32, Props<'a>>,
) -> Result<(), Error> {
    let bad = || corrupt(f, "truncated ipma");
    let version = *b.first().ok_or_else(bad)?;
    let wide_index = b.get(3).ok_or_else(bad)? & 1 != 0;
    let count = be32(b, 4).ok_or_else(bad)?;
    if count > MAX_ITEMS {
        return Err(corrupt(f, format!("ipma lists {count} items")));
    }
    let mut at = 8;
    for _ in 0..count {
        let id = be_id(b, &mut at, version >= 1).ok_or_else(bad)?;
        let n = *b.get(at).ok_or_else(bad)?;
        at += 1;
        let entry = props.entry(id).or_default();
        for _ in 0..n {
            let index = if wide_index {
                at += 2;
                usize::from(be16(b, at - 2).ok_or_else(bad)? & 0x7FFF)
            } else {
                at += 1;
                usize::from(b.get(at - 1).ok_or_else(bad)? & 0x7F)
            };
            // Index 0 is "no property"; the others count from 1.
            let Some(p) = index.checked_sub(1).and_then(|i| ipco.get(i)) else {
                continue;
            };
            let body = p.body;
            match &p.kind {
                b"ispe" => {
                    let (Some(w), Some(h)) = (be32(body, 4), be32(body, 8)) else {
                        return Err(corrupt(f, "truncated ispe"));
                    };
                    entry.ispe = Some((w, h));
                }
                b"irot" | b"clap" => {
                    if entry.transforms.len() >= MAX_TRANSFORMS {
                        return Err(corrupt(
                            f,
                            format!("an item with more than {MAX_TRANSFORMS} clap/irot properties"),
                        ));
                    }
                    entry.transforms.push(if &p.kind == b"irot" {
                        Transform::Rotate(body.first().map_or(0, |a| a & 3))
                    } else {
                        Transform::Crop(body)
                    });
                }
                b"imir" => entry.mirrored = true,
                b"colr" => match (body.get(..4), body.get(4..)) {
                    (Some(b"prof" | b"rICC"), Some(icc)) => entry.icc = Some(icc),
                    (Some(b"nclx"), Some(codes)) => entry.nclx = nclx::Nclx::read(codes),
                    _ => {}
                },
                b"pixi" => {
                    let channels = usize::from(*body.get(4).unwrap_or(&0));
                    let max = body.iter().skip(5).take(channels).max().copied();
                    entry.bits = entry.bits.max(max.unwrap_or(8));
                }
                b"auxC" => {
                    let urn = body.get(4..).unwrap_or_default();
                    entry.alpha_aux |= urn.starts_with(b"urn:mpeg:hevc:2015:auxid:1\0")
                        || urn.starts_with(b"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha");
                }
                _ => {}
            }
        }
    }
    Ok(())
}
