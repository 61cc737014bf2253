//! The versioned JSON formats. Field order is fixed by the types, so output is byte-stable.

use crate::model::{ListRow, ReplayReport, SummaryRow};
use serde::Serialize;

/// The version of every JSON format below.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct ListDoc<'a> {
    version: u32,
    scenarios: &'a [ListRow],
}

#[derive(Serialize)]
struct ExploreDoc<'a> {
    version: u32,
    results: &'a [SummaryRow],
}

#[derive(Serialize)]
struct OutcomeDoc<'a> {
    kind: &'a str,
    message: &'a str,
    goroutine: &'a str,
    step: u64,
}

#[derive(Serialize)]
struct ReplayDoc<'a> {
    version: u32,
    token: &'a str,
    scenario: &'a str,
    outcome: OutcomeDoc<'a>,
    trace_hash: &'a str,
    goroutines: &'a [String],
    trace: &'a [maprace_harness::Event],
}

fn pretty<T: Serialize>(doc: &T) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("report types always serialise");
    s.push('\n');
    s
}

/// `maprace list --format json`: `{"version": 1, "scenarios": [...]}`.
pub fn list(rows: &[ListRow]) -> String {
    pretty(&ListDoc {
        version: VERSION,
        scenarios: rows,
    })
}

/// `maprace explore --format json`: `{"version": 1, "results": [...]}`.
pub fn explore(rows: &[SummaryRow]) -> String {
    pretty(&ExploreDoc {
        version: VERSION,
        results: rows,
    })
}

/// `maprace replay --format json`: token, outcome (`kind` is `pass` when nothing failed),
/// trace hash and the trace's events.
pub fn replay(report: &ReplayReport) -> String {
    let outcome = match &report.outcome {
        Some(f) => OutcomeDoc {
            kind: &f.kind,
            message: &f.message,
            goroutine: &f.goroutine,
            step: f.step,
        },
        None => OutcomeDoc {
            kind: "pass",
            message: "",
            goroutine: "",
            step: 0,
        },
    };
    pretty(&ReplayDoc {
        version: VERSION,
        token: &report.token,
        scenario: &report.scenario,
        outcome,
        trace_hash: &report.trace_hash,
        goroutines: &report.goroutines,
        trace: &report.trace,
    })
}
