//! The `peeps` binary: parse the command line, dispatch to a subcommand,
//! map the outcome to an exit code. Everything else lives in the
//! subcommands' modules and in the libraries.
//!
//! Exit codes: 0 nothing to report (or the command succeeded), 1 a deadlock
//! was found, 2 the input could not be read or the command line is wrong.

mod analyze;
mod cli;
mod demo;
mod dot;
mod history;
mod input;
mod output;
mod serve;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = <cli::Cli as clap::Parser>::parse();
    let command = match cli.command {
        Some(command) => Ok(command),
        None => serve::ServeArgs::from_env().map(cli::Command::Serve),
    };
    match command.and_then(cli::Command::run) {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("peeps: {err:#}");
            cli::Exit::Error.into()
        }
    }
}
