//! Decoding truth: every JPEG layout libjpeg's tools can write, decoded by the pipeline
//! and compared with libjpeg's own decode (`djpeg`), an independent decoder.
//!
//! The layouts: every sampling the standard allows in practice (4:4:4, 4:2:2, 4:2:0,
//! 4:4:0, 4:1:1, and chroma sampled more densely than luma), components interleaved in
//! one scan or coded in separate scans (`jpegtran -scans`), progressive with libjpeg's
//! script and with the DC coded per component, restart intervals, grey, two qualities,
//! sizes not a multiple of the block; each at a size decoded whole and at one shrunk on
//! load. A decoder that mangles a layout (green stripes, 4–11 dB) fails by far.
//!
//! Needs libjpeg-turbo's tools (`apt-get install libjpeg-turbo-progs`): without them the
//! tests say so and pass, unless `EKYC_REQUIRE_TOOLS` is set (CI sets it).

use crate::common;

use std::path::{Path, PathBuf};

use common::*;
use ekyc_preflight::{check_with, CheckOptions, Preprocessor, Rule, Spec, Turn};

/// The document's rules scaled down fourfold (a 180-pixel short side), so that small
/// pictures take both decoding paths: 250 pixels across is decoded whole, 801 shrunk.
fn spec() -> Spec {
    Spec {
        turn: Turn::Off,
        ..quarter_spec()
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ekyc-decode-truth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(tool: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let (stdout, stderr, ok) = tools::run_tool(tool, args, input);
    assert!(ok, "{tool} {args:?}: {stderr}");
    stdout
}

/// A photo-like picture: the gradient, a few hard-edged coloured shapes and a soft
/// texture, so that chroma placed wrongly or planes swapped show (but no pixel noise,
/// which two resizers would average differently).
fn source(width: u32, height: u32) -> image::RgbImage {
    let mut img = photo_rgb(width, height);
    let noise = noise_rgb(width / 16 + 1, height / 16 + 1, 3);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let n = noise.get_pixel(x / 16, y / 16);
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        if ((fx - 0.3).powi(2) + (fy - 0.3).powi(2)) < 0.02 {
            *p = image::Rgb([220, 30, 40]);
        } else if (0.6..0.8).contains(&fx) && (0.5..0.9).contains(&fy) {
            *p = image::Rgb([20, 60, 200]);
        } else if (x * 16 / width).is_multiple_of(2) && fy > 0.85 {
            *p = image::Rgb([240, 240, 60]);
        }
        for c in 0..3 {
            p[c] = (u16::from(p[c]) * 7 / 8 + u16::from(n[c]) / 8) as u8;
        }
    }
    // Edges a few pixels soft, as a camera's are: hard ones shrunk in the DCT domain and
    // by Lanczos differ by more than any decoder error we look for.
    image::imageops::blur(&img, 1.5)
}

/// One JPEG layout: how cjpeg encodes, and the scan script jpegtran rewrites it with.
struct Layout {
    name: &'static str,
    cjpeg: &'static [&'static str],
    scans: Option<&'static str>,
}

const SEPARATE: &str = "0;\n1;\n2;\n";
const SEPARATE_GREY: &str = "0;\n";
/// Progressive, with the DC of each component in its own scan.
const PROGRESSIVE_DC_APART: &str =
    "0: 0-0, 0, 1;\n1: 0-0, 0, 1;\n2: 0-0, 0, 1;\n0: 1-63, 0, 0;\n1: 1-63, 0, 0;\n2: 1-63, 0, 0;\n0: 0-0, 1, 0;\n1: 0-0, 1, 0;\n2: 0-0, 1, 0;\n";

fn layouts() -> Vec<Layout> {
    let samplings: [(&str, &str); 9] = [
        ("444", "1x1,1x1,1x1"),
        ("422", "2x1,1x1,1x1"),
        ("420", "2x2,1x1,1x1"),
        ("440", "1x2,1x1,1x1"),
        ("411", "4x1,1x1,1x1"),
        ("410", "4x2,1x1,1x1"),
        ("chroma-denser-2x2", "1x1,2x2,2x2"),
        ("chroma-denser-2x1", "1x1,2x1,2x1"),
        ("mixed", "2x2,1x2,2x1"),
    ];
    let mut out = Vec::new();
    for (name, sample) in samplings {
        let sample: &'static str = Box::leak(format!("-sample {sample}").into_boxed_str());
        let args: &'static [&'static str] =
            Box::leak(sample.split(' ').collect::<Vec<_>>().into_boxed_slice());
        let named = |suffix: &str| -> &'static str {
            Box::leak(format!("{name}-{suffix}").into_boxed_str())
        };
        out.push(Layout {
            name: named("interleaved"),
            cjpeg: args,
            scans: None,
        });
        out.push(Layout {
            name: named("separate-scans"),
            cjpeg: args,
            scans: Some(SEPARATE),
        });
        out.push(Layout {
            name: named("progressive"),
            cjpeg: Box::leak([args, &["-progressive"]].concat().into_boxed_slice()),
            scans: None,
        });
        out.push(Layout {
            name: named("progressive-dc-apart"),
            cjpeg: args,
            scans: Some(PROGRESSIVE_DC_APART),
        });
    }
    out.extend([
        Layout {
            name: "420-restart-1-row",
            cjpeg: &["-sample", "2x2,1x1,1x1", "-restart", "1"],
            scans: None,
        },
        Layout {
            name: "420-restart-3-blocks-separate",
            cjpeg: &["-sample", "2x2,1x1,1x1", "-restart", "3B"],
            scans: Some(SEPARATE),
        },
        Layout {
            name: "444-quality-50",
            cjpeg: &["-sample", "1x1,1x1,1x1", "-quality", "50"],
            scans: None,
        },
        Layout {
            name: "420-quality-98-optimized",
            cjpeg: &["-quality", "98", "-optimize"],
            scans: None,
        },
        Layout {
            name: "grey",
            cjpeg: &["-grayscale"],
            scans: None,
        },
        Layout {
            name: "grey-progressive",
            cjpeg: &["-grayscale", "-progressive"],
            scans: None,
        },
        Layout {
            name: "grey-script",
            cjpeg: &["-grayscale"],
            scans: Some(SEPARATE_GREY),
        },
    ]);
    out
}

