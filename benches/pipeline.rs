//! Each stage of the pipeline, and `prepare` end to end, on a real 12 MP phone photo (and
//! its progressive and PNG variants) and on a small 1280 × 960 photo.
//!
//! Run: `cargo bench --bench pipeline`. Figures and the machine are in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ekyc_preflight::stages::{self, Pixels};
use ekyc_preflight::{Orientation, Preprocessor};

const PHONE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/seeding-12mp-orientation6.jpg"
);

struct Inputs {
    baseline: Vec<u8>,
    progressive: Vec<u8>,
    png: Vec<u8>,
    small: Vec<u8>,
}

/// The committed photo, and variants made from it with independent encoders.
fn inputs() -> Inputs {
    let baseline = std::fs::read(PHONE).expect("testdata/seeding-12mp-orientation6.jpg");
    let full = stages::decode(&baseline, u32::MAX, u32::MAX).unwrap();
    let (w, h) = full.size();
    let rgb = image::RgbImage::from_raw(w, h, pixels_of(&full)).unwrap();
    let mut progressive = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut progressive, 92);
    enc.set_progressive(true);
    enc.encode(
        rgb.as_raw(),
        w as u16,
        h as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .unwrap();
    let mut png = std::io::Cursor::new(Vec::new());
    rgb.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let small_rgb = image::imageops::resize(&rgb, 1280, 960, image::imageops::FilterType::Triangle);
    let mut small = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut small, 92)
        .encode_image(&small_rgb)
        .unwrap();
    Inputs {
        baseline,
        progressive,
        png: png.into_inner(),
        small,
    }
}

fn pixels_of(p: &Pixels) -> Vec<u8> {
    p.raw().to_vec()
}

fn end_to_end(c: &mut Criterion) {
    let inputs = inputs();
    let mut g = c.benchmark_group("prepare");
    g.sample_size(30).measurement_time(Duration::from_secs(8));
    let mut pre = Preprocessor::default().with_base64(true);
    for (name, data) in [
        ("12mp_baseline", &inputs.baseline),
        ("12mp_progressive", &inputs.progressive),
        ("12mp_png", &inputs.png),
        ("1280x960", &inputs.small),
    ] {
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(name, |b| b.iter(|| pre.prepare(black_box(data)).unwrap()));
    }
    g.finish();
}

fn each_stage(c: &mut Criterion) {
    let data = std::fs::read(PHONE).unwrap();
    let mut g = c.benchmark_group("stage");
    g.sample_size(30).measurement_time(Duration::from_secs(5));
    // Stored 4032 × 3024 shows as 720 × 960 once turned: the stored target is 960 × 720.
    let (tw, th) = (960, 720);
    g.bench_function("probe", |b| {
        b.iter(|| stages::probe(black_box(&data)).unwrap())
    });
    g.bench_function("decode_full", |b| {
        b.iter(|| stages::decode(black_box(&data), u32::MAX, u32::MAX).unwrap())
    });
    g.bench_function("decode_shrink_on_load", |b| {
        b.iter(|| stages::decode(black_box(&data), tw, th).unwrap())
    });
    let full = stages::decode(&data, u32::MAX, u32::MAX).unwrap();
    let shrunk = stages::decode(&data, tw, th).unwrap();
    let mut resizer = fast_image_resize::Resizer::new();
    let mut resized = Pixels::default();
    g.bench_function("resize_from_full", |b| {
        b.iter(|| stages::resize(&mut resizer, &full, tw, th, &mut resized).unwrap())
    });
    g.bench_function("resize_from_shrunk", |b| {
        b.iter(|| stages::resize(&mut resizer, &shrunk, tw, th, &mut resized).unwrap())
    });
    // The benches below start from the resized picture, whichever ran above.
    stages::resize(&mut resizer, &shrunk, tw, th, &mut resized).unwrap();
    let mut oriented = Pixels::default();
    g.bench_function("orient_small", |b| {
        b.iter(|| stages::orient(&resized, Orientation::Rotate90, false, &mut oriented))
    });
    g.bench_function("orient_full_for_comparison", |b| {
        b.iter(|| stages::orient(&full, Orientation::Rotate90, false, &mut oriented))
    });
    stages::orient(&resized, Orientation::Rotate90, false, &mut oriented);
    let mut jpeg = Vec::new();
    g.bench_function("encode_q90_420", |b| {
        b.iter(|| stages::encode(&oriented, 90, &mut jpeg).unwrap())
    });
    g.bench_function("encode_q90_444", |b| {
        b.iter(|| {
            stages::encode_with(&oriented, 90, ekyc_preflight::Subsampling::S444, &mut jpeg)
                .unwrap()
        })
    });
    stages::encode(&oriented, 90, &mut jpeg).unwrap();
    let mut text = String::new();
    g.bench_function("base64", |b| {
        b.iter(|| {
            text.clear();
            base64_simd::STANDARD.encode_append(black_box(&jpeg), &mut text);
        })
    });
    g.finish();
}

criterion_group!(benches, each_stage, end_to_end);
criterion_main!(benches);
