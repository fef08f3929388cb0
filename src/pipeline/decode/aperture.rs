//! The clean aperture of a HEIF item: the `clap` property (ISO/IEC 14496-12, 12.1.4;
//! ISO/IEC 23008-12, 6.5.9), a crop given as eight fractions, cleanApertureWidthN/D,
//! cleanApertureHeightN/D, horizOffN/D and vertOffN/D, centred at
//! ((width − 1) / 2 + horizOff, (height − 1) / 2 + vertOff) of the picture it applies to.
//!
//! libheif crops the decoded picture with it, so the probe must work out the same size
//! to the pixel, rounding and all. This is libheif 1.15.1's arithmetic, read in its
//! `libheif/box.cc` (`Fraction`, `Box_clap::parse`, `left_rounded`, `right_rounded`,
//! `top_rounded`, `bottom_rounded`) and `libheif/heif_context.cc`
//! (`decode_image_planar`), tag v1.15.1 of github.com/strukturag/libheif:
//!
//! - fractions are pairs of 32-bit signed integers; each one made is first reduced, the
//!   numerator and the denominator halved together (truncating) while the denominator,
//!   then while the numerator, is past ±65,536 (`MAX_FRACTION_VALUE`, heif_limits.h);
//! - a sum of fractions with equal denominators adds the numerators, otherwise
//!   cross-multiplies; an integer is added as `n + v·d`; dividing by an integer
//!   multiplies the denominator;
//! - left = ⌊horizOff + (width − 1)/2 − (cleanApertureWidth − 1)/2⌋ (C division, towards
//!   zero), right = round(cleanApertureWidth − 1 + left); top = round(vertOff +
//!   (height − 1)/2 − (cleanApertureHeight − 1)/2), bottom = round(cleanApertureHeight
//!   − 1 + top); round(n/d) is (n + d/2)/d in C: the top edge is rounded, the left one
//!   truncated;
//! - the crop keeps columns left..=right and rows top..=bottom.
//!
//! Where libheif's arithmetic would overflow 32 bits, divide by zero, or clamp the crop
//! to the picture, the file is refused here instead (the standard's aperture lies
//! inside the picture), each case with the rule it breaks; libheif never sees it.

/// libheif's bound on a fraction's terms before it halves them (`MAX_FRACTION_VALUE`).
const MAX_FRACTION_VALUE: i64 = 0x10000;

/// Bytes of a `clap` box's body: eight 32-bit numbers (a plain box, no version).
const CLAP_BYTES: usize = 32;

/// A fraction as libheif 1.15 keeps one: both terms within `i32`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frac {
    n: i64,
    d: i64,
}

/// libheif's arithmetic is 32-bit: a step outside `i32` is refused, not wrapped.
fn fit(v: Option<i64>) -> Result<i64, String> {
    v.filter(|v| i32::try_from(*v).is_ok()).ok_or_else(|| {
        "the clean aperture (clap) overflows libheif's 32-bit fraction arithmetic".to_owned()
    })
}

impl Frac {
    /// libheif's `Fraction(int32_t, int32_t)`: the terms halved until both are within
    /// [`MAX_FRACTION_VALUE`].
    fn new(n: i64, d: i64) -> Result<Frac, String> {
        let (mut n, mut d) = (fit(Some(n))?, fit(Some(d))?);
        while !(-MAX_FRACTION_VALUE..=MAX_FRACTION_VALUE).contains(&d) {
            n /= 2;
            d /= 2;
        }
        while !(-MAX_FRACTION_VALUE..=MAX_FRACTION_VALUE).contains(&n) {
            n /= 2;
            d /= 2;
        }
        Ok(Frac { n, d })
    }

    fn add(self, b: Frac, sign: i64) -> Result<Frac, String> {
        if self.d == b.d {
            return Frac::new(fit(self.n.checked_add(sign * b.n))?, self.d);
        }
        let x = fit(self.n.checked_mul(b.d))?;
        let y = fit(b.n.checked_mul(self.d))?;
        Frac::new(fit(x.checked_add(sign * y))?, fit(self.d.checked_mul(b.d))?)
    }

    fn plus(self, b: Frac) -> Result<Frac, String> {
        self.add(b, 1)
    }

    fn minus(self, b: Frac) -> Result<Frac, String> {
        self.add(b, -1)
    }

    /// `Fraction + int` (and `- int` with `v` negated): `n + v·d` over `d`.
    fn plus_int(self, v: i64) -> Result<Frac, String> {
        let vd = fit(v.checked_mul(self.d))?;
        Frac::new(fit(self.n.checked_add(vd))?, self.d)
    }

