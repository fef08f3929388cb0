//! The option enums as text: `Display` writes the name serde and the JSON reports use,
//! `FromStr` reads it back (and the command line's short spellings).

use std::fmt;
use std::str::FromStr;

use crate::{Crop, Role, Subsampling, Transport, Turn};

/// Text that names no value of an option enum (from its `FromStr`).
///
/// ```
/// use ekyc_preflight::Turn;
/// let err = "sideways".parse::<Turn>().unwrap_err();
/// assert_eq!(err.option(), "turn");
/// assert_eq!(
///     err.to_string(),
///     "\"sideways\" is not a turn: expected one of auto, clockwise | cw, counter_clockwise | ccw, off"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptionError {
    option: &'static str,
    found: String,
    /// Each value's names: its own, then the other spellings read (`clockwise | cw`).
    expected: &'static [&'static str],
}

impl ParseOptionError {
    /// The option whose value it was (`turn`, `crop`, `subsampling`, `role`, `transport`).
    ///
    /// ```
    /// let err = "huge".parse::<ekyc_preflight::Crop>().unwrap_err();
    /// assert_eq!(err.option(), "crop");
    /// ```
    pub fn option(&self) -> &'static str {
        self.option
    }
}

impl fmt::Display for ParseOptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a {}: expected one of {}",
            self.found,
            self.option,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for ParseOptionError {}

/// `as_str`, `Display` and `FromStr` for an option enum: each variant's name (as serde
/// writes it) and the other spellings read.
macro_rules! named {
    ($ty:ident, $option:literal, $example:ident, $example_name:literal,
     $($variant:ident => $name:literal $(| $alias:literal)*),+ $(,)?) => {
        impl $ty {
            #[doc = concat!("The name of the ", $option, " as serde and the JSON reports write it; `Display` writes it and `FromStr` reads it back.")]
            ///
            /// ```
            #[doc = concat!("use ekyc_preflight::", stringify!($ty), ";")]
            #[doc = concat!("assert_eq!(", stringify!($ty), "::", stringify!($example), ".as_str(), \"", $example_name, "\");")]
            #[doc = concat!("assert_eq!(\"", $example_name, "\".parse::<", stringify!($ty), ">(), Ok(", stringify!($ty), "::", stringify!($example), "));")]
            #[doc = concat!("assert_eq!(", stringify!($ty), "::", stringify!($example), ".to_string(), \"", $example_name, "\");")]
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            #[doc = concat!("The name of every ", $option, " (as [`as_str`](Self::as_str) writes them), in declaration order: the list a bad name's error gives, and the command line's.")]
            ///
            /// ```
            #[doc = concat!("use ekyc_preflight::", stringify!($ty), ";")]
            #[doc = concat!("assert!(", stringify!($ty), "::NAMES.contains(&\"", $example_name, "\"));")]
            #[doc = concat!("for name in ", stringify!($ty), "::NAMES {")]
            #[doc = concat!("    assert_eq!(name.parse::<", stringify!($ty), ">().unwrap().as_str(), *name);")]
            /// }
            /// ```
            pub const NAMES: &'static [&'static str] = &[$($name),+];
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = ParseOptionError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($name $(| $alias)* => Ok($ty::$variant),)+
                    _ => Err(ParseOptionError {
                        option: $option,
                        found: text.to_owned(),
                        expected: &[$(concat!($name $(, " | ", $alias)*)),+],
                    }),
                }
            }
        }
    };
}

named!(Turn, "turn", CounterClockwise, "counter_clockwise",
    Auto => "auto",
    Clockwise => "clockwise" | "cw",
    CounterClockwise => "counter_clockwise" | "ccw",
    Off => "off",
);
named!(Crop, "crop", Face, "face",
    None => "none",
    Face => "face",
);
named!(Subsampling, "subsampling", S420, "s420",
    S420 => "s420" | "S420" | "4:2:0",
    S422 => "s422" | "S422" | "4:2:2",
    S444 => "s444" | "S444" | "4:4:4",
);
named!(Role, "role", Id, "id",
    Face => "face",
    Id => "id",
);
named!(Transport, "transport", Url, "url",
    Base64 => "base64",
    Url => "url",
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value's name is read back as that value; an unknown name lists the names.
    fn round_trip<T>(values: &[T])
    where
        T: Copy + fmt::Display + FromStr<Err = ParseOptionError> + PartialEq + fmt::Debug,
    {
        for &value in values {
            assert_eq!(value.to_string().parse::<T>(), Ok(value));
        }
        let err = "no such value".parse::<T>().unwrap_err();
        for value in values {
            assert!(err.to_string().contains(&value.to_string()), "{err}");
        }
    }

    #[test]
    fn names_round_trip() {
        round_trip(&[
            Turn::Auto,
            Turn::Clockwise,
            Turn::CounterClockwise,
            Turn::Off,
        ]);
        round_trip(&[Crop::None, Crop::Face]);
        round_trip(&[Subsampling::S420, Subsampling::S422, Subsampling::S444]);
        round_trip(&[Role::Face, Role::Id]);
        round_trip(&[Transport::Base64, Transport::Url]);
        assert_eq!("cw".parse(), Ok(Turn::Clockwise));
        assert_eq!("ccw".parse(), Ok(Turn::CounterClockwise));
        assert_eq!("4:4:4".parse(), Ok(Subsampling::S444));
        assert!("".parse::<Role>().is_err());
        assert!(
            "Face".parse::<Crop>().is_err(),
            "names are exact, as serde's"
        );
    }

    /// `Display` writes the name serde writes, and serde reads it.
    #[cfg(feature = "serde")]
    #[test]
    fn names_agree_with_serde() {
        fn agree<T>(values: &[T])
        where
            T: Copy + fmt::Display + PartialEq + fmt::Debug,
            T: serde::Serialize + serde::de::DeserializeOwned,
        {
            for &value in values {
                let json = serde_json::to_string(&value).unwrap();
                assert_eq!(json, format!("\"{value}\""));
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);
            }
        }
        agree(&[
            Turn::Auto,
            Turn::Clockwise,
            Turn::CounterClockwise,
            Turn::Off,
        ]);
        agree(&[Crop::None, Crop::Face]);
        agree(&[Subsampling::S420, Subsampling::S422, Subsampling::S444]);
        agree(&[Role::Face, Role::Id]);
        agree(&[Transport::Base64, Transport::Url]);
    }
}
