//! A width and a height: a noun of reports (`check`'s and `prepare`'s) that imports
//! nothing of ours.

/// A width and a height, in pixels.
///
/// ```
/// use ekyc_preflight::Size;
/// let s = Size { width: 720, height: 960 };
/// assert!(s.is_portrait());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Size {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Size {
    /// Whether the height is greater than the width, as the document asks.
    ///
    /// ```
    /// use ekyc_preflight::Size;
    /// assert!(!Size { width: 720, height: 720 }.is_portrait());
    /// ```
    pub fn is_portrait(self) -> bool {
        self.height > self.width
    }

    pub(crate) fn new((width, height): (u32, u32)) -> Self {
        Size { width, height }
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}
