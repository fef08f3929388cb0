//! Hostile files, one test each: every one gets a typed error naming what was wrong, or an
//! output an independent decoder confirms is compliant. `peak_memory_of_every_case` runs
//! each case again in a child process under `/usr/bin/time -v` and bounds its peak
//! memory: tightly for inputs refused from the header, by `Limits` for the rest.
//!
//! Cases `tests/prepare/bad_images.rs` already checks in detail (formats, truncation, huge and
//! zero sizes, the PNG bomb, the unsupported JPEG processes) appear here again only so
//! their memory and time are measured too. Fixtures: `tests/fixtures/hostile/` (see the
//! README there for how each was made).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use ekyc_preflight::{Limits, Preprocessor, Rule, Spec};

/// What a case must get.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// A compliant output.
    Output,
    /// A refusal under this rule.
    Refusal(Rule),
    /// A compliant output, or a refusal under this rule: damaged data that a lenient
    /// decoder may read as pixels (every mainstream decoder does, for some of these).
    OutputOr(Rule),
}

/// Peak memory a case may use, the whole test process included.
#[derive(Debug, Clone, Copy)]
enum Mem {
    /// Refused before any pixel buffer exists: the process's own footprint and the input.
    Refused,
    /// A picture of at most a few megapixels decoded, resized and encoded.
    Small,
    /// What the header lets the decoder allocate (within `Limits::max_alloc`), in bytes.
    Decode(u64),
}

const MIB: u64 = 1 << 20;
/// A test process refusing an input from its header stays far below this.
const REFUSED_MIB: u64 = 64;
/// Decoding, resizing and encoding a picture of a few megapixels.
const SMALL_MIB: u64 = 200;
/// Slack over a decode's own buffers: the process, the input, the resize and encode.
const SLACK_MIB: u64 = 128;

impl Mem {
    fn bound_mib(self) -> u64 {
        match self {
            Mem::Refused => REFUSED_MIB,
            Mem::Small => SMALL_MIB,
            Mem::Decode(bytes) => {
                assert!(bytes <= Limits::default().max_alloc, "over the limit");
                bytes.div_ceil(MIB) + SLACK_MIB
            }
        }
    }
}

struct Case {
    name: &'static str,
    make: fn() -> Vec<u8>,
    want: Want,
    mem: Mem,
    /// Text a refusal's message must contain (case-insensitive): the error names what
    /// was wrong.
    says: &'static str,
}

