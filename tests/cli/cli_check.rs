//! The `check` command's contract: a line per file or a JSON array, directories expanded,
//! exit codes 0 (all pass) / 1 (any fixable or rejected) / 2 (usage or I/O).

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Output};

use ekyc_preflight::Preprocessor;

/// `check` with the face rules off: the pictures here (a plant photo, gradients) have no
/// face; `tests/quality/faces.rs` tests the face rules from the command line.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"))
        .arg("check")
        .arg("--no-faces")
        .args(args)
        .output()
        .unwrap()
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/phone-orientation6.jpg")
}

/// A fresh directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ekyc-cli-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The sample as `prepare` makes it, written to `path`.
fn write_prepared(path: &PathBuf) {
    let data = std::fs::read(sample()).unwrap();
    let prepared = Preprocessor::default().prepare(&data).unwrap();
    std::fs::write(path, prepared.jpeg()).unwrap();
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn a_fixable_file_prints_why_and_exits_1() {
    let out = run(&[sample().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    let line = text.lines().next().unwrap();
    assert!(line.starts_with(sample().to_str().unwrap()), "{line}");
    assert!(
        line.contains(": fixable: orientation: EXIF orientation 6"),
        "{line}"
    );
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn a_compliant_file_passes_and_exits_0() {
    let d = dir("pass");
    let ok = d.join("ok.jpg");
    write_prepared(&ok);
    let out = run(&[ok.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains(": pass"), "{}", stdout(&out));
}

#[test]
fn json_is_an_array_of_reports_with_their_files() {
    let d = dir("json");
    let ok = d.join("ok.jpg");
    write_prepared(&ok);
    let out = run(&["--json", sample().to_str().unwrap(), ok.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = v.as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["file"], sample().to_str().unwrap());
    assert_eq!(reports[0]["verdict"], "fixable");
    assert_eq!(reports[1]["file"], ok.to_str().unwrap());
    assert_eq!(reports[1]["verdict"], "pass");
    assert!(reports[1]["findings"].is_array());
}

#[test]
fn a_directory_is_checked_file_by_file_sorted_without_hidden_files() {
    let d = dir("dir");
    write_prepared(&d.join("b.jpg"));
    std::fs::copy(sample(), d.join("a.jpg")).unwrap();
    std::fs::write(d.join("c.txt"), "not a picture").unwrap();
    std::fs::write(d.join(".hidden.jpg"), "ignored").unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    write_prepared(&d.join("sub/inner.jpg"));
    let out = run(&[d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    let files: Vec<&str> = text
        .lines()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    let expect: Vec<String> = ["a.jpg", "b.jpg", "c.txt"]
        .iter()
        .map(|n| d.join(n).display().to_string())
        .collect();
    assert_eq!(files, expect, "{text}");
    assert!(text.lines().nth(1).unwrap().contains(": pass"));
    assert!(
        text.lines().nth(2).unwrap().contains(": reject: format"),
        "{text}"
    );
}

#[test]
fn a_missing_file_is_an_io_error_and_the_others_are_still_checked() {
    let d = dir("missing");
    let ok = d.join("ok.jpg");
    write_prepared(&ok);
    let missing = d.join("missing.jpg");
    let out = run(&[missing.to_str().unwrap(), ok.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.jpg"));
    assert!(stdout(&out).contains(": pass"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["--no-such-flag", "x"]).status.code(), Some(2));
}

#[test]
fn turning_off_makes_a_landscape_picture_a_reject() {
    let d = dir("turn");
    let landscape = d.join("landscape.jpg");
    // The sample's stored pixels (1024 × 768), without the EXIF tag that turns them.
    let stored = image::load_from_memory(&std::fs::read(sample()).unwrap())
        .unwrap()
        .to_rgb8();
    std::fs::write(&landscape, common::jpeg(&stored)).unwrap();
    let out = run(&[landscape.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(": fixable: portrait"),
        "{}",
        stdout(&out)
    );
    let out = run(&["--turn", "off", landscape.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(": reject: portrait"),
        "{}",
        stdout(&out)
    );
}

/// `--transport` takes the library's names (`Transport::NAMES`), each reaching the
/// options: a 0.9 MB file is over the Base64 transport's 0.6 MB (`file_size`) and within
/// the URL one's 1 MB. A bad value is a usage error listing the names.
#[test]
fn transport_takes_the_library_names() {
    let d = dir("transport");
    let big = d.join("noise.png");
    let png = common::png(common::noise_rgb(480, 640, 3));
    assert!((600_000..1_000_000).contains(&png.len()), "{}", png.len());
    std::fs::write(&big, png).unwrap();
    let mut over = Vec::new();
    for value in ekyc_preflight::Transport::NAMES {
        let out = run(&[
            "--no-analysis",
            "--json",
            "--transport",
            value,
            big.to_str().unwrap(),
        ]);
        assert_ne!(out.status.code(), Some(2), "{value}: {out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v[0]["outcome"], "checked", "{v}");
        let rules: Vec<_> = v[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].clone())
            .collect();
        over.push((*value, rules.contains(&"file_size".into())));
    }
    assert_eq!(over, [("base64", true), ("url", false)]);
    let out = run(&["--transport", "pigeon", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected one of base64, url"), "{err}");
    assert!(out.stdout.is_empty());
}
