//! The executions of each explored variant by class (`fatal`, `race`, `silent`, `clean`): the
//! share of each, and a token per class that occurred.

use crate::markdown::escape;
use crate::model::SummaryRow;
use crate::table::grid_sized;

/// The classes' column titles, worst first.
pub const CLASSES: [&str; 4] = ["fatal", "race", "silent", "clean"];

/// `12.3% (1234)`, or `-` when no execution fell in the class. Percentages are computed in
/// integers (tenths of a percent, rounded down) so every platform prints the same text.
fn share(row: &SummaryRow, class: &str) -> String {
    match row.classes.iter().find(|c| c.class == class) {
        Some(c) if row.executions > 0 => {
            let tenths = c.count * 1000 / row.executions;
            format!("{}.{}% ({})", tenths / 10, tenths % 10, c.count)
        }
        _ => "-".into(),
    }
}

/// The header and cells: scenario, variant, then one column per class.
pub fn cells(rows: &[SummaryRow]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let mut header = vec!["scenario", "variant"];
    header.extend(CLASSES);
    let body = rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.scenario.clone(), r.variant.clone()];
            cells.extend(CLASSES.iter().map(|c| share(r, c)));
            cells
        })
        .collect();
    (header, body)
}

/// `scenario/variant class token` for every class that occurred other than `clean`, the
/// schedules worth replaying.
fn token_lines(rows: &[SummaryRow]) -> Vec<String> {
    rows.iter()
        .flat_map(|r| {
            r.classes
                .iter()
                .filter(|c| c.class != "clean")
                .map(move |c| format!("{}/{} {}: {}", r.scenario, r.variant, c.class, c.token))
        })
        .collect()
}

/// The classes as a terminal table, then a token for each class that occurred (but `clean`).
pub fn table(rows: &[SummaryRow]) -> String {
    table_sized(rows, None)
}

/// [`table`] fitted to `width` columns (cells wrapped where needed; `None`: no limit).
pub fn table_sized(rows: &[SummaryRow], width: Option<usize>) -> String {
    let (header, body) = cells(rows);
    let mut out = grid_sized(&header, body, width);
    for line in token_lines(rows) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The classes as a Markdown table, then the tokens as a list.
pub fn markdown(rows: &[SummaryRow]) -> String {
    let (header, body) = cells(rows);
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for r in body {
        let cells: Vec<String> = r.iter().map(|c| escape(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    let tokens = token_lines(rows);
    if !tokens.is_empty() {
        out.push('\n');
        for line in tokens {
            out.push_str(&format!("- `{line}`\n"));
        }
    }
    out
}
