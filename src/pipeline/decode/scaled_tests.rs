//! The shrink-on-load JPEG decoder's tests: against `jpeg-decoder` at each scale, the reduced
//! IDCTs, progressive files whole, cut short and out of order, reused planes.

use super::*;
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

/// A smooth picture with edges and texture, `w` × `h`.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let edge = if (x / 37 + y / 23) % 3 == 0 {
                60.0
            } else {
                0.0
            };
            let tex = ((x * 7 + y * 13) % 17) as f32;
            px.push((40.0 + 150.0 * fx + edge + tex) as u8);
            px.push((200.0 - 120.0 * fy + tex) as u8);
            px.push((90.0 + 80.0 * (fx * 9.0).sin() * fy + edge) as u8);
        }
    }
    px
}

fn jpeg(w: u32, h: u32, sampling: SamplingFactor, restart: u16, grey: bool) -> Vec<u8> {
    jpeg_sent(w, h, sampling, restart, grey, false)
}

/// [`photo`] as a JPEG at quality 92, baseline or progressive (DC, then AC bands):
/// the same coefficients either way.
fn jpeg_sent(
    w: u32,
    h: u32,
    sampling: SamplingFactor,
    restart: u16,
    grey: bool,
    progressive: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 92);
    enc.set_sampling_factor(sampling);
    enc.set_restart_interval(restart);
    enc.set_progressive(progressive);
    let rgb = photo(w, h);
    if grey {
        let luma: Vec<u8> = rgb.chunks(3).map(|p| p[1]).collect();
        enc.encode(&luma, w as u16, h as u16, ColorType::Luma)
            .unwrap();
    } else {
        enc.encode(&rgb, w as u16, h as u16, ColorType::Rgb)
            .unwrap();
    }
    out
}

/// The size in the frame header, as the probe reads it.
fn size_of(data: &[u8]) -> (u32, u32) {
    let header = crate::pipeline::probe::probe(data, &Limits::default()).unwrap();
    (header.width, header.height)
}

/// A file of the hostile-JPEG fixtures.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/hostile/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `jpeg-decoder`'s decode of `data` at 1/`divisor` (1 for full size), as RGB.
fn theirs(data: &[u8], divisor: u32) -> (Vec<u8>, u32, u32) {
    let mut d = jpeg_decoder::Decoder::new(data);
    d.read_info().unwrap();
    let info = d.info().unwrap();
    let request = |s: u16| s.div_ceil(divisor as u16);
    d.scale(request(info.width), request(info.height)).unwrap();
    let pixels = d.decode().unwrap();
    let info = d.info().unwrap();
    let pixels = if info.pixel_format == jpeg_decoder::PixelFormat::L8 {
        pixels.iter().flat_map(|&v| [v, v, v]).collect()
    } else {
        pixels
    };
    (pixels, u32::from(info.width), u32::from(info.height))
}

/// Mean absolute difference of two pictures of the same size.
fn mad(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x.abs_diff(y)))
        .sum::<f64>()
        / a.len() as f64
}

/// The full-size decode averaged over `divisor` × `divisor` squares: what a
/// shrunk-on-load picture stands for.
fn reference(data: &[u8], divisor: u32) -> Vec<u8> {
    let (full, w, h) = theirs(data, 1);
    let (sw, sh) = (w.div_ceil(divisor), h.div_ceil(divisor));
    let mut out = Vec::new();
    for y in 0..sh {
        for x in 0..sw {
            for c in 0..3 {
                let (mut sum, mut n) = (0u32, 0u32);
                for yy in y * divisor..((y + 1) * divisor).min(h) {
                    for xx in x * divisor..((x + 1) * divisor).min(w) {
                        sum += u32::from(full[((yy * w + xx) * 3 + c) as usize]);
                        n += 1;
                    }
                }
                out.push(((sum + n / 2) / n) as u8);
            }
        }
    }
    out
}

#[test]
fn matches_jpeg_decoder_without_subsampling() {
    for (restart, grey) in [(7, false), (0, true), (0, false)] {
        for (w, h) in [(333, 251), (64, 48), (17, 9)] {
            let data = jpeg(w, h, SamplingFactor::F_1_1, restart, grey);
            for divisor in [2, 4, 8] {
                let planes =
                    jpeg::decode_scaled(&data, size_of(&data), 8 / divisor, Planes::default())
                        .expect("ours takes it");
                let (theirs, tw, th) = theirs(&data, divisor);
                assert_eq!((planes.width, planes.height), (tw, th));
                let diff = mad(&jpeg::to_rgb(&planes), &theirs);
                // At 1/8 the two round the DC term differently.
                let bound = if divisor == 8 { 1.2 } else { 0.1 };
                assert!(
                    diff < bound,
                    "rst {restart} grey {grey} {w}x{h} /{divisor}: {diff}"
                );
            }
        }
    }
}

