//! `maprace explore`.

use super::args::{ExploreArgs, Format, StrategyName};
use super::{print, rows, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_harness::Strategy;
use maprace_reports::TraceFailure;
use maprace_scenarios::run::{explore, Options, Verdict};
use maprace_scenarios::{Scenario, Variant};
use std::time::Duration;

/// The scenario variants named by `selectors`, in catalogue order, each once.
pub fn selected(selectors: &[String]) -> Result<Vec<Scenario>, CliError> {
    if selectors.is_empty() {
        return Ok(maprace_scenarios::all());
    }
    let mut ids = std::collections::BTreeSet::new();
    for s in selectors {
        let found = maprace_scenarios::select(s).ok_or_else(|| {
            CliError::usage(format!(
                "unknown scenario {s:?} (see `maprace list` for the names)"
            ))
        })?;
        ids.extend(found.iter().map(|f| f.id()));
    }
    Ok(maprace_scenarios::all()
        .into_iter()
        .filter(|s| ids.contains(&s.id()))
        .collect())
}

fn options(args: &ExploreArgs) -> Result<Options, CliError> {
    let strategy = match args.strategy {
        StrategyName::Random => Strategy::Random,
        StrategyName::Pct => Strategy::Pct { depth: args.depth },
        StrategyName::Dfs => Strategy::Dfs {
            preemption_bound: args.preemption_bound.0,
        },
    };
    let time_budget = match args.time_budget {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return Err(CliError::usage(format!(
                "--time-budget must be a positive number of seconds, got {s}"
            )))
        }
    };
    Ok(Options {
        strategy,
        seed: args.seed,
        iterations: args.iterations,
        max_steps: args.max_steps,
        time_budget,
    })
}

pub fn run(args: &ExploreArgs) -> Result<i32, CliError> {
    let scenarios = selected(&args.scenarios)?;
    let options = options(args)?;
    let mut summary = Vec::new();
    let mut traces = Vec::new();
    let mut all_ok = true;
    for s in &scenarios {
        let exploration = explore(s, &options);
        let (row, verdict) = rows::summary_row(s, &exploration);
        all_ok &= verdict == Verdict::Ok;
        if s.variant == Variant::Buggy {
            if let Some(f) = exploration.first_failure() {
                traces.push((s.id(), f.clone()));
            }
        }
        summary.push(row);
    }
    match args.format {
        Format::Json => print(&maprace_reports::json::explore(&summary)),
        Format::Table => {
            let mut out = maprace_reports::table::summary(&summary);
            for (id, f) in &traces {
                out.push_str(&format!(
                    "\nFirst failure of {id} (execution {}):\n",
                    f.execution
                ));
                out.push_str(&maprace_reports::trace_text::render(
                    &f.trace,
                    Some(&TraceFailure::from(&f.failure)),
                ));
                out.push_str(&format!(
                    "token: {}\ntrace hash: {:016x}\nreplay: maprace replay {}\n",
                    f.token, f.trace_hash, f.token
                ));
            }
            print(&out);
        }
    }
    Ok(if all_ok { EXIT_OK } else { EXIT_UNEXPECTED })
}