    fn halved(self) -> Result<Frac, String> {
        Frac::new(self.n, fit(self.d.checked_mul(2))?)
    }

    fn divide(n: i64, d: i64) -> Result<i64, String> {
        fit(n.checked_div(d)).map_err(|_| {
            "the clean aperture (clap) makes libheif divide by zero (a denominator halved to 0)"
                .to_owned()
        })
    }

    /// `Fraction::round_down`: C division, towards zero.
    fn round_down(self) -> Result<i64, String> {
        Frac::divide(self.n, self.d)
    }

    /// `Fraction::round`: (n + d/2) / d in C.
    fn round(self) -> Result<i64, String> {
        let half = Frac::divide(self.d, 2)?;
        Frac::divide(fit(self.n.checked_add(half))?, self.d)
    }
}

/// A `clap` property, read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Clap {
    width: Frac,
    height: Frac,
    horiz: Frac,
    vert: Frac,
}

impl Clap {
    /// Reads a `clap` box's body, refusing what libheif's `Box_clap::parse` refuses (a
    /// width, height or denominator past 2³¹ − 1, which it would read as negative; a
    /// zero denominator, before or after its reduction) and a short body.
    pub(crate) fn read(body: &[u8]) -> Result<Clap, String> {
        let bytes = body.get(..CLAP_BYTES).ok_or_else(|| {
            format!(
                "truncated clean aperture (clap): {} bytes of {CLAP_BYTES}",
                body.len()
            )
        })?;
        let v: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        // Offsets' numerators are signed; every other term is unsigned and must fit i32.
        for (i, name) in [
            (0, "width numerator"),
            (1, "width denominator"),
            (2, "height numerator"),
            (3, "height denominator"),
            (5, "horizontal offset denominator"),
            (7, "vertical offset denominator"),
        ] {
            if i32::try_from(v[i]).is_err() {
                return Err(format!(
                    "the clean aperture's (clap) {name} is {}, past 2^31 - 1",
                    v[i]
                ));
            }
        }
        let signed = |x: u32| i64::from(x as i32);
        let frac = |n: i64, d: u32, name: &str| {
            let f = Frac::new(n, i64::from(d))?;
            if f.d == 0 {
                return Err(format!(
                    "the clean aperture's (clap) {name} has a zero denominator ({n}/{d})"
                ));
            }
            Ok(f)
        };
        Ok(Clap {
            width: frac(i64::from(v[0]), v[1], "width")?,
            height: frac(i64::from(v[2]), v[3], "height")?,
            horiz: frac(signed(v[4]), v[5], "horizontal offset")?,
            vert: frac(signed(v[6]), v[7], "vertical offset")?,
        })
    }

    /// The first and last column and row libheif keeps of a `w` × `h` picture.
    fn edges(&self, w: i64, h: i64) -> Result<[i64; 4], String> {
        // left = horizOff + (w − 1)/2 − (clapWidth − 1)/2, towards zero.
        let left = self
            .horiz
            .plus(Frac::new(w - 1, 2)?)?
            .minus(self.width.plus_int(-1)?.halved()?)?
            .round_down()?;
        let right = self.width.plus_int(-1)?.plus_int(left)?.round()?;
        let top = self
            .vert
            .plus(Frac::new(h - 1, 2)?)?
            .minus(self.height.plus_int(-1)?.halved()?)?
            .round()?;
        let bottom = self.height.plus_int(-1)?.plus_int(top)?.round()?;
        Ok([left, right, top, bottom])
    }

