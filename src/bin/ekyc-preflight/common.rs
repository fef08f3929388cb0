//! What the subcommands share: exit codes, reading inputs, writing outputs, spec flags.

use std::cell::Cell;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use ekyc_preflight::{CheckOptions, Crop, Role, Spec, Turn};

use crate::names::Names;

/// Exit codes, as the command-line contract spells them.
pub(crate) mod exit {
    use std::path::Path;

    /// Success.
    pub(crate) const OK: i32 = 0;
    /// The input was refused (or, for `check`, will not pass as it stands).
    pub(crate) const REFUSED: i32 = 1;
    /// Usage or I/O error.
    pub(crate) const USAGE_OR_IO: i32 = 2;

    /// Stopped by signal `sig` (SIGINT, SIGTERM): 128 + the signal's number, as shells
    /// report it (130 for Ctrl-C, 143 for SIGTERM).
    pub(crate) fn signal(sig: i32) -> i32 {
        128 + sig
    }

    /// Prints an I/O error; returns exit code 2.
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> i32 {
        eprintln!("{}: {e}", path.display());
        USAGE_OR_IO
    }
}

/// Flags that change the [`Spec`].
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SpecArgs {
    /// Scale pictures below the minimum up to it instead of refusing them.
    #[arg(long)]
    upscale: bool,
    /// How to turn the picture: `auto` turns the largest face upright (an upright face in
    /// a landscape picture is cropped to a portrait window around it; with no face, as
    /// `cw`); `clockwise` (`cw`) and `counter_clockwise` (`ccw`) turn a landscape picture
    /// by its aspect ratio alone; `off` refuses landscape pictures.
    #[arg(long, value_parser = Names::<Turn>::new(), default_value_t = Turn::Auto)]
    turn: Turn,
    /// Crop: `face` keeps a portrait window around the largest face, as tight as the
    /// size bounds allow without enlarging (the document recommends a face over 60% of
    /// the image).
    #[arg(long, value_parser = Names::<Crop>::new(), default_value_t = Crop::None)]
    crop: Crop,
    /// Which image of the EkycVerify call this is: `face` (a selfie) or `id` (the
    /// certificate, whose portrait is small: looked for with the small-face detector and
    /// not asked to fill the picture).
    #[arg(long, value_parser = Names::<Role>::new(), default_value_t = Role::Face)]
    role: Role,
    /// Do not look for faces: no face rules (for pictures that are not of a person).
    #[arg(long)]
    no_faces: bool,
    /// Most JPEG bytes: a number, or with a unit: `600kb` (= 600000), `0.6mb`, `586kib`
    /// (default 600000, the document's 0.6 MB).
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    max_bytes: Option<usize>,
}

/// Flags of the JPEG encoding (for `prepare` only: `check` encodes nothing).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct EncodeArgs {
    /// JPEG quality to encode at first (1–100; default 90).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    quality: Option<u8>,
    /// Lowest quality the byte-budget search may use (1–100; default 70).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    min_quality: Option<u8>,
    /// Encode an output above the advised 100 KB again with trellis quantisation (same
    /// quality and tables) and keep the smaller when `check` judges it alike: about 10%
    /// fewer bytes, some four plain encodings' time for such outputs (the default; the
    /// flag is kept for scripts that name it).
    #[arg(long, conflicts_with = "no_trellis")]
    trellis: bool,
    /// Keep the plain encoding even when it is above the advised 100 KB (no trellis
    /// quantisation).
    #[arg(long)]
    no_trellis: bool,
}

impl EncodeArgs {
    /// `spec` with the encoding flags applied.
    pub(crate) fn apply(&self, spec: Spec) -> Spec {
        Spec {
            quality: self.quality.unwrap_or(spec.quality),
            min_quality: self.min_quality.unwrap_or(spec.min_quality),
            trellis: (spec.trellis || self.trellis) && !self.no_trellis,
            ..spec
        }
    }
}

/// Parses a byte count: digits (a decimal point allowed) and an optional unit, `b`,
/// `k`/`kb` (1000), `m`/`mb` (1,000,000), `kib` (1024), `mib` (1,048,576), any case.
pub(crate) fn parse_bytes(text: &str) -> Result<usize, String> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "m" | "mb" => 1_000_000,
        "kib" => 1024,
        "mib" => 1 << 20,
        other => return Err(format!("unknown unit `{other}`: use b, kb, mb, kib or mib")),
    };
    // Whole and fractional parts apart, in integers: no float rounding.
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && frac.is_empty() {
        return Err("expected a number of bytes, such as 600000 or 600kb".into());
    }
    let too_big = || "too many bytes".to_string();
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_big())?
    };
    let mut bytes = whole.checked_mul(scale).ok_or_else(too_big)?;
    let mut unit_part = scale;
    for digit in frac.chars() {
        let d = digit
            .to_digit(10)
            .ok_or_else(|| "expected one decimal point".to_string())?;
        unit_part /= 10;
        bytes = bytes
            .checked_add(u64::from(d) * unit_part)
            .ok_or_else(too_big)?;
    }
    usize::try_from(bytes).map_err(|_| too_big())
}

impl SpecArgs {
    /// `options` with the face flags applied.
    pub(crate) fn check_options(&self, options: CheckOptions) -> CheckOptions {
        CheckOptions {
            role: self.role,
            detect_faces: !self.no_faces,
            ..options
        }
    }

    pub(crate) fn to_spec(&self) -> Spec {
        let d = Spec::default();
        Spec {
            upscale: self.upscale,
            turn: self.turn,
            crop: self.crop,
            max_bytes: self.max_bytes.unwrap_or(d.max_bytes),
            ..d
        }
    }
}

