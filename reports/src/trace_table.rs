//! The trace table for terminals (tabled): one column per goroutine, one row per run of steps
//! (or per step with `full`), the map state in its own column, the failure under the table.

use crate::colour::{DIM, FAILURE, GOOD, HEADING};
use crate::fold::{self, Lanes, Row};
use crate::model::ReplayReport;
use tabled::builder::Builder;
use tabled::settings::object::{Cell, Columns, Rows};
use tabled::settings::Style;

/// How to render a trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceOptions {
    /// One row per event instead of one per run of a goroutine's events.
    pub full: bool,
    /// ANSI colour (terminal table only).
    pub colour: bool,
    /// The command that replays a token, as it works where the report is read:
    /// [`MAPRACE_REPLAY`] when maprace is installed, `cargo run --release -- replay` in a
    /// checkout.
    pub replay: &'static str,
    /// The terminal's width in columns: the table wraps its widest columns to fit it (terminal
    /// table only; `None` for no limit).
    pub width: Option<usize>,
}

/// The replay command of an installed maprace.
pub const MAPRACE_REPLAY: &str = "maprace replay";

/// Lane cells wrap at this width, so three or four goroutines fit a terminal side by side.
const LANE_WIDTH: usize = 36;
/// The state column wraps at this width (`B=… count=… flags=hashWriting growing=false` fits).
const STATE_WIDTH: usize = 46;
/// Marks the failing step, in every format.
pub const FAIL_MARK: &str = "✗";

/// A cell's text: the folded summary or the single event, marked when it failed.
pub(crate) fn cell_text(row: &Row<'_>) -> String {
    let text = fold::summary(row.events);
    if row.failing {
        format!("{FAIL_MARK} {text}")
    } else {
        text
    }
}

/// The table alone: header `step | <goroutines> | state`, then the rows.
pub fn table(report: &ReplayReport, options: &TraceOptions) -> String {
    let lanes = Lanes::of(report);
    let rows = fold::rows(report, &lanes, options.full);
    let width = lanes.names.len() + 2;
    let mut header = vec!["step".to_string()];
    header.extend(lanes.names.iter().cloned());
    header.push("state".into());
    let mut records = vec![header];
    for row in &rows {
        let mut record = vec![String::new(); width];
        record[0] = row.steps();
        record[1 + row.lane] = wrap(&cell_text(row), LANE_WIDTH);
        record[width - 1] = wrap(&fold::state_text(row.events), STATE_WIDTH);
        records.push(record);
    }
    crate::table::fit_cells(&mut records, options.width);
    let mut b = Builder::default();
    for r in records {
        b.push_record(r);
    }
    let mut t = b.build();
    t.with(Style::sharp());
    crate::table::fit(&mut t, options.width);
    if options.colour {
        t.modify(Rows::first(), HEADING.cell());
        t.modify(Columns::first(), DIM.cell());
        for (i, row) in rows.iter().enumerate() {
            if row.failing {
                t.modify(Cell::new(i + 1, 1 + row.lane), FAILURE.cell());
            }
        }
    }
    let mut s = t.to_string();
    s.push('\n');
    s
}

/// Greedy word wrap at `width` characters (a word longer than the line gets a line of its own).
/// Done here rather than by tabled so no line starts with the space it was broken at.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
}

/// The line under the table: how the execution ended.
pub fn outcome_line(report: &ReplayReport) -> String {
    match &report.outcome {
        Some(f) => format!(
            "{FAIL_MARK} {} in {} at step {}: {}",
            f.kind, f.goroutine, f.step, f.message
        ),
        None => "✓ passed: no failure".to_string(),
    }
}

/// The facts people copy from a report: the token, the replay command, the trace hash and,
/// for a minimized schedule, the preemptions before and after and the original token.
/// `replay` is the replay command ([`TraceOptions::replay`]).
pub fn facts(report: &ReplayReport, replay: &str) -> Vec<(&'static str, String)> {
    let replay_line = crate::model::replay_line(replay, &report.token, report.loom_only.as_ref());
    let mut out = match report.loom_only {
        // Its token has no steps (no shuttle schedule shows it): the checkpoint replays it.
        Some(_) => vec![("replay", replay_line)],
        None => vec![("token", report.token.clone()), ("replay", replay_line)],
    };
    out.push(("trace hash", report.trace_hash.clone()));
    if let Some(m) = &report.minimization {
        out.push(("preemptions", m.describe()));
        if m.original_token != report.token {
            out.push(("minimized from", m.original_token.clone()));
        }
    }
    out
}

/// The whole terminal report of one trace: a heading, the table, the outcome, the facts.
pub fn render(report: &ReplayReport, options: &TraceOptions) -> String {
    let on = options.colour;
    let heading = match &report.outcome {
        Some(f) => format!("{}: {}", report.scenario, f.kind),
        None => format!("{}: passed", report.scenario),
    };
    let mut out = HEADING.paint(&heading, on);
    out.push('\n');
    if report.trace.is_empty() {
        out.push_str("(no events)\n");
    } else {
        out.push_str(&table(report, options));
        out.push_str(&DIM.paint(&fold::step_legend(report), on));
        out.push('\n');
    }
    let outcome = outcome_line(report);
    let style = if report.outcome.is_some() {
        FAILURE
    } else {
        GOOD
    };
    out.push_str(&style.paint(&outcome, on));
    out.push('\n');
    for (name, value) in facts(report, options.replay) {
        let label = format!("{name}:");
        out.push_str(&format!(
            "{} {value}\n",
            DIM.paint(&format!("{label:<15}"), on)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_between_words() {
        assert_eq!(
            wrap("go G1: spawn … go G1: join (3 steps)", 20),
            "go G1: spawn … go\nG1: join (3 steps)"
        );
        assert_eq!(wrap("short", 20), "short");
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            "averyveryverylongword\nx"
        );
    }
}
