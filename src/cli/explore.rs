//! `maprace explore`.

use super::args::{ExploreArgs, StepBound, StrategyName, TraceFormat};
use super::progress::Progress;
use super::{print, render, rows, CliError, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE};
use maprace_harness::{minimize, Budget, Strategy};
use maprace_reports::html::{self, Link};
use maprace_reports::report_dir::{self, file_stem, TracePage};
use maprace_reports::{markdown, summary, ReplayReport};
use maprace_scenarios::run::{Options, Verdict};
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

/// The strategy the options name; an option of another strategy, or a PCT depth out of
/// range, is a usage error.
fn strategy(args: &ExploreArgs) -> Result<Strategy, CliError> {
    let name = args.strategy;
    let given = [
        ("--depth", args.depth.is_some(), StrategyName::Pct),
        (
            "--preemption-bound",
            args.preemption_bound.is_some(),
            StrategyName::Dfs,
        ),
        (
            "--delay-bound",
            args.delay_bound.is_some(),
            StrategyName::Delay,
        ),
    ];
    for (option, set, owner) in given {
        if set && owner != name {
            let (strategy, owner) = (strategy_name(name), strategy_name(owner));
            return Err(CliError::usage(format!(
                "{option} applies to --strategy {owner}, not --strategy {strategy}"
            )));
        }
    }
    Ok(match name {
        StrategyName::Random => Strategy::Random,
        StrategyName::Pct => {
            let depth = args.depth.unwrap_or(3);
            if !(1..=maprace_harness::MAX_PCT_DEPTH).contains(&depth) {
                return Err(CliError::usage(format!(
                    "--depth must be between 1 and {}, got {depth}",
                    maprace_harness::MAX_PCT_DEPTH
                )));
            }
            Strategy::Pct { depth }
        }
        StrategyName::Dfs => Strategy::Dfs {
            preemption_bound: args.preemption_bound.map_or(Some(2), |b| b.0),
        },
        StrategyName::Delay => Strategy::DelayBounded {
            delay_bound: args.delay_bound.unwrap_or(2),
        },
        StrategyName::Pos => Strategy::Pos,
        StrategyName::Urw => Strategy::Urw,
        StrategyName::Surw => Strategy::Surw,
        StrategyName::Portfolio => Strategy::Portfolio,
    })
}

