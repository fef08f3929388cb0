//! `ekyc-preflight check`: say, before the call, whether EkycVerify will accept each
//! image as it stands, and why not.

use std::io::IsTerminal;
use std::path::PathBuf;

use ekyc_preflight::{CheckOptions, Checker, Report, Transport, Verdict};

use crate::common::{exit, expand_inputs, say, with_input, SpecArgs};

/// Below this many files no progress bar is drawn: the answer comes quicker than a bar.
const PROGRESS_MIN_FILES: usize = 8;

/// Arguments of `ekyc-preflight check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Photos to check, or directories of them (the files directly inside, sorted by
    /// name; hidden files skipped).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print a JSON array of reports, each with its `file`, instead of a line per file.
    #[arg(long)]
    json: bool,
    /// How the image will be sent, which sets the size limits.
    #[arg(long, value_enum, default_value_t = TransportArg::Base64)]
    transport: TransportArg,
    /// Only read the header: no decoding, so no blur, exposure or contrast findings.
    #[arg(long)]
    no_analysis: bool,
    #[command(flatten)]
    spec: SpecArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TransportArg {
    /// As Base64 text in the form body: file ≤ 0.6 MB, Base64 and form field ≤ 1 MB.
    Base64,
    /// By URL: file ≤ 1 MB.
    Url,
}

/// One entry of the JSON array.
#[derive(serde::Serialize)]
struct Entry<'a> {
    file: String,
    #[serde(flatten)]
    report: &'a Report,
}

/// Runs the subcommand; returns the process exit code: 0 when every file passes, 1 when
/// any is fixable or rejected, 2 on a usage or I/O error (the other files are still
/// checked and reported).
pub(crate) fn run(args: CheckArgs) -> i32 {
    let files = match expand_inputs(&args.files) {
        Ok(files) => files,
        Err(code) => return code,
    };
    if files.is_empty() {
        eprintln!("no files found in the directories given");
        return exit::USAGE_OR_IO;
    }
    let spec = args.spec.to_spec();
    let options = args.spec.check_options(CheckOptions {
        transport: match args.transport {
            TransportArg::Base64 => Transport::Base64,
            TransportArg::Url => Transport::Url,
        },
        analyse: !args.no_analysis,
        ..CheckOptions::default()
    });
    let bar = (files.len() >= PROGRESS_MIN_FILES && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} checked, {eta} left")
        {
            bar.set_style(style);
        }
        bar
    });
    // In the order of `files`; each worker thread keeps one `Checker` (and its memory).
    let results: Vec<std::io::Result<Report>> =
        Checker::new(spec, options).map_batch(&files, |checker, path| {
            let report = with_input(path, &spec, |data| checker.check(data));
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            report
        });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut code = exit::OK;
    let mut entries = Vec::new();
    for (path, report) in files.iter().zip(&results) {
        let report = match report {
            Ok(report) => report,
            Err(e) => {
                code = exit::io(path, e);
                continue;
            }
        };
        if report.verdict != Verdict::Pass && code == exit::OK {
            code = exit::REFUSED;
        }
        if args.json {
            entries.push(Entry {
                file: path.display().to_string(),
                report,
            });
        } else {
            say(&format!("{}: {report}", path.display()));
        }
    }
    if args.json {
        match serde_json::to_string_pretty(&entries) {
            Ok(text) => say(&text),
            Err(e) => {
                eprintln!("cannot write the reports as JSON: {e}");
                return exit::USAGE_OR_IO;
            }
        }
    }
    code
}
