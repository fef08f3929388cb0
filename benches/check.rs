//! `check` against `Preprocessor::prepare` on the same photos: the verdict must cost well
//! under the fix. On `testdata/phone-orientation6.jpg` (1024 × 768) and the 12 MP phone
//! photo (`testdata/seeding-12mp-orientation6.jpg`, or the team corpus's copy), each
//! with and without the pixel analysis; `prepare` with and without trellis quantisation.
//!
//! Run: `cargo bench --bench check`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ekyc_preflight::{check, check_with, CheckOptions, Checker, Preprocessor, Spec};

/// The photos benched: name and bytes.
fn photos() -> Vec<(&'static str, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![(
        "phone-orientation6 (1024x768)",
        std::fs::read(root.join("testdata/phone-orientation6.jpg")).expect("committed sample"),
    )];
    let twelve = [
        root.join("testdata/seeding-12mp-orientation6.jpg"),
        root.join("../shared/corpus/phone/seeding-12mp-orientation6.jpg"),
    ];
    match twelve.iter().find_map(|p| std::fs::read(p).ok()) {
        Some(data) => out.push(("seeding-12mp (4032x3024)", data)),
        None => eprintln!("skipping the 12 MP photo: not in testdata/ nor ../shared/corpus"),
    }
    out
}

fn bench(c: &mut Criterion) {
    let header_only = CheckOptions {
        analyse: false,
        ..CheckOptions::default()
    };
    for (name, data) in photos() {
        let mut group = c.benchmark_group(name);
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("check", |b| b.iter(|| check(black_box(&data))));
        // As a service runs it (README "In a web service"): one `Checker` a worker, its
        // buffers and the networks' kept between pictures, as `prepare`'s are below.
        let mut checker = Checker::default();
        group.bench_function("check, reused Checker", |b| {
            b.iter(|| checker.check(black_box(&data)))
        });
        group.bench_function("check, header only", |b| {
            b.iter(|| check_with(black_box(&data), &Spec::default(), &header_only))
        });
        let mut pre = Preprocessor::default();
        group.bench_function("prepare", |b| {
            b.iter(|| pre.prepare(black_box(&data)).expect("the photos prepare"))
        });
        // Trellis (on by default, for the document's 50–100 KB advice) is a large part of
        // `prepare` when the plain encoding is above 100 KB: the ratio without it too.
        let mut plain = Preprocessor::new(Spec {
            trellis: false,
            ..Spec::default()
        });
        group.bench_function("prepare, no trellis", |b| {
            b.iter(|| plain.prepare(black_box(&data)).expect("the photos prepare"))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
