//! Stage 5, second pass: trellis quantisation (`mozjpeg-rs`, mozjpeg's encoder in safe
//! Rust) for an output whose plain encoding is above the document's advised size.
//!
//! Trellis quantisation keeps the quantisation tables of the plain encoding (the JPEG
//! standard's Annex K tables scaled to the same quality, as libjpeg and `jpeg-encoder`
//! scale them, so the output still reads as that quality) and chooses, block by block,
//! the quantised coefficients that cost the fewest bits for the least error, where the
//! plain encoder rounds each one to the nearest step. Measured on 20 photos at 720 pixels
//! short side, quality 90, 4:2:0 (BENCHMARKS.md, "Output size"): 10% fewer bytes (median),
//! 0.48 dB PSNR and 0.001 SSIM less, about five times the plain encoding's time (four
//! with the search of [`search`], BENCHMARKS.md, "Trellis by default"); so it runs only
//! where the plain output is above the advised size, and its output is kept only when
//! `check` judges it as the plain one ([`judged_alike`]).

use mozjpeg_rs::{
    Encoder, QuantTableIdx, Subsampling as Sampling, TrellisConfig, TrellisSpeedMode,
};

use crate::pipeline::pixels::Picture;
use crate::{Report, Rule, Subsampling};

/// The picture encoded at `quality` with trellis quantisation, Huffman tables made for
/// the picture, baseline (sequential) coding and a JFIF header only; `None` when the
/// encoder refuses it (the caller keeps its plain encoding) or the picture's planes are
/// laid out for another subsampling than `subsampling`.
pub(crate) fn encode_trellis(
    picture: Picture,
    quality: u8,
    subsampling: Subsampling,
) -> Option<Vec<u8>> {
    // Only the default 4:2:0 was measured; on a noise picture at 4:2:2 the trellis
    // output was 25 dB from the plain one (against over 30 at 4:2:0), not yet understood,
    // so the other subsamplings keep their plain encoding.
    let sampling = match subsampling {
        Subsampling::S420 => Sampling::S420,
        Subsampling::S422 | Subsampling::S444 => return None,
    };
    // Mozjpeg's defaults with the standard's tables (its own default is Robidoux's,
    // which reads as another quality), 8-bit tables and sequential coding: the
    // progressive coding the document does not name is not used.
    let encoder = Encoder::baseline_optimized()
        .quality(quality)
        .quant_tables(QuantTableIdx::JpegAnnexK)
        .force_baseline(true)
        .progressive(false)
        .trellis(search())
        .subsampling(sampling);
    match picture {
        Picture::Rgb(image) => encoder
            .encode_rgb(&image.pixels, image.width, image.height)
            .ok(),
        Picture::Planes(planes) => {
            let [y, cb, cr] = planes.planes.get(..3)? else {
                return None;
            };
            let (width, height) = (planes.width, planes.height);
            // The chroma planes' size at 4:2:0, as `apply_planes` leaves them (halved
            // both ways).
            let chroma = (width.div_ceil(2), height.div_ceil(2));
            // Rows at least as wide as the plane, as many as it has.
            let fits = |samples: &[u8], stride: usize, (w, h): (u32, u32)| {
                stride >= w as usize && samples.len() >= stride.saturating_mul(h as usize)
            };
            if !fits(&y.samples, y.stride, (width, height))
                || !fits(&cb.samples, cb.stride, chroma)
                || !fits(&cr.samples, cr.stride, chroma)
            {
                return None;
            }
            encoder
                .encode_ycbcr_planar_strided(
                    &y.samples,
                    y.stride,
                    &cb.samples,
                    cb.stride,
                    &cr.samples,
                    cr.stride,
                    width,
                    height,
                )
                .ok()
        }
    }
}

/// The trellis search: on the AC coefficients only, each coefficient weighing at most the
/// 16 positions before it (the longest zero run one Huffman symbol codes, 15, and one
/// more) and 4 values (1, 3, 7 and the rounded one); mozjpeg's other settings. Measured
/// on the samples (BENCHMARKS.md, "Trellis by default"): mozjpeg's DC trellis costs a
/// fifth of the search for under 0.05% of the bytes, and its full search over all 63
/// earlier positions about a tenth more time than this one for the same bytes and PSNR
/// (C mozjpeg itself limits blocks with over 48 non-zero coefficients to 16 positions and
/// 4 values; this applies that limit to every block).
fn search() -> TrellisConfig {
    TrellisConfig {
        dc_enabled: false,
        speed_mode: TrellisSpeedMode::Custom {
            tier1_threshold: 0,
            tier1_lookback: 16,
            tier1_candidates: 4,
            tier2_threshold: 0,
            tier2_lookback: 16,
            tier2_candidates: 4,
        },
        ..TrellisConfig::default()
    }
}

/// Whether `check` says the same of two encodings of one picture: the same verdict, the
/// same faces and the same findings (rule and severity) but for the advised size's, which
/// trellis quantisation is there to change. Trellis quantisation drops small
/// high-frequency coefficients, noise among them, and the blur measure takes the noise
/// it estimates out of the picture's detail: on a blurred, noisy face
/// (`tests/quality/one_truth.rs`, `astronaut-blur5-noise10`) the plain output's face sharpness
/// was 0.162, below the 0.17 that rejects, and the trellis output's 0.171. An encoding
/// that changes what `check` says of the picture is not kept.
pub(crate) fn judged_alike(plain: &Report, trellis: &Report) -> bool {
    let judgement = |report: &Report| {
        let mut findings: Vec<(&str, &str)> = report
            .findings
            .iter()
            .filter(|f| f.rule != Rule::RecommendedSize)
            .map(|f| (f.rule.as_str(), f.severity.as_str()))
            .collect();
        findings.sort_unstable();
        (report.verdict, report.faces.len(), findings)
    };
    judgement(plain) == judgement(trellis)
}
