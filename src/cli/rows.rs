//! Building report rows from scenarios and explorations, and judging explorations honestly.

use maprace_harness::{Exploration, FailureKind, Strategy};
use maprace_reports::{ClassSummary, FailureSummary, ListRow, SummaryRow};
use maprace_scenarios::run::Verdict;
use maprace_scenarios::{Expected, Scenario};

pub fn list_row(s: &Scenario) -> ListRow {
    ListRow {
        name: s.full_name(),
        variant: s.variant.to_string(),
        description: s.description.to_string(),
        expected: s.expected().as_str().to_string(),
    }
}

/// The row of one explored variant and its verdict; `max_steps` is the step bound it ran with
/// (for the hint when only the step bound was hit).
pub fn summary_row(s: &Scenario, e: &Exploration, max_steps: u64) -> (SummaryRow, Verdict) {
    let (v, hint) = judge(s, e, max_steps);
    let failures: Vec<FailureSummary> = e.failures.iter().map(FailureSummary::from).collect();
    let row = SummaryRow {
        scenario: s.full_name(),
        variant: s.variant.to_string(),
        strategy: strategy_name(e),
        seed: e.seed,
        executions: e.executions,
        exhausted: e.exhausted,
        coverage: coverage(e),
        expected: s.expected().as_str().to_string(),
        verdict: v.as_str().to_string(),
        hint,
        first_failure: failures.first().cloned(),
        failures,
        classes: e
            .classes
            .iter()
            .map(|c| ClassSummary::of(c, e.executions))
            .collect(),
    };
    (row, v)
}

/// The verdict, with a hint when it is `unexpected`. A buggy variant is `ok` only when the
/// exploration found a failure of a kind the scenario expects: hitting the step bound, or
/// failing some other way, does not show the bug the scenario is about.
pub fn judge(s: &Scenario, e: &Exploration, max_steps: u64) -> (Verdict, Option<String>) {
    // Executions that ran out of steps are abandoned (not failures) unless --step-bound fail.
    let step_bound_only = (!e.failures.is_empty() || e.abandoned > 0)
        && e.failures
            .iter()
            .all(|f| f.failure.kind == FailureKind::STEP_BOUND);
    let step_bound_hint = || {
        format!(
            "only step-bound: executions ran past --max-steps {max_steps} before failing or \
             ending (abandoned unless --step-bound fail); raise --max-steps"
        )
    };
    match s.expected() {
        Expected::Fail => {
            if e.failures
                .iter()
                .any(|f| s.expects_kind(f.failure.kind.as_str()))
            {
                return (Verdict::Ok, None);
            }
            let hint = if step_bound_only {
                step_bound_hint()
            } else if !e.failures.is_empty() {
                format!(
                    "no failure of an expected kind ({}) was found",
                    s.expected_kinds.join(", ")
                )
            } else if e.exhausted {
                "no schedule in the explored space fails; raise --preemption-bound".to_string()
            } else {
                "no failure found; raise --iterations or try another --strategy or --seed"
                    .to_string()
            };
            (Verdict::Unexpected, Some(hint))
        }
        Expected::Pass if e.failures.is_empty() => (Verdict::Ok, None),
        Expected::Pass if step_bound_only => (Verdict::Unexpected, Some(step_bound_hint())),
        Expected::Pass => (
            Verdict::Unexpected,
            Some("the fixed variant failed: replay the failures listed below".to_string()),
        ),
    }
}

/// What the exploration covered, exactly: a systematic search says whether it saw every
/// schedule (within its bound) or was cut short; a sampling strategy says how many it sampled.
pub fn coverage(e: &Exploration) -> String {
    let n = thousands(e.executions);
    let equivalence = match e.coverage {
        maprace_harness::Coverage::Complete {
            up_to_equivalence: true,
            ..
        } => " up to equivalence",
        _ => "",
    };
    match &e.strategy {
        Strategy::Dfs { preemption_bound } if e.exhausted => match preemption_bound {
            Some(b) => format!("every schedule with ≤ {b} preemptions{equivalence} ({n})"),
            None => format!("every schedule{equivalence} ({n})"),
        },
        Strategy::Dfs { .. } if e.out_of_time => {
            format!("not exhaustive: time budget ended after {n} executions")
        }
        Strategy::Dfs { .. } => format!("not exhaustive: cut at {n} executions"),
        _ if e.out_of_time => format!("{n} sampled schedules (time budget ended)"),
        _ => format!("{n} sampled schedules"),
    }
}

/// `10000` as `10,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The strategy with its parameters, and the reduction when one pruned the search:
/// `dfs(preemption-bound=2, reduction=dpor)`.
fn strategy_name(e: &Exploration) -> String {
    if e.engine.is_loom() {
        // loom's own search ran; the strategy was not used.
        return e.engine.to_string();
    }
    let name = e.strategy.to_string();
    match e.reduction {
        maprace_harness::Reduction::None => name,
        r => match name.strip_suffix(')') {
            Some(open) => format!("{open}, reduction={r})"),
            None => format!("{name}(reduction={r})"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