thread_local! {
    /// Each thread's input buffer, its memory reused from one file to the next (at most
    /// the input limit, as one file could need).
    static INPUT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Reads an input file (`-`: standard input) into this thread's input buffer and runs
/// `f` on its bytes. Stops one byte past the input limit (enough for `prepare` or `check`
/// to refuse it) rather than reading a huge file whole.
pub(crate) fn with_input<R>(
    path: &Path,
    spec: &Spec,
    f: impl FnOnce(&[u8]) -> R,
) -> std::io::Result<R> {
    let mut data = INPUT.take();
    let result = read_input_into(path, spec, &mut data).map(|()| f(&data));
    INPUT.set(data);
    result
}

/// Reads an input file into `data` (cleared first, its memory reused).
fn read_input_into(path: &Path, spec: &Spec, data: &mut Vec<u8>) -> std::io::Result<()> {
    let limit = spec.limits.max_input_bytes;
    data.clear();
    if crate::output::is_dash(path) {
        std::io::stdin()
            .lock()
            .take(limit.saturating_add(1) as u64)
            .read_to_end(data)?;
        return Ok(());
    }
    let file = std::fs::File::open(path)?;
    // Sized from the file's length when it says, never past the limit; `take` bounds the
    // read whatever the length says.
    let hint = file.metadata().map_or(0, |m| m.len()).min(limit as u64 + 1);
    data.reserve(hint as usize);
    file.take(limit.saturating_add(1) as u64)
        .read_to_end(data)?;
    Ok(())
}

/// One input of a command: its path, and where it sits under the directory it was found
/// in (its name alone when given by itself), which names its outputs.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub(crate) path: PathBuf,
    pub(crate) relative: PathBuf,
}

/// Expands the command line's paths: a file (or `-`, standard input) stands for itself, a
/// directory for the files inside it, sorted, hidden ones skipped. Subdirectories are
/// entered with `recursive` (not through symbolic links, which could loop), else named on
/// standard error as skipped. An unreadable path is an I/O error (exit 2).
pub(crate) fn expand_inputs(paths: &[PathBuf], recursive: bool) -> Result<Vec<Input>, i32> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, Path::new(""), recursive, &mut out)?;
        } else {
            out.push(Input {
                path: path.clone(),
                relative: path
                    .file_name()
                    .map_or_else(|| "stdin".into(), PathBuf::from),
            });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, relative: &Path, recursive: bool, out: &mut Vec<Input>) -> Result<(), i32> {
    let path = dir.join(relative);
    let entries = std::fs::read_dir(&path).map_err(|e| exit::io(&path, &e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| exit::io(&path, &e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            names.push(entry.file_name());
        }
    }
    names.sort();
    for name in names {
        let rel = relative.join(&name);
        let full = dir.join(&rel);
        let is_link = std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink());
        if full.is_dir() {
            if recursive && !is_link {
                walk(dir, &rel, recursive, out)?;
            } else if recursive {
                eprintln!("{}: a link to a folder, skipped", full.display());
            } else {
                eprintln!(
                    "{}: a folder, skipped (-r goes into subfolders)",
                    full.display()
                );
            }
        } else if full.is_file() {
            out.push(Input {
                path: full,
                relative: rel,
            });
        }
    }
    Ok(())
}

/// The progress bar every command draws on a terminal for a batch (at least
/// [`PROGRESS_MIN_FILES`] inputs, and not with `--quiet`).
pub(crate) fn progress(files: usize, verb: &str, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || files < PROGRESS_MIN_FILES || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(files as u64);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {verb}, {{eta}} left");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Below this many files no progress bar is drawn: the answer comes quicker than a bar.
pub(crate) const PROGRESS_MIN_FILES: usize = 8;

/// Flags every command's batch shares.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BatchArgs {
    /// Go into the subfolders of a folder given (outputs mirror them); without it they
    /// are skipped, each named on standard error.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Files worked on at once. Default: one per core.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    /// No progress bar, no line per file and no summary: only errors (on standard error),
    /// the JSON with `--json`, and the exit code.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// Prints a line on standard output. A reader that went away (`| head`) ends the process
/// quietly instead of panicking, as command-line tools do.
pub(crate) fn say(line: &str) {
    put(&format!("{line}\n"));
}

/// Prints `text` on standard output and flushes it, as [`say`].
pub(crate) fn put(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // Ending mid-batch: no temporary file may be left behind.
        crate::output::interrupt();
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(exit::OK);
        }
        eprintln!("standard output: {e}");
        std::process::exit(exit::USAGE_OR_IO);
    }
}

/// A JSON array printed one element per line as the elements come, so that what is on
/// standard output at any moment is every element done so far (and, once
/// [`close`](Self::close)d, a whole JSON document).
#[derive(Debug, Default)]
pub(crate) struct JsonArray {
    written: usize,
}

impl JsonArray {
    /// Prints one element (compact, fields in declared order).
    pub(crate) fn push(&mut self, value: &impl serde::Serialize) {
        let text = serde_json::to_string(value).unwrap_or_else(|e| {
            serde_json::json!({ "error": format!("cannot write this entry as JSON: {e}") })
                .to_string()
        });
        let lead = if self.written == 0 { "[\n" } else { ",\n" };
        put(&format!("{lead}{text}"));
        self.written += 1;
    }

    /// Ends the array.
    pub(crate) fn close(self) {
        put(if self.written == 0 { "[]\n" } else { "\n]\n" });
    }
}

/// How every command reports an input `prepare` refused: the file, the rule it breaks,
/// the API error it would have cost, and what was wrong.
pub(crate) fn refusal(path: &Path, e: &ekyc_preflight::Error) -> String {
    format!(
        "{}: refused ({}, EkycVerify would answer {}): {e}",
        path.display(),
        e.rule(),
        e.api_code()
    )
}