/// Runs one case in this process; returns how long `prepare` took.
fn run(case: &Case) -> Duration {
    let data = (case.make)();
    let start = Instant::now();
    let result = Preprocessor::default().prepare(&data);
    let elapsed = start.elapsed();
    let name = case.name;
    match (case.want, result) {
        (Want::Output | Want::OutputOr(_), Ok(prepared)) => {
            assert_compliant(prepared.jpeg(), &Spec::default());
        }
        (Want::Refusal(rule) | Want::OutputOr(rule), Err(e)) => {
            assert_eq!(e.rule(), rule, "{name}: {e}");
            let message = e.to_string().to_lowercase();
            assert!(
                message.contains(&case.says.to_lowercase()),
                "{name}: {e:?} does not say {:?}",
                case.says
            );
        }
        (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
    }
    eprintln!("{name}: {elapsed:?}");
    elapsed
}

fn case(name: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

macro_rules! cases {
    ($($name:ident => $want:expr, $mem:expr, $says:expr;)*) => {
        const CASES: &[Case] = &[$(Case {
            name: stringify!($name),
            make: make::$name,
            want: $want,
            mem: $mem,
            says: $says,
        }),*];
        $(
            #[test]
            fn $name() {
                run(case(stringify!($name)));
            }
        )*
    };
}

use Mem::*;
use Want::*;

cases! {
    empty => Refusal(Rule::Format), Refused, "empty input";
    text => Refusal(Rule::Format), Refused, "text";
    gif => Refusal(Rule::Format), Refused, "GIF";
    bmp => Refusal(Rule::Format), Refused, "BMP";
    webp_truncated => Refusal(Rule::Readable), Refused, "truncated";
    webp_huge_canvas => Refusal(Rule::InputLimit), Refused, "16383";
    // A bare `ftyp`: not read without the `heif` feature (rule format, naming it), no
    // picture in it with the feature (readable).
    heic => Refusal(if cfg!(feature = "heif") { Rule::Readable } else { Rule::Format }), Refused, "HEI";
    tiff => Refusal(Rule::Format), Refused, "TIFF";

    jpeg_truncated_mid_scan => Refusal(Rule::Readable), Refused, "truncated";
    jpeg_truncated_after_frame_header => Refusal(Rule::Readable), Refused, "truncated";
    png_truncated_mid_idat => Refusal(Rule::Readable), Small, "PNG";
    png_truncated_after_ihdr => Refusal(Rule::Readable), Small, "PNG";

    jpeg_sof_65500_square => Refusal(Rule::InputLimit), Refused, "65500 × 65500";
    png_ihdr_65500_square => Refusal(Rule::InputLimit), Refused, "65500 × 65500";
    jpeg_sof_zero => Refusal(Rule::InputLimit), Refused, "zero";
    png_ihdr_zero => Refusal(Rule::InputLimit), Refused, "zero";
    png_bomb_400_megapixels => Refusal(Rule::InputLimit), Refused, "max_pixels";
    png_bomb_within_limits => Output, Decode(81_000_000 * 4), "";
    jpeg_tiny_scan_claiming_100_megapixels => OutputOr(Rule::Readable), Decode(100_000_000 * 4), "JPEG";

    exif_next_ifd_loops_to_itself => Output, Small, "";
    exif_sub_ifd_points_to_its_parent => Output, Small, "";
    exif_ifd_offset_outside_segment => Output, Small, "";
    exif_value_offset_outside_segment => Output, Small, "";
    exif_huge_value_count => Output, Small, "";
    exif_huge_entry_count => Output, Small, "";
    exif_truncated_tiff_header => Output, Small, "";
    png_exif_loop_and_huge_count => Output, Small, "";

    png_bad_ihdr_crc => OutputOr(Rule::Readable), Small, "CRC";
    png_bad_idat_crc => OutputOr(Rule::Readable), Small, "CRC";
    png_bad_iend_crc => OutputOr(Rule::Readable), Small, "CRC";
    png_chunk_length_past_the_end => Refusal(Rule::Readable), Small, "PNG";
    // The ICC profile inflates to 256 MiB: the PNG decode skips iCCP unread.
    png_iccp_bomb => Output, Small, "";
    png_ztxt_bomb => Output, Small, "";

    jpeg_1000_app_segments => Output, Small, "";
    jpeg_1000_exif_segments => Output, Small, "";
    jpeg_app_segment_longer_than_file => Refusal(Rule::Readable), Refused, "truncated";

    progressive_one_coefficient_per_scan => Output, Small, "";
    progressive_deep_successive_approximation => Output, Small, "";
    progressive_non_interleaved_odd_order => Output, Small, "";
    progressive_dc_only => Output, Small, "";
    progressive_partial_refinement => Output, Small, "";
    progressive_64_scans => Output, Small, "";
    progressive_scans_reversed => OutputOr(Rule::Readable), Small, "JPEG";
    progressive_scans_repeated => OutputOr(Rule::Readable), Small, "JPEG";
    progressive_300_scans => Refusal(Rule::Readable), Refused, "scans";
    progressive_scan_headers_nonsense => OutputOr(Rule::Readable), Small, "JPEG";
    // A sequential JPEG codes each component in one scan: three scans for three is
    // valid, a fourth (or the only scan sent 300 times) is a pass over the picture each.
    baseline_non_interleaved => Output, Small, "";
    baseline_non_interleaved_one_scan_too_many => Refusal(Rule::Readable), Refused, "scans";
    baseline_scan_repeated_300_times => Refusal(Rule::Readable), Refused, "scans";
    baseline_scan_repeated_60_times_in_a_12_megapixel_frame => Refusal(Rule::Readable), Refused, "scans";
    progressive_scan_names_missing_component => OutputOr(Rule::Readable), Small, "JPEG";

    restart_every_row_baseline => Output, Small, "";
    restart_every_block_progressive => Output, Small, "";
    restart_every_mcu_encoder => Output, Small, "";
    restart_markers_out_of_order => OutputOr(Rule::Readable), Small, "JPEG";
    restart_markers_missing => OutputOr(Rule::Readable), Small, "JPEG";

    arithmetic_progressive => Refusal(Rule::Format), Refused, "arithmetic";
    lossless_sof3 => Refusal(Rule::Format), Refused, "lossless";
    twelve_bit => Refusal(Rule::Format), Refused, "12-bit";

    second_jpeg_after_eoi => Output, Small, "";
    garbage_after_eoi => Output, Small, "";
}

/// Builders for each case's bytes.
mod make {
    use super::common::*;
    use super::*;

    fn base_jpeg() -> Vec<u8> {
        jpeg(&photo_rgb(480, 640))
    }

    fn base_png() -> Vec<u8> {
        png(photo_rgb(480, 640))
    }

    pub(super) fn empty() -> Vec<u8> {
        Vec::new()
    }
    pub(super) fn text() -> Vec<u8> {
        b"<html><body>Hello, this is not a photo.</body></html>\n".to_vec()
    }
    pub(super) fn gif() -> Vec<u8> {
        b"GIF89a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04".to_vec()
    }
    pub(super) fn bmp() -> Vec<u8> {
        let mut v = b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00".to_vec();
        v.resize(64, 0);
        v
    }
    /// A WebP cut in its lossy frame header: the RIFF size says 36 bytes, 20 follow.
    pub(super) fn webp_truncated() -> Vec<u8> {
        b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00\x30\x01\x00\x9d\x01\x2a".to_vec()
    }
    /// A WebP declaring a 16383 × 16383 canvas (VP8X) and lossless image (VP8L), with no
    /// pixel data: refused by the limits from the header.
    pub(super) fn webp_huge_canvas() -> Vec<u8> {
        let mut vp8x = vec![0x10, 0, 0, 0];
        vp8x.extend_from_slice(&[0xFE, 0x3F, 0, 0xFE, 0x3F, 0]);
        let side = 16383u32 - 1;
        let mut vp8l = vec![0x2F];
        vp8l.extend_from_slice(&(side | side << 14 | 1 << 28).to_le_bytes());
        vp8l.extend_from_slice(&[0; 3]);
        let mut body = b"WEBP".to_vec();
        for (kind, chunk) in [(b"VP8X", vp8x), (b"VP8L", vp8l)] {
            body.extend_from_slice(kind);
            body.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
            body.extend_from_slice(&chunk);
        }
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        file
    }
    pub(super) fn heic() -> Vec<u8> {
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic".to_vec()
    }
    pub(super) fn tiff() -> Vec<u8> {
        exif_tiff(6, true)
    }

    pub(super) fn jpeg_truncated_mid_scan() -> Vec<u8> {
        let data = base_jpeg();
        let scan = scan_start(&data);
        data[..scan + (data.len() - scan) / 2].to_vec()
    }
    pub(super) fn jpeg_truncated_after_frame_header() -> Vec<u8> {
        let data = base_jpeg();
        let end = segment_ends(&data)
            .into_iter()
            .find(|&(m, _)| m == 0xC0)
            .unwrap()
            .1;
        data[..end].to_vec()
    }
    pub(super) fn png_truncated_mid_idat() -> Vec<u8> {
        let data = base_png();
        let (start, end) = png_chunks(&data)
            .into_iter()
            .find(|c| &c.0 == b"IDAT")
            .map(|c| (c.1, c.2))
            .unwrap();
        data[..(start + end) / 2].to_vec()
    }
    pub(super) fn png_truncated_after_ihdr() -> Vec<u8> {
        let data = base_png();
        data[..png_chunks(&data)[0].2].to_vec()
    }

    use crate::common::sof;
    fn ihdr(width: u32, height: u32) -> Vec<u8> {
        let mut body = width.to_be_bytes().to_vec();
        body.extend_from_slice(&height.to_be_bytes());
        body.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        v.extend(png_chunk(b"IHDR", &body));
        v.extend(png_chunk(b"IEND", b""));
        v
    }
    pub(super) fn jpeg_sof_65500_square() -> Vec<u8> {
        sof(65_500, 65_500)
    }
    pub(super) fn png_ihdr_65500_square() -> Vec<u8> {
        ihdr(65_500, 65_500)
    }
    pub(super) fn jpeg_sof_zero() -> Vec<u8> {
        sof(0, 0)
    }
    pub(super) fn png_ihdr_zero() -> Vec<u8> {
        ihdr(0, 0)
    }

    /// A 1-bit grey PNG of zeros: `side²` pixels from a stream about a thousandth of it.
    fn grey_zeros_png(side: u32) -> Vec<u8> {
        let mut data = Vec::new();
        let mut enc = png::Encoder::new(&mut data, side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        enc.set_deflate_compression(png::DeflateCompression::Level(9));
        enc.set_filter(png::Filter::NoFilter);
        let mut header = enc.write_header().unwrap();
        let mut w = header.stream_writer().unwrap();
        let row = vec![0u8; side.div_ceil(8) as usize];
        for _ in 0..side {
            std::io::Write::write_all(&mut w, &row).unwrap();
        }
        w.finish().unwrap();
        header.finish().unwrap();
        data
    }
    pub(super) fn png_bomb_400_megapixels() -> Vec<u8> {
        let data = grey_zeros_png(20_000);
        assert!(data.len() < 200_000, "{} bytes", data.len());
        data
    }
    /// 81 megapixels, under every default limit: decoded, within the memory it declares.
    pub(super) fn png_bomb_within_limits() -> Vec<u8> {
        let data = grey_zeros_png(9_000);
        assert!(data.len() < 100_000, "{} bytes", data.len());
        data
    }
    /// A grey frame header claiming 10,000 × 10,000 with a few bytes of scan.
    pub(super) fn jpeg_tiny_scan_claiming_100_megapixels() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        // DQT: table 0, all ones.
        v.extend_from_slice(&[0xFF, 0xDB, 0, 67, 0]);
        v.extend_from_slice(&[1; 64]);
        v.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
        v.extend_from_slice(&10_000u16.to_be_bytes());
        v.extend_from_slice(&10_000u16.to_be_bytes());
        v.extend_from_slice(&[1, 1, 0x11, 0]);
        // DHT: DC table 0 and AC table 0, each a single 1-bit code for symbol 0.
        for class in [0x00, 0x10] {
            v.extend_from_slice(&[0xFF, 0xC4, 0, 20, class, 1]);
            v.extend_from_slice(&[0; 15]);
            v.push(0);
        }
        v.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        v.extend_from_slice(&[0; 16]);
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    }

    /// Little-endian TIFF header pointing at IFD0 at `ifd0`.
    fn tiff_header(ifd0: u32) -> Vec<u8> {
        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&ifd0.to_le_bytes());
        t
    }
    fn entry(tag: u16, kind: u16, count: u32, value: u32) -> Vec<u8> {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    }
    /// IFD0 at 8 with `entries`, then the next-IFD offset.
    fn ifd0(entries: &[Vec<u8>], next: u32) -> Vec<u8> {
        let mut t = tiff_header(8);
        t.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for e in entries {
            t.extend_from_slice(e);
        }
        t.extend_from_slice(&next.to_le_bytes());
        t
    }
    fn orientation_6() -> Vec<u8> {
        entry(0x0112, 3, 1, 6)
    }

    pub(super) fn exif_next_ifd_loops_to_itself() -> Vec<u8> {
        with_exif(&base_jpeg(), &ifd0(&[orientation_6()], 8))
    }
    pub(super) fn exif_sub_ifd_points_to_its_parent() -> Vec<u8> {
        let t = ifd0(
            &[
                orientation_6(),
                entry(0x8769, 4, 1, 8),
                entry(0x8825, 4, 1, 8),
                entry(0xA005, 4, 1, 8),
            ],
            0,
        );
        with_exif(&base_jpeg(), &t)
    }
    pub(super) fn exif_ifd_offset_outside_segment() -> Vec<u8> {
        let mut t = tiff_header(0xFFFF_FFF0);
        t.extend_from_slice(&[1, 0]);
        t.extend(orientation_6());
        with_exif(&base_jpeg(), &t)
    }
    pub(super) fn exif_value_offset_outside_segment() -> Vec<u8> {
        let t = ifd0(
            &[
                entry(0x010F, 2, 64, 0x7FFF_FFFF),
                entry(0x8769, 4, 1, 0xFFFF_FF00),
                orientation_6(),
            ],
            0x00FF_FFFF,
        );
        with_exif(&base_jpeg(), &t)
    }
    pub(super) fn exif_huge_value_count() -> Vec<u8> {
        let t = ifd0(
            &[
                entry(0x0112, 3, u32::MAX, 8),
                entry(0x011A, 5, 0x2000_0000, 8),
                entry(0x9286, 7, u32::MAX - 3, 8),
            ],
            0,
        );
        with_exif(&base_jpeg(), &t)
    }
    pub(super) fn exif_huge_entry_count() -> Vec<u8> {
        let mut t = tiff_header(8);
        t.extend_from_slice(&u16::MAX.to_le_bytes());
        t.extend(orientation_6());
        with_exif(&base_jpeg(), &t)
    }
    pub(super) fn exif_truncated_tiff_header() -> Vec<u8> {
        with_exif(&base_jpeg(), b"II*")
    }
    pub(super) fn png_exif_loop_and_huge_count() -> Vec<u8> {
        let t = ifd0(&[entry(0x0112, 3, u32::MAX, 8), entry(0x8769, 4, 1, 8)], 8);
        insert_png_chunk(&base_png(), b"eXIf", &t)
    }

    fn with_bad_crc(kind: &[u8; 4]) -> Vec<u8> {
        let mut data = base_png();
        let (_, _, end) = png_chunks(&data)
            .into_iter()
            .find(|c| &c.0 == kind)
            .unwrap();
        data[end - 1] ^= 0x55;
        data
    }
    pub(super) fn png_bad_ihdr_crc() -> Vec<u8> {
        with_bad_crc(b"IHDR")
    }
    pub(super) fn png_bad_idat_crc() -> Vec<u8> {
        with_bad_crc(b"IDAT")
    }
    pub(super) fn png_bad_iend_crc() -> Vec<u8> {
        with_bad_crc(b"IEND")
    }
    pub(super) fn png_chunk_length_past_the_end() -> Vec<u8> {
        let mut data = base_png();
        let (_, start, _) = png_chunks(&data)
            .into_iter()
            .find(|c| &c.0 == b"IDAT")
            .unwrap();
        data[start - 8..start - 4].copy_from_slice(&0x7FFF_FFF0u32.to_be_bytes());
        data
    }
    /// A zlib stream of `n` zeros, about a thousandth of its inflated size: the IDAT
    /// stream of an all-zero 8-bit grey PNG without filtering.
    fn zlib_zeros(n: u32) -> Vec<u8> {
        let side = 16_384;
        let rows = n / (side + 1);
        let img = {
            let mut data = Vec::new();
            let mut enc = png::Encoder::new(&mut data, side, rows);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_deflate_compression(png::DeflateCompression::Level(9));
            enc.set_filter(png::Filter::NoFilter);
            let mut header = enc.write_header().unwrap();
            let mut w = header.stream_writer().unwrap();
            let row = vec![0u8; side as usize];
            for _ in 0..rows {
                std::io::Write::write_all(&mut w, &row).unwrap();
            }
            w.finish().unwrap();
            header.finish().unwrap();
            data
        };
        let mut stream = Vec::new();
        for (kind, start, end) in png_chunks(&img) {
            if &kind == b"IDAT" {
                stream.extend_from_slice(&img[start..end - 4]);
            }
        }
        stream
    }
    /// An ICC profile that inflates to 256 MiB.
    pub(super) fn png_iccp_bomb() -> Vec<u8> {
        let mut body = b"bomb\0\0".to_vec();
        body.extend(zlib_zeros(256 << 20));
        assert!(body.len() < 400_000, "{} bytes", body.len());
        insert_png_chunk(&base_png(), b"iCCP", &body)
    }
    /// A compressed comment that inflates to 256 MiB.
    pub(super) fn png_ztxt_bomb() -> Vec<u8> {
        let mut body = b"Comment\0\0".to_vec();
        body.extend(zlib_zeros(256 << 20));
        insert_png_chunk(&base_png(), b"zTXt", &body)
    }

    fn with_segments(segments: impl Iterator<Item = (u8, Vec<u8>)>) -> Vec<u8> {
        let base = base_jpeg();
        let mut out = base[..2].to_vec();
        for (marker, body) in segments {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
            out.extend(body);
        }
        out.extend_from_slice(&base[2..]);
        out
    }
    pub(super) fn jpeg_1000_app_segments() -> Vec<u8> {
        with_segments((0..1000u32).map(|i| {
            let marker = 0xE0 + (i % 16) as u8;
            let mut body = format!("APP{} #{i} ", i % 16).into_bytes();
            body.resize(200 + (i as usize % 50), b'x');
            (marker, body)
        }))
    }
    pub(super) fn jpeg_1000_exif_segments() -> Vec<u8> {
        with_segments((0..1000u32).map(|i| {
            let mut body = b"Exif\0\0".to_vec();
            body.extend(ifd0(&[entry(0x0112, 3, 1, 1 + i % 8)], 8));
            (0xE1, body)
        }))
    }
    pub(super) fn jpeg_app_segment_longer_than_file() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8, 0xFF, 0xE2, 0xFF, 0xFF];
        v.extend_from_slice(b"ICC_PROFILE\0");
        v
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/hostile")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
    pub(super) fn progressive_one_coefficient_per_scan() -> Vec<u8> {
        fixture("progressive-one-coefficient-per-scan.jpg")
    }
    pub(super) fn progressive_deep_successive_approximation() -> Vec<u8> {
        fixture("progressive-deep-successive-approximation.jpg")
    }
    pub(super) fn progressive_non_interleaved_odd_order() -> Vec<u8> {
        fixture("progressive-non-interleaved-odd-order.jpg")
    }
    pub(super) fn progressive_dc_only() -> Vec<u8> {
        fixture("progressive-dc-only.jpg")
    }
    pub(super) fn progressive_partial_refinement() -> Vec<u8> {
        fixture("progressive-partial-refinement.jpg")
    }
    fn encoder_jpeg(scans: Option<u8>, restart: u16) -> Vec<u8> {
        let img = photo_rgb(480, 640);
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 85);
        if let Some(scans) = scans {
            enc.set_progressive_scans(scans);
        }
        enc.set_restart_interval(restart);
        enc.encode(img.as_raw(), 480, 640, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }
    pub(super) fn progressive_64_scans() -> Vec<u8> {
        encoder_jpeg(Some(64), 0)
    }
    fn progressive_pieces() -> Vec<Vec<u8>> {
        pieces(&encoder_jpeg(Some(5), 0))
    }
    pub(super) fn progressive_scans_reversed() -> Vec<u8> {
        let mut p = progressive_pieces();
        let sos: Vec<usize> = (0..p.len()).filter(|&i| p[i][1] == 0xDA).collect();
        let scans: Vec<Vec<u8>> = sos.iter().rev().map(|&i| p[i].clone()).collect();
        for (&i, scan) in sos.iter().zip(scans) {
            p[i] = scan;
        }
        p.concat()
    }
    pub(super) fn progressive_scans_repeated() -> Vec<u8> {
        progressive_pieces()
            .into_iter()
            .flat_map(|p| {
                let n = if p[1] == 0xDA { 3 } else { 1 };
                std::iter::repeat_n(p, n)
            })
            .collect::<Vec<_>>()
            .concat()
    }
    /// The last scan sent 300 times: each a pass over the picture for a decoder.
    pub(super) fn progressive_300_scans() -> Vec<u8> {
        last_scan_repeated(&progressive_pieces(), 300)
    }
    /// Ss > Se, a DC scan reaching into AC, absurd successive-approximation bits.
    pub(super) fn progressive_scan_headers_nonsense() -> Vec<u8> {
        let mut p = progressive_pieces();
        for (k, piece) in p.iter_mut().filter(|p| p[1] == 0xDA).enumerate() {
            let at = 5 + 2 * usize::from(piece[4]);
            match k % 3 {
                0 => (piece[at], piece[at + 1]) = (40, 2),
                1 => piece[at + 1] = 63,
                _ => piece[at + 2] = 0xDD,
            }
        }
        p.concat()
    }
    pub(super) fn progressive_scan_names_missing_component() -> Vec<u8> {
        let mut p = progressive_pieces();
        for piece in p.iter_mut().filter(|p| p[1] == 0xDA) {
            piece[5] = 9;
        }
        p.concat()
    }

    pub(super) fn baseline_non_interleaved() -> Vec<u8> {
        fixture("baseline-non-interleaved.jpg")
    }
    /// `pieces` with the last scan sent `times` times.
    fn last_scan_repeated(p: &[Vec<u8>], times: usize) -> Vec<u8> {
        let last = (0..p.len()).rfind(|&i| p[i][1] == 0xDA).unwrap();
        p.iter()
            .enumerate()
            .flat_map(|(i, piece)| std::iter::repeat_n(piece, if i == last { times } else { 1 }))
            .cloned()
            .collect::<Vec<_>>()
            .concat()
    }
    pub(super) fn baseline_non_interleaved_one_scan_too_many() -> Vec<u8> {
        last_scan_repeated(&pieces(&baseline_non_interleaved()), 2)
    }
    pub(super) fn baseline_scan_repeated_300_times() -> Vec<u8> {
        last_scan_repeated(&pieces(&encoder_jpeg(None, 0)), 300)
    }
    /// What the fuzzer found: 34 kB whose frame says 12 MP, 60 short scans each decoded
    /// over the whole frame (3 s in `jpeg-decoder` before the probe counted them).
    pub(super) fn baseline_scan_repeated_60_times_in_a_12_megapixel_frame() -> Vec<u8> {
        let mut p = pieces(&encoder_jpeg(None, 0));
        let sof = p.iter_mut().find(|p| p[1] == 0xC0).unwrap();
        sof[5..7].copy_from_slice(&3000u16.to_be_bytes());
        sof[7..9].copy_from_slice(&4000u16.to_be_bytes());
        last_scan_repeated(&p, 60)
    }
    pub(super) fn restart_every_row_baseline() -> Vec<u8> {
        fixture("baseline-restart-every-row.jpg")
    }
    pub(super) fn restart_every_block_progressive() -> Vec<u8> {
        fixture("progressive-restart-every-block.jpg")
    }
    pub(super) fn restart_every_mcu_encoder() -> Vec<u8> {
        encoder_jpeg(None, 1)
    }
    /// Rewrites the restart markers in a scan: `f` gets the marker's index and returns
    /// the new marker byte, or `None` to drop it.
    fn rewrite_restarts(f: impl Fn(usize) -> Option<u8>) -> Vec<u8> {
        let data = encoder_jpeg(None, 2);
        let scan = scan_start(&data);
        let mut out = data[..scan].to_vec();
        let mut k = 0;
        let mut i = scan;
        while i < data.len() {
            if data[i] == 0xFF && (0xD0..=0xD7).contains(data.get(i + 1).unwrap_or(&0)) {
                if let Some(m) = f(k) {
                    out.extend_from_slice(&[0xFF, m]);
                }
                k += 1;
                i += 2;
            } else {
                out.push(data[i]);
                i += 1;
            }
        }
        assert!(k > 100, "only {k} restart markers");
        out
    }
    pub(super) fn restart_markers_out_of_order() -> Vec<u8> {
        rewrite_restarts(|k| Some(0xD7 - (k % 8) as u8))
    }
    pub(super) fn restart_markers_missing() -> Vec<u8> {
        rewrite_restarts(|k| (k % 3 == 0).then_some(0xD0 + (k % 8) as u8))
    }

    pub(super) fn arithmetic_progressive() -> Vec<u8> {
        fixture("arithmetic-progressive.jpg")
    }
    fn with_sof_byte(at: usize, value: u8) -> Vec<u8> {
        let mut data = base_jpeg();
        let (_, start) = segment_starts(&data)
            .into_iter()
            .find(|&(m, _)| m == 0xC0)
            .unwrap();
        data[start + at] = value;
        data
    }
    pub(super) fn lossless_sof3() -> Vec<u8> {
        with_sof_byte(1, 0xC3)
    }
    pub(super) fn twelve_bit() -> Vec<u8> {
        with_sof_byte(4, 12)
    }

    pub(super) fn second_jpeg_after_eoi() -> Vec<u8> {
        let mut data = base_jpeg();
        data.extend(jpeg(&photo_rgb(16, 16)));
        data
    }
    pub(super) fn garbage_after_eoi() -> Vec<u8> {
        let mut data = base_jpeg();
        data.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xC0, 0xFF, 0xFF, 0, 0, 0xFF]);
        data.extend(noise_rgb(64, 64, 3).into_raw());
        data
    }
}

