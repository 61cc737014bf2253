//! `e1-defer-at-exit`: goroutines record their result in a shared map from a function deferred
//! to goroutine exit.
//!
//! # The Go pattern
//!
//! ```go
//! results := make(map[int]int)
//! var wg sync.WaitGroup
//! for i := 0; i < 3; i++ {
//!     wg.Add(1)
//!     go func(i int) {
//!         defer wg.Done()
//!         defer func() { results[i] = i * i }() // record, whatever happens below
//!         work(i)
//!     }(i)
//! }
//! wg.Wait()
//! ```
//!
//! Three workers at the default size; 20 at Go size.
//!
//! # Why it fails
//!
//! A deferred function is ordinary code running on the exiting goroutine: moving the write to
//! a `defer` does not serialise anything. Deferred calls run last first, so `wg.Done()`
//! (deferred first) runs after the map write, which makes `wg.Wait()` correct, but the three
//! deferred writes still run concurrently with each other: `fatal error: concurrent map
//! writes`, or, when the writers slip past the check, a lost result or corrupted internals
//! (the invariant checker's `map-corrupted`).
//!
//! Where both writers slip past the checks, `count++` is a plain load and store (map.go 682)
//! and the first bucket's allocation a separate check and store (603-605): an insert or an
//! increment of `count` can be lost with the map's internals still consistent, and the final
//! check reports the missing key (`wrong-result`).
//!
//! # The fix
//!
//! Take a mutex inside the deferred function (or send the result on a channel to a collector).

use super::common::{check_map, expect_contents, kinds, work, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go_deferring, Arc, Mutex, WaitGroup};
use crate::Scenario;
use maprace_maps::GoMap;

type Results = GoMap<u64, u64>;

fn run(size: Sizes, locked: bool) {
    let workers = size.pick(3, GO.requests) as u64;
    let results = Arc::new(Results::new());
    let mu = Arc::new(Mutex::new(()));
    let wg = Arc::new(WaitGroup::new());
    for i in 0..workers {
        wg.add(1);
        let (results, mu, wg) = (Arc::clone(&results), Arc::clone(&mu), Arc::clone(&wg));
        go_deferring("worker", move |d| {
            d.defer(move || wg.done());
            d.defer(move || {
                let _g = locked.then(|| mu.lock());
                results.assign(i, i * i);
            });
            work("work(i)");
        });
    }
    wg.wait();
    check_map(&results);
    let want: Vec<_> = (0..workers).map(|i| (i, i * i)).collect();
    expect_contents(&results, "the results", &want);
}

fn buggy() {
    run(SMALL, false);
}

fn fixed() {
    run(SMALL, true);
}

fn buggy_go() {
    run(GO, false);
}

fn fixed_go() {
    run(GO, true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "e1-defer-at-exit",
        description: "goroutines write a shared map in a function deferred to their exit",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::WRONG],
        }),
        expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED, kinds::WRONG],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
