//! (Re)records `scenarios/corpus.toml` with [`maprace_scenarios::corpus::record`]: the same
//! library call as `maprace corpus record`, usable without the CLI.
//!
//! ```text
//! cargo run --release -p maprace-scenarios --example record_corpus -- [--update] [SCENARIO...]
//! ```

use maprace_scenarios::corpus::{self, ChangeKind, Corpus};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut update = false;
    let mut selectors = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--update" => update = true,
            _ => selectors.push(arg),
        }
    }
    let scenarios = if selectors.is_empty() {
        maprace_scenarios::all()
    } else {
        let mut out = Vec::new();
        for s in &selectors {
            match maprace_scenarios::select(s) {
                Some(found) => out.extend(found),
                None => {
                    eprintln!("no scenario {s}");
                    return ExitCode::FAILURE;
                }
            }
        }
        out
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(corpus::DEFAULT_PATH);
    let mut corpus = if path.exists() {
        match corpus::load(&path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        Corpus::default()
    };
    let changes = corpus::record(&mut corpus, &scenarios, update);
    for c in &changes {
        println!("{c}");
    }
    if let Err(e) = corpus::save(&path, &corpus) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let trouble = changes
        .iter()
        .any(|c| matches!(c.kind, ChangeKind::Kept | ChangeKind::Rejected));
    if trouble {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