/// JPEG header segments as (marker, offset of its 0xFF).
fn segment_starts(data: &[u8]) -> Vec<(u8, usize)> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= data.len() && data[pos] == 0xFF {
        let marker = data[pos + 1];
        out.push((marker, pos));
        if marker == 0xDA {
            break;
        }
        pos += 2 + usize::from(u16::from_be_bytes([data[pos + 2], data[pos + 3]]));
    }
    out
}

/// JPEG header segments as (marker, offset just after it).
fn segment_ends(data: &[u8]) -> Vec<(u8, usize)> {
    segment_starts(data)
        .into_iter()
        .map(|(m, pos)| {
            let len = usize::from(u16::from_be_bytes([data[pos + 2], data[pos + 3]]));
            (m, pos + 2 + len)
        })
        .collect()
}

/// Offset of the first scan's entropy-coded data.
fn scan_start(data: &[u8]) -> usize {
    segment_ends(data).last().unwrap().1
}

/// A JPEG cut at every marker: SOI, each segment, and each scan with its entropy-coded
/// data (restart markers stay inside), and EOI.
fn pieces(data: &[u8]) -> Vec<Vec<u8>> {
    let mut cuts = vec![0, 2];
    let mut i = 2;
    while i + 1 < data.len() {
        if data[i] == 0xFF && !matches!(data[i + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
            if *cuts.last().unwrap() != i {
                cuts.push(i);
            }
            if data[i + 1] != 0xD9 && i + 3 < data.len() {
                let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
                i += 2 + len;
                continue;
            }
        }
        i += 1;
    }
    cuts.push(data.len());
    cuts.dedup();
    cuts.windows(2).map(|w| data[w[0]..w[1]].to_vec()).collect()
}

#[test]
fn pieces_put_back_together_are_the_file() {
    let data = make::progressive_64_scans();
    let p = pieces(&data);
    assert_eq!(p.concat(), data);
    let scans = p.iter().filter(|p| p[1] == 0xDA).count();
    assert!(scans >= 64, "{scans} scans");
    assert!(p.iter().all(|p| p[0] == 0xFF));
}

#[test]
fn jpeg_cut_at_every_segment_boundary_and_inside_the_scan() {
    let data = with_exif(&jpeg(&photo_rgb(480, 640)), &exif_tiff(6, true));
    let scan = scan_start(&data);
    let mut cuts: Vec<usize> = segment_ends(&data).into_iter().map(|(_, e)| e).collect();
    cuts.extend(segment_starts(&data).into_iter().map(|(_, s)| s + 2));
    cuts.extend((1..8).map(|k| scan + (data.len() - scan) * k / 8));
    cuts.extend([0, 1, 2]);
    for cut in cuts {
        match Preprocessor::default().prepare(&data[..cut]) {
            // Only the end-of-image marker (or part of it) cut: the scan is whole, which
            // our decoder checks, so the picture is read, as libjpeg reads it (README,
            // damaged-input policy); it must then come out right.
            Ok(p) if cut >= data.len() - 2 => drop(assert_compliant(p.jpeg(), &Spec::default())),
            Ok(_) => panic!("cut at {cut} of {} was accepted", data.len()),
            Err(err) => assert!(
                matches!(err.rule(), Rule::Readable | Rule::Format),
                "cut at {cut}: {err:?}"
            ),
        }
    }
    // Cut inside or before the end-of-image marker alone, the one sequential scan is
    // whole: read, as libjpeg reads it (README, "Damaged JPEGs").
    for cut in [data.len() - 2, data.len() - 1] {
        Preprocessor::default()
            .prepare(&data[..cut])
            .unwrap_or_else(|e| panic!("cut at {cut} of {}: {e}", data.len()));
    }
}

#[test]
fn png_cut_at_every_chunk_boundary_and_inside_the_data() {
    let data = insert_png_chunk(&png(photo_rgb(480, 640)), b"eXIf", &exif_tiff(6, false));
    let mut cuts = Vec::new();
    for (_, start, end) in png_chunks(&data) {
        cuts.extend([start - 8, start - 4, start, (start + end) / 2, end - 4]);
    }
    // Cut inside IEND, the picture is whole: decoders may take it, and then it must
    // come out right.
    let iend = png_chunks(&data).last().unwrap().1 - 8;
    for cut in cuts.into_iter().chain([0, 1, 7, 8]) {
        match Preprocessor::default().prepare(&data[..cut]) {
            Ok(p) if cut > iend => drop(assert_compliant(p.jpeg(), &Spec::default())),
            Ok(_) => panic!("cut at {cut} of {} was accepted", data.len()),
            Err(e) => assert!(
                matches!(e.rule(), Rule::Readable | Rule::Format),
                "cut at {cut}: {e:?}"
            ),
        }
    }
}

/// Re-run by `peak_memory_of_every_case` in a child process: runs the one case named by
/// `HOSTILE_CASE`, and nothing when it is unset.
#[test]
fn child_case() {
    if let Ok(name) = std::env::var("HOSTILE_CASE") {
        run(case(&name));
    }
}

/// Maximum resident set size, in KiB, from `/usr/bin/time -v`'s report.
fn max_rss_kib(report: &str) -> Option<u64> {
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn peak_memory_of_every_case() {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipping: /usr/bin/time is absent (apt-get install time)");
        return;
    }
    let me = std::env::current_exe().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let out = Command::new(time)
            .arg("-v")
            .arg(&me)
            .args(["child_case", "--exact", "--test-threads=1", "--nocapture"])
            .env("HOSTILE_CASE", case.name)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{}: child failed:\n{report}",
            case.name
        );
        let rss = max_rss_kib(&report).expect("no RSS in the report") / 1024;
        let bound = case.mem.bound_mib();
        eprintln!("{}: peak {rss} MiB (bound {bound} MiB)", case.name);
        if rss >= bound {
            failures.push(format!("{}: {rss} MiB ≥ {bound} MiB", case.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The ICC profile of a 480 × 640 PNG inflates to 256 MiB: the PNG decode skips iCCP
/// unread (`png::Decoder::set_ignore_iccp_chunk`), so the process stays small.
#[test]
fn iccp_bomb_stays_small() {
    let time = std::path::Path::new("/usr/bin/time");
    let out = Command::new(time)
        .arg("-v")
        .arg(std::env::current_exe().unwrap())
        .args(["child_case", "--exact", "--test-threads=1"])
        .env("HOSTILE_CASE", "png_iccp_bomb")
        .output()
        .unwrap();
    let rss = max_rss_kib(&String::from_utf8_lossy(&out.stderr)).unwrap() / 1024;
    assert!(rss < SMALL_MIB, "{rss} MiB");
}

/// Every case within a second of `prepare`. Timing depends on the machine and the build:
/// run it on an optimised build (`cargo test --release --test hostile_files -- --ignored`).
#[test]
#[ignore]
fn every_case_within_a_second() {
    let slow: Vec<_> = CASES
        .iter()
        .map(|c| (c.name, run(c)))
        .filter(|(_, t)| *t >= Duration::from_secs(1))
        .collect();
    assert!(slow.is_empty(), "{slow:?}");
}

#[test]
fn a_sequential_jpeg_in_one_scan_per_component_prepares_like_its_original() {
    let one_scan = make::restart_every_row_baseline();
    let per_component = make::baseline_non_interleaved();
    let prepare = |data: &[u8]| {
        let prepared = Preprocessor::default().prepare(data).unwrap();
        decode_jpeg(prepared.jpeg())
    };
    // The same coefficients, read by a different decoder (the full one refuses tables
    // defined between scans; `jpeg-decoder` reads them).
    let diff = mean_abs_diff(&prepare(&one_scan), &prepare(&per_component));
    assert!(diff < 0.5, "mean difference {diff}");
}
