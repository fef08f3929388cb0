//! The option values (`--turn`, `--crop`, `--role`, `--transport`) read by the library's
//! `FromStr`, so the command takes exactly the names the library reads and serde writes
//! (and the short spellings it also reads, such as `cw`), from one list.

use std::ffi::OsStr;
use std::marker::PhantomData;
use std::str::FromStr;

use clap::builder::{PossibleValue, TypedValueParser};
use ekyc_preflight::{Crop, ParseOptionError, Role, Transport, Turn};

/// An option enum of the library: its `FromStr` and its list of names.
pub(crate) trait Named:
    FromStr<Err = ParseOptionError> + Clone + Send + Sync + 'static
{
    /// Every value's name, as `--help` lists them.
    const NAMES: &'static [&'static str];
}

impl Named for Turn {
    const NAMES: &'static [&'static str] = Turn::NAMES;
}
impl Named for Crop {
    const NAMES: &'static [&'static str] = Crop::NAMES;
}
impl Named for Role {
    const NAMES: &'static [&'static str] = Role::NAMES;
}
impl Named for Transport {
    const NAMES: &'static [&'static str] = Transport::NAMES;
}

/// The clap value parser of a [`Named`] option: a bad value is a usage error (exit 2)
/// whose message is the library's, listing every name it reads.
#[derive(Clone)]
pub(crate) struct Names<T>(PhantomData<fn() -> T>);

impl<T> Names<T> {
    pub(crate) fn new() -> Self {
        Names(PhantomData)
    }
}

impl<T: Named> TypedValueParser for Names<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        // clap's own parser of a `&str` function: its message names the flag, then ours.
        (|text: &str| text.parse::<T>()).parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(T::NAMES.iter().map(PossibleValue::new)))
    }
}
