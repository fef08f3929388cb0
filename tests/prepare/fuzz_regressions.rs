//! Replays every input the fuzzers found trouble with (`tests/fixtures/fuzz-regressions/`),
//! and the fuzz seeds (`fuzz/seeds/`), on stable with every `cargo test`: no panic, and
//! every output complies.
//!
//! File names say which target an input belongs to: `prepare-*` go through `prepare` and
//! `check`, `check-*` through `check`, `exif-*` through `prepare` wrapped as the `exif`
//! target wraps them (first byte even: the rest is the APP1 EXIF payload of a valid JPEG;
//! odd: a PNG eXIf chunk), `response-*` through the response parser (first two bytes the
//! status).

use crate::common;

use std::path::{Path, PathBuf};

use common::*;
use ekyc_preflight::{Preprocessor, Spec};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What the `prepare` fuzz target checks, with the independent decoder on top; `check`
/// too, which reads the same bytes.
fn replay_prepare(data: &[u8], name: &str) {
    let _ = ekyc_preflight::check(data);
    for spec in [
        Spec::default(),
        Spec {
            upscale: true,
            ..Spec::default()
        },
    ] {
        let result = Preprocessor::new(spec).prepare(data);
        match result {
            Ok(prepared) => drop(assert_compliant(prepared.jpeg(), &spec)),
            Err(e) => assert!(!e.to_string().is_empty(), "{name}"),
        }
    }
}

/// The `exif` target's wrapping: a valid picture whose EXIF is `tiff`.
fn wrap_exif(data: &[u8]) -> Option<Vec<u8>> {
    let (&selector, tiff) = data.split_first()?;
    Some(if selector % 2 == 0 {
        with_exif(&jpeg(&photo_rgb(480, 640)), tiff)
    } else {
        insert_png_chunk(&png(photo_rgb(480, 640)), b"eXIf", tiff)
    })
}

fn replay_exif(data: &[u8], name: &str) {
    let Some(input) = wrap_exif(data) else {
        return;
    };
    let spec = Spec::default();
    match Preprocessor::new(spec).prepare(&input) {
        Ok(prepared) => drop(assert_compliant(prepared.jpeg(), &spec)),
        Err(e) => panic!("{name}: a valid picture with odd EXIF was refused: {e}"),
    }
}

fn replay_response(data: &[u8]) {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 100 + u16::from_be_bytes(*status) % 500;
    let _ = ekyc_preflight::api::EkycVerifyResponse::parse(status, body);
}

fn replay(path: &Path, target: &str) {
    let data = std::fs::read(path).unwrap();
    let name = path.display().to_string();
    match target {
        "prepare" => replay_prepare(&data, &name),
        "exif" => replay_exif(&data, &name),
        "response" => replay_response(&data),
        "check" => {
            let _ = ekyc_preflight::check(&data);
        }
        // HEIC/AVIF seeds: read in builds with the `heif`/`avif` features, refused
        // (format) in others; never a panic.
        "heif" => {
            replay_prepare(&data, &name);
            let _ = ekyc_preflight::check(&data);
        }
        other => panic!("{name}: unknown target {other}"),
    }
}

#[test]
fn fuzz_regressions_replay() {
    let dir = root().join("tests/fixtures/fuzz-regressions");
    let files = files(&dir);
    assert!(!files.is_empty(), "{} is empty", dir.display());
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let target = name.split('-').next().unwrap();
        replay(&path, target);
    }
}

/// The fuzz seeds live in `fuzz/`, which the published package leaves out: there these
/// tests skip with a message (in the repository the folder is always present).
fn seeds_present() -> bool {
    let present = root().join("fuzz/seeds").is_dir();
    if !present {
        eprintln!("skipped: fuzz/seeds is not here (the published package leaves fuzz/ out)");
    }
    present
}

#[test]
fn fuzz_seeds_replay() {
    if !seeds_present() {
        return;
    }
    for target in ["prepare", "exif", "response", "heif"] {
        let dir = root().join("fuzz/seeds").join(target);
        let files = files(&dir);
        assert!(files.len() >= 3, "{}: too few seeds", dir.display());
        for path in files {
            replay(&path, target);
        }
    }
}

/// The seeds are real pictures: with upscaling every one of them comes out.
#[test]
fn prepare_seeds_are_accepted_with_upscaling() {
    if !seeds_present() {
        return;
    }
    let spec = Spec {
        upscale: true,
        ..Spec::default()
    };
    for path in files(&root().join("fuzz/seeds/prepare")) {
        let data = std::fs::read(&path).unwrap();
        let prepared = Preprocessor::new(spec)
            .prepare(&data)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_compliant(prepared.jpeg(), &spec);
    }
}
