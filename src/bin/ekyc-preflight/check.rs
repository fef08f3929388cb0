//! `ekyc-preflight check`: say, before the call, whether EkycVerify will accept each
//! image as it stands, and why not.

use std::path::PathBuf;

use ekyc_preflight::{CheckOptions, Checker, Report, Transport, Verdict};

use crate::batch::{self, Event};
use crate::common::{
    exit, expand_inputs, progress, say, with_input, BatchArgs, JsonArray, SpecArgs,
};
use crate::names::Names;

/// Arguments of `ekyc-preflight check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Photos to check (`-`: standard input), or directories of them (the files inside,
    /// sorted by name; hidden files skipped; subfolders with `-r`).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print a JSON array with one element per file (its `file`, and its report or
    /// `error`) instead of a line per file.
    #[arg(long)]
    json: bool,
    /// How the image will be sent, which sets the size limits.
    /// `base64`: as Base64 text in the form body (file ≤ 0.6 MB, Base64 and form field
    /// ≤ 1 MB); `url`: by URL (file ≤ 1 MB).
    #[arg(long, value_parser = Names::<Transport>::new(), default_value_t = Transport::Base64)]
    transport: Transport,
    /// Only read the header: no decoding, so no blur, exposure or contrast findings.
    #[arg(long)]
    no_analysis: bool,
    #[command(flatten)]
    batch: BatchArgs,
    #[command(flatten)]
    spec: SpecArgs,
}

/// One entry of the JSON array, fields in this order.
#[derive(serde::Serialize)]
struct Entry<'a> {
    file: String,
    /// `checked`, `error` (it could not be read) or `not_done` (interrupted).
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
}

/// Runs the subcommand; returns the process exit code: 0 when every file passes, 1 when
/// any is fixable or rejected, 2 on a usage or I/O error (the other files are still
/// checked and reported).
pub(crate) fn run(args: CheckArgs) -> i32 {
    let spec = args.spec.to_spec();
    if let Err(e) = spec.validate() {
        eprintln!("check: the options do not fit together: {e}");
        return exit::USAGE_OR_IO;
    }
    if args
        .files
        .iter()
        .filter(|p| crate::output::is_dash(p))
        .count()
        > 1
    {
        eprintln!("check: `-` (standard input) can be given once");
        return exit::USAGE_OR_IO;
    }
    let files = match expand_inputs(&args.files, args.batch.recursive) {
        Ok(files) => files,
        Err(code) => return code,
    };
    if files.is_empty() {
        eprintln!("no files found in the directories given");
        return exit::USAGE_OR_IO;
    }
    let options = args.spec.check_options(CheckOptions {
        transport: args.transport,
        analyse: !args.no_analysis,
        ..CheckOptions::default()
    });
    let bar = progress(files.len(), "checked", args.batch.quiet);
    let mut array = args.json.then(JsonArray::default);
    let mut delivered = vec![false; files.len()];
    let mut code = exit::OK;
    let checker = Checker::new(spec, options);
    let result = batch::run(
        &files,
        args.batch.jobs,
        || checker.clone(),
        |checker, input| with_input(&input.path, &spec, |data| checker.check(data)),
        |event| match event {
            Event::Done(i, report) => {
                delivered[i] = true;
                let path = &files[i].path;
                let file = path.display().to_string();
                let entry = match &report {
                    Ok(report) => {
                        if report.verdict != Verdict::Pass {
                            code = code.max(exit::REFUSED);
                        }
                        if !args.json && !args.batch.quiet {
                            let line = format!("{file}: {report}");
                            match &bar {
                                Some(b) => b.suspend(|| say(&line)),
                                None => say(&line),
                            }
                        }
                        Entry {
                            file,
                            outcome: "checked",
                            error: None,
                            report: Some(report),
                        }
                    }
                    Err(e) => {
                        code = exit::io(path, e);
                        Entry {
                            file,
                            outcome: "error",
                            error: Some(e.to_string()),
                            report: None,
                        }
                    }
                };
                if let Some(a) = &mut array {
                    a.push(&entry);
                }
                if let Some(b) = &bar {
                    b.inc(1);
                }
            }
            Event::Interrupted(sig) => {
                if let Some(b) = &bar {
                    b.finish_and_clear();
                }
                let left: Vec<_> = files.iter().zip(&delivered).filter(|(_, d)| !**d).collect();
                if let Some(mut a) = array.take() {
                    for (input, _) in &left {
                        a.push(&Entry {
                            file: input.path.display().to_string(),
                            outcome: "not_done",
                            error: None,
                            report: None,
                        });
                    }
                    a.close();
                }
                eprintln!(
                    "interrupted (signal {sig}): checked {} of {}",
                    files.len() - left.len(),
                    files.len()
                );
            }
        },
    );
    if let Err(code) = result {
        return code;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(a) = array {
        a.close();
    }
    code
}
