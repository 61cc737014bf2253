//! Parallel exploration: random walks on several threads, with the output of one.
//!
//! Execution `i` draws the `i`-th seed of the exploration's seed stream whichever thread runs it
//! ([`RandomWalk::strided`]); worker `w` of `n` runs executions `w, w + n, w + 2n, ...`, each on
//! its own engine and shuttle runner (the record is per thread; the panic hook, installed once,
//! dispatches on the thread's record). The result keeps the executions a single worker would
//! have run: a prefix of the index space, cut at the iteration limit, at the first failure
//! (when stopping on it) or where the time budget left a gap. So executions, failures (first
//! occurrence = smallest index) and counts are the same for any number of workers.
//!
//! PCT is not split: its change points are drawn from the longest execution seen so far, so
//! execution `i` depends on the ones before it. Exhaustive search is not split either (each
//! execution's path depends on the previous one's backtrack sets). Both run on one thread.

use super::{group, outcome, Body, Collected, Exploration, Explorer, Found};
use crate::classes::Tally;
use crate::engine::{Engine as Driver, Finished};
use crate::failure::Class;
use crate::failure::Failure;
use crate::strategy::{RandomWalk, Strategy};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What one worker saw.
#[derive(Default)]
struct Worker {
    /// The first index it did not run.
    next: u64,
    /// Every failing execution: index, failure, seed and schedule.
    failed: Vec<(u64, Failure, u64, Vec<u32>)>,
    /// The class of every execution it ran, by index (ascending).
    classes: Vec<(u64, Class)>,
    /// The executions it abandoned at the step bound.
    abandoned: Vec<u64>,
    /// The first execution of each class it ran: index, seed and schedule (its smallest index
    /// of that class, since a worker's indices ascend).
    first_of: Vec<(Class, u64, u64, Vec<u32>)>,
}

/// Explores with `explorer.jobs` threads when the strategy can be split; `None` otherwise
/// (the caller runs the single-threaded loop).
pub(super) fn run(explorer: &Explorer, body: &Body) -> Option<Exploration> {
    let jobs = explorer.jobs.max(1) as u64;
    if jobs < 2 || explorer.strategy != Strategy::Random || explorer.iterations == 0 {
        return None;
    }
    let started = Instant::now();
    // Executions at or past this index are not needed (first failure, when stopping on it).
    let stop_at = Arc::new(AtomicU64::new(explorer.iterations));
    let timed_out = Arc::new(AtomicBool::new(false));
    let workers: Vec<Worker> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|w| {
                let (stop_at, timed_out) = (Arc::clone(&stop_at), Arc::clone(&timed_out));
                let body = Arc::clone(body);
                scope.spawn(move || worker(explorer, &body, w, jobs, stop_at, timed_out, started))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an exploration worker panicked"))
            .collect()
    });
    let mut bound = explorer.iterations;
    for w in &workers {
        bound = bound.min(w.next);
    }
    let mut failed: Vec<&(u64, Failure, u64, Vec<u32>)> = workers
        .iter()
        .flat_map(|w| &w.failed)
        .filter(|f| f.0 < bound)
        .collect();
    failed.sort_by_key(|f| f.0);
    if explorer.stop_on_first_failure {
        if let Some(first) = failed.first() {
            bound = bound.min(first.0 + 1);
        }
    }
    failed.retain(|f| f.0 < bound);
    let out_of_time = timed_out.load(Ordering::Relaxed) && bound < explorer.iterations;
    let mut found: Vec<Found> = Vec::new();
    for (index, failure, seed, steps) in failed {
        group(&mut found, *index, failure.clone(), *seed, steps);
    }
    // Classes over the kept prefix, each with its smallest index: the same tally one thread
    // makes, whatever the number of workers.
    let mut tally = Tally::default();
    let mut firsts: Vec<&(Class, u64, u64, Vec<u32>)> = workers
        .iter()
        .flat_map(|w| &w.first_of)
        .filter(|f| f.1 < bound)
        .collect();
    firsts.sort_by_key(|f| f.1);
    for (class, index, seed, steps) in firsts {
        if !tally.0.contains_key(class) {
            tally.note(*class, *index, *seed, steps);
        }
    }
    for w in &workers {
        for (index, class) in w.classes.iter().filter(|(i, _)| *i < bound) {
            if let Some(first) = tally.0.get_mut(class) {
                if first.execution != *index {
                    first.count += 1;
                }
            }
        }
    }
    let abandoned = workers
        .iter()
        .flat_map(|w| &w.abandoned)
        .filter(|&&i| i < bound)
        .count() as u64;
    let collected = Collected {
        executions: bound,
        exhausted: false,
        out_of_time,
        abandoned,
        found,
        tally,
    };
    Some(explorer.conclude(body, collected))
}

/// Runs executions `first, first + stride, ...` until one is not needed any more.
fn worker(
    explorer: &Explorer,
    body: &Body,
    first: u64,
    stride: u64,
    stop_at: Arc<AtomicU64>,
    timed_out: Arc<AtomicBool>,
    started: Instant,
) -> Worker {
    let seen: Rc<RefCell<Worker>> = Rc::new(RefCell::new(Worker {
        next: first,
        ..Worker::default()
    }));
    if first >= stop_at.load(Ordering::Relaxed) {
        return seen.take();
    }
    let on_finish = {
        let seen = Rc::clone(&seen);
        let (budget, stop_first) = (explorer.time_budget, explorer.stop_on_first_failure);
        let race_detection = explorer.race_detection;
        let step_bound_fails = explorer.step_bound_fails;
        Box::new(move |done: Finished<'_>| {
            let mut seen = seen.borrow_mut();
            let index = seen.next;
            seen.next += stride;
            let (failure, class, abandoned) = outcome(&done, race_detection, step_bound_fails);
            seen.classes.push((index, class));
            if abandoned {
                seen.abandoned.push(index);
            }
            if !seen.first_of.iter().any(|f| f.0 == class) {
                seen.first_of
                    .push((class, index, done.seed, done.steps.to_vec()));
            }
            if let Some(failure) = failure {
                seen.failed
                    .push((index, failure, done.seed, done.steps.to_vec()));
                if stop_first {
                    stop_at.fetch_min(index + 1, Ordering::Relaxed);
                }
            }
            if budget.is_some_and(|b| started.elapsed() >= b) {
                timed_out.store(true, Ordering::Relaxed);
                return false;
            }
            seen.next < stop_at.load(Ordering::Relaxed) && !timed_out.load(Ordering::Relaxed)
        }) as Box<dyn FnMut(Finished<'_>) -> bool>
    };
    let mut engine = Driver::new(
        Box::new(RandomWalk::strided(explorer.seed, first, stride)),
        explorer.trace_every_execution,
        explorer.max_steps,
        on_finish,
    );
    engine.accesses |= explorer.race_detection;
    engine.disabled.clone_from(&explorer.disabled_sync);
    super::drive(&Rc::new(RefCell::new(engine)), body);
    seen.take()
}
