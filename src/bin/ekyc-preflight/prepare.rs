//! `ekyc-preflight prepare`: turn photos into images EkycVerify accepts.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ekyc_preflight::{CheckOptions, Error, PrepareReport, Preprocessor, Spec, Verdict};

use crate::batch::{self, Event};
use crate::common::{
    exit, expand_inputs, progress, refusal, say, with_input, BatchArgs, EncodeArgs, Input,
    JsonArray, SpecArgs,
};
use crate::output::{self, is_dash, FileId};

/// Arguments of `ekyc-preflight prepare`.
#[derive(Debug, clap::Args)]
pub(crate) struct PrepareArgs {
    /// The photo (JPEG or PNG; the format is read from the bytes; `-` reads standard
    /// input). Several photos, or a directory, prepare them all in parallel; `-o` is then
    /// a directory.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Where to write the JPEG: a file (`-`: standard output), or a directory to put
    /// `NAME.jpg` in (always, with several inputs). Never an input: that file is refused.
    #[arg(short, long, value_name = "OUTPUT.jpg")]
    output: PathBuf,
    /// Also write the Base64 text to this file (`-`: standard output), or a directory to
    /// put `NAME.b64` in (always, with several inputs).
    #[arg(long, value_name = "OUTPUT.b64")]
    base64: Option<PathBuf>,
    /// Print the report as JSON instead of a summary: one object for one input file, an
    /// array with one element per input for several or a directory.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    batch: BatchArgs,
    #[command(flatten)]
    spec: SpecArgs,
    #[command(flatten)]
    encode: EncodeArgs,
}

/// What became of one input.
enum Outcome {
    Done(Box<PrepareReport>),
    Refused(Error),
    Io(PathBuf, std::io::Error),
    /// An output is one of the inputs: nothing written for this input.
    WouldOverwrite(PathBuf),
    /// Stopped by a signal before its outputs were in place.
    NotDone,
}

impl Outcome {
    /// Exit code this outcome calls for on its own.
    fn code(&self) -> i32 {
        match self {
            Outcome::Done(r) if r.check.verdict == Verdict::Pass => exit::OK,
            Outcome::Done(_) | Outcome::Refused(_) => exit::REFUSED,
            Outcome::Io(..) | Outcome::WouldOverwrite(_) | Outcome::NotDone => exit::USAGE_OR_IO,
        }
    }
}

/// One unit of work: an input and where its outputs go.
struct Job {
    input: PathBuf,
    output: PathBuf,
    base64: Option<PathBuf>,
    /// Set when an output is one of the inputs.
    clash: Option<PathBuf>,
}

/// One entry of the JSON output, fields in this order.
#[derive(serde::Serialize)]
struct Entry<'a> {
    input: String,
    /// `prepared`, `refused`, `error` (I/O, or an output that is an input) or `not_done`
    /// (interrupted).
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base64_output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_code: Option<&'static str>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    report: Option<&'a PrepareReport>,
}

fn usage(message: &str) -> i32 {
    eprintln!("prepare: {message}");
    exit::USAGE_OR_IO
}

