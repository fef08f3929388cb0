//! What the subcommands share: exit codes, reading inputs, writing outputs, spec flags.

use std::cell::Cell;
use std::io::{Read, Write};
use std::path::Path;

use ekyc_preflight::{CheckOptions, Crop, Role, Spec, Turn};

/// Exit codes, as the command-line contract spells them.
pub(crate) mod exit {
    use std::path::Path;

    /// Success.
    pub(crate) const OK: i32 = 0;
    /// The input was refused (or, for `check`, will not pass as it stands).
    pub(crate) const REFUSED: i32 = 1;
    /// Usage or I/O error.
    pub(crate) const USAGE_OR_IO: i32 = 2;

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
    /// `cw`); the others turn a landscape picture by its aspect ratio alone.
    #[arg(long, value_enum, default_value_t = TurnArg::Auto)]
    turn: TurnArg,
    /// Crop: `face` keeps a portrait window around the largest face, as tight as the
    /// size bounds allow without enlarging (the document recommends a face over 60% of
    /// the image).
    #[arg(long, value_enum, default_value_t = CropArg::None)]
    crop: CropArg,
    /// Which image of the EkycVerify call this is: `face` (a selfie) or `id` (the
    /// certificate, whose portrait is small: looked for with the small-face detector and
    /// not asked to fill the picture).
    #[arg(long, value_enum, default_value_t = RoleArg::Face)]
    role: RoleArg,
    /// Do not look for faces: no face rules (for pictures that are not of a person).
    #[arg(long)]
    no_faces: bool,
    /// JPEG quality to encode at first (1–100).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    quality: Option<u8>,
    /// Lowest quality the byte-budget search may use (1–100).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    min_quality: Option<u8>,
    /// Most JPEG bytes (default 600000).
    #[arg(long)]
    max_bytes: Option<usize>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TurnArg {
    /// By the largest face (the default).
    Auto,
    /// Clockwise.
    Cw,
    /// Counter-clockwise.
    Ccw,
    /// Never: refuse landscape pictures.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CropArg {
    /// Keep the whole picture.
    None,
    /// A portrait window around the largest face.
    Face,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RoleArg {
    /// The face image (a selfie).
    Face,
    /// The certificate image (an ID document).
    Id,
}

impl SpecArgs {
    /// `options` with the face flags applied.
    pub(crate) fn check_options(&self, options: CheckOptions) -> CheckOptions {
        CheckOptions {
            role: match self.role {
                RoleArg::Face => Role::Face,
                RoleArg::Id => Role::Id,
            },
            detect_faces: !self.no_faces,
            ..options
        }
    }

    pub(crate) fn to_spec(&self) -> Spec {
        let d = Spec::default();
        Spec {
            upscale: self.upscale,
            turn: match self.turn {
                TurnArg::Auto => Turn::Auto,
                TurnArg::Cw => Turn::Clockwise,
                TurnArg::Ccw => Turn::CounterClockwise,
                TurnArg::Off => Turn::Off,
            },
            crop: match self.crop {
                CropArg::None => Crop::None,
                CropArg::Face => Crop::Face,
            },
            quality: self.quality.unwrap_or(d.quality),
            min_quality: self.min_quality.unwrap_or(d.min_quality),
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

/// Reads an input file into this thread's input buffer and runs `f` on its bytes. Stops
/// one byte past the input limit (enough for `prepare` or `check` to refuse it) rather
/// than reading a huge file whole.
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
    let file = std::fs::File::open(path)?;
    let limit = spec.limits.max_input_bytes;
    // Sized from the file's length when it says, never past the limit; `take` bounds the
    // read whatever the length says.
    let hint = file.metadata().map_or(0, |m| m.len()).min(limit as u64 + 1);
    data.clear();
    data.reserve(hint as usize);
    file.take(limit.saturating_add(1) as u64)
        .read_to_end(data)?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it, so a failed run never
/// leaves a half-written output (or destroys an input given as the output).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("output path has no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = match dir {
        Some(d) => d.join(tmp_name),
        None => tmp_name.into(),
    };
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Expands the command line's paths: a file stands for itself, a directory for the files
/// directly inside it (sorted, hidden files skipped). An unreadable path is an I/O error
/// (exit 2).
pub(crate) fn expand_inputs(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, i32> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| exit::io(path, &e))?;
            let mut files = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| exit::io(path, &e))?;
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if !hidden && entry.path().is_file() {
                    files.push(entry.path());
                }
            }
            files.sort();
            out.extend(files);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// Prints a line on standard output. A reader that went away (`| head`) ends the process
/// quietly instead of panicking, as command-line tools do.
pub(crate) fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(exit::OK);
        }
        eprintln!("standard output: {e}");
        std::process::exit(exit::USAGE_OR_IO);
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
