//! `maprace corpus verify` and `maprace corpus record`.

use super::args::{CorpusCommand, CorpusRecordArgs, CorpusVerifyArgs, Format};
use super::explore::selected;
use super::{print, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_scenarios::corpus::{self, ChangeKind, Corpus};
use serde::Serialize;

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

fn verify(args: &CorpusVerifyArgs) -> Result<i32, CliError> {
    let corpus = corpus::load(&args.corpus).map_err(CliError::usage)?;
    let checks = corpus::verify(&corpus);
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
            print(&text);
        }
        Format::Table => {
            let t = maprace_reports::table::grid(
                &["entry", "status", "explanation"],
                rows.iter()
                    .map(|r| vec![r.scenario.into(), r.status.into(), r.explanation.into()])
                    .collect(),
            );
            print(&format!(
                "{t}{} entries, {} ok, {failed} failing\n",
                checks.len(),
                checks.len() - failed
            ));
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
    let mut corpus = if args.corpus.exists() {
        corpus::load(&args.corpus).map_err(CliError::usage)?
    } else {
        Corpus::default()
    };
    let changes = corpus::record(&mut corpus, &scenarios, args.update);
    corpus::save(&args.corpus, &corpus).map_err(|e| CliError {
        code: EXIT_UNEXPECTED,
        message: e,
    })?;
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
    print(&out);
    Ok(if kept == 0 { EXIT_OK } else { EXIT_UNEXPECTED })
}
