//! `e12-ready-select-hides-race`: a prefetch goroutine and the main goroutine both write one
//! results map; main drains the prefetch's readiness signal with a non-blocking `select`
//! first, which orders the two writes in the schedules where the signal was already there.
//!
//! # The Go pattern
//!
//! ```go
//! results := map[string]int{}
//! ready := make(chan struct{}, 1)
//! go func() { // prefetch
//!     results["a"] = 1
//!     ready <- struct{}{}
//! }()
//! got := false
//! select {
//! case <-ready: // the prefetch is done already: fine
//!     got = true
//! default: // not yet: carry on
//! }
//! results["b"] = 2
//! if !got {
//!     <-ready // wait for the prefetch before reading the results
//! }
//! // want results == {a: 1, b: 2}
//! ```
//!
//! # Why it fails, and why `-race` often does not say so
//!
//! When the `select` takes the `default` case, the two writes are unordered: a data race, and
//! `concurrent map writes` in the schedules where they overlap. When it receives, the send
//! happens before the receive, so the prefetch's write happens before main's and `-race`
//! sees nothing wrong in that run. Which case the `select` takes depends on the schedule
//! alone: `-race` fires in some runs and is silent in the others (the class table of
//! `maprace explore`, with a token for each).
//!
//! # The fix
//!
//! Receive from `ready` before writing: `<-ready; results["b"] = 2`.

use super::common::{check_map, expect_contents, kinds, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Chan, TryRecv};
use crate::Scenario;
use maprace_maps::GoMap;

fn run(fixed: bool) {
    let results = Arc::new(GoMap::<&'static str, u64>::new());
    let ready: Chan<()> = Chan::new(1);
    let (r, tx) = (Arc::clone(&results), ready.clone());
    let prefetch = go("prefetch", move || {
        r.assign("a", 1);
        tx.send(());
    });
    let got = if fixed {
        ready.recv().is_some()
    } else {
        matches!(ready.try_recv(), TryRecv::Value(()))
    };
    results.assign("b", 2);
    if !got {
        let _ = ready.recv();
    }
    check_map(&results);
    expect_contents(&results, "the results", &[("a", 1), ("b", 2)]);
    // Not a synchronisation of the Go program: the harness ends an execution's goroutines.
    prefetch.join();
}

fn buggy() {
    run(false);
}

fn fixed() {
    run(true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "e12-ready-select-hides-race",
        description: "two goroutines write one map; a non-blocking receive of a readiness signal orders them in some schedules, where -race is silent",
        buggy,
        fixed,
        go_size: None, // the point is the ordering, not the size
        expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED, kinds::WRONG],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
