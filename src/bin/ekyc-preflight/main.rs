//! The `ekyc-preflight` command.

use clap::{Parser, Subcommand};

mod batch;
mod check;
mod common;
mod names;
mod output;
mod prepare;
mod request;

/// Make photos EkycVerify accepts, and say before the call whether they will pass.
#[derive(Debug, Parser)]
#[command(name = "ekyc-preflight", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Turn a photo into a JPEG that meets every rule of EkycVerify.
    Prepare(prepare::PrepareArgs),
    /// Build and sign an EkycVerify request (and send it, with feature `client`).
    Request(request::RequestArgs),
    /// Say whether EkycVerify will accept each image as it stands, and why not.
    Check(check::CheckArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Prepare(args) => prepare::run(args),
        Command::Request(args) => request::run(args),
        Command::Check(args) => check::run(args),
    };
    std::process::exit(code);
}
