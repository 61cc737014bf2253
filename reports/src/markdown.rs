//! GitHub-flavoured Markdown: the trace table and the exploration summary, for bug reports
//! and CI summaries. The same rows as the terminal table, in a pipe table.

use crate::fold::{self, Lanes};
use crate::model::{ReplayReport, SummaryRow};
use crate::summary;
use crate::trace_table::{self, TraceOptions};
use tabled::builder::Builder;
use tabled::settings::Style;

/// Escapes text for a table cell: Markdown punctuation is backslash-escaped (GFM renders
/// `\*` as `*`), and a `|` would otherwise end the cell.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A pipe table from a header and rows (cells already escaped).
fn pipe_table(header: Vec<String>, rows: Vec<Vec<String>>) -> String {
    let mut b = Builder::default();
    b.push_record(header);
    for r in rows {
        b.push_record(r);
    }
    let mut t = b.build();
    t.with(Style::markdown());
    let mut s = t.to_string();
    s.push('\n');
    s
}

/// The trace table: `| step | <goroutines> | state |`, the failing cell in bold.
pub fn table(report: &ReplayReport, options: &TraceOptions) -> String {
    let lanes = Lanes::of(report);
    let rows = fold::rows(report, &lanes, options.full);
    let width = lanes.names.len() + 2;
    let mut header = vec!["step".to_string()];
    header.extend(lanes.names.iter().map(|n| escape(n)));
    header.push("state".into());
    let body = rows
        .iter()
        .map(|row| {
            let mut record = vec![String::new(); width];
            record[0] = row.steps();
            let text = escape(&trace_table::cell_text(row));
            record[1 + row.lane] = if row.failing {
                format!("**{text}**")
            } else {
                text
            };
            record[width - 1] = escape(&fold::state_text(row.events));
            record
        })
        .collect();
    pipe_table(header, body)
}

/// A trace as a Markdown section: heading, table, outcome, and the token and replay command.
pub fn trace(report: &ReplayReport, options: &TraceOptions) -> String {
    let title = match &report.outcome {
        Some(f) => format!("{}: {}", report.scenario, f.kind),
        None => format!("{}: passed", report.scenario),
    };
    let mut out = format!("### {}\n\n", escape(&title));
    if report.trace.is_empty() {
        out.push_str("(no events)\n");
    } else {
        out.push_str(&table(report, options));
        out.push_str(&format!("\n_{}_\n", escape(&fold::step_legend(report))));
    }
    out.push('\n');
    match &report.outcome {
        Some(f) => out.push_str(&format!(
            "**{} {} in {} at step {}:** `{}`\n\n",
            trace_table::FAIL_MARK,
            escape(&f.kind),
            escape(&f.goroutine),
            f.step,
            f.message.replace('`', "'")
        )),
        None => out.push_str("**✓ passed:** no failure\n\n"),
    }
    for (name, value) in trace_table::facts(report, options.replay) {
        out.push_str(&format!("- {name}: `{value}`\n"));
    }
    out
}

/// The exploration summary as a pipe table, then the totals line.
pub fn summary(rows: &[SummaryRow]) -> String {
    let (header, body) = summary::cells(rows);
    let mut out = pipe_table(
        header.iter().map(|h| h.to_string()).collect(),
        body.into_iter()
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect(),
    );
    out.push('\n');
    out.push_str(&summary::totals(rows));
    out.push('\n');
    for h in summary::hints(rows) {
        out.push_str(&format!("\n- {}", escape(&h)));
    }
    if rows.iter().any(|r| r.hint.is_some()) {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("count++ *x*"), "count++ \\*x\\*");
        assert_eq!(escape("k=\"a\"\nnext"), "k=\"a\" next");
    }
}
