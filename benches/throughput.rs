//! Throughput of the harness against bare shuttle on the same body, measured in one run.
//!
//! The body: 3 goroutines × 10 preemption points, each point carrying a detail and a state
//! snapshot like the map model's (written with `EventNote::field`, as the model writes its own). Bare shuttle runs it with `check_random_with_seed` and
//! `thread::sleep(ZERO)` as the switch point; the harness runs it with `go` and labelled
//! `preempt_with` points under `Strategy::Random`, once recording only schedules (how `explore`
//! runs) and once recording the full trace of every execution. Figures are executions per second
//! and ratios against bare shuttle from this same run, so machine speed cancels out.
//!
//! `cargo bench` (or `just bench`); `MAPRACE_BENCH_EXECUTIONS` sets the executions per round.
//! `MAPRACE_BENCH_ONLY=explore` (or `bare`, `tracing`) runs one variant, for profiling.

use maprace_harness::sync::Arc;
use maprace_harness::{
    go, preempt_access_with, preempt_with, AccessKind, Explorer, Object, ObjectKind, Op, Point,
    Strategy,
};
use std::time::{Duration, Instant};

const GOROUTINES: usize = 3;
const POINTS: usize = 10;
const POINT: Point = Point::new(Op::Assign, "flag set");

fn bare_body() {
    let hs: Vec<_> = (0..GOROUTINES)
        .map(|_| {
            shuttle::thread::spawn(|| {
                for _ in 0..POINTS {
                    shuttle::thread::sleep(Duration::ZERO);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

fn harness_body() {
    let hs: Vec<_> = (0..GOROUTINES)
        .map(|g| {
            go("", move || {
                for i in 0..POINTS {
                    preempt_with(POINT, |n| {
                        n.detail_pair("k", i)
                            .field("B", 0)
                            .field("count", g * POINTS + i);
                    });
                }
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
}

/// The body with every point an access, as the map model's are: each goroutine writes its own
/// map and reads a shared one, so the race detector has work at every point and finds no race.
fn accessing_body() {
    let shared = Arc::new(Object::new(ObjectKind::Map));
    let hs: Vec<_> = (0..GOROUTINES)
        .map(|g| {
            let shared = Arc::clone(&shared);
            go("", move || {
                let own = Object::new(ObjectKind::Map);
                for i in 0..POINTS {
                    let (object, kind) = if i % 2 == 0 {
                        (&own, AccessKind::Write)
                    } else {
                        (&*shared, AccessKind::Read)
                    };
                    preempt_access_with(POINT, object, kind, |n| {
                        n.detail_pair("k", i)
                            .field("B", 0)
                            .field("count", g * POINTS + i);
                    });
                }
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
}

fn rate(executions: u64, elapsed: Duration) -> f64 {
    executions as f64 / elapsed.as_secs_f64()
}

/// One measured variant: a name and a run that returns how many executions it made.
struct Variant {
    name: &'static str,
    run: Box<dyn Fn() -> u64>,
    rates: Vec<f64>,
}

impl Variant {
    fn new(name: &'static str, run: impl Fn() -> u64 + 'static) -> Self {
        Variant {
            name,
            run: Box::new(run),
            rates: Vec::new(),
        }
    }

    fn median(&self) -> f64 {
        median(self.rates.clone())
    }

    /// The median over rounds of this variant's rate divided by `base`'s in the same round:
    /// both were measured seconds apart, so a slow spell of the machine cancels out.
    fn ratio_to(&self, base: &Variant) -> f64 {
        median(
            self.rates
                .iter()
                .zip(&base.rates)
                .map(|(r, b)| r / b)
                .collect(),
        )
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run briefly then.
    let benching = std::env::args().any(|a| a == "--bench");
    let executions: u64 = std::env::var("MAPRACE_BENCH_EXECUTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 20_000 } else { 200 });
    let rounds = if benching { 11 } else { 1 };
    println!("body: {GOROUTINES} goroutines x {POINTS} preemption points, random strategy, seed 1");
    // The loom engine's dispatch (one branch per operation) is compiled in with the `loom`
    // feature; comparing this run's ratios with `--no-default-features` measures its cost.
    println!(
        "loom engine compiled in: {}",
        if cfg!(feature = "loom") {
            "yes (compare with `cargo bench --bench throughput --no-default-features`)"
        } else {
            "no"
        }
    );
    // Warm up both paths (continuation pool, panic hook) before timing either.
    shuttle::check_random_with_seed(bare_body, 1, 100);
    Explorer::new("bench/warmup")
        .iterations(100)
        .run(harness_body);

    let mut variants = vec![
        Variant::new("bare shuttle check_random", move || {
            shuttle::check_random_with_seed(bare_body, 1, executions as usize);
            executions
        }),
        Variant::new("harness Random (explore mode)", move || {
            Explorer::new("bench/body")
                .strategy(Strategy::Random)
                .seed(1)
                .iterations(executions)
                .run(harness_body)
                .executions
        }),
        Variant::new("harness Random (full tracing)", move || {
            Explorer::new("bench/body")
                .strategy(Strategy::Random)
                .seed(1)
                .iterations(executions)
                .trace_every_execution(true)
                .run(harness_body)
                .executions
        }),
        Variant::new("accessing body, race detection off", move || {
            Explorer::new("bench/accessing")
                .seed(1)
                .iterations(executions)
                .race_detection(false)
                .run(accessing_body)
                .executions
        }),
        Variant::new("accessing body, race detection on", move || {
            Explorer::new("bench/accessing")
                .seed(1)
                .iterations(executions)
                .run(accessing_body)
                .executions
        }),
    ];
    // MAPRACE_BENCH_ONLY=<word> keeps only the variants whose name contains it (for profiling).
    if let Ok(only) = std::env::var("MAPRACE_BENCH_ONLY") {
        variants.retain(|v| v.name.contains(only.as_str()));
    }
    // Rounds alternate the variants, and the median of each is reported, so that a burst of
    // load from elsewhere on the machine skews one sample, not the comparison. Each round starts
    // with the next variant, so that no variant always runs first or last.
    let n = variants.len();
    for round in 0..rounds {
        for k in 0..n {
            let v = &mut variants[(round + k) % n];
            let start = Instant::now();
            let ran = (v.run)();
            v.rates.push(rate(ran, start.elapsed()));
        }
    }
    for v in &variants {
        println!(
            "{:<34} {executions:>8} executions x {rounds} rounds  median {:>10.0} executions/s",
            v.name,
            v.median()
        );
    }
    if variants.len() < 5 {
        return;
    }
    println!(
        "ratio explore mode / bare shuttle:  {:.2}  (median of per-round ratios)",
        variants[1].ratio_to(&variants[0])
    );
    println!(
        "ratio full tracing / bare shuttle:  {:.2}  (median of per-round ratios)",
        variants[2].ratio_to(&variants[0])
    );
    println!("target: at least 0.80");
    println!(
        "cost of race detection (off / on, accessing body): {:.2}x  (target: at most 1.30)",
        variants[3].ratio_to(&variants[4])
    );
}
