use super::jpeg::{assemble_icc, IccChunk};
use super::png::{raw_profile_exif, xmp_orientation};
use super::*;
use crate::pipeline::orientation::Orientation;

fn sof(width: u16, height: u16) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8];
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    v.extend_from_slice(&[0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
    v
}

#[test]
fn reads_jpeg_size() {
    let h = probe(&sof(4032, 3024), &Limits::default()).unwrap();
    assert_eq!((h.width, h.height), (4032, 3024));
    assert_eq!(h.orientation, Orientation::Normal);
}

#[test]
fn refuses_huge_and_zero_before_decoding() {
    let huge = probe(&sof(65_500, 65_500), &Limits::default()).unwrap_err();
    assert!(matches!(huge, Error::Dimensions { .. }), "{huge:?}");
    let zero = probe(&sof(0, 100), &Limits::default()).unwrap_err();
    assert!(matches!(
        zero,
        Error::Dimensions {
            reason: "a side is zero",
            ..
        }
    ));
}

#[test]
fn every_truncation_of_the_header_is_an_error() {
    let data = sof(640, 480);
    for cut in 3..data.len() - 1 {
        assert!(
            probe(&data[..cut], &Limits::default()).is_err(),
            "cut {cut}"
        );
    }
}

#[test]
fn icc_pieces_are_put_together_in_sequence_or_not_at_all() {
    let whole = |chunks: &[IccChunk]| assemble_icc(chunks);
    assert_eq!(
        whole(&[(2, 2, b"cd"), (1, 2, b"ab")]),
        Some(b"abcd".to_vec())
    );
    assert_eq!(whole(&[(1, 2, b"ab")]), None, "one missing");
    assert_eq!(whole(&[(1, 2, b"ab"), (1, 2, b"ab")]), None, "one twice");
    assert_eq!(
        whole(&[(1, 2, b"ab"), (2, 3, b"cd")]),
        None,
        "counts differ"
    );
    assert_eq!(whole(&[(0, 1, b"ab")]), None, "numbered from 0");
    assert_eq!(whole(&[(1, 0, b"ab")]), None, "count 0");
    assert_eq!(whole(&[]), None);
}

#[test]
fn xmp_orientation_reads_attribute_and_element_only() {
    assert_eq!(xmp_orientation(br#"<x tiff:Orientation="6"/>"#), Some(6));
    assert_eq!(
        xmp_orientation(b"<tiff:Orientation>8</tiff:Orientation>"),
        Some(8)
    );
    // The first match of the pattern, as Pillow's `re.search` takes it.
    assert_eq!(
        xmp_orientation(br#"tiff:Orientation tiff:Orientation="3""#),
        Some(3)
    );
    assert_eq!(xmp_orientation(br#"tiff:Orientation='6'"#), None);
    assert_eq!(xmp_orientation(b"tiff:Orientation>"), None);
    assert_eq!(xmp_orientation(b""), None);
}

#[test]
fn raw_profile_hex_is_read_as_pillow_reads_it() {
    assert_eq!(
        raw_profile_exif(b"\nexif\n       8\n457869660000\n4d4d\n"),
        Some(b"MM".to_vec())
    );
    assert_eq!(
        raw_profile_exif(b"\nexif\n 2\n4 d 4 d"),
        Some(b"MM".to_vec())
    );
    assert_eq!(raw_profile_exif(b"\nexif\n 2\n4d4"), None);
    assert_eq!(raw_profile_exif(b"\nexif\n 2\nxx"), None);
}
