//! Input formats and what they carry, each judged by an independent decoder: HEIC, AVIF
//! (and its `nclx` colour), WebP, PNG orientation outside EXIF, colour profiles, EXIF
//! orientation. One test binary rather than one per file, each of which linked the
//! library and its dependencies (BENCHMARKS.md, "The test command"). A module's tests
//! keep their names under its prefix (`heif::…`).

#[path = "../common/mod.rs"]
mod common;
#[cfg(any(feature = "heif", feature = "avif"))]
#[path = "../fixtures/heif_shared.rs"]
mod shared;

#[cfg(feature = "avif")]
mod avif;
#[cfg(feature = "avif")]
mod avif_nclx;
mod colour;
#[cfg(feature = "heif")]
mod heif;
mod orientation;
mod png_orientation;
mod webp;
