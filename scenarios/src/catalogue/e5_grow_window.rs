//! `e5-grow-window`: a map pre-filled to just below a grow threshold, so the racing inserts
//! trigger `hashGrow` and incremental evacuation.
//!
//! # The Go pattern
//!
//! ```go
//! m := make(map[int]int)
//! for i := 0; i < 26; i++ { // B = 2 holds at most 26 entries (6.5 per bucket)
//!     m[i] = i
//! }
//! for w := 0; w < 2; w++ {
//!     go func(w int) {
//!         for i := 0; i < 2; i++ {
//!             m[100+w*10+i] = i // insert #27 starts growing to B = 3
//!         }
//!     }(w)
//! }
//! ```
//!
//! 26 prefilled keys (B = 2, one below the grow) and two inserts per writer at the default
//! size; at Go size 52 prefilled keys (B = 3) and eight inserts per writer: the B = 3 -> 4 grow
//! and its eight old buckets.
//!
//! # Why it fails
//!
//! Insert #27 goes over the load factor: `mapassign` calls `hashGrow`, which allocates 8 new
//! buckets and keeps the 4 old ones as `oldbuckets`, moving no data; from then on every assign
//! (the one that started the grow included) calls `growWork`, evacuating at most two old
//! buckets, until `nevacuate` reaches the old size. All of it happens inside the writer's
//! `hashWriting` window, which is therefore much longer than an ordinary insert's: the other
//! writer's entry or exit check fires (`fatal error: concurrent map writes`) in more
//! schedules. When both writers get past the checks anyway, they can evacuate the same bucket
//! twice, insert into a bucket being evacuated, or lose the `nevacuate` update. Then:
//!
//! - the invariant checker finds keys lost, duplicated or misplaced (`map-corrupted`), or a
//!   key is missing in a map whose internals still look consistent (`wrong-result`);
//! - a writer about to evacuate finds `oldbuckets` already nil, because the other writer has
//!   just finished the grow: a nil pointer dereference inside the runtime (`panic: runtime
//!   error: invalid memory address or nil pointer dereference [signal SIGSEGV ...]`, kind
//!   `fault`);
//! - both writers pass `evacuate`'s `evacuated(b)` check on the same old bucket; the later one
//!   meets the marks the earlier one wrote and the runtime throws `fatal error: bad map
//!   state` (map.go 1185);
//! - a second `hashGrow` starts while the first's old overflow buckets are still held, and
//!   the runtime throws `fatal error: oldoverflow is not nil`, one of the map's internal
//!   consistency throws that only corruption can reach.
//!
//! Pre-sizing the map (`make(map[int]int, 64)`) would remove the grow, and with it the long
//! window, but not the race: the inserts would still toggle and check `hashWriting`, and
//! still fatal when they overlap. Only synchronisation fixes it.
//!
//! # The fix
//!
//! A mutex around every insert.

use super::common::{check_map, expect_contents, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;

fn run(size: Sizes, locked: bool) {
    let prefilled = size.pick(26, 52) as u64;
    let per_writer = size.pick(2, 8) as u64;
    let m = Arc::new(GoMap::<u64, u64>::new());
    for i in 0..prefilled {
        m.assign(i, i);
    }
    let mu = Arc::new(Mutex::new(()));
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
            go("writer", move || {
                for i in 0..per_writer {
                    let _g = locked.then(|| mu.lock());
                    m.assign(100 + w * 10 + i, i);
                }
            })
        })
        .collect();
    for w in writers {
        w.join();
    }
    check_map(&m);
    let mut want: Vec<_> = (0..prefilled).map(|i| (i, i)).collect();
    want.extend((0..2u64).flat_map(|w| (0..per_writer).map(move |i| (100 + w * 10 + i, i))));
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
        name: "e5-grow-window",
        description: "racing inserts into a map just below its grow threshold trigger hashGrow and incremental evacuation",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED, kinds::FAULT, kinds::BAD_MAP_STATE, kinds::OLDOVERFLOW],
        }),
        expected_kinds: &[
            kinds::RACE,
            kinds::WRITES,
            kinds::CORRUPTED,
            kinds::WRONG,
            kinds::FAULT,
            kinds::BAD_MAP_STATE,
            kinds::OLDOVERFLOW,
        ],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
