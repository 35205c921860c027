//! `linli-bench`: measures how fast a phone's work reaches the office and how light the core is
//! on a phone, against automerge-repo's Rust implementation (samod) and against the machine's
//! own limit, in the same run. Each subcommand prints a table while it runs and, last, one JSON
//! line per figure.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod converge;
mod data;
mod erase;
mod fuzz;
mod ingest;
mod linli_side;
mod load;
mod local;
mod office;
mod process;
mod report;
mod samod_side;
mod sync_compare;
mod templates;
mod wire;

use std::process::ExitCode;

/// A benchmark that could not run (as opposed to a figure that misses its bar).
#[derive(Debug)]
pub struct BenchError(pub String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<linli_core::Error> for BenchError {
    fn from(e: linli_core::Error) -> BenchError {
        BenchError(e.to_string())
    }
}

impl From<linli_relay::RelayError> for BenchError {
    fn from(e: linli_relay::RelayError) -> BenchError {
        BenchError(e.message)
    }
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `linli-bench relay …` is the relay's own command line, so that the relay runs as a
    // process of its own from this one binary.
    if args.get(1).is_some_and(|a| a == "relay") {
        let relay_args = std::iter::once("linli-relay".into()).chain(args[2..].iter().cloned());
        return linli_relay::cli::main_from(relay_args);
    }
    cli::main(args)
}
