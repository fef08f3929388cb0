//! The shrink-on-load JPEG decoder (`src/pipeline/decode/jpeg.rs`, `progressive.rs`) on damaged
//! files. It takes baseline and progressive JPEGs large enough to be decoded at 1/8 to 1/2
//! of their size; anything
//! it finds odd goes to the general decoder. Whatever the damage, `prepare` gives a
//! compliant output (checked by an independent decoder) or a typed refusal, never a
//! panic; and the same bytes always give the same output.

use crate::common;

use common::*;
use ekyc_preflight::{Preprocessor, Rule, Spec};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

/// The document's rules scaled down fourfold (a 180-pixel short side), so that pictures
/// small enough for a quick test are decoded at 3/8 of their size, as 12 MP photos are
/// under the default spec.
fn spec() -> Spec {
    quarter_spec()
}

/// An 800 × 1000 photo-like JPEG (decoded at 3/8 for a 180 × 225 output), with restart
/// markers every `restart` MCUs (0: none).
fn big_jpeg(sampling: SamplingFactor, restart: u16) -> Vec<u8> {
    big_jpeg_sent(sampling, restart, false)
}

/// [`big_jpeg`], sent progressively (a DC scan per component, then AC bands) when
/// `progressive`: the same coefficients either way.
fn big_jpeg_sent(sampling: SamplingFactor, restart: u16, progressive: bool) -> Vec<u8> {
    let img = noise_over(photo_rgb(800, 1000));
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 85);
    enc.set_sampling_factor(sampling);
    enc.set_restart_interval(restart);
    enc.set_progressive(progressive);
    enc.encode(img.as_raw(), 800, 1000, ColorType::Rgb).unwrap();
    out
}

/// Texture over the gradient, so that every block has AC coefficients to decode.
fn noise_over(mut img: image::RgbImage) -> image::RgbImage {
    let noise = noise_rgb(img.width(), img.height(), 7);
    for (p, n) in img.pixels_mut().zip(noise.pixels()) {
        for c in 0..3 {
            p[c] = (u16::from(p[c]) * 3 / 4 + u16::from(n[c]) / 4) as u8;
        }
    }
    img
}

/// Where the entropy-coded data starts and ends (the last scan, to EOI).
fn scan_range(data: &[u8]) -> (usize, usize) {
    let sos = data.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let len = usize::from(u16::from_be_bytes([data[sos + 2], data[sos + 3]]));
    (sos + 2 + len, data.len() - 2)
}

/// `prepare` on `data`: a compliant output, or a refusal for damage or size.
fn output_or_refusal(data: &[u8], what: &str) {
    match Preprocessor::new(spec()).prepare(data) {
        Ok(prepared) => {
            assert_compliant(prepared.jpeg(), &spec());
        }
        Err(e) => assert!(
            matches!(e.rule(), Rule::Readable | Rule::Format),
            "{what}: {e:?}"
        ),
    }
}

#[test]
fn sound_files_of_every_sampling_come_out_compliant_and_deterministic() {
    for (sampling, restart) in [
        (SamplingFactor::F_2_2, 0),
        (SamplingFactor::F_2_1, 5),
        (SamplingFactor::F_1_1, 2),
    ] {
        let data = big_jpeg(sampling, restart);
        let first = Preprocessor::new(spec()).prepare(&data).unwrap();
        let decoded = assert_compliant(first.jpeg(), &spec());
        assert_eq!((decoded.width, decoded.height), (180, 225));
        // 3/8 of 800: the smallest scale keeping 1.5 times the output's 180.
        assert_eq!(first.report().decoded_size.width, 300, "{sampling:?}");
        let again = Preprocessor::new(spec()).prepare(&data).unwrap();
        assert_eq!(
            first.jpeg(),
            again.jpeg(),
            "{sampling:?}: not deterministic"
        );
    }
}

#[test]
fn progressive_files_come_out_as_their_baseline_twins() {
    for (sampling, restart) in [
        (SamplingFactor::F_2_2, 0),
        (SamplingFactor::F_2_1, 3),
        (SamplingFactor::F_1_1, 0),
    ] {
        let baseline = Preprocessor::new(spec())
            .prepare(&big_jpeg_sent(sampling, restart, false))
            .unwrap();
        let progressive = Preprocessor::new(spec())
            .prepare(&big_jpeg_sent(sampling, restart, true))
            .unwrap();
        assert_compliant(progressive.jpeg(), &spec());
        assert!(
            baseline.jpeg() == progressive.jpeg(),
            "{sampling:?}: the progressive file came out otherwise"
        );
    }
}

