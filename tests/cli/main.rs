//! The command's tests (each runs the built binary). One test binary rather than one per
//! file, each of which linked the library and its dependencies (BENCHMARKS.md, "The test
//! command"). A module's tests keep their names under its prefix (`cli_check::…`).

#[path = "../common/mod.rs"]
mod common;
#[cfg(feature = "client")]
#[path = "../mock_service/mod.rs"]
mod mock_service;

#[cfg(feature = "cli")]
mod cli_check;
#[cfg(all(feature = "cli", unix))]
mod cli_outputs;
#[cfg(feature = "cli")]
mod cli_prepare;
#[cfg(all(feature = "cli", feature = "api"))]
mod cli_request;
