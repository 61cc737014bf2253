//! The failure kinds each buggy scenario reaches, at the catalogue's small sizes and at Go size
//! (`just bench-kinds`; writes the table to `MAPRACE_KINDS_OUT` when set, e.g.
//! `docs/bench-kinds.md`).
//!
//! For every buggy variant (`name/buggy` and `name.gosize/buggy`), two explorations of
//! `MAPRACE_KINDS_EXECUTIONS` executions (default 20,000), seed 0, the CLI's step bound, race
//! detection on: uniform random scheduling, then the portfolio (maprace's default strategy).
//! Each kind found is shown with the execution that first showed it; the row compares the
//! union with the kinds the scenario declares for its Go shape and flags a kind found that the
//! scenario does not declare (the shape cannot produce it: a model or scenario bug) and a kind
//! declared that neither strategy reached. Executions abandoned at the step bound are counted.
//!
//! Everything printed is deterministic (no wall times): the same code gives the same table.
//! `MAPRACE_KINDS_JOBS` (default 2) splits each random walk over worker threads, which changes
//! only the wall time.

use maprace_harness::{Exploration, Strategy};
use maprace_scenarios::run::Options;
use maprace_scenarios::{sized, Scenario, Size, Variant};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// An environment number, or `default` when unset; a bad value ends the run with one line.
fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Err(_) => default,
        Ok(v) => v.parse().unwrap_or_else(|_| {
            eprintln!("error: {name} must be a whole number, not {v:?}");
            std::process::exit(2);
        }),
    }
}

/// One exploration of `s` under `strategy`.
fn explore(s: &Scenario, strategy: Strategy, executions: u64, jobs: usize) -> Exploration {
    let options = Options {
        strategy,
        iterations: executions,
        ..Options::default()
    };
    options.explorer(s).jobs(jobs).run(s.body)
}

/// `kind #first` for every kind found, in the order first found.
fn found_cell(x: &Exploration) -> String {
    if x.failures.is_empty() {
        return "none".into();
    }
    x.failures
        .iter()
        .map(|f| format!("{} #{}", f.failure.kind, f.execution + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kinds(x: &Exploration) -> BTreeSet<String> {
    x.failures
        .iter()
        .map(|f| f.failure.kind.to_string())
        .collect()
}

/// A row's flags: kinds found but not declared, kinds declared but not found.
fn flags(s: &Scenario, found: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    let unexpected = found
        .iter()
        .filter(|k| !s.expects_kind(k))
        .cloned()
        .collect();
    let unreached = s
        .expected_kinds
        .iter()
        .filter(|k| !found.contains(**k))
        .map(|k| k.to_string())
        .collect();
    (unexpected, unreached)
}

fn main() {
    let executions = env_number("MAPRACE_KINDS_EXECUTIONS", 20_000).max(1);
    let jobs = env_number("MAPRACE_KINDS_JOBS", 2).max(1) as usize;
    let buggy: Vec<Scenario> = sized(&[Size::Small, Size::Go])
        .into_iter()
        .filter(|s| s.variant == Variant::Buggy)
        .collect();
    let mut out = format!(
        "# Failure kinds by scenario and size\n\n\
         Measured by `just bench-kinds` (`benches/kinds.rs`): every buggy variant, at the \
         default small sizes and at Go size (`.gosize`), explored for {executions} executions \
         (seed 0, step bound {}, race detection on) with uniform random scheduling and with \
         the portfolio (maprace's default strategy). Each kind found is shown with the \
         execution that first showed it (`#1` is the first execution). *Declared* are the \
         kinds the scenario lists for its Go shape at that size. **Unexpected**: found but not \
         declared (the shape cannot produce it); **not reached**: declared but found by \
         neither strategy. *Abandoned*: executions that ran into the step bound (random / \
         portfolio). The executions are deterministic: the same code gives the same table.\n\n\
         | variant | declared | random | portfolio | abandoned | flags |\n\
         |---|---|---|---|---|---|\n",
        maprace_scenarios::run::DEFAULT_MAX_STEPS
    );
    let (mut flagged, mut rows) = (0, 0);
    for s in &buggy {
        eprintln!("exploring {}", s.id());
        let random = explore(s, Strategy::Random, executions, jobs);
        let portfolio = explore(s, Strategy::Portfolio, executions, jobs);
        let found: BTreeSet<String> = kinds(&random).union(&kinds(&portfolio)).cloned().collect();
        let (unexpected, unreached) = flags(s, &found);
        let mut flag = Vec::new();
        if !unexpected.is_empty() {
            flag.push(format!("**unexpected**: {}", unexpected.join(", ")));
        }
        if !unreached.is_empty() {
            flag.push(format!("**not reached**: {}", unreached.join(", ")));
        }
        rows += 1;
        flagged += usize::from(!flag.is_empty());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} / {} | {} |",
            s.id(),
            s.expected_kinds.join(", "),
            found_cell(&random),
            found_cell(&portfolio),
            random.abandoned,
            portfolio.abandoned,
            if flag.is_empty() {
                "ok".to_string()
            } else {
                flag.join("; ")
            }
        );
    }
    let _ = writeln!(out, "\n{flagged} of {rows} variants flagged.");
    print!("{out}");
    if let Ok(path) = std::env::var("MAPRACE_KINDS_OUT") {
        if let Err(e) = std::fs::write(&path, &out) {
            eprintln!("error: cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
}
