//! Parallel random exploration gives the result of a single thread, for any number of jobs.

use maprace_harness::sync::{Arc, AtomicU64, Ordering};
use maprace_harness::*;

/// A lost update: two goroutines load, then store the incremented value; with one goroutine
/// in between it fails, and some schedules also trip a second, rarer check.
fn lost_update() {
    let x = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let x = Arc::clone(&x);
            go("", move || {
                let v = x.load(Ordering::SeqCst);
                x.store(v + 1, Ordering::SeqCst);
            })
        })
        .collect();
    handles.into_iter().for_each(JoinHandle::join);
    let v = x.load(Ordering::SeqCst);
    if v == 1 {
        fatal("two updates lost");
    }
    assert_eq!(v, 3, "an update was lost");
}

/// What must not depend on the number of jobs.
fn summary(e: &Exploration) -> Vec<String> {
    let mut out = vec![format!(
        "{} executions, out of time: {}, {}",
        e.executions, e.out_of_time, e.coverage
    )];
    for f in &e.failures {
        out.push(format!(
            "{} x{} {} {} {:016x}",
            f.execution, f.count, f.failure.message, f.token, f.trace_hash
        ));
    }
    out
}

fn explore(jobs: usize, stop: bool, seed: u64) -> Exploration {
    Explorer::new("test/parallel")
        .seed(seed)
        .iterations(300)
        .stop_on_first_failure(stop)
        .jobs(jobs)
        .run(lost_update)
}

#[test]
fn any_number_of_jobs_gives_the_single_thread_result() {
    for seed in [0, 1] {
        for stop in [false, true] {
            let one = summary(&explore(1, stop, seed));
            assert!(one.len() > 1, "the bug is found: {one:?}");
            for jobs in [2, 3] {
                assert_eq!(summary(&explore(jobs, stop, seed)), one, "jobs {jobs}");
            }
        }
    }
}

#[test]
fn stopping_at_the_first_failure_reports_its_index() {
    let e = explore(2, true, 0);
    let first = e.first_failure().expect("found");
    assert_eq!(e.executions, first.execution + 1);
    assert_eq!(first.count, 1);
}
