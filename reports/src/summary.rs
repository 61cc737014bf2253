//! The exploration summary: one row per scenario variant, the totals line last.

use crate::colour::{FAILURE, GOOD};
use crate::model::SummaryRow;
use crate::table::grid_with;
use tabled::settings::object::Cell;

/// The summary's column titles.
pub const HEADER: [&str; 8] = [
    "scenario",
    "variant",
    "expected",
    "strategy",
    "coverage",
    "failure kinds",
    "minimal preemptions",
    "verdict",
];

const KINDS_COL: usize = 5;
const KINDS_WIDTH: usize = 40;

/// The summary's cells, as plain text, for every format.
///
/// - `coverage` says exactly what was explored, with the number of executions: every schedule
///   (within a preemption bound), a systematic search cut short, or sampled schedules;
/// - `failure kinds` lists each kind once, in order of first occurrence (the failures list
///   under the table gives each one's first failing execution and token);
/// - `minimal preemptions` is the minimized first failure's count, `(proven)` when the bounded
///   search proved no schedule with fewer fails this way, `(reduced)` or `(not reduced)`
///   otherwise (`--minimize-budget 0` searches nothing);
/// - `verdict` is `ok` or `unexpected` ([`hints`] says why, under the table).
pub fn cells(rows: &[SummaryRow]) -> (&'static [&'static str], Vec<Vec<String>>) {
    let body = rows
        .iter()
        .map(|r| {
            let mut kinds: Vec<&str> = Vec::new();
            for f in &r.failures {
                if !kinds.contains(&f.kind.as_str()) {
                    kinds.push(&f.kind);
                }
            }
            let minimal = match r.first_failure.as_ref().and_then(|f| f.minimized.as_ref()) {
                Some(m) if m.proven_minimal => format!("{} (proven)", m.preemptions_after),
                Some(m) => format!("{} ({})", m.preemptions_after, m.quality()),
                None => "-".into(),
            };
            vec![
                r.scenario.clone(),
                r.variant.clone(),
                r.expected.clone(),
                r.strategy.clone(),
                r.coverage.clone(),
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
    table_sized(rows, colour, None)
}

/// [`table`] fitted into `width` terminal columns (see [`crate::table::fit`]).
pub fn table_sized(rows: &[SummaryRow], colour: bool, width: Option<usize>) -> String {
    let (header, mut body) = cells(rows);
    let verdict_col = header.len() - 1;
    // A variant can fail several ways; wrap the list so the table keeps a terminal's width.
    for r in &mut body {
        r[KINDS_COL] = crate::trace_table::wrap(&r[KINDS_COL], KINDS_WIDTH);
    }
    let mut records: Vec<Vec<String>> =
        std::iter::once(header.iter().map(|h| h.to_string()).collect())
            .chain(body)
            .collect();
    crate::table::fit_cells(&mut records, width);
    let header: Vec<String> = records.remove(0);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut out = grid_with(&header, records, |t| {
        crate::table::fit(t, width);
        if colour {
            for (i, r) in rows.iter().enumerate() {
                let style = if r.verdict == "ok" { GOOD } else { FAILURE };
                t.modify(Cell::new(i + 1, verdict_col), style.cell());
            }
        }
    });
    out.push_str(&totals(rows));
    out.push('\n');
    for h in hints(rows) {
        out.push_str(&format!("  {h}\n"));
    }
    out
}

/// Why each unexpected verdict is unexpected and what to try, one line per variant:
/// `e2-two-writers/buggy: only step-bound: …`.
pub fn hints(rows: &[SummaryRow]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| {
            let h = r.hint.as_ref()?;
            Some(format!("{}/{}: {h}", r.scenario, r.variant))
        })
        .collect()
}

/// `N variants of M scenarios: N ok, N unexpected`.
pub fn totals(rows: &[SummaryRow]) -> String {
    let ok = rows.iter().filter(|r| r.verdict == "ok").count();
    let mut names: Vec<&str> = rows.iter().map(|r| r.scenario.as_str()).collect();
    names.dedup();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} of {}: {} ok, {} unexpected",
        plural(rows.len(), "variant", "variants"),
        plural(names.len(), "scenario", "scenarios"),
        ok,
        rows.len() - ok
    )
}

/// The failures list printed under the summary table: every distinct failure of every
/// variant, with where it was first found and the token that replays it (and the minimized
/// token, when one was computed), so no failure is reachable only through JSON or a report.
/// `replay` is the replay command ([`crate::TraceOptions::replay`]).
pub fn failures(rows: &[SummaryRow], replay: &str) -> String {
    let mut out = String::new();
    for r in rows {
        for f in &r.failures {
            out.push_str(&format!(
                "  {}/{} {}: {} execution{}, first #{}\n    {}\n",
                r.scenario,
                r.variant,
                f.kind,
                f.count,
                if f.count == 1 { "" } else { "s" },
                f.execution + 1,
                crate::model::replay_line(replay, &f.token, f.loom_only.as_ref())
            ));
            if let Some(m) = f.minimized.as_ref().filter(|m| m.token == f.token) {
                let plural = if m.preemptions_after == 1 { "" } else { "s" };
                out.push_str(&if m.proven_minimal {
                    format!(
                        "    already minimal: {} preemption{plural} (proven)\n",
                        m.preemptions_after
                    )
                } else {
                    format!(
                        "    not reduced: {} preemption{plural}, nothing shorter found within \
                         the minimization budget\n",
                        m.preemptions_after
                    )
                });
            } else if let Some(m) = &f.minimized {
                out.push_str(&format!(
                    "    minimized to {} preemption{} ({}): {replay} {}\n",
                    m.preemptions_after,
                    if m.preemptions_after == 1 { "" } else { "s" },
                    m.quality(),
                    m.token
                ));
            }
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("failures (executions are numbered from #1 in the order they ran):\n{out}")
}
