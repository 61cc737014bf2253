//! `e2-two-writers`: the minimal reproduction, two goroutines assigning in loops.
//!
//! # The Go pattern
//!
//! ```go
//! m := make(map[int]int)
//! var wg sync.WaitGroup
//! for w := 0; w < 2; w++ {
//!     wg.Add(1)
//!     go func(w int) {
//!         defer wg.Done()
//!         for i := 0; i < 3; i++ {
//!             m[w*10+i] = i
//!         }
//!     }(w)
//! }
//! wg.Wait()
//! ```
//!
//! # Why it fails
//!
//! Each `m[k] = v` is a `mapassign`: check `hashWriting` (fatal if set), toggle it on, insert,
//! check it is still on (fatal if not), clear it. When the two goroutines' windows overlap,
//! the second to enter sees the bit set, or the first to leave finds it cleared by the other's
//! toggle: `fatal error: concurrent map writes`. The check is best effort (the toggle is a
//! plain load and store): when both slip through, the same empty cell can be claimed twice or
//! `count` can go wrong, which the invariant checker run at the end catches (`map-corrupted`)
//! before the contents check would.
//!
//! # The fix
//!
//! A mutex around every write.

use super::common::{check_map, expect_contents, kinds, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;

const PER_WRITER: u64 = 3;

fn run(locked: bool) {
    let m = Arc::new(GoMap::<u64, u64>::new());
    let mu = Arc::new(Mutex::new(()));
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
            go("writer", move || {
                for i in 0..PER_WRITER {
                    let _g = locked.then(|| mu.lock());
                    m.assign(w * 10 + i, i);
                }
            })
        })
        .collect();
    for w in writers {
        w.join();
    }
    check_map(&m);
    let want: Vec<_> = (0..2u64)
        .flat_map(|w| (0..PER_WRITER).map(move |i| (w * 10 + i, i)))
        .collect();
    expect_contents(&m, "the map", &want);
}

fn buggy() {
    run(false);
}

fn fixed() {
    run(true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "e2-two-writers",
        description: "the minimal reproduction: two goroutines assigning to one map in loops",
        buggy,
        fixed,
        expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
