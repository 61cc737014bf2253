//! The bug benchmark: executions to first failure on SCTBench's classic concurrency bugs, for
//! maprace's strategies and for stock shuttle's schedulers on the same programs.
//!
//! Every program (see `bugs/programs.rs`) is written once over a two-runtime shim
//! (`bugs/rt.rs`): maprace's strategies explore it on maprace's primitives (`go`, `sync`,
//! `yield_now`) through `Explorer`; shuttle's `RandomScheduler`, `PctScheduler` (depth 2, 3)
//! and `UrwRandomScheduler` run it on shuttle's own primitives under a bare `shuttle::Runner`.
//! Both sides have the same scheduling points. For each (program, strategy) row: how many of
//! the seeds found the bug within the cap, and the median number of executions to the first
//! failure (a miss counts as the cap, so the median is "> cap" when half or more miss).
//! Systematic strategies (DFS, delay bounding) ignore the seed: they run once per program.
//! A last table compares the cost per execution of maprace's primitives and strategy loop with
//! bare shuttle's, measured in the same run.
//!
//! `cargo bench --bench bugs` (or `just bench-bugs`). Environment: `MAPRACE_BUGS_SEEDS`
//! (default 20), `MAPRACE_BUGS_CAP` (default 100000), `MAPRACE_BUGS_ONLY` (a program name),
//! `MAPRACE_BUGS_OUT` (write the Markdown there too, e.g. docs/bench-bugs.md),
//! `MAPRACE_BUGS_JOBS` (worker threads, default 2).

#[path = "bugs/programs.rs"]
mod programs;
#[path = "bugs/rt.rs"]
mod rt;

use maprace_harness::{Explorer, Strategy};
use shuttle::scheduler::{
    PctScheduler, RandomScheduler, Schedule, Scheduler, Task, TaskId, UrwRandomScheduler,
};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;
use std::time::Instant;

/// A strategy row of the table.
#[derive(Clone, Debug)]
enum Row {
    Maprace(Strategy),
    ShuttleRandom,
    ShuttlePct(usize),
    ShuttleUrw,
}

impl Row {
    fn label(&self) -> String {
        match self {
            Row::Maprace(s) => format!("maprace {s}"),
            Row::ShuttleRandom => "shuttle random".into(),
            Row::ShuttlePct(d) => format!("shuttle pct(depth={d})"),
            Row::ShuttleUrw => "shuttle urw".into(),
        }
    }

    fn systematic(&self) -> bool {
        matches!(
            self,
            Row::Maprace(Strategy::Dfs { .. } | Strategy::DelayBounded { .. })
        )
    }
}

fn rows() -> Vec<Row> {
    let mut rows: Vec<Row> = [
        Strategy::Portfolio,
        Strategy::Random,
        Strategy::Pct { depth: 2 },
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Urw,
        Strategy::Surw,
        Strategy::Dfs {
            preemption_bound: None,
        },
        Strategy::Dfs {
            preemption_bound: Some(2),
        },
        Strategy::DelayBounded { delay_bound: 2 },
    ]
    .into_iter()
    .map(Row::Maprace)
    .collect();
    rows.extend([
        Row::ShuttleRandom,
        Row::ShuttlePct(2),
        Row::ShuttlePct(3),
        Row::ShuttleUrw,
    ]);
    rows
}

/// Counts the executions a stock scheduler starts.
struct Counting<S> {
    inner: S,
    executions: u64,
}

impl<S: Scheduler> Scheduler for Counting<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.executions += 1;
        self.inner.new_execution()
    }
    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        yielding: bool,
    ) -> Option<TaskId> {
        self.inner.next_task(runnable, current, yielding)
    }
    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// Executions to the first failure under a stock scheduler, or `None` within `cap`.
