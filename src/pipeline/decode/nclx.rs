//! The colour a HEIF/AVIF file states with code points instead of a profile: the `colr`
//! property of type `nclx` (ISO/IEC 23008-12 6.5.5; the codes of ITU-T H.273: colour
//! primaries, transfer characteristics, matrix coefficients and a full-range flag).
//!
//! libheif turns the coded YCbCr into RGB with the matrix and the range, and stops there:
//! the RGB it gives is still in the file's primaries and transfer. Anything other than
//! sRGB's (primaries 1, BT.709; transfer 13, sRGB) is turned into an ICC profile here
//! (`moxcms` builds it from the codes), which the colour stage converts to sRGB like a
//! profile the file carried. Codes left unspecified (2) are taken as sRGB's, as are
//! reserved ones and primaries with no chromaticities (XYZ): what viewers do with colour
//! they cannot place. The HDR transfers, PQ (16) and HLG (18), are refused: turning them
//! into an 8-bit sRGB photo needs tone mapping, which this crate does not do.

use moxcms::{
    CicpColorPrimaries, CicpProfile, ColorProfile, MatrixCoefficients, TransferCharacteristics,
};

use crate::pipeline::sniff::Format;
use crate::Error;

/// H.273 colour primaries: BT.709, sRGB's.
const PRIMARIES_BT709: u16 = 1;
/// H.273: a code left unspecified.
const UNSPECIFIED: u16 = 2;
/// H.273 transfer characteristics: the sRGB curve (IEC 61966-2-1).
const TRANSFER_SRGB: u16 = 13;
/// H.273 transfer characteristics: SMPTE ST 2084, "PQ" (HDR).
const TRANSFER_PQ: u16 = 16;
/// H.273 transfer characteristics: ARIB STD-B67, "HLG" (HDR).
const TRANSFER_HLG: u16 = 18;

/// An `nclx` colour: H.273 code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nclx {
    pub(crate) primaries: u16,
    pub(crate) transfer: u16,
    pub(crate) matrix: u16,
    pub(crate) full_range: bool,
}

impl Nclx {
    /// Reads the body of a `colr` property after its `nclx` type: three 16-bit codes and
    /// a byte whose top bit is the full-range flag. `None` when it is shorter.
    pub(crate) fn read(body: &[u8]) -> Option<Nclx> {
        let code = |at: usize| Some(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
        Some(Nclx {
            primaries: code(0)?,
            transfer: code(2)?,
            matrix: code(4)?,
            full_range: body.get(6)? & 0x80 != 0,
        })
    }

    /// The ICC profile that describes RGB in these primaries and this transfer, for the
    /// colour stage; `None` for sRGB (or colour taken as sRGB, see the module). An error
    /// for the HDR transfers.
    pub(crate) fn profile(&self, format: Format) -> Result<Option<Vec<u8>>, Error> {
        if matches!(self.transfer, TRANSFER_PQ | TRANSFER_HLG) {
            return Err(Error::UnsupportedFormat {
                found: match format {
                    Format::Avif => "HDR AVIF (nclx transfer PQ or HLG)",
                    _ => "HDR HEIF (nclx transfer PQ or HLG)",
                },
            });
        }
        let primaries = match self.primaries {
            UNSPECIFIED => PRIMARIES_BT709,
            p => p,
        };
        let transfer = match self.transfer {
            UNSPECIFIED => TRANSFER_SRGB,
            t => t,
        };
        if (primaries, transfer) == (PRIMARIES_BT709, TRANSFER_SRGB) {
            return Ok(None);
        }
        let code = |c: u16| u8::try_from(c).unwrap_or(u8::MAX);
        let (Ok(color_primaries), Ok(transfer_characteristics)) = (
            CicpColorPrimaries::try_from(code(primaries)),
            TransferCharacteristics::try_from(code(transfer)),
        ) else {
            return Ok(None);
        };
        if matches!(
            color_primaries,
            CicpColorPrimaries::Reserved | CicpColorPrimaries::Xyz
        ) || matches!(transfer_characteristics, TransferCharacteristics::Reserved)
        {
            return Ok(None);
        }
        let cicp = CicpProfile {
            color_primaries,
            transfer_characteristics,
            // libheif has applied the matrix already: the profile describes RGB.
            matrix_coefficients: MatrixCoefficients::Identity,
            full_range: true,
        };
        // `moxcms` leaves the curves unset for the transfers it has no curve for
        // (SMPTE 240M, IEC 61966-2-4, BT.1361): such colour is taken as sRGB.
        let profile = ColorProfile::new_from_cicp(cicp);
        if profile.red_trc.is_none() {
            return Ok(None);
        }
        Ok(profile.encode().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nclx(primaries: u16, transfer: u16) -> Nclx {
        Nclx {
            primaries,
            transfer,
            matrix: 6,
            full_range: true,
        }
    }

    #[test]
    fn reads_the_codes_and_the_range_flag() {
        assert_eq!(
            Nclx::read(&[0, 12, 0, 13, 0, 6, 0x80]),
            Some(Nclx {
                primaries: 12,
                transfer: 13,
                matrix: 6,
                full_range: true
            })
        );
        assert_eq!(
            Nclx::read(&[0, 9, 0, 14, 0, 9, 0x7F]).map(|n| n.full_range),
            Some(false)
        );
        assert_eq!(Nclx::read(&[0, 1, 0, 13, 0, 6]), None);
    }

    #[test]
    fn srgb_and_unspecified_need_nothing() {
        for (p, t) in [(1, 13), (2, 13), (1, 2), (2, 2), (0, 13), (10, 13), (1, 0)] {
            assert_eq!(nclx(p, t).profile(Format::Avif), Ok(None), "{p}/{t}");
        }
    }

    #[test]
    fn hdr_is_refused() {
        for t in [TRANSFER_PQ, TRANSFER_HLG] {
            let e = nclx(9, t).profile(Format::Avif).unwrap_err();
            assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e:?}");
        }
    }

    #[test]
    fn wide_gamut_gives_a_profile_moxcms_reads_back() {
        for (p, t) in [(12, 13), (9, 14), (9, 1), (1, 1), (11, 13), (1, 8)] {
            let icc = nclx(p, t).profile(Format::Heif).unwrap();
            let icc = icc.unwrap_or_else(|| panic!("no profile for {p}/{t}"));
            let parsed = ColorProfile::new_from_slice(&icc).unwrap();
            assert!(parsed.red_trc.is_some(), "{p}/{t}");
        }
    }
}
