//! The EXIF reader (private) through the public entry: the fuzz bytes become the TIFF
//! structure of a small valid JPEG's APP1 segment, or of a small PNG's eXIf chunk (first
//! byte even: JPEG). Whatever the EXIF says, the picture must come out compliant.
//! The PNG seed's IHDR chunk ends at byte 33.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

/// A 16 × 24 JPEG and PNG (the seeds): small, so that a run costs one small decode and
/// one small encode (`common::fuzz_spec`).
fn bases() -> (&'static [u8], &'static [u8]) {
    (
        include_bytes!("../seeds/prepare/baseline.jpg"),
        include_bytes!("../seeds/prepare/rgb.png"),
    )
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, tiff)) = data.split_first() else {
        return;
    };
    let (jpeg, png) = bases();
    let input = if selector % 2 == 0 {
        if tiff.len() > 65_000 {
            return;
        }
        let mut seg = b"Exif\0\0".to_vec();
        seg.extend_from_slice(tiff);
        let mut v = jpeg[..2].to_vec();
        v.extend_from_slice(&[0xFF, 0xE1]);
        v.extend_from_slice(&(seg.len() as u16 + 2).to_be_bytes());
        v.extend_from_slice(&seg);
        v.extend_from_slice(&jpeg[2..]);
        v
    } else {
        // After the 8-byte signature and the 25-byte IHDR chunk.
        let mut v = png[..33].to_vec();
        v.extend_from_slice(&(tiff.len() as u32).to_be_bytes());
        let mut body = b"eXIf".to_vec();
        body.extend_from_slice(tiff);
        v.extend_from_slice(&body);
        v.extend_from_slice(&crc32(&body).to_be_bytes());
        v.extend_from_slice(&png[33..]);
        v
    };
    let mut pre = common::preprocessor();
    match pre.prepare(&input) {
        Ok(prepared) => common::assert_output_complies(&prepared, pre.spec()),
        Err(e) => panic!("a valid picture with odd EXIF was refused: {e}"),
    }
});