fn shuttle_run<S: Scheduler + 'static>(inner: S, body: fn()) -> Option<u64> {
    let counting = std::rc::Rc::new(std::cell::RefCell::new(Counting {
        inner,
        executions: 0,
    }));
    struct Shared<S>(std::rc::Rc<std::cell::RefCell<Counting<S>>>);
    impl<S: Scheduler> Scheduler for Shared<S> {
        fn new_execution(&mut self) -> Option<Schedule> {
            self.0.borrow_mut().new_execution()
        }
        fn next_task(&mut self, r: &[&Task], c: Option<TaskId>, y: bool) -> Option<TaskId> {
            self.0.borrow_mut().next_task(r, c, y)
        }
        fn next_u64(&mut self) -> u64 {
            self.0.borrow_mut().next_u64()
        }
    }
    let mut config = shuttle::Config::new();
    config.failure_persistence = shuttle::FailurePersistence::None;
    config.max_steps = shuttle::MaxSteps::ContinueAfter(100_000);
    config.silence_warnings = true;
    let runner = shuttle::Runner::new(Shared(std::rc::Rc::clone(&counting)), config);
    let failed = catch_unwind(AssertUnwindSafe(|| runner.run(body))).is_err();
    let n = counting.borrow().executions;
    failed.then_some(n)
}

/// Executions to the first failure under a maprace strategy, or `None` within `cap`.
fn maprace_run(strategy: &Strategy, seed: u64, cap: u64, body: fn()) -> Option<u64> {
    let e = Explorer::new("bench/bugs")
        .strategy(strategy.clone())
        .seed(seed)
        .iterations(cap)
        .stop_on_first_failure(true)
        .run(body);
    if std::env::var("MAPRACE_BUGS_DEBUG").is_ok() {
        eprintln!(
            "{strategy} seed {seed}: {} executions, {} abandoned, {:?}",
            e.executions,
            e.abandoned,
            e.first_failure()
                .map(|f| (&f.failure.kind, &f.failure.message))
        );
    }
    e.first_failure().map(|f| f.execution + 1)
}

fn run_one(row: &Row, program: &programs::Program, seed: u64, cap: u64) -> Option<u64> {
    let cap_usize = cap as usize;
    match row {
        Row::Maprace(s) => maprace_run(s, seed, cap, program.maprace),
        Row::ShuttleRandom => shuttle_run(
            RandomScheduler::new_from_seed(seed, cap_usize),
            program.shuttle,
        ),
        Row::ShuttlePct(d) => shuttle_run(
            PctScheduler::new_from_seed(seed, *d, cap_usize),
            program.shuttle,
        ),
        Row::ShuttleUrw => shuttle_run(
            UrwRandomScheduler::new_from_seed(seed, cap_usize),
            program.shuttle,
        ),
    }
}

fn median(mut xs: Vec<u64>) -> f64 {
    xs.sort_unstable();
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2] as f64
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) as f64 / 2.0
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Per-execution cost: the same correct body (4 goroutines, 10 locked increments each) under
/// maprace's random strategy on maprace's primitives and under shuttle's random scheduler on
/// shuttle's, `n` executions each, best of 3 rounds.
fn cost(n: u64) -> (f64, f64) {
    fn body<R: rt::Rt>() {
        let m = std::sync::Arc::new(R::lock());
        let c = rt::ints::<R>(1, 0);
        let hs = (0..4)
            .map(|_| {
                let (m, c) = (m.clone(), c.clone());
                R::spawn(move || {
                    for _ in 0..10 {
                        R::with(&m, || R::set(&c[0], R::get(&c[0]) + 1));
                    }
                })
            })
            .collect::<Vec<_>>();
        for h in hs {
            R::join(h);
        }
    }
    let mut best = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        let t = Instant::now();
        let e = Explorer::new("bench/cost")
            .iterations(n)
            .run(body::<rt::Maprace>);
        assert!(e.failures.is_empty());
        best.0 = best.0.min(t.elapsed().as_secs_f64() / n as f64);
        let t = Instant::now();
        let mut config = shuttle::Config::new();
        config.silence_warnings = true;
        shuttle::Runner::new(RandomScheduler::new_from_seed(0, n as usize), config)
            .run(body::<rt::Shuttle>);
        best.1 = best.1.min(t.elapsed().as_secs_f64() / n as f64);
    }
    best
}

