//! `e8-syncmap-range-spawn`: a `sync.Map` `Range` callback starts a goroutine per entry that
//! waits for a signal nobody sends.
//!
//! # The Go pattern
//!
//! ```go
//! var jobs sync.Map
//! jobs.Store("a", 1)
//! jobs.Store("b", 2)
//! start := make(chan struct{})
//! jobs.Range(func(k, v any) bool {
//!     go func() {
//!         <-start // wait until every worker is set up
//!         process(k, v)
//!     }()
//!     return true
//! })
//! // ...the close(start) that should follow was lost in a refactoring
//! ```
//!
//! # Why it fails
//!
//! Nothing here races on a map: `sync.Map` is safe, and starting goroutines from `Range` is
//! allowed. The bug is that every worker blocks on `start` forever. In Go the program simply
//! goes on (or exits) with the workers stuck, leaking their stacks and whatever they hold; in
//! a server they pile up with each request. The harness reports it as its own failure kind:
//! when the scenario's main goroutine returns while goroutines are still blocked, the
//! execution fails with `goroutine-leak`, naming them. It happens in every schedule.
//!
//! # The fix
//!
//! Close `start` once the workers are started, and wait for them (a `WaitGroup`).

use super::common::{expect, kinds, unmutated, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Chan, WaitGroup};
use crate::{Scenario, Unmutated};
use maprace_maps::SyncMap;

fn run(signal: bool) {
    let jobs = SyncMap::<&'static str, u64>::new();
    jobs.store("a", 1);
    jobs.store("b", 2);
    let start: Chan<()> = Chan::new(0);
    let wg = Arc::new(WaitGroup::new());
    let processed = Arc::new(SyncMap::<&'static str, u64>::new());
    jobs.range(|&k, &v| {
        wg.add(1);
        let (start, wg, processed) = (start.clone(), Arc::clone(&wg), Arc::clone(&processed));
        go("worker", move || {
            let _ = start.recv();
            processed.store(k, v * 10);
            wg.done();
        });
        true
    });
    if signal {
        start.close();
        wg.wait();
        for (k, v) in [("a", 10), ("b", 20)] {
            let got = processed.load(&k);
            expect(got == Some(v), || format!("job {k} processed as {got:?}"));
        }
    }
}

fn buggy() {
    run(false);
}

fn fixed() {
    run(true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    let pair = Pair {
        name: "e8-syncmap-range-spawn",
        description: "a sync.Map Range callback starts a goroutine per entry that waits for a signal never sent",
        buggy,
        fixed,
        go_size: None,
        expected_kinds: &[kinds::LEAK],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios();
    unmutated(
        pair,
        &[
            Unmutated {
                object: "chan#0",
                why: "close(start) publishes nothing: the workers' k and v are captured by the go statement, and the channel only blocks them, which the mutant keeps",
            },
            Unmutated {
                object: "waitgroup#0",
                why: "the workers' results go through a sync.Map, which orders them itself; Wait only blocks until they are done, which the mutant keeps",
            },
        ],
    )
}