/// Decoded planes as RGB, chroma brought up to the luminance's size as the pipeline
/// resizes planes.
fn full_rgb(planes: &Planes) -> Vec<u8> {
    let (w, h) = (planes.width, planes.height);
    let mut resized: [Vec<u8>; 3] = Default::default();
    crate::pipeline::resize::resize_planes(
        &mut fast_image_resize::Resizer::new(),
        planes,
        None,
        (w, h),
        (w, h),
        &mut resized,
    )
    .unwrap();
    let mut full = Planes::default();
    let [y, cb, cr] = &resized;
    crate::pipeline::orient::Transform::IDENTITY.apply_planes([y, cb, cr], w, h, false, &mut full);
    jpeg::to_rgb(&full)
}

/// Mean absolute differences from the box-averaged full decode of our decode at
/// 1/`divisor` (planes resized as the pipeline does, chroma brought up to the
/// luminance's size) and of `jpeg-decoder`'s; and whether the picture is under 16
/// pixels on a side.
fn against_reference(data: &[u8], divisor: u32) -> (f64, f64, bool) {
    let planes = jpeg::decode_scaled(data, size_of(data), 8 / divisor, Planes::default())
        .expect("ours takes it");
    let reference = reference(data, divisor);
    let (pw, ph) = (planes.width, planes.height);
    let rgb = full_rgb(&planes);
    let ours = mad(&rgb, &reference);
    let theirs = mad(&theirs(data, divisor).0, &reference);
    (ours, theirs, pw.min(ph) < 16)
}

#[test]
fn subsampled_planes_are_as_close_to_the_full_decode_as_jpeg_decoder() {
    for (sampling, restart) in [
        (SamplingFactor::F_2_2, 0),
        (SamplingFactor::F_2_1, 5),
        (SamplingFactor::F_1_2, 3),
    ] {
        for (w, h) in [(333, 251), (64, 48), (17, 9)] {
            let data = jpeg(w, h, sampling, restart, false);
            for divisor in [2, 4, 8] {
                let (ours, theirs, small) = against_reference(&data, divisor);
                eprintln!(
                    "{sampling:?} {w}x{h} /{divisor}: ours {ours:.2}, jpeg-decoder {theirs:.2}"
                );
                // A few pixels across, one chroma sample more or less weighs heavily.
                let slack = if small { 1.5 } else { 0.5 };
                assert!(
                    ours < theirs + slack,
                    "{sampling:?} {w}x{h} /{divisor}: {ours} vs {theirs}"
                );
            }
        }
    }
}

fn progressive(w: u32, h: u32, sampling: SamplingFactor, restart: u16, grey: bool) -> Vec<u8> {
    jpeg_sent(w, h, sampling, restart, grey, true)
}

/// Our decode of `data` at `eighths`/8, as RGB at the reduced size.
fn ours(data: &[u8], eighths: u32) -> Vec<u8> {
    let planes = jpeg::decode_scaled(data, size_of(data), eighths, Planes::default())
        .expect("ours takes it");
    jpeg::to_rgb(&planes)
}

/// The full-size decode averaged over the area each sample at `eighths`/8 of the size
/// covers (8/`eighths` pixels a side, in fractions where it is not whole), as RGB.
fn area_reference(data: &[u8], eighths: u32) -> (Vec<u8>, u32, u32) {
    let (full, w, h) = theirs(data, 1);
    let scale = 8.0 / f64::from(eighths);
    let (sw, sh) = ((w * eighths).div_ceil(8), (h * eighths).div_ceil(8));
    // For each output index along an axis of `n` pixels: (pixel, weight) pairs.
    let weights = |n: u32, m: u32| -> Vec<Vec<(usize, f64)>> {
        (0..m)
            .map(|i| {
                let (lo, hi) = (
                    f64::from(i) * scale,
                    (f64::from(i + 1) * scale).min(f64::from(n)),
                );
                (lo.floor() as u32..hi.ceil() as u32)
                    .map(|p| {
                        let cover = hi.min(f64::from(p + 1)) - lo.max(f64::from(p));
                        (p as usize, cover / (hi - lo))
                    })
                    .collect()
            })
            .collect()
    };
    let (wx, wy) = (weights(w, sw), weights(h, sh));
    let mut out = Vec::new();
    for ys in &wy {
        for xs in &wx {
            for c in 0..3 {
                let mut sum = 0.0;
                for &(y, ky) in ys {
                    for &(x, kx) in xs {
                        sum += ky * kx * f64::from(full[(y * w as usize + x) * 3 + c]);
                    }
                }
                out.push(sum.round() as u8);
            }
        }
    }
    (out, sw, sh)
}

