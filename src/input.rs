//! Reading an input from a `Read` or a path within [`Limits::max_input_bytes`](crate::Limits),
//! for `prepare_reader`/`prepare_path` and `check_reader`/`check_path` alike.

use std::io::Read;
use std::path::Path;

use crate::Error;

/// The input's bytes, or the `InputTooLarge` error when it is over `limit`. At most
/// `limit + 1` bytes are read: a longer stream is refused without being held whole, its
/// `bytes` then the limit plus one (the rest is never read).
pub(crate) fn read_bounded(
    reader: impl Read,
    limit: usize,
    hint: u64,
) -> std::io::Result<Result<Vec<u8>, Error>> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    // Sized from the length the file says when it says one, never past the bound; `take`
    // bounds the read whatever the length says.
    let mut data = Vec::with_capacity(usize::try_from(hint.min(cap)).unwrap_or(0));
    reader.take(cap).read_to_end(&mut data)?;
    if data.len() > limit {
        return Ok(Err(Error::InputTooLarge {
            bytes: data.len(),
            limit,
        }));
    }
    Ok(Ok(data))
}

/// The bytes of the file at `path`, as [`read_bounded`]; a regular file longer than
/// `limit` is refused from its length, unread (`bytes` its length).
pub(crate) fn read_path_bounded(
    path: &Path,
    limit: usize,
) -> std::io::Result<Result<Vec<u8>, Error>> {
    let file = std::fs::File::open(path)?;
    // A FIFO or a device says nothing true of its length: read it as a stream.
    let length = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map_or(0, |m| m.len());
    if length > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Ok(Err(Error::InputTooLarge {
            bytes: usize::try_from(length).unwrap_or(usize::MAX),
            limit,
        }));
    }
    read_bounded(file, limit, length)
}
