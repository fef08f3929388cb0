//! The `ekyc-preflight` command.

use clap::{Parser, Subcommand};

mod request;

#[derive(Debug, Parser)]
#[command(name = "ekyc-preflight", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build and sign an EkycVerify request (and send it, with feature `client`).
    Request(request::RequestArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Request(args) => request::run(args),
    };
    std::process::exit(code);
}
