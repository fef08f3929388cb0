//! `ekyc-preflight prepare`: turn photos into images EkycVerify accepts.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use ekyc_preflight::{CheckOptions, Error, PrepareReport, Preprocessor, Spec};

use crate::common::{exit, expand_inputs, refusal, say, with_input, write_atomically, SpecArgs};

/// Arguments of `ekyc-preflight prepare`.
#[derive(Debug, clap::Args)]
pub(crate) struct PrepareArgs {
    /// The photo (JPEG or PNG; the format is read from the bytes). Several photos, or a
    /// directory, prepare them all in parallel; `-o` is then a directory.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Where to write the JPEG (a directory when there are several inputs).
    #[arg(short, long, value_name = "OUTPUT.jpg")]
    output: PathBuf,
    /// Also write the Base64 text to this file (a directory when there are several
    /// inputs: one `NAME.b64` per photo).
    #[arg(long, value_name = "OUTPUT.b64")]
    base64: Option<PathBuf>,
    /// Print the report as JSON (an array with several inputs) instead of a summary.
    #[arg(long)]
    json: bool,
    /// Photos prepared at once, with several inputs. Default: one per core.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    #[command(flatten)]
    spec: SpecArgs,
}

/// What became of one input.
enum Outcome {
    Done(Box<PrepareReport>),
    Refused(Error),
    Io(PathBuf, std::io::Error),
}

/// One unit of work: an input and where its outputs go.
struct Job {
    input: PathBuf,
    output: PathBuf,
    base64: Option<PathBuf>,
}

