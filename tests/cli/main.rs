//! The command's tests (each runs the built binary), in one test binary: a binary per
//! file linked the library and its dependencies once each (BENCHMARKS.md, "The test
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
