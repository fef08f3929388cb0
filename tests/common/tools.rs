//! The external tools the judged tests call (Python's Pillow, libjpeg-turbo's programs),
//! and how a test skips without them: it says so and passes, unless `EKYC_REQUIRE_TOOLS`
//! is set (CI sets it, after `.ci/run` installs them), when a missing tool fails it.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// `present`, after saying that the test skips for want of `what` (and how to `install`
/// it) when it is absent; panics instead when `EKYC_REQUIRE_TOOLS` is set.
pub fn present_or_skip(present: bool, what: &str, install: &str) -> bool {
    if !present {
        assert!(
            std::env::var_os("EKYC_REQUIRE_TOOLS").is_none(),
            "EKYC_REQUIRE_TOOLS is set but {what} is missing"
        );
        eprintln!("skipping: {what} is absent ({install})");
    }
    present
}

/// Whether Python 3 runs `code` (Pillow imports, a feature check) without an error;
/// `what` names what it looks for, in the skip message.
pub fn pillow(code: &str, what: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", code])
        .output()
        .is_ok_and(|o| o.status.success());
    present_or_skip(ok, what, "pip install pillow")
}

/// Whether libjpeg-turbo's `cjpeg`, `djpeg` and `jpegtran` are all here.
pub fn libjpeg_tools() -> bool {
    let ok = ["cjpeg", "djpeg", "jpegtran"].iter().all(|tool| {
        Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    });
    present_or_skip(
        ok,
        "libjpeg-turbo's cjpeg/djpeg/jpegtran",
        "apt-get install libjpeg-turbo-progs",
    )
}

/// Writes `bytes` to a new file in this process's scratch folder (`ekyc-<tag>-<pid>`), one
/// name per call: tests run in parallel and write the same bytes at times.
pub fn temp_file(tag: &str, bytes: &[u8], ext: &str) -> PathBuf {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("ekyc-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.{ext}", CALLS.fetch_add(1, Ordering::Relaxed)));
    std::fs::File::create(&path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
    path
}

/// Runs a Python (Pillow) `script` with `args`; its standard output. Fails with the
/// script's error text when it fails.
pub fn python<A: AsRef<OsStr>>(script: &str, args: impl IntoIterator<Item = A>) -> Vec<u8> {
    let out = Command::new("python3")
        .args(["-c", script])
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "Pillow: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `tool` with `args` on `input` (fed from another thread, so a large input cannot
/// block it): its standard output, its error text, and whether it succeeded. A tool that
/// stops reading early closes its input: not an error here.
pub fn run_tool(tool: &str, args: &[&str], input: &[u8]) -> (Vec<u8>, String, bool) {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    let _ = writer.join().unwrap();
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}