#[test]
fn three_eighths_is_as_close_to_its_reference_as_a_half_is_to_its_own() {
    for (sampling, grey) in [
        (SamplingFactor::F_2_2, false),
        (SamplingFactor::F_1_1, false),
        (SamplingFactor::F_1_1, true),
    ] {
        for (w, h) in [(333, 251), (64, 48)] {
            let data = jpeg(w, h, sampling, 0, grey);
            let distance = |eighths: u32| {
                let planes = jpeg::decode_scaled(&data, size_of(&data), eighths, Planes::default())
                    .expect("ours takes it");
                let (reference, rw, rh) = area_reference(&data, eighths);
                assert_eq!((planes.width, planes.height), (rw, rh));
                mad(&full_rgb(&planes), &reference)
            };
            let (three, four) = (distance(3), distance(4));
            eprintln!("{sampling:?} grey {grey} {w}x{h}: 3/8 {three:.2}, 1/2 {four:.2}");
            assert!(
                three < four + 0.5,
                "{sampling:?} {w}x{h}: {three} vs {four}"
            );
        }
    }
}

#[test]
fn reduced_idcts_read_the_lowest_frequencies_and_the_factored_ones_match_their_basis() {
    assert_eq!([1, 2, 3, 4].map(frame::kept), [1, 5, 13, 25]);
    // Random blocks through the factored 3- and 4-point transforms and through the
    // general one built on the same basis.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 401) as i32 - 200
    };
    for _ in 0..200 {
        let block: [i32; 64] = std::array::from_fn(|_| next());
        for n in [3, 4] {
            let idct = idct::Idct::new(n);
            let (mut factored, mut general) = ([0u8; 16], [0u8; 16]);
            idct.apply(&block, 63, &mut factored, n);
            idct.apply_general(&block, &mut general, n);
            for (a, b) in factored.iter().zip(&general) {
                assert!(a.abs_diff(*b) <= 1, "{n}: {factored:?} vs {general:?}");
            }
        }
    }
}

#[test]
fn progressive_files_decode_to_the_pixels_of_the_same_coefficients_sent_at_once() {
    // jpegtran's lossless transcodings: DC and AC in every order, successive
    // approximation one bit a scan down from 7, restart markers between blocks.
    let baseline = fixture("baseline-restart-every-row.jpg");
    let cropped = fixture("baseline-cropped-333x251.jpg");
    let pairs = [
        ("progressive-default-script.jpg", &baseline),
        ("progressive-one-coefficient-per-scan.jpg", &baseline),
        ("progressive-deep-successive-approximation.jpg", &baseline),
        ("progressive-non-interleaved-odd-order.jpg", &baseline),
        ("progressive-restart-every-block.jpg", &baseline),
        ("progressive-cropped-333x251.jpg", &cropped),
    ];
    for (name, baseline) in pairs {
        let progressive = fixture(name);
        for eighths in 1..=4 {
            assert!(
                ours(&progressive, eighths) == ours(baseline, eighths),
                "{name} {eighths}/8"
            );
        }
    }
    // jpeg-encoder's: spectral selection only, DC per component, partial MCUs.
    for (sampling, restart, grey) in [
        (SamplingFactor::F_2_2, 0, false),
        (SamplingFactor::F_2_1, 3, false),
        (SamplingFactor::F_1_1, 0, true),
    ] {
        for (w, h) in [(333, 251), (17, 9)] {
            let progressive = progressive(w, h, sampling, restart, grey);
            let baseline = jpeg(w, h, sampling, restart, grey);
            for eighths in 1..=4 {
                assert!(
                    ours(&progressive, eighths) == ours(&baseline, eighths),
                    "{sampling:?} {w}x{h} {eighths}/8"
                );
            }
        }
    }
}

