#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(unreachable_pub)]
#![warn(missing_docs)]

#[cfg(feature = "api")]
pub mod api;