    /// The size of a `width` × `height` picture cropped to this aperture, as libheif
    /// crops it; an empty aperture, one larger than the picture or reaching outside it
    /// is refused (libheif would clamp the last).
    pub(crate) fn crop(&self, width: u32, height: u32) -> Result<(u32, u32), String> {
        let (w, h) = (i64::from(width), i64::from(height));
        let [left, right, top, bottom] = self.edges(w, h)?;
        let (cw, ch) = (right - left + 1, bottom - top + 1);
        if cw <= 0 || ch <= 0 {
            return Err(format!(
                "the clean aperture (clap) is empty ({cw}x{ch} of a {width}x{height} picture)"
            ));
        }
        if cw > w || ch > h {
            return Err(format!(
                "the clean aperture (clap) is {cw}x{ch}, larger than the {width}x{height} picture"
            ));
        }
        if left < 0 || top < 0 || right >= w || bottom >= h {
            return Err(format!(
                "the clean aperture (clap) spans columns {left} to {right} and rows {top} to \
                 {bottom}: outside the {width}x{height} picture"
            ));
        }
        // Within the picture, so within u32.
        Ok((cw as u32, ch as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clap(v: [i64; 8]) -> Vec<u8> {
        v.iter().flat_map(|&x| (x as u32).to_be_bytes()).collect()
    }

    fn crop(v: [i64; 8], w: u32, h: u32) -> Result<(u32, u32), String> {
        Clap::read(&clap(v))?.crop(w, h)
    }

    #[test]
    fn heif_clap_centred_and_offset_crops() {
        // libheif's own encoder: the top-left w×h of a padded picture.
        assert_eq!(
            crop([181, 1, 243, 1, -1, 2, -1, 2], 182, 244),
            Ok((181, 243))
        );
        assert_eq!(crop([100, 1, 50, 1, 0, 1, 0, 1], 180, 240), Ok((100, 50)));
        assert_eq!(crop([101, 1, 51, 1, 7, 2, -9, 2], 180, 240), Ok((101, 51)));
        // A fractional width: right = round(w − 1 + left).
        assert_eq!(crop([201, 2, 101, 2, 0, 1, 0, 1], 180, 240), Ok((101, 51)));
        // The whole picture.
        assert_eq!(crop([180, 1, 240, 1, 0, 1, 0, 1], 180, 240), Ok((180, 240)));
    }

    #[test]
    fn heif_clap_left_truncates_top_rounds() {
        // (w − cw)/2 is a half when w − cw is odd: libheif truncates it on the left and
        // rounds it up on the top. A 4×4 aperture in a 5×5 picture, centred: columns 0
        // to 3, rows 1 to 4.
        let c = Clap::read(&clap([4, 1, 4, 1, 0, 1, 0, 1])).unwrap();
        assert_eq!(c.edges(5, 5), Ok([0, 3, 1, 4]));
        // Moved by one: the rounded top reaches past the last row, the left does not.
        let e = crop([4, 1, 4, 1, 1, 1, 1, 1], 5, 5).unwrap_err();
        assert!(e.contains("columns 1 to 4 and rows 2 to 5"), "{e}");
        // Negative halves truncate towards zero (C), not down: −0.5 is column 0.
        let c = Clap::read(&clap([4, 1, 4, 1, -1, 1, -1, 1])).unwrap();
        assert_eq!(c.edges(5, 5), Ok([0, 3, 0, 3]));
    }

    #[test]
    fn heif_clap_hostile_values_are_refused() {
        let cases: [([i64; 8], &str); 9] = [
            ([100, 0, 50, 1, 0, 1, 0, 1], "zero denominator"),
            ([100, 1, 50, 1, 0, 0, 0, 1], "zero denominator"),
            ([100, 0x8000_0000, 50, 1, 0, 1, 0, 1], "past 2^31"),
            ([0xFFFF_FFFF, 1, 50, 1, 0, 1, 0, 1], "past 2^31"),
            ([0, 1, 50, 1, 0, 1, 0, 1], "empty"),
            ([181, 1, 50, 1, 0, 1, 0, 1], "larger"),
            ([100, 1, 50, 1, 200, 1, 0, 1], "outside"),
            ([100, 1, 50, 1, 0, 1, -0x7FFF_FFFF, 1], "zero denominator"),
            ([0x7FFF_FFFF, 1, 50, 1, 0, 1, 0, 1], "zero denominator"),
        ];
        for (v, rule) in cases {
            let e = crop(v, 180, 240).unwrap_err();
            assert!(e.contains(rule), "{v:?}: {e}");
        }
        assert!(Clap::read(&[0; 31]).unwrap_err().contains("truncated"));
        // Terms past 65,536 are halved as libheif halves them: 2^31 − 1 over itself is
        // 65535/65535, one pixel.
        assert_eq!(
            crop([0x7FFF_FFFF, 0x7FFF_FFFF, 1, 1, 0, 1, 0, 1], 3, 3),
            Ok((1, 1))
        );
    }

    #[test]
    fn heif_clap_never_panics_on_extreme_terms() {
        let extremes = [
            0,
            1,
            2,
            -1,
            0x10000,
            0x10001,
            0x7FFF_FFFF,
            -0x8000_0000,
            0xFFFF_FFFF,
        ];
        for a in extremes {
            for b in extremes {
                let v = [a, b, a, b, a, b, b, a];
                let _ = crop(v, u32::MAX, u32::MAX);
                let _ = crop(v, 1, 1);
                let _ = crop([b, a, 3, 1, a, 1, b, 2], 0, 7);
            }
        }
    }
}