#[test]
fn reused_planes_leave_no_trace_of_their_last_picture() {
    let files = [
        "baseline-restart-every-row.jpg",
        "progressive-default-script.jpg",
        "baseline-cropped-333x251.jpg",
        "progressive-cropped-333x251.jpg",
    ]
    .map(fixture);
    let decode = |data: &[u8], eighths, reuse| {
        jpeg::decode_scaled(data, size_of(data), eighths, reuse).expect("ours takes it")
    };
    for data in &files {
        for eighths in 1..=4 {
            let fresh = decode(data, eighths, Planes::default());
            // Planes of larger and smaller pictures, every sample one value.
            for other in &files {
                let mut reuse = decode(other, 4, Planes::default());
                for plane in &mut reuse.planes {
                    plane.samples.fill(0xA5);
                }
                let reused = decode(data, eighths, reuse);
                assert_eq!((reused.width, reused.height), (fresh.width, fresh.height));
                for (a, b) in reused.planes.iter().zip(&fresh.planes) {
                    assert!(a.samples == b.samples && a.stride == b.stride);
                }
            }
        }
    }
}

#[test]
fn progressive_files_left_incomplete_decode_as_far_as_they_go() {
    // DC only, at full precision: at 1/8 what the baseline file gives, and at 1/4,
    // 3/8 and 1/2 each block flat at that value.
    let dc_only = fixture("progressive-dc-only.jpg");
    let size = size_of(&dc_only);
    let eighth = jpeg::decode_scaled(&dc_only, size, 1, Planes::default()).unwrap();
    assert!(ours(&dc_only, 1) == ours(&fixture("baseline-restart-every-row.jpg"), 1));
    for n in 2..=4 {
        let planes = jpeg::decode_scaled(&dc_only, size, n as u32, Planes::default()).unwrap();
        for (plane, dc) in planes.planes.iter().zip(&eighth.planes) {
            for (y, row) in plane.samples.chunks_exact(plane.stride).enumerate() {
                for (x, &sample) in row.iter().enumerate() {
                    assert_eq!(sample, dc.samples[y / n * dc.stride + x / n]);
                }
            }
        }
    }
    // DC never refined and chroma AC left at one bit: as close to the full decode as
    // jpeg-decoder's.
    let partial = fixture("progressive-partial-refinement.jpg");
    for divisor in [2, 4, 8] {
        let (ours, theirs, _) = against_reference(&partial, divisor);
        assert!(ours < theirs + 0.5, "/{divisor}: {ours} vs {theirs}");
    }
}

#[test]
fn progressive_scans_out_of_order_are_left_to_the_general_decoder() {
    let data = fixture("progressive-default-script.jpg");
    let size = size_of(&data);
    assert!(jpeg::decode_scaled(&data, size, 4, Planes::default()).is_ok());
    // The same file with the scans' headers altered one way or another.
    let sos: Vec<usize> = data
        .windows(2)
        .enumerate()
        .filter(|(_, w)| *w == [0xFF, 0xDA])
        .map(|(i, _)| i)
        .collect();
    let approximation = |i: usize| {
        let count = usize::from(data[i + 4]);
        i + 4 + 1 + 2 * count + 2
    };
    // The first AC scan refines a band never sent.
    let mut refined_early = data.clone();
    refined_early[approximation(sos[1])] = 0x21;
    // The first scan sends AC and DC together.
    let mut mixed = data.clone();
    mixed[approximation(sos[0]) - 1] = 5;
    // A second frame header.
    let mut two_frames = data.clone();
    let sof = data.windows(2).position(|w| w == [0xFF, 0xC2]).unwrap();
    let len = usize::from(u16::from_be_bytes([data[sof + 2], data[sof + 3]]));
    two_frames.splice(sof..sof, data[sof..sof + 2 + len].to_vec());
    for (what, damaged) in [
        ("refined early", refined_early),
        ("mixed", mixed),
        ("two frames", two_frames),
    ] {
        assert!(
            matches!(
                jpeg::decode_scaled(&damaged, size, 4, Planes::default()),
                Err(Declined::Layout)
            ),
            "{what}"
        );
    }
    // A frame of another size than the probe read.
    assert!(jpeg::decode_scaled(&data, (size.0 + 1, size.1), 4, Planes::default()).is_err());
}
