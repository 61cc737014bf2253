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

use clap::Parser;
use std::fmt;

pub use args::Cli;

/// Exit code: every explored scenario met its expectation.
pub const EXIT_OK: i32 = 0;
/// Exit code: some scenario did not meet its expectation (or a replay diverged).
pub const EXIT_UNEXPECTED: i32 = 1;
/// Exit code: usage or input error.
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
        args::Command::Corpus(c) => corpus::run(&c),
        args::Command::Mutate(a) => mutate::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.code
        }
    }
}

/// Writes `text` to stdout; a closed pipe (`maprace ... | head`) ends quietly.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
