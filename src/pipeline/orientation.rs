//! The EXIF orientation, a noun of the header (read by `probe`) that `orient` applies.
//! Imports nothing of ours.

/// An EXIF orientation (tag 0x0112): how the stored pixels must be turned or mirrored to
/// show the picture the right way up.
///
/// ```
/// use ekyc_preflight::Orientation;
/// assert_eq!(Orientation::from_exif(6), Some(Orientation::Rotate90));
/// assert!(Orientation::Rotate90.swaps_axes());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Orientation {
    /// 1: as stored.
    Normal,
    /// 2: mirrored left to right.
    FlipHorizontal,
    /// 3: turned half a turn.
    Rotate180,
    /// 4: mirrored top to bottom.
    FlipVertical,
    /// 5: mirrored about the main diagonal.
    Transpose,
    /// 6: to be turned a quarter turn clockwise.
    Rotate90,
    /// 7: mirrored about the other diagonal.
    Transverse,
    /// 8: to be turned a quarter turn counter-clockwise.
    Rotate270,
}

impl Orientation {
    /// The orientation for an EXIF tag value 1–8; `None` for anything else.
    ///
    /// ```
    /// use ekyc_preflight::Orientation;
    /// assert_eq!(Orientation::from_exif(1), Some(Orientation::Normal));
    /// assert_eq!(Orientation::from_exif(9), None);
    /// ```
    pub fn from_exif(value: u8) -> Option<Self> {
        Some(match value {
            1 => Orientation::Normal,
            2 => Orientation::FlipHorizontal,
            3 => Orientation::Rotate180,
            4 => Orientation::FlipVertical,
            5 => Orientation::Transpose,
            6 => Orientation::Rotate90,
            7 => Orientation::Transverse,
            8 => Orientation::Rotate270,
            _ => return None,
        })
    }

    /// The EXIF tag value, 1–8.
    ///
    /// ```
    /// use ekyc_preflight::Orientation;
    /// assert_eq!(Orientation::Rotate270.exif_value(), 8);
    /// ```
    pub fn exif_value(self) -> u8 {
        self as u8 + 1
    }

    /// Whether showing the picture swaps its width and height.
    ///
    /// ```
    /// use ekyc_preflight::Orientation;
    /// assert!(!Orientation::Rotate180.swaps_axes());
    /// ```
    pub fn swaps_axes(self) -> bool {
        matches!(
            self,
            Orientation::Transpose
                | Orientation::Rotate90
                | Orientation::Transverse
                | Orientation::Rotate270
        )
    }
}
