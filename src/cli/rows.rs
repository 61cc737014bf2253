//! Building report rows from scenarios and explorations.

use maprace_harness::Exploration;
use maprace_reports::{FailureSummary, ListRow, SummaryRow};
use maprace_scenarios::run::{verdict, Verdict};
use maprace_scenarios::Scenario;

pub fn list_row(s: &Scenario) -> ListRow {
    ListRow {
        name: s.name.to_string(),
        variant: s.variant.to_string(),
        description: s.description.to_string(),
        expected: s.expected().as_str().to_string(),
    }
}

pub fn summary_row(s: &Scenario, e: &Exploration) -> (SummaryRow, Verdict) {
    let v = verdict(s.expected(), e);
    let failures: Vec<FailureSummary> = e.failures.iter().map(FailureSummary::from).collect();
    let row = SummaryRow {
        scenario: s.name.to_string(),
        variant: s.variant.to_string(),
        strategy: strategy_name(e),
        seed: e.seed,
        executions: e.executions,
        exhausted: e.exhausted,
        expected: s.expected().as_str().to_string(),
        verdict: v.as_str().to_string(),
        first_failure: failures.first().cloned(),
        failures,
    };
    (row, v)
}

/// The strategy with its parameters, and the reduction when one pruned the search:
/// `dfs(preemption-bound=2, reduction=dpor)`.
fn strategy_name(e: &Exploration) -> String {
    let name = e.strategy.to_string();
    match e.reduction {
        maprace_harness::Reduction::None => name,
        r => match name.strip_suffix(')') {
            Some(open) => format!("{open}, reduction={r})"),
            None => format!("{name}(reduction={r})"),
        },
    }
}
