//! Terminal tables (tabled): plain grids and the scenario list.

use crate::model::{ListRow, SummaryRow};
use tabled::builder::Builder;
use tabled::settings::Style;
use tabled::Table;

/// A plain grid: a header row, then the rows.
pub fn grid(header: &[&str], rows: Vec<Vec<String>>) -> String {
    grid_with(header, rows, |_| {})
}

/// A plain grid, with `style` applied to the built table (colours, widths) before printing.
pub fn grid_with(
    header: &[&str],
    rows: Vec<Vec<String>>,
    style: impl FnOnce(&mut Table),
) -> String {
    let mut b = Builder::default();
    b.push_record(header.iter().map(|h| h.to_string()));
    for r in rows {
        b.push_record(r);
    }
    let mut t = b.build();
    t.with(Style::sharp());
    style(&mut t);
    let mut s = t.to_string();
    s.push('\n');
    s
}

/// The scenario list.
pub fn list(rows: &[ListRow]) -> String {
    grid(
        &["scenario", "variant", "expected", "description"],
        rows.iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.variant.clone(),
                    r.expected.clone(),
                    r.description.clone(),
                ]
            })
            .collect(),
    )
}

/// The exploration summary without colour (see [`crate::summary::table`]).
pub fn summary(rows: &[SummaryRow]) -> String {
    crate::summary::table(rows, false)
}

/// `N scenarios, N ok, N unexpected`.
pub fn totals(rows: &[SummaryRow]) -> String {
    crate::summary::totals(rows)
}
