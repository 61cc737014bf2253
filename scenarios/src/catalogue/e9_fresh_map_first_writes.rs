//! `e9-fresh-map-first-writes`: two goroutines' first writes into a freshly made map, whose
//! buckets are not allocated yet.
//!
//! # The Go pattern
//!
//! ```go
//! m := make(map[string]int) // B = 0: no bucket yet
//! var wg sync.WaitGroup
//! for _, k := range []string{"x", "y"} {
//!     wg.Add(1)
//!     go func(k string) {
//!         defer wg.Done()
//!         m[k] = 1
//!     }(k)
//! }
//! wg.Wait()
//! // want len(m) == 2
//! ```
//!
//! # Why it fails
//!
//! `make(map)` with no size hint allocates no bucket: the first `mapassign` does, after it has
//! set `hashWriting` (`if h.buckets == nil { h.buckets = newobject(t.bucket) }`). In Go both
//! first writers can find `buckets == nil` and each allocate one, and the insert that went
//! into the bucket that was replaced vanishes. The model allocates in the same step as the
//! flag toggle (so that particular interleaving is not among its schedules), but the same
//! outcome comes from the next window: both writers scan the one new bucket, both pick its
//! first empty cell, and the second overwrites the first's key. `count` says 2 while one key
//! is gone, which the invariant checker reports (`map-corrupted`) before the contents check
//! would. When the windows overlap visibly, the runtime's check fires first: `fatal error:
//! concurrent map writes`.
//!
//! Where both writers slip past the checks, `count++` is a plain load and store (map.go 682)
//! and the first bucket's allocation a separate check and store (603-605): an insert or an
//! increment of `count` can be lost with the map's internals still consistent, and the final
//! check reports the missing key (`wrong-result`).
//!
//! # The fix
//!
//! A mutex around the writes. (Making the map with a size hint allocates the buckets up
//! front, which removes the allocation step but not the race.)

use super::common::{check_map, expect_contents, kinds, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;

const KEYS: [&str; 2] = ["x", "y"];

fn run(locked: bool) {
    let m = Arc::new(GoMap::<&'static str, u64>::new());
    let mu = Arc::new(Mutex::new(()));
    let writers: Vec<_> = KEYS
        .into_iter()
        .map(|k| {
            let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
            go("writer", move || {
                let _g = locked.then(|| mu.lock());
                m.assign(k, 1);
            })
        })
        .collect();
    for w in writers {
        w.join();
    }
    check_map(&m);
    expect_contents(&m, "the map", &[("x", 1), ("y", 1)]);
}

fn buggy() {
    run(false);
}

fn fixed() {
    run(true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "e9-fresh-map-first-writes",
        description:
            "two goroutines' first writes into a freshly made map, before its buckets exist",
        buggy,
        fixed,
        go_size: None,
        expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED, kinds::WRONG],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