/// Runs the subcommand; returns the process exit code.
pub(crate) fn run(args: PrepareArgs) -> i32 {
    let spec: Spec = args.encode.apply(args.spec.to_spec());
    if let Err(e) = spec.validate() {
        return usage(&format!("the options do not fit together: {e}"));
    }
    let dashes = args.inputs.iter().filter(|p| is_dash(p)).count();
    let single = args.inputs.len() == 1 && !args.inputs[0].is_dir();
    if dashes > 0 && !single {
        return usage("`-` (standard input) must be the only input");
    }
    let to_stdout = is_dash(&args.output) || args.base64.as_deref().is_some_and(is_dash);
    if is_dash(&args.output) && args.base64.as_deref().is_some_and(is_dash) {
        return usage("`-o -` and `--base64 -` cannot both take standard output");
    }
    if to_stdout && !single {
        return usage("with several inputs, -o and --base64 are directories, not `-`");
    }
    if to_stdout && args.json {
        return usage("--json prints on standard output, which `-` already takes");
    }
    let mut jobs = if single {
        vec![single_job(&args)]
    } else {
        match batch_jobs(&args) {
            Ok(jobs) => jobs,
            Err(code) => return code,
        }
    };
    if let Some(same) = jobs
        .iter()
        .find(|j| j.base64.as_ref().is_some_and(|b| same_file(b, &j.output)))
    {
        return usage(&format!(
            "-o and --base64 are the same file ({})",
            same.output.display()
        ));
    }
    mark_clashes(&mut jobs);

    let started = Instant::now();
    let base = Preprocessor::new(spec)
        .with_base64(args.base64.is_some())
        .with_check(args.spec.check_options(CheckOptions::default()));
    let bar = progress(jobs.len(), "prepared", args.batch.quiet);
    // Lines that describe an output go to standard error when standard output carries it.
    let human = |line: &str| {
        if args.batch.quiet || args.json {
        } else if to_stdout {
            eprintln!("{line}");
        } else {
            say(line);
        }
    };
    let mut array = (args.json && !single).then(JsonArray::default);
    let mut delivered = vec![false; jobs.len()];
    let mut codes = Vec::with_capacity(jobs.len());
    let mut summary_counts = Counts::default();
    let result = batch::run(
        &jobs,
        args.batch.jobs,
        || base.clone(),
        |pre, job| prepare_one(pre, job, &spec),
        |event| match event {
            Event::Done(i, outcome) => {
                delivered[i] = true;
                let job = &jobs[i];
                let bar_line = |f: &dyn Fn()| match &bar {
                    Some(b) => b.suspend(f),
                    None => f(),
                };
                bar_line(&|| tell(job, &outcome, &human));
                if args.json {
                    let entry = entry(job, &outcome);
                    match &mut array {
                        Some(a) => a.push(&entry),
                        None => say(&serde_json::to_string(&entry).unwrap_or_default()),
                    }
                }
                summary_counts.add(&outcome);
                codes.push(outcome.code());
                if let Some(b) = &bar {
                    b.inc(1);
                }
            }
            Event::Interrupted(sig) => {
                if let Some(b) = &bar {
                    b.finish_and_clear();
                }
                for (job, _) in jobs.iter().zip(&delivered).filter(|(_, d)| !**d) {
                    if let Some(a) = &mut array {
                        a.push(&entry(job, &Outcome::NotDone));
                    }
                }
                if let Some(a) = array.take() {
                    a.close();
                }
                eprintln!(
                    "interrupted (signal {sig}): {}; {} not done, temporary files removed",
                    summary_counts.line(jobs.len()),
                    delivered.iter().filter(|d| !**d).count(),
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
    if !single && !args.batch.quiet {
        eprintln!(
            "{} in {:.2} s",
            summary_counts.line(jobs.len()),
            started.elapsed().as_secs_f64()
        );
    }
    // 2 if any I/O failed or an output was an input, else 1 if any input was refused or
    // its output's own check does not pass, else 0.
    codes.into_iter().max().unwrap_or(exit::OK)
}

#[derive(Default)]
struct Counts {
    done: usize,
    not_passing: usize,
    refused: usize,
    errors: usize,
}

impl Counts {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Done(r) => {
                self.done += 1;
                if r.check.verdict != Verdict::Pass {
                    self.not_passing += 1;
                }
            }
            Outcome::Refused(_) => self.refused += 1,
            _ => self.errors += 1,
        }
    }

    fn line(&self, of: usize) -> String {
        format!(
            "prepared {} of {of} ({} not passing their check, {} refused, {} errors)",
            self.done, self.not_passing, self.refused, self.errors
        )
    }
}

/// Prints what became of one input: its summary, or why there is none (on standard
/// error).
fn tell(job: &Job, outcome: &Outcome, human: &dyn Fn(&str)) {
    match outcome {
        Outcome::Done(r) => {
            human(&summary(job, r));
            if r.check.verdict != Verdict::Pass {
                eprintln!(
                    "{}: written, but its check says {}: EkycVerify would likely refuse it",
                    job.output.display(),
                    r.check.verdict
                );
            }
        }
        Outcome::Refused(e) => eprintln!("{}", refusal(&job.input, e)),
        Outcome::Io(path, e) => {
            exit::io(path, e);
        }
        Outcome::WouldOverwrite(path) => eprintln!(
            "{}: is the input {}; not written over (nothing written for it)",
            path.display(),
            job.input.display()
        ),
        Outcome::NotDone => eprintln!("{}: not done (interrupted)", job.input.display()),
    }
}

fn entry<'a>(job: &Job, outcome: &'a Outcome) -> Entry<'a> {
    let mut e = Entry {
        input: job.input.display().to_string(),
        outcome: "error",
        output: None,
        base64_output: None,
        error: None,
        rule: None,
        api_code: None,
        report: None,
    };
    match outcome {
        Outcome::Done(r) => {
            e.outcome = "prepared";
            e.output = Some(job.output.display().to_string());
            e.base64_output = job.base64.as_ref().map(|b| b.display().to_string());
            e.report = Some(r);
        }
        Outcome::Refused(err) => {
            e.outcome = "refused";
            e.error = Some(err.to_string());
            e.rule = Some(err.rule().as_str());
            e.api_code = Some(err.api_code().as_str());
        }
        Outcome::Io(path, err) => e.error = Some(format!("{}: {err}", path.display())),
        Outcome::WouldOverwrite(path) => {
            e.error = Some(format!("{}: is an input, not written over", path.display()));
        }
        Outcome::NotDone => e.outcome = "not_done",
    }
    e
}