fn main() {
    let seeds = env("MAPRACE_BUGS_SEEDS", 20);
    let cap = env("MAPRACE_BUGS_CAP", 100_000);
    let jobs = env("MAPRACE_BUGS_JOBS", 2).max(1) as usize;
    let only = std::env::var("MAPRACE_BUGS_ONLY").ok();
    // The programs panic on purpose, thousands of times.
    std::panic::set_hook(Box::new(|_| {}));

    let programs: Vec<programs::Program> = programs::all()
        .into_iter()
        .filter(|p| only.as_deref().is_none_or(|o| o == p.name))
        .collect();
    let rows = rows();
    // One job per (program, row, seed); results land in a fixed slot, so the table does not
    // depend on which worker ran what.
    let mut work = Vec::new();
    for (pi, _) in programs.iter().enumerate() {
        for (ri, row) in rows.iter().enumerate() {
            let n = if row.systematic() { 1 } else { seeds };
            for seed in 0..n {
                work.push((pi, ri, seed));
            }
        }
    }
    let results: Mutex<Vec<Option<Option<u64>>>> = Mutex::new(vec![None; work.len()]);
    let next = Mutex::new(0usize);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(&(pi, ri, seed)) = work.get(i) else {
                    return;
                };
                let r = run_one(&rows[ri], &programs[pi], seed, cap);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    let elapsed = started.elapsed();
    let results = results.into_inner().unwrap();

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Bug benchmark: executions to first failure\n\n`just bench-bugs` ({seeds} seeds, cap {cap} executions; systematic rows run once; \
         found = seeds that hit the bug within the cap; median over all seeds, a miss counting as the cap)\n"
    );
    let _ = write!(md, "| program |");
    for row in &rows {
        let _ = write!(md, " {} |", row.label());
    }
    let _ = write!(md, "\n|---|");
    for _ in &rows {
        let _ = write!(md, "---|");
    }
    md.push('\n');
    let mut found_total = vec![0u64; rows.len()];
    let mut runs_total = vec![0u64; rows.len()];
    for (pi, p) in programs.iter().enumerate() {
        let _ = write!(md, "| {} |", p.name);
        for (ri, _) in rows.iter().enumerate() {
            let xs: Vec<Option<u64>> = work
                .iter()
                .zip(&results)
                .filter(|((wp, wr, _), _)| *wp == pi && *wr == ri)
                .map(|(_, r)| r.expect("every job ran"))
                .collect();
            let found = xs.iter().flatten().count() as u64;
            found_total[ri] += found;
            runs_total[ri] += xs.len() as u64;
            let m = median(xs.iter().map(|x| x.unwrap_or(cap)).collect());
            let med = if found * 2 <= xs.len() as u64 && found < xs.len() as u64 && m >= cap as f64
            {
                format!(">{cap}")
            } else {
                format!("{m}")
            };
            let _ = write!(md, " {found}/{} · {med} |", xs.len());
        }
        md.push('\n');
    }
    let _ = write!(md, "| **total found** |");
    for (f, n) in found_total.iter().zip(&runs_total) {
        let _ = write!(md, " **{f}/{n}** |");
    }
    md.push('\n');
    let (m, s) = cost(2_000);
    let _ = writeln!(
        md,
        "\nPer-execution cost (4 goroutines × 10 locked increments, random, best of 3 × 2000 executions): \
         maprace {:.1} µs, bare shuttle {:.1} µs, ratio {:.2}x.\n\nWall time of the table: {:.0} s on {jobs} worker thread(s).",
        m * 1e6,
        s * 1e6,
        m / s,
        elapsed.as_secs_f64()
    );
    print!("{md}");
    if let Ok(path) = std::env::var("MAPRACE_BUGS_OUT") {
        if let Err(e) = std::fs::write(&path, &md) {
            eprintln!("error: cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
}
