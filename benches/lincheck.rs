//! The linearizability checker's cost, and how fast Lincheck finds a subtle bug.
//!
//! 1. Checker throughput: histories of real executions of a `MutexMap` (2 goroutines × 5
//!    operations, 3 × 10, 4 × 50 and 4 × 100), recorded once, then checked over and over, per key
//!    (P-compositional) and as a whole; with `len()` in the mix, which makes every history
//!    unpartitionable. Figures are histories per second and the per-key speed-up measured in
//!    this same run.
//! 2. Time to the first non-linearizable history on the user-map example's `CountedMap` (a size
//!    counter updated after the stripe's lock is released), with the default settings, over
//!    several seeds: executions, wall time, and the size of the shrunk scenario.
//!
//! `cargo bench --bench lincheck` (or `just bench-lincheck`). `MAPRACE_BENCH_SEEDS` sets the
//! seeds of part 2 (default 10).

#[path = "../examples/user-map/tests/counted_map/mod.rs"]
mod counted_map;

use maprace::harness::lincheck::proptest::strategy::{Strategy as _, ValueTree};
use maprace::harness::lincheck::proptest::test_runner::TestRunner;
use maprace::harness::lincheck::{
    check_partitioned, check_whole, History, Lincheck, Operations, Recorder,
};
use maprace::harness::{go, Explorer};
use maprace::maps::lincheck::{MapOp, MapOpKind, MapRet, MapSpec};
use maprace::maps::MutexMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Spec = MapSpec<MutexMap<u8, u8>, u8, u8>;
type MapHistory = History<MapOp<u8, u8>, MapRet<u8, u8>>;

