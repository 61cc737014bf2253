//! The exploration summary: one row per scenario variant, the totals line last.

use crate::colour::{FAILURE, GOOD};
use crate::model::SummaryRow;
use crate::table::grid_with;
use tabled::settings::object::Cell;

/// The summary's column titles.
pub const HEADER: [&str; 8] = [
    "scenario",
    "variant",
    "strategy",
    "executions",
    "first failure at",
    "failure kinds",
    "minimal preemptions",
    "verdict",
];

const KINDS_COL: usize = 5;
const KINDS_WIDTH: usize = 40;

/// The summary's cells, as plain text, for every format.
///
/// - `executions` ends in `(all)` when a systematic strategy covered its whole space;
/// - `first failure at` is the 0-based index of the first failing execution;
/// - `failure kinds` lists each kind once, in order of first occurrence;
/// - `minimal preemptions` is the minimized first failure's count, `(proven)` when the bounded
///   search proved no schedule with fewer fails this way, `(reduced)` otherwise.
pub fn cells(rows: &[SummaryRow]) -> (&'static [&'static str], Vec<Vec<String>>) {
    let body = rows
        .iter()
        .map(|r| {
            let executions = if r.exhausted {
                format!("{} (all)", r.executions)
            } else {
                r.executions.to_string()
            };
            let mut kinds: Vec<&str> = Vec::new();
            for f in &r.failures {
                if !kinds.contains(&f.kind.as_str()) {
                    kinds.push(&f.kind);
                }
            }
            let (first, minimal) = match &r.first_failure {
                Some(f) => (
                    f.execution.to_string(),
                    match &f.minimized {
                        Some(m) if m.proven_minimal => format!("{} (proven)", m.preemptions_after),
                        Some(m) => format!("{} (reduced)", m.preemptions_after),
                        None => "-".into(),
                    },
                ),
                None => ("-".into(), "-".into()),
            };
            vec![
                r.scenario.clone(),
                r.variant.clone(),
                r.strategy.clone(),
                executions,
                first,
                if kinds.is_empty() {
                    "-".into()
                } else {
                    kinds.join(", ")
                },
                minimal,
                r.verdict.clone(),
            ]
        })
        .collect();
    (&HEADER, body)
}

/// The summary as a terminal table, then the totals line. With `colour`, verdicts are green
/// (`ok`) or red (`unexpected`).
pub fn table(rows: &[SummaryRow], colour: bool) -> String {
    let (header, mut body) = cells(rows);
    let verdict_col = header.len() - 1;
    // A variant can fail several ways; wrap the list so the table keeps a terminal's width.
    for r in &mut body {
        r[KINDS_COL] = crate::trace_table::wrap(&r[KINDS_COL], KINDS_WIDTH);
    }
    let mut out = grid_with(header, body, |t| {
        if colour {
            for (i, r) in rows.iter().enumerate() {
                let style = if r.verdict == "ok" { GOOD } else { FAILURE };
                t.modify(Cell::new(i + 1, verdict_col), style.cell());
            }
        }
    });
    out.push_str(&totals(rows));
    out.push('\n');
    out
}

/// `N scenarios, N ok, N unexpected`.
pub fn totals(rows: &[SummaryRow]) -> String {
    let ok = rows.iter().filter(|r| r.verdict == "ok").count();
    format!(
        "{} scenarios, {} ok, {} unexpected",
        rows.len(),
        ok,
        rows.len() - ok
    )
}
