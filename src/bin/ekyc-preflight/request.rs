//! `ekyc-preflight request`: build, sign (and with feature `client`, send) an EkycVerify call.

/// Arguments of `ekyc-preflight request`.
#[derive(Debug, clap::Args)]
pub(crate) struct RequestArgs {}

/// Runs the subcommand; returns the process exit code.
pub(crate) fn run(_args: RequestArgs) -> i32 {
    eprintln!("request: not implemented yet");
    2
}
