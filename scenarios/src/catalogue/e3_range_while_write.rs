//! `e3-range-while-write`: one goroutine ranges over the map while another inserts enough to
//! make it grow.
//!
//! # The Go pattern
//!
//! ```go
//! m := make(map[int]int)
//! for i := 0; i < 8; i++ { // a full bucket: B = 0, count = 8
//!     m[i] = i
//! }
//! go func() { // reporter
//!     sum := 0
//!     for _, v := range m {
//!         sum += v
//!     }
//! }()
//! go func() { // producer: insert #9 starts hashGrow
//!     for i := 8; i < 11; i++ {
//!         m[i] = i
//!     }
//! }()
//! ```
//!
//! Eight prefilled keys and three inserts at the default size; at Go size 200 prefilled keys
//! and 60 inserts (the range meets the B = 5 -> 6 grow at insert 209).
//!
//! # Why it fails
//!
//! `mapiternext` checks `hashWriting` at every step of the iteration; any step taken while the
//! producer is inside `mapassign` ends the program with `fatal error: concurrent map iteration
//! and map write`. The iterator flags that `mapiterinit` sets (`iterator`, `oldIterator`)
//! play no part in this detection; they only tell evacuation to keep old buckets intact. The
//! ninth insert starts a grow, which makes the producer's window longer, but the check fires
//! with or without it. Schedules where no step meets a write pass the check, and the sum then
//! reflects some mix of before and after: Go promises nothing about it, so the scenario
//! asserts nothing about the sum.
//!
//! `mapiterinit` itself does not check the bit, and snapshots `B` and `buckets` in two loads
//! (map.go 845-847): an iterator started inside the producer's `hashGrow`, whose first
//! `mapiternext` check comes after the producer left, walks the new `B` over the old array.
//! Go then reads past the array (the model reports the read as `map-corrupted`: a bucket index
//! outside its array) or loads through a nil `oldbuckets` (`fault`). The map itself is never
//! corrupted: the producer is its only writer. The explorations reach these at Go size (and,
//! rarely, under the portfolio at the default size).
//!
//! # The fix
//!
//! An `RWMutex`: the range holds the read lock for the whole loop, the producer takes the
//! write lock for each insert.

use super::common::{check_map, expect_contents, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, RWMutex};
use crate::Scenario;
use maprace_maps::GoMap;

fn run(size: Sizes, locked: bool) {
    let prefilled = size.pick(8, GO.iterated) as u64;
    let total = prefilled + size.pick(3, GO.ops) as u64;
    let m = Arc::new(GoMap::<u64, u64>::new());
    for i in 0..prefilled {
        m.assign(i, i);
    }
    let rw = Arc::new(RWMutex::new(()));
    let (mr, rwr) = (Arc::clone(&m), Arc::clone(&rw));
    let reporter = go("reporter", move || {
        let _g = locked.then(|| rwr.read());
        let mut sum = 0;
        mr.range(|_, v| {
            sum += v;
            true
        });
        sum
    });
    let (mp, rwp) = (Arc::clone(&m), Arc::clone(&rw));
    let producer = go("producer", move || {
        for i in prefilled..total {
            let _g = locked.then(|| rwp.write());
            mp.assign(i, i);
        }
    });
    let _sum = reporter.join();
    producer.join();
    check_map(&m);
    let want: Vec<_> = (0..total).map(|i| (i, i)).collect();
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
        name: "e3-range-while-write",
        description: "one goroutine ranges over a map while another inserts enough to make it grow",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[
                kinds::RACE,
                kinds::ITER_WRITE,
                kinds::CORRUPTED,
                kinds::FAULT,
            ],
        }),
        // The iterator's snapshot walking the new B over the old bucket array (see above):
        // `map-corrupted`, reached by portfolio at this size too.
        expected_kinds: &[kinds::RACE, kinds::ITER_WRITE, kinds::CORRUPTED],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
