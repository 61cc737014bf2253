//! `maprace mutate`: mutation testing of the fixed variants' synchronisation.
//!
//! Each mutant is a fixed variant with one of its synchronisation objects switched off
//! ([`maprace_harness::sync_disabled`]). It is explored first by random executions (fast when
//! the missing synchronisation shows in many schedules), then, if nothing failed, by the
//! fixed variant's own bounded-exhaustive check (DFS at preemption bound 2): a mutant that
//! survives that check has no failing schedule within the bound.

use super::args::MutateArgs;
use super::explore::selected;
use super::{print, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_harness::{sync_objects, Exploration, ObjectId};
use maprace_reports::table::grid;
use maprace_scenarios::run::Options;
use maprace_scenarios::{Scenario, Variant};

/// Executions whose synchronisation objects make up the mutants.
const SURVEY: u64 = 50;

/// One mutant's outcome.
struct Outcome {
    executions: u64,
    /// How it was explored: `random`, or `dfs` (`dfs (exhausted)` when the bound was covered).
    search: String,
    caught: Option<(String, String)>,
}

fn first(e: &Exploration) -> Option<(String, String)> {
    e.first_failure()
        .map(|f| (f.failure.kind.to_string(), f.token.to_string()))
}

fn explore(s: &Scenario, object: ObjectId, random: &Options) -> Outcome {
    let e = random
        .explorer(s)
        .without_sync(object)
        .stop_on_first_failure(true)
        .run(s.body);
    if let Some(caught) = first(&e) {
        return Outcome {
            executions: e.executions,
            search: "random".into(),
            caught: Some(caught),
        };
    }
    let d = Options::dfs(s)
        .explorer(s)
        .without_sync(object)
        .stop_on_first_failure(true)
        .run(s.body);
    Outcome {
        executions: e.executions + d.executions,
        search: if d.exhausted && d.failures.is_empty() {
            "dfs (exhausted)".into()
        } else {
            "dfs".into()
        },
        caught: first(&d),
    }
}

pub fn run(args: &MutateArgs) -> Result<i32, CliError> {
    let scenarios = selected(&args.scenarios, &[maprace_scenarios::Size::Small])?;
    let options = Options {
        iterations: args.iterations,
        seed: args.seed,
        ..Options::default()
    };
    let mut rows = Vec::new();
    let (mut caught, mut total, mut exempt) = (0u64, 0u64, 0u64);
    for s in scenarios.iter().filter(|s| s.variant == Variant::Fixed) {
        for object in sync_objects(SURVEY, s.body) {
            let name = object.to_string();
            if let Some(u) = s.unmutated.iter().find(|u| u.object == name) {
                exempt += 1;
                rows.push(vec![
                    s.id(),
                    name,
                    "-".into(),
                    "-".into(),
                    format!("exempt: {}", u.why),
                    "-".into(),
                ]);
                continue;
            }
            total += 1;
            let o = explore(s, object, &options);
            let (by, token) = match o.caught {
                Some(c) => {
                    caught += 1;
                    c
                }
                None => ("NOT CAUGHT".to_string(), "-".to_string()),
            };
            rows.push(vec![
                s.id(),
                name,
                o.executions.to_string(),
                o.search,
                by,
                token,
            ]);
        }
    }
    let mut out = grid(
        &[
            "scenario",
            "dropped",
            "executions",
            "search",
            "caught by",
            "token",
        ],
        rows,
    );
    let pct = (caught * 100).checked_div(total).unwrap_or(100);
    out.push_str(&format!(
        "mutation score: {caught}/{total} mutants caught ({pct}%), {exempt} exempt\n"
    ));
    print(&out)?;
    Ok(if caught == total {
        EXIT_OK
    } else {
        EXIT_UNEXPECTED
    })
}
