//! Command-line interface: argument parsing and dispatch. Each subcommand has its own module.

mod args;
mod corpus;
mod explore;
mod list;
mod minimize;
mod mutate;
mod progress;
mod render;
mod replay;
mod rows;
mod shard;
mod strategy;

use clap::Parser;
use std::fmt;

pub use args::Cli;

/// Exit code: every explored scenario met its expectation.
pub const EXIT_OK: i32 = 0;
/// Exit code: some scenario did not meet its expectation (or a replay diverged).
pub const EXIT_UNEXPECTED: i32 = 1;
/// Exit code: usage or input error, or an output (stdout, a report, the corpus) that could not
/// be written.
pub const EXIT_USAGE: i32 = 2;

/// An error that ends the command with one line on stderr and an exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let result = match cli.command {
        args::Command::List(a) => list::run(&a),
        args::Command::Explore(a) => explore::run(&a),
        args::Command::Replay(a) => replay::run(&a),
        args::Command::Minimize(a) => minimize::run(&a),
        args::Command::Merge(a) => shard::merge(&a),
        args::Command::Corpus(c) => corpus::run(&c),
        args::Command::Mutate(a) => mutate::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            use std::io::Write;
            // Nothing is left to report a failing stderr to (and eprintln! would panic).
            let _ = writeln!(std::io::stderr(), "error: {e}");
            e.code
        }
    }
}

/// Writes `text` to stdout. A closed pipe (`maprace ... | head`) ends quietly: the reader has
/// what it wanted. Any other write error (a full disk, `> /dev/full`) is an error, exit 2, so a
/// CI step never passes with an empty or truncated report.
pub fn print(text: &str) -> Result<(), CliError> {
    use std::io::{ErrorKind, Write};
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(CliError::usage(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}
