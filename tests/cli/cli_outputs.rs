//! Where the command's outputs go, and what it never does to the files already there:
//! links, FIFOs and devices written into (never replaced), `-` for standard input and
//! output, inputs never written over, interrupted batches that leave no temporary files
//! and a record of what was done, exit codes that agree with the verdicts, one JSON shape
//! per command. Every test runs the built binary.

use crate::common;

use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::assert_compliant;
use ekyc_preflight::Spec;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"))
}

/// `prepare` with the face rules off: the pictures here have no face, and without a face
/// the output's own check says `reject` (exit 1).
fn prepare() -> Command {
    let mut c = bin();
    c.args(["prepare", "--no-faces"]);
    c
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/phone-orientation6.jpg")
}

/// Deletes its directory when dropped.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

thread_local! {
    /// The directories this test made, deleted when its thread ends.
    static MADE: std::cell::RefCell<Vec<Cleanup>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A fresh directory for one test, deleted when the test ends.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ekyc-cli-out-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    MADE.with(|m| m.borrow_mut().push(Cleanup(d.clone())));
    d
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Names in `d` (recursively) that look like our temporary files.
fn temporaries(d: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(d).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(temporaries(&path));
        } else if path.to_string_lossy().ends_with(".tmp") {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_symlinked_output_stays_a_link_and_its_target_gets_the_jpeg() {
    let d = dir("symlink");
    let target = d.join("target.jpg");
    std::fs::write(&target, "old").unwrap();
    let link = d.join("link.jpg");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_compliant(&std::fs::read(&target).unwrap(), &Spec::default());
    // A link whose target does not exist yet: the target is made, the link kept.
    let dangling = d.join("dangling.jpg");
    let later = d.join("later.jpg");
    std::os::unix::fs::symlink(&later, &dangling).unwrap();
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(&dangling)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_compliant(&std::fs::read(&later).unwrap(), &Spec::default());
    assert!(temporaries(&d).is_empty());
}

/// Makes a FIFO with the system's `mkfifo`; `None` (and a message) when it is missing.
fn mkfifo(path: &Path) -> Option<()> {
    match Command::new("mkfifo").arg(path).status() {
        Ok(s) if s.success() => Some(()),
        other => {
            assert!(
                std::env::var_os("EKYC_REQUIRE_TOOLS").is_none(),
                "mkfifo failed: {other:?}"
            );
            eprintln!("skipped: mkfifo is not available ({other:?})");
            None
        }
    }
}

#[test]
fn a_fifo_output_reaches_its_reader_and_stays_a_fifo() {
    let d = dir("fifo");
    let fifo = d.join("pipe.jpg");
    let b64_fifo = d.join("pipe.b64");
    if mkfifo(&fifo).is_none() || mkfifo(&b64_fifo).is_none() {
        return;
    }
    let reader = |path: PathBuf| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            std::fs::File::open(path)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
    };
    let (jpeg, text) = (reader(fifo.clone()), reader(b64_fifo.clone()));
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(&fifo)
        .arg("--base64")
        .arg(&b64_fifo)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let jpeg = jpeg.join().unwrap();
    assert_compliant(&jpeg, &Spec::default());
    assert_eq!(text.join().unwrap().len(), common::base64_len(jpeg.len()));
    for f in [&fifo, &b64_fifo] {
        assert!(std::fs::symlink_metadata(f).unwrap().file_type().is_fifo());
    }
    assert!(temporaries(&d).is_empty());
}

#[test]
fn a_device_output_is_written_into_not_replaced() {
    let out = prepare()
        .arg(sample())
        .args(["-o", "/dev/null", "--base64", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let meta = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
}

#[test]
fn dash_reads_standard_input_and_writes_standard_output() {
    let input = std::fs::File::open(sample()).unwrap();
    let out = prepare()
        .args(["-", "-o", "-"])
        .stdin(input)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    // Standard output carries the JPEG alone; the summary goes to standard error.
    assert_compliant(&out.stdout, &Spec::default());
    assert!(stderr(&out).contains("720x960"), "{}", stderr(&out));

    let d = dir("dash");
    let jpeg = d.join("x.jpg");
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(&jpeg)
        .args(["--base64", "-"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let jpeg = std::fs::read(&jpeg).unwrap();
    assert_eq!(out.stdout.len(), common::base64_len(jpeg.len()));

    // Both on standard output, or JSON as well: usage errors, nothing written.
    for extra in [
        &["-o", "-", "--base64", "-"][..],
        &["-o", "-", "--json"][..],
    ] {
        let out = prepare().arg(sample()).args(extra).output().unwrap();
        assert_eq!(code(&out), Some(2), "{extra:?}");
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
}

#[test]
fn an_output_that_is_an_input_is_refused_and_left_alone() {
    let d = dir("same");
    let original = std::fs::read(sample()).unwrap();
    let a = d.join("a.jpg");
    std::fs::write(&a, &original).unwrap();
    let hard = d.join("hard.jpg");
    std::fs::hard_link(&a, &hard).unwrap();
    let soft = d.join("soft.jpg");
    std::os::unix::fs::symlink(&a, &soft).unwrap();
    for output in [&a, &hard, &soft] {
        let out = prepare().arg(&a).arg("-o").arg(output).output().unwrap();
        assert_eq!(
            code(&out),
            Some(2),
            "{}: {}",
            output.display(),
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("not written over"),
            "{}",
            stderr(&out)
        );
        // The Base64 output as the input too.
        let out = prepare()
            .arg(&a)
            .arg("-o")
            .arg(d.join("fine.jpg"))
            .arg("--base64")
            .arg(output)
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{}", stderr(&out));
        assert_eq!(std::fs::read(&a).unwrap(), original);
        assert!(!d.join("fine.jpg").exists(), "nothing written for it");
    }

    // A folder into itself: the input whose output it would be is refused; the one
    // whose output is a new name is prepared.
    let batch = dir("same-batch");
    std::fs::write(batch.join("p.jpg"), &original).unwrap();
    std::fs::write(
        batch.join("q.png"),
        common::png(common::photo_rgb(900, 700)),
    )
    .unwrap();
    let out = prepare()
        .arg(&batch)
        .arg("-o")
        .arg(&batch)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["outcome"], "error", "{v}");
    assert_eq!(v[1]["outcome"], "prepared", "{v}");
    assert_eq!(std::fs::read(batch.join("p.jpg")).unwrap(), original);
    assert_compliant(
        &std::fs::read(batch.join("q.jpg")).unwrap(),
        &Spec::default(),
    );
}

/// Starts a batch of `n` copies of the sample, waits until at least one output is
/// written, sends `signal`, and returns the run's output, its output folder and `n`.
fn interrupted_batch(name: &str, signal: &str, extra: &[&str]) -> (Output, PathBuf, usize) {
    let d = dir(name);
    let input = d.join("in");
    std::fs::create_dir(&input).unwrap();
    let n = 40;
    for i in 0..n {
        std::fs::copy(sample(), input.join(format!("p{i:02}.jpg"))).unwrap();
    }
    let output = d.join("out");
    let child = prepare()
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .args(["--base64"])
        .arg(d.join("b64"))
        .args(["--jobs", "2"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let written = || {
        std::fs::read_dir(&output).map_or(0, |r| {
            r.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "jpg"))
            })
            .count()
        })
    };
    // Not a timing assertion: a bounded wait for the batch to be under way.
    while written() == 0 && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    (out, d, n)
}

fn jpgs(d: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    v.sort();
    v
}

#[test]
fn sigint_mid_batch_leaves_no_temporaries_and_a_json_record_of_what_was_done() {
    let (out, d, n) = interrupted_batch("sigint", "-INT", &["--json"]);
    if code(&out) == Some(0) {
        eprintln!("skipped: the batch ended before the signal came");
        return;
    }
    assert_eq!(code(&out), Some(130), "{}", stderr(&out));
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
    // Standard output is still one JSON array, with every input in it.
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), n);
    let prepared: Vec<PathBuf> = items
        .iter()
        .filter(|e| e["outcome"] == "prepared")
        .map(|e| PathBuf::from(e["output"].as_str().unwrap()))
        .collect();
    assert!(items
        .iter()
        .all(|e| e["outcome"] == "prepared" || e["outcome"] == "not_done"));
    // Exactly the files reported as prepared are there, each whole.
    assert_eq!(jpgs(&d.join("out")), prepared);
    assert!(!prepared.is_empty() && prepared.len() < n);
    for p in &prepared {
        assert_compliant(&std::fs::read(p).unwrap(), &Spec::default());
    }
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
}

#[test]
fn sigterm_mid_batch_leaves_no_temporaries_and_a_line_per_file_done() {
    let (out, d, _) = interrupted_batch("sigterm", "-TERM", &[]);
    if code(&out) == Some(0) {
        eprintln!("skipped: the batch ended before the signal came");
        return;
    }
    assert_eq!(code(&out), Some(143), "{}", stderr(&out));
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reported: Vec<PathBuf> = text
        .lines()
        .map(|l| {
            let to = l.split(" → ").nth(1).unwrap();
            PathBuf::from(to.split(": ").next().unwrap())
        })
        .collect();
    reported.sort();
    assert_eq!(jpgs(&d.join("out")), reported, "{text}");
}

#[test]
fn the_exit_status_agrees_with_the_outputs_own_check() {
    // A small, blurred picture: `--upscale` raises it to the minimum, and the enlarged
    // picture's own check finds it blurred.
    let d = dir("upscale");
    let photo = image::load_from_memory(&std::fs::read(sample()).unwrap())
        .unwrap()
        .to_rgb8();
    let small = image::imageops::resize(&photo, 400, 300, image::imageops::FilterType::Triangle);
    let blurred = image::imageops::blur(&small, 3.0);
    let small = d.join("small.png");
    std::fs::write(&small, common::png(blurred)).unwrap();
    let out = prepare()
        .arg(&small)
        .arg("-o")
        .arg(d.join("big.jpg"))
        .args(["--upscale", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["resized_to"]["height"], 640, "{v}");
    assert_ne!(v["check"]["verdict"], "pass", "{v}");
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("its check says"), "{}", stderr(&out));
    // Written all the same, to be looked at.
    assert!(d.join("big.jpg").exists());
}

#[test]
fn json_has_one_shape_per_command_and_every_input() {
    let d = dir("json");
    let bad = d.join("bad.jpg");
    std::fs::write(&bad, "not a picture").unwrap();
    // One refused file: its object on standard output, as a prepared one would be.
    let out = prepare()
        .arg(&bad)
        .arg("-o")
        .arg(d.join("x.jpg"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "refused");
    assert_eq!(v["rule"], "format");
    assert_eq!(v["api_code"], "UnqualifiedPhoto");
    assert_eq!(v["input"], bad.to_str().unwrap());

    // `check`: a missing file is in the array, with its error.
    let missing = d.join("missing.jpg");
    let out = bin()
        .args(["check", "--no-faces", "--json"])
        .arg(sample())
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v[0]["outcome"], "checked");
    assert_eq!(v[1]["file"], missing.to_str().unwrap());
    assert_eq!(v[1]["outcome"], "error");
    assert!(v[1]["error"].is_string());
    // Both commands print one element per line, compact.
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn one_input_makes_folders_and_fills_a_folder_given_as_output() {
    let d = dir("folders");
    let deep = d.join("new/deep/x.jpg");
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(&deep)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_compliant(&std::fs::read(&deep).unwrap(), &Spec::default());
    let into = d.join("into");
    std::fs::create_dir(&into).unwrap();
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(&into)
        .arg("--base64")
        .arg(&into)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_compliant(
        &std::fs::read(into.join("phone-orientation6.jpg")).unwrap(),
        &Spec::default(),
    );
    assert!(into.join("phone-orientation6.b64").is_file());
}

#[test]
fn subfolders_are_named_as_skipped_or_entered_with_r() {
    let d = dir("recursive");
    let input = d.join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::copy(sample(), input.join("top.jpg")).unwrap();
    std::fs::copy(sample(), input.join("sub/inner.jpg")).unwrap();
    let out = prepare()
        .arg(&input)
        .arg("-o")
        .arg(d.join("flat"))
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("skipped (-r"), "{}", stderr(&out));
    assert!(!d.join("flat/sub").exists());
    let out = prepare()
        .arg(&input)
        .arg("-o")
        .arg(d.join("tree"))
        .arg("-r")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_compliant(
        &std::fs::read(d.join("tree/sub/inner.jpg")).unwrap(),
        &Spec::default(),
    );
    assert!(d.join("tree/top.jpg").is_file());
    // `check -r` finds the same two.
    let out = bin()
        .args(["check", "--no-faces", "-r", "--json"])
        .arg(&input)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
}

#[test]
fn bad_options_are_usage_errors_and_sizes_take_units() {
    let d = dir("options");
    let x = d.join("x.jpg");
    for bad in [
        &["--quality", "50", "--min-quality", "80"][..],
        &["--max-bytes", "600xb"][..],
        &["--max-bytes", "0"][..],
    ] {
        let out = prepare()
            .arg(sample())
            .arg("-o")
            .arg(&x)
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(!x.exists(), "{bad:?}: nothing written");
    }
    // 50 kB: the sample at 720 × 960 does not fit at quality 90; the budget is met.
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(&x)
        .args(["--max-bytes", "50kb", "--json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(std::fs::metadata(&x).unwrap().len() <= 50_000);
}

#[test]
fn help_offers_only_the_flags_each_command_uses() {
    let help = |cmd: &str| {
        let out = bin().args([cmd, "--help"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let check = help("check");
    assert!(
        !check.contains("--quality") && !check.contains("--min-quality"),
        "{check}"
    );
    for flag in ["--jobs", "--quiet", "--recursive", "--max-bytes"] {
        assert!(check.contains(flag), "check lacks {flag}");
    }
    let prepare = help("prepare");
    for flag in [
        "--quality",
        "--min-quality",
        "--jobs",
        "--quiet",
        "--recursive",
    ] {
        assert!(prepare.contains(flag), "prepare lacks {flag}");
    }
}

#[test]
fn quiet_prints_nothing_but_errors() {
    let d = dir("quiet");
    let out = prepare()
        .arg(sample())
        .arg("-o")
        .arg(d.join("x.jpg"))
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    let out = bin()
        .args(["check", "-q"])
        .arg(d.join("x.jpg"))
        .arg(d.join("missing.jpg"))
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("missing.jpg"));
}