fn strategy_name(name: StrategyName) -> String {
    use clap::ValueEnum;
    name.to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

fn options(args: &ExploreArgs) -> Result<Options, CliError> {
    let strategy = strategy(args)?;
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

/// A failure's trace, for the reports: which summary row it belongs to and what to call it.
struct Traced {
    row: usize,
    label: String,
    stem: String,
    report: ReplayReport,
    /// Shown in the terminal, Markdown and single-page HTML reports (the first failure of each
    /// variant, minimized when it was); the report directory has a page for every trace.
    shown: bool,
}

pub fn run(args: &ExploreArgs) -> Result<i32, CliError> {
    let scenarios = selected(&args.scenarios)?;
    let options = options(args)?;
    let mut progress = Progress::new(scenarios.len());
    let mut summary = Vec::new();
    let mut traces: Vec<Traced> = Vec::new();
    let mut all_ok = true;
    for (i, s) in scenarios.iter().enumerate() {
        let id = s.id();
        progress.exploring(&id);
        let step_bound_fails = args.step_bound == StepBound::Fail;
        let exploration = options
            .explorer(s)
            .step_bound_fails(step_bound_fails)
            .on_progress(progress.observer(&id))
            .run(s.body);
        if exploration.abandoned > 0 {
            eprintln!(
                "note: {id}: {} execution(s) hit the step bound ({} steps) and were abandoned (--step-bound fail makes them failures)",
                exploration.abandoned, options.max_steps
            );
        }
        let (mut row, verdict) = rows::summary_row(s, &exploration);
        all_ok &= verdict == Verdict::Ok;
        for (n, f) in exploration.failures.iter().enumerate() {
            traces.push(Traced {
                row: i,
                label: f.failure.kind.to_string(),
                stem: file_stem(&[s.name, s.variant.as_str(), &(n + 1).to_string()]),
                report: render::report(&id, &f.token, Some(&f.failure), &f.trace, f.trace_hash),
                shown: n == 0,
            });
        }
        if let (Variant::Buggy, Some(first), false) =
            (s.variant, exploration.first_failure(), args.no_minimize)
        {
            progress.minimizing(&id);
            let explorer = options.explorer(s).step_bound_fails(step_bound_fails);
            let budget = Budget::new(args.minimize_budget);
            // The first failure replayed during exploration, so minimizing it cannot fail; if
            // it somehow does, the report simply has no minimized schedule.
            if let Ok(m) = minimize(&explorer, &first.token, s.body, budget) {
                let min = render::minimization(&first.token, &m);
                for f in row.first_failure.iter_mut().chain(row.failures.first_mut()) {
                    f.minimized = Some(min.clone());
                }
                // The minimized trace replaces the original one in the printed report: it is
                // the shorter explanation of the same failure.
                if let Some(t) = traces.iter_mut().rev().find(|t| t.row == i && t.shown) {
                    t.shown = false;
                }
                // Listed first: it is the trace to read.
                let at = traces
                    .iter()
                    .position(|t| t.row == i)
                    .unwrap_or(traces.len());
                traces.insert(
                    at,
                    Traced {
                        row: i,
                        label: format!("{} (minimized)", first.failure.kind),
                        stem: file_stem(&[s.name, s.variant.as_str(), "1", "minimized"]),
                        report: render::minimized(&id, &first.token, &m),
                        shown: true,
                    },
                );
            }
        }
        let failing = exploration.failures.iter().map(|f| f.count).sum();
        progress.done(exploration.executions, failing);
        summary.push(row);
    }
    progress.finish();

    if let Some(dir) = &args.report {
        let pages: Vec<TracePage> = traces
            .iter()
            .map(|t| TracePage {
                row: t.row,
                label: t.label.clone(),
                stem: t.stem.clone(),
                report: t.report.clone(),
            })
            .collect();
        report_dir::write(dir, &summary, &pages).map_err(|e| CliError {
            code: EXIT_USAGE,
            message: format!("cannot write the report to {}: {e}", dir.display()),
        })?;
    }

    let shown: Vec<&Traced> = traces.iter().filter(|t| t.shown).collect();
    let trace_options = render::trace_options(&args.trace);
    match args.format {
        TraceFormat::Json => print(&maprace_reports::json::explore(&summary)),
        TraceFormat::Table => {
            let colour = trace_options.colour;
            let mut out = summary::table(&summary, colour);
            for t in &shown {
                out.push('\n');
                out.push_str(&maprace_reports::trace_table::render(
                    &t.report,
                    &trace_options,
                ));
            }
            print(&out);
        }
        TraceFormat::Markdown => {
            let mut out = String::from("## maprace exploration\n\n");
            out.push_str(&markdown::summary(&summary));
            for t in &shown {
                out.push('\n');
                out.push_str(&markdown::trace(&t.report, &trace_options));
            }
            print(&out);
        }
        TraceFormat::Html => {
            let links: Vec<Vec<Link>> = (0..summary.len())
                .map(|i| {
                    shown
                        .iter()
                        .filter(|t| t.row == i)
                        .map(|t| Link {
                            label: t.label.clone(),
                            href: format!("#{}", t.stem),
                        })
                        .collect()
                })
                .collect();
            let embedded: Vec<(String, &ReplayReport)> =
                shown.iter().map(|t| (t.stem.clone(), &t.report)).collect();
            print(&html::summary_page(&summary, &links, &embedded));
        }
    }
    Ok(if all_ok { EXIT_OK } else { EXIT_UNEXPECTED })
}