#[test]
fn progressive_files_damaged_or_cut_after_any_scan() {
    let data = big_jpeg_sent(SamplingFactor::F_2_2, 2, true);
    let first_scan = data.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    for i in 0..32 {
        let at = first_scan + (data.len() - 2 - first_scan) * i / 32;
        for flip in [0x01, 0x80, 0xFF] {
            let mut bad = data.clone();
            bad[at] ^= flip;
            output_or_refusal(&bad, &format!("byte {at} ^ {flip:#x}"));
        }
    }
    let scans: Vec<usize> = data
        .windows(2)
        .enumerate()
        .filter(|(_, w)| *w == [0xFF, 0xDA])
        .map(|(i, _)| i)
        .collect();
    for &cut in &scans[1..] {
        // Cut before a scan: the picture so far, closed with EOI; and cut mid-scan.
        for end in [cut, cut + (data.len() - cut) / 7] {
            let mut bad = data[..end].to_vec();
            bad.extend_from_slice(&[0xFF, 0xD9]);
            output_or_refusal(&bad, &format!("cut at {end}"));
        }
    }
}

#[test]
fn bytes_flipped_anywhere_in_the_scan() {
    let data = big_jpeg(SamplingFactor::F_2_2, 8);
    let (start, end) = scan_range(&data);
    for i in 0..24 {
        let at = start + (end - start) * i / 24;
        for flip in [0x01, 0x80, 0xFF] {
            let mut bad = data.clone();
            bad[at] ^= flip;
            output_or_refusal(&bad, &format!("byte {at} ^ {flip:#x}"));
        }
    }
}

#[test]
fn scan_cut_short_then_closed_with_eoi() {
    let data = big_jpeg(SamplingFactor::F_2_2, 0);
    let (start, end) = scan_range(&data);
    for keep in [0, 1, (end - start) / 3, end - start - 10] {
        let mut bad = data[..start + keep].to_vec();
        bad.extend_from_slice(&[0xFF, 0xD9]);
        output_or_refusal(&bad, &format!("scan cut at {keep}"));
    }
}

#[test]
fn restart_markers_missing_or_out_of_order() {
    let data = big_jpeg(SamplingFactor::F_2_2, 4);
    let (start, end) = scan_range(&data);
    let is_rst = |w: &[u8]| w[0] == 0xFF && (0xD0..=0xD7).contains(&w[1]);
    let markers: Vec<usize> = (start..end - 1)
        .filter(|&i| is_rst(&data[i..i + 2]))
        .collect();
    assert!(markers.len() > 100, "{} restart markers", markers.len());
    // All of them gone.
    let mut without = data[..start].to_vec();
    let mut i = start;
    while i < data.len() {
        if i + 1 < end && is_rst(&data[i..i + 2]) {
            i += 2;
        } else {
            without.push(data[i]);
            i += 1;
        }
    }
    output_or_refusal(&without, "no restart markers");
    // One renumbered.
    let mut renumbered = data.clone();
    renumbered[markers[markers.len() / 2] + 1] ^= 0x01;
    output_or_refusal(&renumbered, "a restart marker out of order");
}

#[test]
fn broken_tables() {
    let data = big_jpeg(SamplingFactor::F_2_2, 0);
    let dht = data.windows(2).position(|w| w == [0xFF, 0xC4]).unwrap();
    // Code counts that overflow the code space (more codes than lengths allow).
    let mut overfull = data.clone();
    overfull[dht + 5] = 0xFF;
    output_or_refusal(&overfull, "overfull Huffman table");
    // A scan naming tables the file never defines.
    let sos = data.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let mut undefined = data.clone();
    undefined[sos + 6] = 0x33;
    output_or_refusal(&undefined, "undefined Huffman tables");
    // A zero quantisation table: every block decodes flat.
    let dqt = data.windows(2).position(|w| w == [0xFF, 0xDB]).unwrap();
    let mut zero = data.clone();
    zero[dqt + 5..dqt + 5 + 64].fill(0);
    output_or_refusal(&zero, "zero quantisation table");
}
