//! Terminal tables (tabled): the scenario list and the exploration summary.

use crate::model::{ListRow, SummaryRow};
use tabled::builder::Builder;
use tabled::settings::Style;

/// A plain grid: a header row, then the rows.
pub fn grid(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut b = Builder::default();
    b.push_record(header.iter().map(|h| h.to_string()));
    for r in rows {
        b.push_record(r);
    }
    let mut t = b.build();
    t.with(Style::sharp());
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

/// The exploration summary: one row per scenario variant, then the totals line.
pub fn summary(rows: &[SummaryRow]) -> String {
    let body = rows
        .iter()
        .map(|r| {
            let (first, kinds, token) = match &r.first_failure {
                Some(f) => (
                    f.execution.to_string(),
                    r.failures
                        .iter()
                        .map(|f| f.kind.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    f.token.clone(),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            let executions = if r.exhausted {
                format!("{} (all)", r.executions)
            } else {
                r.executions.to_string()
            };
            vec![
                r.scenario.clone(),
                r.variant.clone(),
                r.strategy.clone(),
                r.seed.to_string(),
                executions,
                first,
                kinds,
                token,
                r.verdict.clone(),
            ]
        })
        .collect();
    let mut out = grid(
        &[
            "scenario",
            "variant",
            "strategy",
            "seed",
            "executions",
            "first failure at",
            "failure kinds",
            "token",
            "verdict",
        ],
        body,
    );
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
