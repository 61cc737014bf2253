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
//!             m[w*stride+i] = i // stride 10 (1000 at Go size): no key shared
//!         }
//!     }(w)
//! }
//! wg.Wait()
//! ```
//!
//! Three keys per writer at the default size; 100 at Go size (the map grows from B = 0 to
//! B = 5 under the two writers).
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
//! Where both writers slip past the checks, `count++` is a plain load and store (map.go 682)
//! and the first bucket's allocation a separate check and store (603-605): an insert or an
//! increment of `count` can be lost with the map's internals still consistent, and the final
//! check reports the missing key (`wrong-result`).
//!
//! At Go size the map grows five times under the two writers, and writers that slipped past
//! the checks meet inside `growWork`: both evacuate one old bucket (`fatal error: bad map
//! state`), or one loads through `oldbuckets` the other just set to nil (`fault`).
//!
//! # The fix
//!
//! A mutex around every write.

use super::common::{check_map, expect_contents, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;

fn run(size: Sizes, locked: bool) {
    let per_writer = size.pick(3, GO.keys) as u64;
    let stride = size.pick(10, 1000) as u64;
    let m = Arc::new(GoMap::<u64, u64>::new());
    let mu = Arc::new(Mutex::new(()));
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
            go("writer", move || {
                for i in 0..per_writer {
                    let _g = locked.then(|| mu.lock());
                    m.assign(w * stride + i, i);
                }
            })
        })
        .collect();
    for w in writers {
        w.join();
    }
    check_map(&m);
    let want: Vec<_> = (0..2u64)
        .flat_map(|w| (0..per_writer).map(move |i| (w * stride + i, i)))
        .collect();
    expect_contents(&m, "the map", &want);
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
        name: "e2-two-writers",
        description: "the minimal reproduction: two goroutines assigning to one map in loops",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[
                kinds::RACE,
                kinds::WRITES,
                kinds::CORRUPTED,
                kinds::WRONG,
                kinds::BAD_MAP_STATE,
                kinds::FAULT,
            ],
        }),
        expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED, kinds::WRONG],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
