//! The `prepare` command's contract: files written, summary or JSON, exit codes 0 / 1 / 2.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::assert_compliant;
use ekyc_preflight::Spec;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ekyc-preflight"))
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/phone-orientation6.jpg")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ekyc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn prepares_the_readme_sample() {
    let out = tmp("out.jpg");
    let b64 = tmp("out.b64");
    let run = bin()
        .args([
            "prepare",
            sample().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        // A plant photo: without a face its own check would say `reject` (exit 1).
        .args(["--base64", b64.to_str().unwrap(), "--no-faces"])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let jpeg = std::fs::read(&out).unwrap();
    let d = assert_compliant(&jpeg, &Spec::default());
    // Stored 1024 × 768 with orientation 6: shown portrait, short side 720.
    assert_eq!((d.width, d.height), (720, 960));
    let text = std::fs::read_to_string(&b64).unwrap();
    assert_eq!(text.len(), common::base64_len(jpeg.len()));
    let line = String::from_utf8(run.stdout).unwrap();
    assert!(
        line.contains("720x960") && line.contains("orientation 6"),
        "{line}"
    );
}

#[test]
fn json_report_has_the_documented_fields() {
    let out = tmp("json.jpg");
    let run = bin()
        .args([
            "prepare",
            sample().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--json",
            // A plant photo: no face (the face fields are tested in tests/quality/faces.rs).
            "--no-faces",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v["source_format"], "jpeg");
    assert!(v["crop"].is_null() && v["turned"].is_null() && v["turned_by"].is_null());
    assert_eq!(v["check"]["faces"], serde_json::json!([]));
    assert_eq!(v["orientation"], "rotate90");
    assert_eq!(v["resized_to"]["width"], 720);
    assert_eq!(v["resized_to"]["height"], 960);
    assert_eq!(v["quality"], 90);
    assert_eq!(
        v["check"]["verdict"], "pass",
        "prepare checks its own output: {v}"
    );
    assert_eq!(
        v["bytes"].as_u64().unwrap(),
        std::fs::metadata(&out).unwrap().len()
    );
}

#[test]
fn refused_input_exits_1_and_names_the_rule() {
    let input = tmp("not-an-image.jpg");
    std::fs::write(&input, "just text").unwrap();
    let out = tmp("never.jpg");
    let run = bin()
        .args([
            "prepare",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(
        err.contains("format") && err.contains("UnqualifiedPhoto"),
        "{err}"
    );
    assert!(!out.exists(), "no output for a refused input");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let run = bin().args(["prepare"]).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let run = bin()
        .args([
            "prepare",
            "/definitely/not/here.jpg",
            "-o",
            tmp("x.jpg").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    // Missing folders are made (see `deep_output_folders_are_made`); a folder that is a
    // file cannot be.
    let blocker = tmp("a-plain-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let run = bin()
        .args(["prepare", sample().to_str().unwrap(), "-o"])
        .arg(blocker.join("x.jpg"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn a_directory_is_prepared_in_parallel_with_per_file_results() {
    let dir = tmp("batch-in");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(sample(), dir.join("a.jpg")).unwrap();
    std::fs::write(dir.join("b.png"), common::png(common::photo_rgb(900, 700))).unwrap();
    std::fs::write(dir.join("c.jpg"), "not a picture").unwrap();
    std::fs::write(dir.join(".hidden.jpg"), "skipped").unwrap();
    let out = tmp("batch-out");
    let b64 = tmp("batch-b64");
    let run = bin()
        .args([
            "prepare",
            dir.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["--base64", b64.to_str().unwrap(), "--json", "--jobs", "2"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "one input is refused");
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 3, "{v}");
    assert!(items[0]["input"].as_str().unwrap().ends_with("a.jpg"));
    assert_eq!(
        items[1]["resized_to"]["width"], 700,
        "b.png turned to portrait, kept at size"
    );
    assert_eq!(items[1]["turned"], "clockwise");
    assert_eq!(items[2]["rule"], "format");
    for name in ["a", "b"] {
        let jpeg = std::fs::read(out.join(format!("{name}.jpg"))).unwrap();
        assert_compliant(&jpeg, &Spec::default());
        let text = std::fs::read_to_string(b64.join(format!("{name}.b64"))).unwrap();
        assert_eq!(text.len(), common::base64_len(jpeg.len()));
    }
    assert!(!out.join("c.jpg").exists());
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(err.contains("prepared 2 of 3"), "{err}");
}

/// `--turn`, `--crop` and `--role` take the library's names (`Turn::NAMES`, …) and the
/// short spellings the command always took (`cw`, `ccw`), each reaching the spec: a
/// landscape picture turned `cw` and `clockwise` gives the same bytes, `ccw` other ones.
#[test]
fn option_values_are_the_library_names() {
    use ekyc_preflight::{Crop, Role, Turn};
    let landscape = tmp("names-landscape.png");
    std::fs::write(&landscape, common::png(common::photo_rgb(1000, 750))).unwrap();
    let prepare = |flag: &str, value: &str, out: &PathBuf| {
        bin()
            .args(["prepare", "--no-faces", "--json", flag, value, "-o"])
            .arg(out)
            .arg(&landscape)
            .output()
            .unwrap()
    };
    let mut turned = std::collections::HashMap::new();
    for value in Turn::NAMES.iter().chain(&["cw", "ccw"]) {
        let out = tmp(&format!("names-turn-{value}.jpg"));
        let run = prepare("--turn", value, &out);
        if *value == "off" {
            assert_eq!(run.status.code(), Some(1), "{run:?}");
            assert!(String::from_utf8_lossy(&run.stderr).contains("portrait"));
            continue;
        }
        assert_eq!(run.status.code(), Some(0), "--turn {value}: {run:?}");
        let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        turned.insert(*value, (v["turned"].clone(), std::fs::read(&out).unwrap()));
    }
    assert_eq!(turned["cw"], turned["clockwise"]);
    assert_eq!(turned["auto"], turned["clockwise"], "no face: as cw");
    assert_eq!(turned["ccw"], turned["counter_clockwise"]);
    assert_eq!(turned["cw"].0, "clockwise");
    assert_eq!(turned["ccw"].0, "counter_clockwise");
    assert_ne!(turned["cw"].1, turned["ccw"].1);
    for (flag, names) in [("--crop", Crop::NAMES), ("--role", Role::NAMES)] {
        for value in names {
            let out = tmp(&format!("names{flag}-{value}.jpg"));
            let run = prepare(flag, value, &out);
            assert_eq!(run.status.code(), Some(0), "{flag} {value}: {run:?}");
        }
    }
}

/// A value no option enum reads is a usage error (exit 2, nothing written) whose message
/// lists every name the option takes.
#[test]
fn a_bad_option_value_lists_the_names() {
    for (flag, names) in [
        (
            "--turn",
            ["auto", "clockwise | cw", "counter_clockwise | ccw", "off"].as_slice(),
        ),
        ("--crop", ["none", "face"].as_slice()),
        ("--role", ["face", "id"].as_slice()),
    ] {
        let out = tmp(&format!("bad{flag}.jpg"));
        let run = bin()
            .args(["prepare", flag, "sideways", "-o"])
            .arg(&out)
            .arg(sample())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{flag}: {run:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains(flag) && err.contains("\"sideways\""), "{err}");
        let listed = format!("expected one of {}", names.join(", "));
        assert!(err.contains(&listed), "{flag}: {err}");
        assert!(run.stdout.is_empty());
        assert!(!out.exists());
    }
}
