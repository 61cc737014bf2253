//! `maprace explore`.

use super::args::{ExploreArgs, StepBound, TraceFormat};
use super::progress::Progress;
use super::{print, render, rows, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_harness::{minimize, Budget};
use maprace_reports::html::{self, Link};
use maprace_reports::report_dir::{self, checkpoint_file, file_stem, TracePage};
use maprace_reports::{markdown, summary, LoomOnly, ReplayReport};
use maprace_scenarios::run::{Options, Verdict};
use maprace_scenarios::{Scenario, Size, Variant};
use std::time::Duration;

/// The scenario variants named by `selectors` at `sizes` (a name with its size suffix, or an
/// id, selects that variant whatever `sizes` says), in catalogue order, each once.
pub fn selected(selectors: &[String], sizes: &[Size]) -> Result<Vec<Scenario>, CliError> {
    if selectors.is_empty() {
        return Ok(maprace_scenarios::sized(sizes));
    }
    let mut ids = std::collections::BTreeSet::new();
    for s in selectors {
        let found = maprace_scenarios::select_sized(s, sizes).ok_or_else(|| {
            CliError::usage(format!(
                "unknown scenario {s:?} (see `maprace list` for the names)"
            ))
        })?;
        ids.extend(found.iter().map(|f| f.id()));
    }
    Ok(maprace_scenarios::sized(&[Size::Small, Size::Go])
        .into_iter()
        .filter(|s| ids.contains(&s.id()))
        .collect())
}

fn options(args: &ExploreArgs) -> Result<Options, CliError> {
    let strategy = super::strategy::strategy(args)?;
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

fn report_error(dir: &std::path::Path, e: std::io::Error) -> CliError {
    CliError::usage(format!("cannot write the report to {}: {e}", dir.display()))
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
    /// loom's checkpoint of a failure only the loom engine shows (saved with `--report`).
    checkpoint: Option<String>,
}

pub fn run(args: &ExploreArgs) -> Result<i32, CliError> {
    let mut scenarios = selected(&args.scenarios, args.size.sizes())?;
    scenarios.retain(|s| args.variant.selects(s.variant));
    let scenarios = super::shard::select(scenarios, args.shard);
    let options = options(args)?;
    let engine = super::strategy::engine(args)?;
    let mut unfit = Vec::new();
    if let Some(dir) = &args.report {
        // Before exploring: an unusable report location must not cost a whole exploration.
        report_dir::prepare(dir).map_err(|e| report_error(dir, e))?;
    }
    let mut progress = Progress::new(scenarios.len());
    let mut summary = Vec::new();
    let mut traces: Vec<Traced> = Vec::new();
    let mut all_ok = true;
    for s in &scenarios {
        // The variant's summary row (variants loom cannot run have none).
        let i = summary.len();
        let id = s.id();
        progress.exploring(&id);
        let step_bound_fails = args.step_bound == StepBound::Fail;
        let exploration = match options
            .explorer(s)
            .engine(engine.clone())
            .reduction(args.reduction.unwrap_or(maprace_harness::Reduction::Dpor))
            .jobs(args.jobs.unwrap_or_else(super::args::default_jobs))
            .race_detection(!args.no_race)
            .step_bound_fails(step_bound_fails)
            .on_progress(progress.observer(&id))
            .try_run(s.body)
        {
            Ok(e) => e,
            Err(why) => {
                // Only loom refuses a body (more goroutines than it allows): say so and go on
                // (a variant asked for by name is an error, said once at the end).
                if args.scenarios.is_empty() {
                    eprintln!("note: {id}: not explored under {engine}: {why}");
                }
                unfit.push(format!("{id} cannot run under {engine}: {why}"));
                progress.done(0, 0);
                continue;
            }
        };
        if exploration.abandoned > 0 {
            eprintln!(
                "note: {id}: {} execution(s) hit the step bound ({} steps) and were abandoned (--step-bound fail makes them failures)",
                exploration.abandoned, options.max_steps
            );
        }
        let (mut row, verdict) = rows::summary_row(s, &exploration, options.max_steps);
        all_ok &= verdict == Verdict::Ok;
        for (n, f) in exploration.failures.iter().enumerate() {
            let stem = file_stem(&[&s.full_name(), s.variant.as_str(), &(n + 1).to_string()]);
            let mut report =
                render::report(&id, &f.token, Some(&f.failure), &f.trace, f.trace_hash);
            // A loom-only failure replays from loom's checkpoint, which the report keeps.
            let saved = args.report.as_ref().zip(f.loom_checkpoint.as_ref());
            let loom_only = (!f.shuttle_replays).then(|| LoomOnly {
                checkpoint: saved
                    .map(|(dir, _)| dir.join(checkpoint_file(&stem)).display().to_string()),
            });
            if let Some(summary) = row.failures.get_mut(n) {
                summary.loom_only.clone_from(&loom_only);
            }
            if n == 0 {
                if let Some(first) = &mut row.first_failure {
                    first.loom_only.clone_from(&loom_only);
                }
            }
            report.loom_only = loom_only;
            traces.push(Traced {
                row: i,
                label: f.failure.kind.to_string(),
                stem,
                report,
                shown: n == 0,
                checkpoint: saved.map(|(_, c)| c.clone()),
            });
        }
        if let (Variant::Buggy, Some(first), false) = (
            s.variant,
            exploration.first_failure().filter(|f| f.shuttle_replays),
            args.no_minimize,
        ) {
            progress.minimizing(&id);
            let explorer = options
                .explorer(s)
                .race_detection(!args.no_race)
                .step_bound_fails(step_bound_fails);
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
                        stem: file_stem(&[&s.full_name(), s.variant.as_str(), "1", "minimized"]),
                        report: render::minimized(&id, &first.token, &m),
                        shown: true,
                        checkpoint: None,
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
                checkpoint: t.checkpoint.clone(),
            })
            .collect();
        let replay = render::trace_options(&args.trace).replay;
        report_dir::write_with_replay(dir, &summary, &pages, replay)
            .map_err(|e| report_error(dir, e))?;
    }

    let shown: Vec<&Traced> = traces.iter().filter(|t| t.shown).collect();
    let trace_options = render::trace_options(&args.trace);
    match args.format {
        TraceFormat::Json => print(&maprace_reports::json::explore(&summary))?,
        TraceFormat::Table => {
            let colour = trace_options.colour;
            let mut out = summary::table_sized(&summary, colour, trace_options.width);
            out.push_str(&summary::failures(&summary, trace_options.replay));
            out.push('\n');
            out.push_str(&maprace_reports::classes::table_sized(
                &summary,
                trace_options.width,
            ));
            for t in &shown {
                out.push('\n');
                out.push_str(&maprace_reports::trace_table::render(
                    &t.report,
                    &trace_options,
                ));
            }
            print(&out)?;
        }
        TraceFormat::Markdown => {
            let mut out = String::from("## maprace exploration\n\n");
            out.push_str(&markdown::summary(&summary));
            out.push('\n');
            out.push_str(&maprace_reports::classes::markdown(&summary));
            for t in &shown {
                out.push('\n');
                out.push_str(&markdown::trace(&t.report, &trace_options));
            }
            print(&out)?;
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
            print(&html::summary_page(&summary, &links, &embedded))?;
        }
    }
    if !unfit.is_empty() && !args.scenarios.is_empty() {
        // A variant asked for by name that the engine cannot run is an input error.
        return Err(CliError::usage(unfit.join("; ")));
    }
    Ok(if all_ok { EXIT_OK } else { EXIT_UNEXPECTED })
}
