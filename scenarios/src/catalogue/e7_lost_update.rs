//! `e7-lost-update`: two goroutines do `m[k]++` on an existing key.
//!
//! # The Go pattern
//!
//! ```go
//! m := map[string]int{"hits": 0}
//! var wg sync.WaitGroup
//! for g := 0; g < 2; g++ {
//!     wg.Add(1)
//!     go func() {
//!         defer wg.Done()
//!         m["hits"]++
//!     }()
//! }
//! wg.Wait()
//! // want m["hits"] == 2
//! ```
//!
//! Two counters at the default size; 20 at Go size.
//!
//! # Why it fails
//!
//! `m["hits"]++` compiles to `mapassign` (which finds the existing key and returns a pointer
//! to its value) followed by a plain load, add and store through that pointer, after
//! `mapassign` has already cleared `hashWriting`. The runtime checks only cover `mapassign`
//! itself: when both goroutines' `mapassign` calls happen to overlap, one fatals with
//! `concurrent map writes`; but in the schedules where they do not, both can load 0 and
//! both store 1, and nothing notices. Only the final-state check catches that lost increment
//! (`wrong-result`). (Under `-race` the compiler rewrites the statement to
//! `m[k] = m[k] + 1`, which adds a read check; a normal build, modelled here, has none.)
//!
//! # The fix
//!
//! A mutex around the increment (or an atomic counter instead of a map value).

use super::common::{check_map, expect, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;

fn run(size: Sizes, locked: bool) {
    let counters = size.pick(2, GO.requests);
    let m = Arc::new(GoMap::<&'static str, u64>::new());
    m.assign("hits", 0);
    let mu = Arc::new(Mutex::new(()));
    let gs: Vec<_> = (0..counters)
        .map(|_| {
            let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
            go("counter", move || {
                let _g = locked.then(|| mu.lock());
                m.update("hits", |n| n.copied().unwrap_or(0) + 1);
            })
        })
        .collect();
    for g in gs {
        g.join();
    }
    check_map(&m);
    let hits = m.get(&"hits");
    expect(hits == Some(counters as u64), || {
        format!("m[\"hits\"] = {hits:?} after {counters} increments")
    });
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
        name: "e7-lost-update",
        description: "two goroutines increment one existing key: the lost update escapes the runtime's checks",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::WRONG],
        }),
        expected_kinds: &[kinds::RACE, kinds::WRONG, kinds::WRITES],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    // The corpus pins the lost update, the failure this scenario is about: exploration often
    // meets the runtime's `concurrent map writes` first.
    .scenarios_pinning(kinds::WRONG)
}
