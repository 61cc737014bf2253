//! Building report rows from scenarios and explorations.

use maprace_harness::Exploration;
use maprace_reports::{FailureSummary, ListRow, SummaryRow};
use maprace_scenarios::run::{verdict, Verdict};
use maprace_scenarios::Scenario;

pub fn list_row(s: &Scenario) -> ListRow {
    ListRow {
        name: s.full_name(),
        variant: s.variant.to_string(),
        description: s.description.to_string(),
        expected: s.expected().as_str().to_string(),
    }
}

pub fn summary_row(s: &Scenario, e: &Exploration) -> (SummaryRow, Verdict) {
    let v = verdict(s.expected(), e);
    let failures: Vec<FailureSummary> = e.failures.iter().map(FailureSummary::from).collect();
    let row = SummaryRow {
        scenario: s.full_name(),
        variant: s.variant.to_string(),
        strategy: e.strategy.to_string(),
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
