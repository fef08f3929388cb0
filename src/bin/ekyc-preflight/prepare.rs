//! `ekyc-preflight prepare`: turn a photo into an image EkycVerify accepts.

use std::path::{Path, PathBuf};

use ekyc_preflight::{Error, PrepareReport, Preprocessor, Spec};

use crate::common::{exit, read_input, write_atomically, SpecArgs};

/// Arguments of `ekyc-preflight prepare`.
#[derive(Debug, clap::Args)]
pub(crate) struct PrepareArgs {
    /// The photo (JPEG or PNG; the format is read from the bytes).
    input: PathBuf,
    /// Where to write the JPEG.
    #[arg(short, long)]
    output: PathBuf,
    /// Also write the Base64 text of the JPEG to this file.
    #[arg(long, value_name = "OUTPUT.b64")]
    base64: Option<PathBuf>,
    /// Print the report as JSON instead of a one-line summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    spec: SpecArgs,
}

/// Runs the subcommand; returns the process exit code.
pub(crate) fn run(args: PrepareArgs) -> i32 {
    let spec: Spec = args.spec.to_spec();
    let data = match read_input(&args.input, &spec) {
        Ok(data) => data,
        Err(code) => return code,
    };
    let mut pre = Preprocessor::new(spec).with_base64(args.base64.is_some());
    let prepared = match pre.prepare(&data) {
        Ok(p) => p,
        Err(e) => return refused(&args.input, &e),
    };
    if let Err(e) = write_atomically(&args.output, prepared.jpeg()) {
        return exit::io(&args.output, &e);
    }
    if let (Some(path), Some(text)) = (&args.base64, prepared.base64()) {
        if let Err(e) = write_atomically(path, text.as_bytes()) {
            return exit::io(path, &e);
        }
    }
    let report = prepared.report();
    if args.json {
        println!("{}", json(&args.input, &args.output, report));
    } else {
        println!("{}", summary(&args.input, &args.output, report));
    }
    exit::OK
}

/// Prints why an input was refused; returns exit code 1.
pub(crate) fn refused(input: &Path, e: &Error) -> i32 {
    eprintln!(
        "{}: refused ({}, EkycVerify would answer {}): {e}",
        input.display(),
        e.rule(),
        e.api_code()
    );
    exit::REFUSED
}

fn summary(input: &Path, output: &Path, r: &PrepareReport) -> String {
    let turned = match r.turned {
        Some(t) => format!(", turned {t:?}"),
        None => String::new(),
    };
    format!(
        "{} → {}: {} {} (EXIF orientation {}{turned}) → JPEG {} q{} {} bytes (Base64 {})",
        input.display(),
        output.display(),
        r.source_format.as_str(),
        r.source_size,
        r.orientation.exif_value(),
        r.resized_to,
        r.quality,
        r.bytes,
        r.base64_bytes,
    )
}

fn json(input: &Path, output: &Path, r: &PrepareReport) -> String {
    let mut value = serde_json::to_value(r).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("input".into(), input.display().to_string().into());
        map.insert("output".into(), output.display().to_string().into());
    }
    value.to_string()
}
