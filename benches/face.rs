//! The face detector (BlazeFace) on 720 × 960 pictures, one core, with each model:
//! `testdata/faces/grace_hopper.jpg` resized to 720 × 960, whose sure upright face ends
//! the search after one pass, and `testdata/seeding-12mp-orientation6.jpg` (foliage, no
//! face) resized to 720 × 960, which the detector looks at in all four quarter turns.
//!
//! Run: `cargo bench --bench face`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ekyc_preflight::stages::FaceDetector;

fn picture(name: &str) -> image::RgbImage {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    let photo = image::open(path).expect("committed photo").to_rgb8();
    image::imageops::resize(&photo, 720, 960, image::imageops::FilterType::Triangle)
}

fn bench(c: &mut Criterion) {
    let mut detector = FaceDetector::default();
    let mut group = c.benchmark_group("face 720x960");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    for (what, photo, faces) in [
        (
            "upright face (one pass)",
            picture("faces/grace_hopper.jpg"),
            1,
        ),
        (
            "no face (four passes)",
            picture("seeding-12mp-orientation6.jpg"),
            0,
        ),
    ] {
        for (model, full) in [("short range 128", false), ("full range 256", true)] {
            let found = detector.detect(photo.as_raw(), 720, 960, full, 0.75);
            assert_eq!(found, faces, "{what}, {model}");
            group.bench_function(format!("{model}, {what}"), |b| {
                b.iter(|| detector.detect(black_box(photo.as_raw()), 720, 960, full, 0.75))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
