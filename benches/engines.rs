//! The two engines on the catalogue, measured in one run (`just bench-engines`; writes the
//! table to `MAPRACE_ENGINES_OUT` when set, e.g. `docs/bench-engines.md`).
//!
//! - Every fixed variant: executions and wall time to exhaust the schedules with at most 2
//!   preemptions, under loom's DPOR, maprace's plain DFS and maprace's DFS with source-DPOR.
//! - Every buggy variant: executions to the first failure of a kind the scenario expects,
//!   under loom's DPOR (bound 2) and maprace's default strategy (portfolio, seed 0).
//!
//! Wall times are this machine's, this run's; the executions are deterministic.

use maprace_harness::{Engine, Exploration, Explorer, Reduction, Strategy};
use maprace_scenarios::{all, Scenario, Variant};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Executions any one search may spend.
const CAP: u64 = 200_000;

fn timed(e: Explorer, s: &Scenario) -> (Exploration, Duration) {
    let started = Instant::now();
    let x = e.try_run(s.body).expect("every small variant fits loom");
    (x, started.elapsed())
}

fn exhaust(s: &Scenario, engine: Engine, reduction: Reduction) -> (Exploration, Duration) {
    let e = Explorer::new(s.id())
        .engine(engine)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .reduction(reduction)
        .race_detection(false)
        .iterations(CAP);
    timed(e, s)
}

/// Executions until the first failure of an expected kind (`None`: not within the cap).
fn first_expected(s: &Scenario, e: Explorer) -> Option<u64> {
    let (x, _) = timed(
        e.iterations(CAP)
            .race_detection(false)
            .stop_on_first_failure(true),
        s,
    );
    x.failures
        .iter()
        .filter(|f| s.expects_kind(f.failure.kind.as_str()))
        .map(|f| f.execution + 1)
        .min()
}

fn cell(x: &Exploration, t: Duration) -> String {
    let done = if x.exhausted { "" } else { " (cut)" };
    format!("{}{done} / {:.1} ms", x.executions, t.as_secs_f64() * 1e3)
}

fn main() {
    let mut out = String::from(
        "# The loom engine against maprace's own search\n\n\
         Measured by `just bench-engines` (`benches/engines.rs`). Executions are \
         deterministic; wall times are one run on this machine. The bounds are each engine's \
         own: loom counts preemptions among its operations (one per maprace point, plus each \
         lock, atomic and thread operation), maprace among its scheduling points, and loom's \
         DPOR also explores which store each atomic load reads (C11); so the rows compare two \
         searches of the same body at \"bound 2\", not one search done twice.\n\n\
         ## Fixed variants: exhausting every schedule with at most 2 preemptions\n\n\
         | variant | loom DPOR | maprace DFS | maprace DFS + DPOR |\n|---|---|---|---|\n",
    );
    let (mut loom_total, mut dfs_total, mut dpor_total) = (0u64, 0u64, 0u64);
    for s in all().iter().filter(|s| s.variant == Variant::Fixed) {
        let (l, lt) = exhaust(s, Engine::loom(Some(2)), Reduction::None);
        let (d, dt) = exhaust(s, Engine::Shuttle, Reduction::None);
        let (p, pt) = exhaust(s, Engine::Shuttle, Reduction::Dpor);
        assert!(l.failures.is_empty() && d.failures.is_empty() && p.failures.is_empty());
        loom_total += l.executions;
        dfs_total += d.executions;
        dpor_total += p.executions;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            s.id(),
            cell(&l, lt),
            cell(&d, dt),
            cell(&p, pt)
        );
    }
    let _ = writeln!(
        out,
        "| **total executions** | {loom_total} | {dfs_total} | {dpor_total} |\n"
    );
    out.push_str(
        "## Buggy variants: executions to the first failure of an expected kind\n\n\
         | variant | loom DPOR (bound 2) | maprace default (portfolio) |\n|---|---|---|\n",
    );
    for s in all().iter().filter(|s| s.variant == Variant::Buggy) {
        let show = |n: Option<u64>| n.map_or(format!("not within {CAP}"), |n| n.to_string());
        let loom = first_expected(s, Explorer::new(s.id()).engine(Engine::loom(Some(2))));
        let portfolio = first_expected(s, Explorer::new(s.id()).strategy(Strategy::Portfolio));
        let _ = writeln!(out, "| {} | {} | {} |", s.id(), show(loom), show(portfolio));
    }
    print!("{out}");
    if let Ok(path) = std::env::var("MAPRACE_ENGINES_OUT") {
        if let Err(e) = std::fs::write(&path, &out) {
            eprintln!("error: cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
}
