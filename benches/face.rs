//! The face detector (BlazeFace, all four quarter turns) on a 720 × 960 portrait, with
//! each model: `testdata/faces/grace_hopper.jpg` resized to 720 × 960.
//!
//! Run: `cargo bench --bench face`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ekyc_preflight::stages::FaceDetector;

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/faces/grace_hopper.jpg"
    );
    let photo = image::open(path).expect("committed photo").to_rgb8();
    let photo = image::imageops::resize(&photo, 720, 960, image::imageops::FilterType::Triangle);
    let mut detector = FaceDetector::default();
    let mut group = c.benchmark_group("face 720x960, 4 turns");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    for (name, full) in [("short range 128", false), ("full range 256", true)] {
        assert_eq!(detector.detect(photo.as_raw(), 720, 960, full, 0.75), 1);
        group.bench_function(name, |b| {
            b.iter(|| detector.detect(black_box(photo.as_raw()), 720, 960, full, 0.75))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
