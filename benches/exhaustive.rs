//! Exhaustive search with and without partial-order reduction, and parallel random exploration,
//! measured in one run (ratios against a baseline of the same run).
//!
//! 1. Every fixed catalogue variant, and a correct double-checked cache with two and three
//!    goroutines: executions of plain DFS against sleep sets and DPOR, at preemption bound 2
//!    and unbounded (capped; a row says whether each search finished), with the geometric mean
//!    of the DFS / DPOR ratio at bound 2.
//! 2. The whole catalogue explored at random with `--jobs 1` and `--jobs 2`: wall time and
//!    speed-up (the outputs are the same; `tests/jobs_cli.rs` checks the bytes).
//!
//! `cargo bench --bench exhaustive` (or `just bench-exhaustive`). `MAPRACE_BENCH_CAP` sets the
//! execution cap of the unbounded rows (default 20,000).

use maprace_harness::sync::{Arc, AtomicBool, Mutex, Ordering};
use maprace_harness::{
    go, preempt_access, AccessKind, Exploration, Explorer, Object, ObjectKind, Op, Point,
    Reduction, Strategy,
};
use maprace_scenarios::{all, Variant};
use std::time::Instant;

const READ_VALUE: Point = Point::new(Op::User("cache"), "read value");
const WRITE_VALUE: Point = Point::new(Op::User("cache"), "write value");

/// A correct double-checked cache: `n` goroutines each check a ready flag, and the first to
/// find it unset initialises the value under the lock, checking the flag again; every
/// goroutine then reads the value.
fn double_checked_cache(n: usize) {
    let ready = Arc::new(AtomicBool::new(false));
    let lock = Arc::new(Mutex::new(()));
    let value = Arc::new(Object::named(ObjectKind::Resource, "value"));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (ready, lock, value) = (Arc::clone(&ready), Arc::clone(&lock), Arc::clone(&value));
            go("", move || {
                if !ready.load(Ordering::Acquire) {
                    let _g = lock.lock();
                    if !ready.load(Ordering::Acquire) {
                        preempt_access(WRITE_VALUE, &value, AccessKind::Write);
                        ready.store(true, Ordering::Release);
                    }
                }
                preempt_access(READ_VALUE, &value, AccessKind::Read);
            })
        })
        .collect();
    for h in handles {
        h.join();
    }
}

fn dcc2() {
    double_checked_cache(2);
}

fn dcc3() {
    double_checked_cache(3);
}

struct Run {
    executions: u64,
    finished: bool,
    failed: bool,
    seconds: f64,
}

fn run(name: &str, body: fn(), bound: Option<u32>, reduction: Reduction, cap: u64) -> Run {
    let started = Instant::now();
    let e: Exploration = Explorer::new(name)
        .strategy(Strategy::Dfs {
            preemption_bound: bound,
        })
        .reduction(reduction)
        .iterations(cap)
        .max_steps(20_000)
        .stop_on_first_failure(true)
        .run(body);
    Run {
        executions: e.executions,
        finished: e.exhausted,
        failed: !e.failures.is_empty(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn cell(r: &Run) -> String {
    let mark = if r.failed {
        " FAIL"
    } else if r.finished {
        ""
    } else {
        " (cut)"
    };
    format!("{}{mark}", r.executions)
}

fn main() {
    let cap: u64 = std::env::var("MAPRACE_BENCH_CAP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut programs: Vec<(String, fn(), u64)> = all()
        .into_iter()
        .filter(|s| s.variant == Variant::Fixed)
        .map(|s| (s.id(), s.body, s.dfs_iterations.max(cap)))
        .collect();
    programs.push(("double-checked-cache/2".into(), dcc2, cap));
    programs.push(("double-checked-cache/3".into(), dcc3, cap));

    println!("# Exhaustive search: executions (\"(cut)\": hit the cap of {cap})\n");
    println!(
        "| program | DFS ≤2 | sleep ≤2 | DPOR ≤2 | ratio ≤2 | DFS ∞ | sleep ∞ | DPOR ∞ | ratio ∞ | DPOR ∞ s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut log_sum = 0.0;
    let mut rows = 0u32;
    for (name, body, cap) in &programs {
        let dfs2 = run(name, *body, Some(2), Reduction::None, *cap);
        let sleep2 = run(name, *body, Some(2), Reduction::Sleep, *cap);
        let dpor2 = run(name, *body, Some(2), Reduction::Dpor, *cap);
        let dfs = run(name, *body, None, Reduction::None, *cap);
        let sleep = run(name, *body, None, Reduction::Sleep, *cap);
        let dpor = run(name, *body, None, Reduction::Dpor, *cap);
        let ratio2 = dfs2.executions as f64 / dpor2.executions.max(1) as f64;
        let ratio = dfs.executions as f64 / dpor.executions.max(1) as f64;
        if dfs2.finished && dpor2.finished {
            log_sum += ratio2.ln();
            rows += 1;
        }
        println!(
            "| {name} | {} | {} | {} | {ratio2:.1}x | {} | {} | {} | {}{ratio:.1}x | {:.2} |",
            cell(&dfs2),
            cell(&sleep2),
            cell(&dpor2),
            cell(&dfs),
            cell(&sleep),
            cell(&dpor),
            if dfs.finished { "" } else { "≥" },
            dpor.seconds,
        );
    }
    if rows > 0 {
        println!(
            "\nGeometric mean of DFS / DPOR executions at bound 2 over {rows} rows both finished: {:.1}x",
            (log_sum / f64::from(rows)).exp()
        );
    }

    println!("\n# Parallel random exploration of the whole catalogue\n");
    let iterations = 2_000;
    let mut times = Vec::new();
    for jobs in [1usize, 2] {
        let started = Instant::now();
        let mut executions = 0;
        for s in all() {
            let e = Explorer::new(s.id())
                .iterations(iterations)
                .max_steps(20_000)
                .jobs(jobs)
                .run(s.body);
            executions += e.executions;
        }
        let secs = started.elapsed().as_secs_f64();
        println!("--jobs {jobs}: {executions} executions in {secs:.2} s");
        times.push(secs);
    }
    println!("speed-up --jobs 2 vs --jobs 1: {:.2}x", times[0] / times[1]);
}