/// Whether `a` and `b` name one file to be replaced: the same path, or the same existing
/// regular file (two outputs into one device or FIFO are the user's to ask for).
fn same_file(a: &Path, b: &Path) -> bool {
    let replaced = std::fs::metadata(a).map_or(!is_dash(a), |m| m.is_file());
    replaced && (a == b || FileId::of(a).is_some_and(|id| FileId::of(b) == Some(id)))
}

/// Marks the jobs one of whose outputs is an input (any input of the command, through
/// links too).
fn mark_clashes(jobs: &mut [Job]) {
    let inputs: HashSet<FileId> = jobs.iter().filter_map(|j| FileId::of(&j.input)).collect();
    for job in jobs {
        job.clash = std::iter::once(&job.output)
            .chain(&job.base64)
            .find(|p| FileId::of(p).is_some_and(|id| inputs.contains(&id)))
            .cloned();
    }
}

/// Whether `path` means a directory: one that exists, or a path written with a trailing
/// separator.
fn names_dir(path: &Path) -> bool {
    path.is_dir()
        || path
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR)
}

fn single_job(args: &PrepareArgs) -> Job {
    let input = &args.inputs[0];
    let stem = if is_dash(input) {
        "stdin".into()
    } else {
        input.file_stem().unwrap_or_default().to_os_string()
    };
    let inside = |dir: &PathBuf, ext: &str| {
        if names_dir(dir) && !is_dash(dir) {
            let mut name = stem.clone();
            name.push(ext);
            dir.join(name)
        } else {
            dir.clone()
        }
    };
    Job {
        input: input.clone(),
        output: inside(&args.output, ".jpg"),
        base64: args.base64.as_ref().map(|b| inside(b, ".b64")),
        clash: None,
    }
}

