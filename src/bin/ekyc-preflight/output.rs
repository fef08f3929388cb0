//! Writing outputs safely: what `-o` and `--base64` do with whatever is at the path, and
//! the temporary files that an interruption must not leave behind.
//!
//! The rules (README, "Where outputs go"):
//! - `-` is standard output.
//! - A new path, or a regular file (also one reached through a symbolic link), is written
//!   atomically: into a temporary file beside it, then renamed over it, so a failed or
//!   interrupted run never leaves half a file. A link stays a link: its target is
//!   replaced. The replaced file keeps its permissions.
//! - Anything else (a FIFO, a device such as `/dev/null` or `/dev/stdout`, a link whose
//!   target does not exist yet) is written straight into, never replaced.
//! - A directory is not a file to write: the caller puts a file inside it.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Whether a path is `-`: standard input or output.
pub(crate) fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Temporary files being written, and whether the process was told to stop. Both behind
/// one lock: a temporary file is created, and renamed into place, only while holding it
/// and only before an interruption, so after [`interrupt`] has cleaned up none can appear.
struct Temps {
    live: Vec<PathBuf>,
}

static TEMPS: Mutex<Temps> = Mutex::new(Temps { live: Vec::new() });
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn temps() -> MutexGuard<'static, Temps> {
    TEMPS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Marks the process interrupted and deletes every temporary file being written; no new
/// one is created afterwards (writes fail with [`io::ErrorKind::Interrupted`]).
pub(crate) fn interrupt() {
    let mut t = temps();
    INTERRUPTED.store(true, Ordering::SeqCst);
    for path in t.live.drain(..) {
        let _ = fs::remove_file(path);
    }
}

/// Whether [`interrupt`] was called.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn stopped() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "interrupted: not written")
}

/// An output written, or ready to be put in place by [`commit`].
#[derive(Debug)]
pub(crate) enum Staged {
    /// Written into already (standard output, a FIFO, a device).
    Written,
    /// A temporary file to be renamed over `target`.
    Temp { tmp: PathBuf, target: PathBuf },
}

/// Writes `bytes` for `path` by the rules of this module: straight into it, or into a
/// temporary file beside it that [`commit`] renames over it.
pub(crate) fn stage(path: &Path, bytes: &[u8]) -> io::Result<Staged> {
    if is_dash(path) {
        let mut out = io::stdout().lock();
        out.write_all(bytes).and_then(|()| out.flush())?;
        return Ok(Staged::Written);
    }
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            // Through a link: replace its target, so the link stays.
            let target = fs::canonicalize(path)?;
            write_temp(target, bytes, Some(meta.permissions()))
        }
        Ok(meta) if meta.is_dir() => Err(io::Error::other(
            "is a directory (give a file name, or several inputs to fill a directory)",
        )),
        Ok(_) => write_straight(path, bytes, false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                // A link to a path that does not exist yet: create its target.
                write_straight(path, bytes, true)
            } else {
                if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::create_dir_all(dir)?;
                }
                write_temp(path.to_path_buf(), bytes, None)
            }
        }
        Err(e) => Err(e),
    }
}

thread_local! {
    /// Whether this thread has put outputs in place that its batch has not been told of.
    static UNREPORTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Threads that have put outputs in place and not yet reported them (see [`reported`]).
static UNREPORTED_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Puts every staged output in place at once, unless the process was interrupted (then
/// none is, and the temporary files are gone). Afterwards, until this thread calls
/// [`reported`], [`unreported`] counts it.
pub(crate) fn commit(staged: Vec<Staged>) -> io::Result<()> {
    let mut t = temps();
    if interrupted() {
        // `interrupt` has deleted the temporary files already.
        return Err(stopped());
    }
    let mut result = Ok(());
    for s in staged {
        if let Staged::Temp { tmp, target } = s {
            t.live.retain(|p| p != &tmp);
            if result.is_ok() {
                result = fs::rename(&tmp, &target);
            }
            if result.is_err() {
                let _ = fs::remove_file(&tmp);
            }
        }
    }
    if !UNREPORTED.replace(true) {
        UNREPORTED_THREADS.fetch_add(1, Ordering::SeqCst);
    }
    result
}

/// Deletes staged temporary files (the work failed after staging them).
pub(crate) fn discard(staged: Vec<Staged>) {
    let mut t = temps();
    for s in staged {
        if let Staged::Temp { tmp, .. } = s
            && let Some(i) = t.live.iter().position(|p| p == &tmp)
        {
            t.live.swap_remove(i);
            let _ = fs::remove_file(&tmp);
        }
    }
}

/// Tells that this thread's outputs put in place are reported to its batch.
pub(crate) fn reported() {
    if UNREPORTED.replace(false) {
        UNREPORTED_THREADS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How many threads have put outputs in place without reporting them yet. After an
/// interruption no more can, so a batch waits for this to reach zero to report every
/// output that exists.
pub(crate) fn unreported() -> usize {
    UNREPORTED_THREADS.load(Ordering::SeqCst)
}

/// Opens and writes into the path itself: a FIFO's reader gets the data, a device stays
/// a device.
fn write_straight(path: &Path, bytes: &[u8], create: bool) -> io::Result<Staged> {
    if interrupted() {
        return Err(stopped());
    }
    let mut f = OpenOptions::new()
        .write(true)
        .create(create)
        .truncate(create)
        .open(path)?;
    f.write_all(bytes)?;
    f.flush()?;
    Ok(Staged::Written)
}

/// Writes `bytes` to a temporary file beside `target`, to be renamed over it.
fn write_temp(target: PathBuf, bytes: &[u8], mode: Option<fs::Permissions>) -> io::Result<Staged> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty());
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other("output path has no file name"))?;
    let mut tmp_name = OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = match dir {
        Some(d) => d.join(tmp_name),
        None => tmp_name.into(),
    };
    let mut f = {
        let mut t = temps();
        if interrupted() {
            return Err(stopped());
        }
        // `create_new`: never write through something planted at the temporary name.
        let f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        t.live.push(tmp.clone());
        f
    };
    let written = (|| {
        if let Some(mode) = mode {
            f.set_permissions(mode)?;
        }
        f.write_all(bytes)?;
        f.sync_all()
    })();
    let staged = Staged::Temp { tmp, target };
    match written {
        Ok(()) => Ok(staged),
        Err(e) => {
            discard(vec![staged]);
            Err(e)
        }
    }
}

/// What makes two paths the same file: device and inode (through links, hard or
/// symbolic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
    #[cfg(not(unix))]
    path_hash: u64,
}

impl FileId {
    /// The identity of the file at `path` (following links), or `None` when there is no
    /// file there (or it cannot be looked at, which writing will then report).
    pub(crate) fn of(path: &Path) -> Option<FileId> {
        if is_dash(path) {
            return None;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = fs::metadata(path).ok()?;
            Some(FileId {
                dev: m.dev(),
                ino: m.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            use std::hash::{Hash, Hasher};
            let full = fs::canonicalize(path).ok()?;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            full.hash(&mut h);
            Some(FileId {
                path_hash: h.finish(),
            })
        }
    }
}
