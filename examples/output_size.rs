//! Output size and time of `prepare` with and without trellis quantisation, and of
//! `check` then `prepare` against `check_and_prepare`, on the photos named on the command
//! line (BENCHMARKS.md, "Output size" and "Check and prepare"):
//!
//! ```text
//! cargo run --release --example output_size -- PHOTO...
//! ```

use std::time::Instant;

use ekyc_preflight::{Checker, Preprocessor, Spec};

/// Runs of each measurement; the median is printed.
const RUNS: usize = 9;

fn median_ms(mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    println!("photo\tplain_bytes\ttrellis_bytes\tquality\tplain_ms\ttrellis_ms\tcheck_then_prepare_ms\tcheck_and_prepare_ms\tsame_verdict");
    for path in std::env::args().skip(1) {
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let plain_spec = Spec {
            trellis: false,
            ..Spec::default()
        };
        let mut plain = Preprocessor::new(plain_spec);
        let mut trellis = Preprocessor::default();
        let mut checker = Checker::default();
        let (Ok(p), Ok(t)) = (plain.prepare(&data), trellis.prepare(&data)) else {
            eprintln!("{path}: refused");
            continue;
        };
        let plain_ms = median_ms(|| drop(plain.prepare(&data)));
        let trellis_ms = median_ms(|| drop(trellis.prepare(&data)));
        let separate_ms = median_ms(|| {
            drop(checker.check(&data));
            drop(trellis.prepare(&data));
        });
        let combined_ms = median_ms(|| drop(trellis.check_and_prepare(&data)));
        let same = trellis.check_and_prepare(&data).input.verdict == checker.check(&data).verdict;
        let name = std::path::Path::new(&path)
            .file_name()
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "{name}\t{}\t{}\t{}\t{plain_ms:.1}\t{trellis_ms:.1}\t{separate_ms:.1}\t{combined_ms:.1}\t{same}",
            p.jpeg().len(),
            t.jpeg().len(),
            t.quality(),
        );
    }
}
