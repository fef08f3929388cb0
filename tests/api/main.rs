//! The API's tests (signing, requests and responses, the client and its credentials
//! against mocks on 127.0.0.1) and the library in a web service. One test binary rather
//! than one per file, each of which linked the library and its dependencies
//! (BENCHMARKS.md, "The test command"). A module's tests keep their names under its
//! prefix (`api_client::…`).

#[path = "../common/mod.rs"]
mod common;
#[cfg(feature = "client")]
#[path = "../mock_service/mod.rs"]
mod mock_service;

#[cfg(feature = "client")]
mod api_client;
#[cfg(feature = "client")]
mod api_credentials;
#[cfg(feature = "api")]
mod api_redaction;
#[cfg(feature = "api")]
mod api_validation;
#[cfg(feature = "api")]
mod api_vectors;
#[cfg(feature = "serde")]
mod service_errors;
#[cfg(feature = "serde")]
mod web_service;