/// `count` histories of `goroutines` × `ops` random operations on a `MutexMap`, from random
/// schedules.
fn histories(spec: &Arc<Spec>, goroutines: usize, ops: usize, count: u64) -> Vec<MapHistory> {
    let mut runner = TestRunner::deterministic();
    let generator = spec.generate();
    let plan: Arc<Vec<Vec<MapOp<u8, u8>>>> = Arc::new(
        (0..goroutines)
            .map(|_| {
                (0..ops)
                    .map(|_| generator.new_tree(&mut runner).unwrap().current())
                    .collect()
            })
            .collect(),
    );
    let out: Arc<Mutex<Vec<MapHistory>>> = Arc::default();
    let (s, o) = (Arc::clone(spec), Arc::clone(&out));
    Explorer::new("bench/lincheck-histories")
        .iterations(count)
        .run(move || {
            let m = Arc::new(s.implementation());
            let recorder = Recorder::new();
            let hs: Vec<_> = (0..plan.len())
                .map(|g| {
                    let (s, m, r, plan) = (
                        Arc::clone(&s),
                        Arc::clone(&m),
                        recorder.clone(),
                        Arc::clone(&plan),
                    );
                    go("", move || {
                        for op in &plan[g] {
                            r.record(op, || s.apply(&m, op));
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join();
            }
            o.lock().unwrap().push(recorder.history());
        });
    let v = std::mem::take(&mut *out.lock().unwrap());
    v
}

/// Histories per second of `check` over `histories`, for at least `min` wall time; `check` must
/// say `expected` of each.
fn rate(
    histories: &[MapHistory],
    check: impl Fn(&MapHistory) -> bool,
    expected: bool,
    min: Duration,
) -> f64 {
    let started = Instant::now();
    let mut checked = 0u64;
    while started.elapsed() < min {
        for h in histories {
            assert_eq!(check(h), expected, "{h:?}");
            checked += 1;
        }
    }
    checked as f64 / started.elapsed().as_secs_f64()
}

/// `h` with the result of its last value-returning operation made impossible (a value never
/// written, a size never reached): not linearizable, and found so only after the search has
/// tried every order of the rest.
fn tampered(h: &MapHistory) -> Option<MapHistory> {
    let mut h = h.clone();
    let last = h
        .operations
        .iter_mut()
        .rev()
        .find_map(|o| match &mut o.response {
            Some((_, r @ MapRet::Value(_))) => Some(r),
            Some((_, r @ MapRet::Len(_))) => Some(r),
            _ => None,
        })?;
    *last = match last {
        MapRet::Len(n) => MapRet::Len(*n + 100),
        _ => MapRet::Value(Some(99)),
    };
    Some(h)
}

fn throughput() {
    println!("checker throughput (histories of a MutexMap, recorded from random schedules;");
    println!("with len() no history splits per key, so both columns check it whole)");
    println!(
        "{:<8} {:<10} {:>14} {:>14} {:>9} {:>18}",
        "shape", "ops", "per key h/s", "whole h/s", "speed-up", "not-lin whole h/s"
    );
    for (label, kinds) in [
        ("per-key", &MapOpKind::PER_KEY[..]),
        (
            "with-len",
            &[
                MapOpKind::Assign,
                MapOpKind::Delete,
                MapOpKind::Get,
                MapOpKind::Len,
            ][..],
        ),
    ] {
        let spec = Arc::new(MapSpec::new("bench", MutexMap::<u8, u8>::new).kinds(kinds));
        for (g, n) in [(2, 5), (3, 10), (4, 50), (4, 100)] {
            let hs = histories(&spec, g, n, 50);
            let min = Duration::from_millis(300);
            let parts = rate(&hs, |h| check_partitioned(&*spec, h).is_ok(), true, min);
            let whole = rate(&hs, |h| check_whole(&*spec, h).is_ok(), true, min);
            let bad: Vec<MapHistory> = hs.iter().filter_map(tampered).collect();
            let not_lin = rate(&bad, |h| check_whole(&*spec, h).is_ok(), false, min);
            println!(
                "{:<8} {:<10} {:>14.0} {:>14.0} {:>8.1}x {:>18.0}",
                format!("{g}×{n}"),
                label,
                parts,
                whole,
                parts / whole,
                not_lin
            );
        }
    }
}

fn time_to_first() {
    let seeds: u64 = std::env::var("MAPRACE_BENCH_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let kinds = [
        MapOpKind::Assign,
        MapOpKind::Delete,
        MapOpKind::Get,
        MapOpKind::Swap,
        MapOpKind::Len,
    ];
    println!();
    println!(
        "first non-linearizable history on the user-map example's CountedMap (default settings)"
    );
    println!(
        "{:<5} {:>10} {:>10} {:>12} {:>14} {:>14}",
        "seed", "scenarios", "executions", "find (ms)", "+ shrink (ms)", "shrunk"
    );
    let mut executions = Vec::new();
    for seed in 0..seeds {
        let check = || {
            Lincheck::new(MapSpec::new("bench/counted", counted_map::CountedMap::new).kinds(&kinds))
                .seed(seed)
        };
        // Finding alone: no shrinking, no schedule minimizing.
        let started = Instant::now();
        let found = check().shrink_steps(0).minimize_budget(0).run();
        let find = started.elapsed();
        let started = Instant::now();
        let shrunk = check().run();
        let total = started.elapsed();
        match (found, shrunk) {
            (Err(found), Err(shrunk)) => {
                executions.push(found.executions_to_first);
                println!(
                    "{:<5} {:>10} {:>10} {:>12.1} {:>14.1} {:>14}",
                    seed,
                    found.scenarios_to_first,
                    found.executions_to_first,
                    find.as_secs_f64() * 1e3,
                    total.as_secs_f64() * 1e3,
                    format!("{} ({} ops)", shrunk.scenario.size(), shrunk.scenario.len())
                );
            }
            _ => println!("{seed:<5} not found with the default settings"),
        }
    }
    executions.sort_unstable();
    if let Some(median) = executions.get(executions.len() / 2) {
        println!("median executions to the first non-linearizable history: {median}");
    }
}

fn main() {
    throughput();
    time_to_first();
}
