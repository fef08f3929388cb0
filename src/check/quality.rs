//! JPEG quality, estimated from the luminance quantisation table by inverting the IJG
//! (libjpeg) quality scaling of the standard table of ITU-T T.81 Annex K.

/// ITU-T T.81 Annex K, Table K.1: the luminance quantisation table, natural (row) order.
const ANNEX_K_LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, //
    12, 12, 14, 19, 26, 58, 60, 55, //
    14, 13, 16, 24, 40, 57, 69, 56, //
    14, 17, 22, 29, 51, 87, 80, 62, //
    18, 22, 37, 56, 68, 109, 103, 77, //
    24, 35, 55, 64, 81, 104, 113, 92, //
    49, 64, 78, 87, 103, 121, 120, 101, //
    72, 92, 95, 98, 112, 100, 103, 99,
];

/// The natural-order index of each zig-zag position (T.81 Figure A.6).
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// The table libjpeg's `jpeg_set_quality(quality, force_baseline = TRUE)` writes, in
/// zig-zag order: the Annex K table scaled by 5000/q below 50 and 200 − 2q from 50, each
/// entry rounded and clamped to 1–255.
pub(crate) fn ijg_table(quality: u8) -> [u16; 64] {
    let q = u32::from(quality.clamp(1, 100));
    let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
    let mut table = [0u16; 64];
    for (out, &natural) in table.iter_mut().zip(&ZIGZAG) {
        let v = (u32::from(ANNEX_K_LUMA[natural]) * scale + 50) / 100;
        *out = v.clamp(1, 255) as u16;
    }
    table
}

/// The IJG quality (1–100) whose table is nearest `table` (zig-zag order), and whether it
/// matches exactly. Encoders with their own tables (most cameras) get the nearest IJG
/// quality, which is what "quality" means for them in practice.
pub(crate) fn estimate_quality(table: &[u16; 64]) -> (u8, bool) {
    let mut best = (1u8, u64::MAX);
    for q in 1..=100u8 {
        let distance: u64 = ijg_table(q)
            .iter()
            .zip(table)
            .map(|(&a, &b)| u64::from(a.abs_diff(b)))
            .sum();
        // On a tie keep the higher quality (several qualities near 100 share a table).
        if distance <= best.1 {
            best = (q, distance);
        }
    }
    (best.0, best.1 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_50_is_annex_k_itself() {
        let t = ijg_table(50);
        assert_eq!(t[0], 16);
        assert_eq!(t[1], 11, "zig-zag position 1 is natural (0, 1)");
        assert_eq!(t[2], 12, "zig-zag position 2 is natural (1, 0)");
        assert_eq!(t[63], 99);
    }

    #[test]
    fn every_ijg_table_inverts_to_its_quality() {
        for q in 1..=100u8 {
            let (found, exact) = estimate_quality(&ijg_table(q));
            assert!(exact);
            // Qualities that share a table are indistinguishable; the table must agree.
            assert_eq!(ijg_table(found), ijg_table(q), "q{q} found q{found}");
        }
    }
}
