//! The `ekyc-preflight` command.

use clap::{Parser, Subcommand};

mod common;
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
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Prepare(args) => prepare::run(args),
        Command::Request(args) => request::run(args),
    };
    std::process::exit(code);
}