/// Lays out a batch: every input's output in the `-o` directory, named after it (and in
/// the subfolder it was found in, with `-r`).
fn batch_jobs(args: &PrepareArgs) -> Result<Vec<Job>, i32> {
    let inputs = expand_inputs(&args.inputs, args.batch.recursive)?;
    for dir in std::iter::once(&args.output).chain(&args.base64) {
        std::fs::create_dir_all(dir).map_err(|e| exit::io(dir, &e))?;
    }
    let mut taken = HashSet::new();
    Ok(inputs
        .into_iter()
        .map(|Input { path, relative }| {
            let stem = relative.with_extension("");
            // `a.png` and `a.jpg` would both make `a`: the second keeps its extension,
            // and any further one a number.
            let name = std::iter::once(stem.clone())
                .chain(std::iter::once(relative.clone()))
                .chain((2..).map(|n| {
                    let mut s = stem.clone().into_os_string();
                    s.push(format!("-{n}"));
                    PathBuf::from(s)
                }))
                .find(|name| taken.insert(name.clone()))
                .unwrap_or(stem);
            let with = |dir: &PathBuf, ext: &str| {
                let mut file = name.clone().into_os_string();
                file.push(ext);
                dir.join(file)
            };
            Job {
                output: with(&args.output, ".jpg"),
                base64: args.base64.as_ref().map(|d| with(d, ".b64")),
                input: path,
                clash: None,
            }
        })
        .collect())
}

fn prepare_one(pre: &mut Preprocessor, job: &Job, spec: &Spec) -> Outcome {
    if let Some(path) = &job.clash {
        return Outcome::WouldOverwrite(path.clone());
    }
    with_input(&job.input, spec, |data| prepare_bytes(pre, job, data))
        .unwrap_or_else(|e| Outcome::Io(job.input.clone(), e))
}

fn prepare_bytes(pre: &mut Preprocessor, job: &Job, data: &[u8]) -> Outcome {
    let prepared = match pre.prepare(data) {
        Ok(p) => p,
        Err(e) => return Outcome::Refused(e),
    };
    let mut staged = Vec::new();
    let mut stage = |path: &PathBuf, bytes: &[u8]| {
        output::stage(path, bytes)
            .map(|s| staged.push(s))
            .map_err(|e| (path.clone(), e))
    };
    let written =
        stage(&job.output, prepared.jpeg()).and_then(|()| match (&job.base64, prepared.base64()) {
            (Some(path), Some(text)) => stage(path, text.as_bytes()),
            _ => Ok(()),
        });
    // Both outputs are put in place together, or neither.
    let written = match written {
        Ok(()) => output::commit(staged).map_err(|e| (job.output.clone(), e)),
        Err(e) => {
            output::discard(staged);
            Err(e)
        }
    };
    match written {
        Ok(()) => Outcome::Done(Box::new(prepared.report().clone())),
        Err((_, e)) if e.kind() == std::io::ErrorKind::Interrupted => Outcome::NotDone,
        Err((path, e)) => Outcome::Io(path, e),
    }
}

fn summary(job: &Job, r: &PrepareReport) -> String {
    let turned = match (r.turned, r.turned_by) {
        (Some(t), Some(by)) => format!(
            ", turned {} (by the {})",
            t.as_str(),
            match by {
                ekyc_preflight::TurnedBy::Face => "face",
                ekyc_preflight::TurnedBy::Aspect => "aspect ratio",
            }
        ),
        (Some(t), None) => format!(", turned {}", t.as_str()),
        _ => String::new(),
    };
    let turned = match r.crop {
        Some(c) => format!(
            "{turned}, cropped to {}x{} at ({}, {})",
            c.width, c.height, c.x, c.y
        ),
        None => turned,
    };
    let check = if r.check.verdict == Verdict::Pass {
        r.check.verdict.to_string()
    } else {
        r.check.to_string()
    };
    format!(
        "{} → {}: {} {} (EXIF orientation {}{turned}) → JPEG {} q{} {} bytes (Base64 {}); check: {check}",
        job.input.display(),
        job.output.display(),
        r.source_format.as_str(),
        r.source_size,
        r.orientation.exif_value(),
        r.resized_to,
        r.quality,
        r.bytes,
        r.base64_bytes,
    )
}