/// Runs the subcommand; returns the process exit code.
pub(crate) fn run(args: PrepareArgs) -> i32 {
    let spec: Spec = args.spec.to_spec();
    let single = args.inputs.len() == 1 && !args.inputs[0].is_dir();
    let jobs = if single {
        vec![Job {
            input: args.inputs[0].clone(),
            output: args.output.clone(),
            base64: args.base64.clone(),
        }]
    } else {
        match batch_jobs(&args) {
            Ok(jobs) => jobs,
            Err(code) => return code,
        }
    };
    let progress = (jobs.len() > 1 && std::io::stderr().is_terminal())
        .then(|| indicatif::ProgressBar::new(jobs.len() as u64));
    let started = Instant::now();
    let base = Preprocessor::new(spec)
        .with_base64(args.base64.is_some())
        .with_check(args.spec.check_options(CheckOptions::default()));
    let outcomes: Vec<Outcome> = if jobs.len() == 1 {
        // One file: no worker threads to start.
        let mut pre = base;
        jobs.iter()
            .map(|job| prepare_one(&mut pre, job, &spec))
            .collect()
    } else {
        let pool = match rayon::ThreadPoolBuilder::new()
            .num_threads(args.jobs.map_or(0, usize::from))
            .build()
        {
            Ok(pool) => pool,
            Err(e) => {
                eprintln!("cannot start worker threads: {e}");
                return exit::USAGE_OR_IO;
            }
        };
        pool.install(|| {
            base.map_batch(&jobs, |pre, job| {
                let outcome = prepare_one(pre, job, &spec);
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
                outcome
            })
        })
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    report(&jobs, &outcomes, args.json, single, started)
}

/// Lays out a batch: every input's output in the `-o` directory, named after it.
fn batch_jobs(args: &PrepareArgs) -> Result<Vec<Job>, i32> {
    let inputs = expand_inputs(&args.inputs)?;
    for dir in std::iter::once(&args.output).chain(&args.base64) {
        std::fs::create_dir_all(dir).map_err(|e| exit::io(dir, &e))?;
    }
    let mut taken = HashSet::new();
    Ok(inputs
        .into_iter()
        .map(|input| {
            let stem = input
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            // `a.png` and `a.jpg` would both make `a`: the second keeps its extension.
            let name = if taken.insert(stem.clone()) {
                stem
            } else {
                input
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            };
            Job {
                output: args.output.join(format!("{name}.jpg")),
                base64: args.base64.as_ref().map(|d| d.join(format!("{name}.b64"))),
                input,
            }
        })
        .collect())
}

fn prepare_one(pre: &mut Preprocessor, job: &Job, spec: &Spec) -> Outcome {
    with_input(&job.input, spec, |data| prepare_bytes(pre, job, data))
        .unwrap_or_else(|e| Outcome::Io(job.input.clone(), e))
}

fn prepare_bytes(pre: &mut Preprocessor, job: &Job, data: &[u8]) -> Outcome {
    let prepared = match pre.prepare(data) {
        Ok(p) => p,
        Err(e) => return Outcome::Refused(e),
    };
    if let Err(e) = write_atomically(&job.output, prepared.jpeg()) {
        return Outcome::Io(job.output.clone(), e);
    }
    if let (Some(path), Some(text)) = (&job.base64, prepared.base64()) {
        if let Err(e) = write_atomically(path, text.as_bytes()) {
            return Outcome::Io(path.clone(), e);
        }
    }
    Outcome::Done(Box::new(prepared.report().clone()))
}

/// Prints each outcome in input order (and a summary for a batch); returns the exit
/// code: 2 if any I/O failed, else 1 if any input was refused, else 0.
fn report(jobs: &[Job], outcomes: &[Outcome], json: bool, single: bool, started: Instant) -> i32 {
    let mut values = Vec::new();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        match outcome {
            Outcome::Done(r) if json => values.push(json_done(job, r)),
            Outcome::Done(r) => say(&summary(job, r)),
            Outcome::Refused(e) => {
                eprintln!("{}", refusal(&job.input, e));
                if json && !single {
                    values.push(serde_json::json!({
                        "input": job.input.display().to_string(),
                        "error": e.to_string(),
                        "rule": e.rule().as_str(),
                        "api_code": e.api_code().as_str(),
                    }));
                }
            }
            Outcome::Io(path, e) => {
                exit::io(path, e);
                if json && !single {
                    values.push(serde_json::json!({
                        "input": job.input.display().to_string(),
                        "error": format!("{}: {e}", path.display()),
                    }));
                }
            }
        }
    }
    if json {
        let text = match (single, values.pop()) {
            (true, Some(value)) => value.to_string(),
            (true, None) => String::new(),
            (false, last) => {
                values.extend(last);
                serde_json::Value::Array(values).to_string()
            }
        };
        if !text.is_empty() {
            say(&text);
        }
    }
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let done = count(|o| matches!(o, Outcome::Done(_)));
    let refused = count(|o| matches!(o, Outcome::Refused(_)));
    let io = count(|o| matches!(o, Outcome::Io(..)));
    if !single {
        eprintln!(
            "prepared {done} of {} ({refused} refused, {io} I/O errors) in {:.2} s",
            outcomes.len(),
            started.elapsed().as_secs_f64()
        );
    }
    if io > 0 {
        exit::USAGE_OR_IO
    } else if refused > 0 {
        exit::REFUSED
    } else {
        exit::OK
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
            "{turned}, cropped to {} × {} at ({}, {})",
            c.width, c.height, c.x, c.y
        ),
        None => turned,
    };
    format!(
        "{} → {}: {} {} (EXIF orientation {}{turned}) → JPEG {} q{} {} bytes (Base64 {}); check: {}",
        job.input.display(),
        job.output.display(),
        r.source_format.as_str(),
        r.source_size,
        r.orientation.exif_value(),
        r.resized_to,
        r.quality,
        r.bytes,
        r.base64_bytes,
        r.check.verdict.as_str(),
    )
}

fn json_done(job: &Job, r: &PrepareReport) -> serde_json::Value {
    let mut value = serde_json::to_value(r).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("input".into(), job.input.display().to_string().into());
        map.insert("output".into(), job.output.display().to_string().into());
        if let Some(b64) = &job.base64 {
            map.insert("base64_output".into(), b64.display().to_string().into());
        }
    }
    value
}