fn encode(layout: &Layout, img: &image::RgbImage, dir: &Path) -> Vec<u8> {
    let jpeg = run("cjpeg", layout.cjpeg, &ppm(img));
    match layout.scans {
        None => jpeg,
        Some(script) => {
            let path = dir.join(format!("{}.scans", layout.name));
            std::fs::write(&path, script).unwrap();
            run("jpegtran", &["-scans", path.to_str().unwrap()], &jpeg)
        }
    }
}

/// The reference picture resized to `width` × `height` (Lanczos3, as the pipeline).
fn reference_at(reference: &Decoded, width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_raw(reference.width, reference.height, reference.rgb.clone())
        .unwrap();
    image::imageops::resize(&img, width, height, image::imageops::FilterType::Lanczos3).into_raw()
}

/// Every layout, at a size decoded whole (250 × 317) and one shrunk on load
/// (801 × 1003): `prepare`'s output (read back by djpeg) against djpeg's decode of the
/// input resized the same way, and `check`'s exposure against the reference's.
#[test]
fn every_layout_decodes_as_libjpeg_does() {
    if !tools::libjpeg_tools() {
        return;
    }
    let dir = scratch();
    let spec = spec();
    let mut pre = Preprocessor::new(spec);
    let mut failures = Vec::new();
    let mut tried = 0;
    let mut worst = f64::INFINITY;
    for (width, height) in [(250, 317), (801, 1003)] {
        let img = source(width, height);
        for layout in layouts() {
            let input = encode(&layout, &img, &dir);
            let reference = read_pnm(&run("djpeg", &["-ppm"], &input));
            tried += 1;
            let what = format!("{} {width}x{height}", layout.name);
            let prepared = match pre.prepare(&input) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{what}: refused: {e}"));
                    continue;
                }
            };
            let ours = read_pnm(&run("djpeg", &["-ppm"], prepared.jpeg()));
            let theirs = reference_at(&reference, ours.width, ours.height);
            let db = psnr(&ours.rgb, &theirs);
            worst = worst.min(db);
            if db < 30.0 {
                failures.push(format!("{what}: prepare's output at {db:.1} dB"));
            }
            let report = check_with(&input, &spec, &CheckOptions::default());
            if report.has(Rule::Readable) {
                failures.push(format!("{what}: check calls it unreadable"));
            }
            let metrics = report.metrics.expect("analysed");
            let mut lumas: Vec<u8> = reference
                .rgb
                .chunks_exact(3)
                .map(|p| {
                    ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8)
                        as u8
                })
                .collect();
            lumas.sort_unstable();
            let median = lumas[lumas.len() / 2];
            if metrics.median_luma.abs_diff(median) > 4 {
                failures.push(format!(
                    "{what}: check's median luma {} against libjpeg's {median}",
                    metrics.median_luma
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("{tried} layouts; the worst output at {worst:.1} dB against libjpeg");
    assert!(
        failures.is_empty(),
        "{} of {tried} layouts wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The library's full-size decode (what `prepare` uses for a picture it does not shrink)
/// of every layout against djpeg's, pixel for pixel.
#[test]
fn full_size_decode_matches_libjpeg() {
    if !tools::libjpeg_tools() {
        return;
    }
    let dir = scratch().join("full");
    std::fs::create_dir_all(&dir).unwrap();
    let (width, height) = (250, 317);
    let img = source(width, height);
    let mut failures = Vec::new();
    for layout in layouts() {
        let input = encode(&layout, &img, &dir);
        let reference = read_pnm(&run("djpeg", &["-ppm"], &input));
        let ours = ekyc_preflight::stages::decode(&input, width, height).unwrap();
        assert_eq!(ours.size(), (width, height), "{}", layout.name);
        let rgb: Vec<u8> = if ours.raw().len() == reference.rgb.len() {
            ours.raw().to_vec()
        } else {
            failures.push(format!("{}: decoded to planes at full size", layout.name));
            continue;
        };
        let db = psnr(&rgb, &reference.rgb);
        eprintln!("{}: {db:.1} dB", layout.name);
        if db < 35.0 {
            failures.push(format!("{}: {db:.1} dB", layout.name));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
