//! `maprace corpus verify` and `maprace corpus record`.

use super::args::{CorpusCommand, CorpusRecordArgs, CorpusVerifyArgs, Format, DEFAULT_CORPUS};
use super::explore::selected;
use super::{print, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_scenarios::corpus::{self, ChangeKind, Corpus};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub fn run(command: &CorpusCommand) -> Result<i32, CliError> {
    match command {
        CorpusCommand::Verify(a) => verify(a),
        CorpusCommand::Record(a) => record(a),
    }
}

#[derive(Serialize)]
struct CheckRow<'a> {
    scenario: &'a str,
    status: &'a str,
    explanation: &'a str,
}

#[derive(Serialize)]
struct VerifyDoc<'a> {
    version: u32,
    entries: Vec<CheckRow<'a>>,
}

/// The corpus file: `explicit` when given, else [`DEFAULT_CORPUS`] in the nearest directory
/// (from the current one up) that is a maprace workspace, else in the workspace this binary was
/// built from — so `maprace corpus verify` works from any subdirectory, and from elsewhere.
pub fn corpus_path(explicit: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let in_workspace = |dir: &Path| {
        let p = dir.join(DEFAULT_CORPUS);
        (dir.join("Cargo.toml").is_file() && p.is_file()).then_some(p)
    };
    let cwd = std::env::current_dir().ok();
    let found = cwd
        .iter()
        .flat_map(|d| d.ancestors())
        .chain([Path::new(env!("CARGO_MANIFEST_DIR"))])
        .find_map(in_workspace);
    found.ok_or_else(|| {
        CliError::usage(format!(
            "no {DEFAULT_CORPUS} in this directory, its parents or {}; pass --corpus PATH",
            env!("CARGO_MANIFEST_DIR")
        ))
    })
}

fn verify(args: &CorpusVerifyArgs) -> Result<i32, CliError> {
    let path = corpus_path(args.corpus.as_deref())?;
    let corpus = corpus::load(&path).map_err(CliError::usage)?;
    let checks = corpus::verify_all(&corpus);
    let rows: Vec<CheckRow> = checks
        .iter()
        .map(|c| CheckRow {
            scenario: &c.scenario,
            status: c.status.as_str(),
            explanation: &c.explanation,
        })
        .collect();
    let failed = checks.iter().filter(|c| !c.status.is_ok()).count();
    match args.format {
        Format::Json => {
            let doc = VerifyDoc {
                version: maprace_reports::json::VERSION,
                entries: rows,
            };
            let mut text = serde_json::to_string_pretty(&doc).expect("rows serialise");
            text.push('\n');
            print(&text)?;
        }
        Format::Table => {
            let t = maprace_reports::table::grid_sized(
                &["entry", "status", "explanation"],
                rows.iter()
                    .map(|r| vec![r.scenario.into(), r.status.into(), r.explanation.into()])
                    .collect(),
                super::render::terminal_width(),
            );
            print(&format!(
                "{t}{} entries for {} registered variants: {} ok, {failed} failing\n",
                corpus.entries.len(),
                maprace_scenarios::all().len(),
                checks.len() - failed
            ))?;
        }
    }
    Ok(if failed == 0 {
        EXIT_OK
    } else {
        EXIT_UNEXPECTED
    })
}

fn record(args: &CorpusRecordArgs) -> Result<i32, CliError> {
    let scenarios = selected(&args.scenarios, &[maprace_scenarios::Size::Small])?;
    let path = corpus_path(args.corpus.as_deref())?;
    let mut corpus = if path.exists() {
        corpus::load(&path).map_err(CliError::usage)?
    } else {
        Corpus::default()
    };
    // Before exploring: an unwritable corpus must not cost the exploration.
    corpus::check_writable(&path).map_err(CliError::usage)?;
    let changes = corpus::record(&mut corpus, &scenarios, args.update);
    corpus::save(&path, &corpus).map_err(CliError::usage)?;
    let mut out = String::new();
    for c in &changes {
        out.push_str(&format!("{c}\n"));
    }
    let kept = changes
        .iter()
        .filter(|c| matches!(c.kind, ChangeKind::Kept | ChangeKind::Rejected))
        .count();
    if kept > 0 && !args.update {
        out.push_str(&format!(
            "{kept} entr{} not rewritten; rerun with --update to accept the new outcome\n",
            if kept == 1 { "y" } else { "ies" }
        ));
    }
    print(&out)?;
    Ok(if kept == 0 { EXIT_OK } else { EXIT_UNEXPECTED })
}
