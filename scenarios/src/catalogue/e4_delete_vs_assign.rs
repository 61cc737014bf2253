//! `e4-delete-vs-assign`: one goroutine deletes while another assigns.
//!
//! # The Go pattern
//!
//! ```go
//! m := map[int]int{0: 0, 1: 1, 2: 2}
//! go func() { // janitor
//!     for k := 0; k < 3; k++ {
//!         delete(m, k)
//!     }
//! }()
//! go func() { // writer
//!     for k := 10; k < 13; k++ { // 1000..1100 at Go size
//!         m[k] = k
//!     }
//! }()
//! ```
//!
//! Three deletes against three inserts at the default size; 100 each at Go size.
//!
//! # Why it fails
//!
//! `delete` is a writer just like an assignment: `mapdelete` checks, toggles and re-checks the
//! same `hashWriting` bit, so an overlapping delete and assign end in `fatal error:
//! concurrent map writes`. One subtlety of Go's order: `mapdelete` returns early, before any
//! check, when the map is empty (`count == 0`), so a janitor running on an emptied map is
//! never caught; here the map starts full. When both slip past the check, `count` goes out of
//! step with the cells or an entry is lost, which the invariant checker reports
//! (`map-corrupted`).
//!
//! # The fix
//!
//! A mutex around every delete and assign.

use super::common::{check_map, expect_contents, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;

fn run(size: Sizes, locked: bool) {
    let n = size.pick(3, GO.keys) as u64;
    let first_new = size.pick(10, 1000) as u64;
    let m = Arc::new(GoMap::<u64, u64>::new());
    for k in 0..n {
        m.assign(k, k);
    }
    let mu = Arc::new(Mutex::new(()));
    let (mj, muj) = (Arc::clone(&m), Arc::clone(&mu));
    let janitor = go("janitor", move || {
        for k in 0..n {
            let _g = locked.then(|| muj.lock());
            mj.delete(&k);
        }
    });
    let (mw, muw) = (Arc::clone(&m), Arc::clone(&mu));
    let writer = go("writer", move || {
        for k in first_new..first_new + n {
            let _g = locked.then(|| muw.lock());
            mw.assign(k, k);
        }
    });
    janitor.join();
    writer.join();
    check_map(&m);
    let want: Vec<_> = (first_new..first_new + n).map(|k| (k, k)).collect();
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
        name: "e4-delete-vs-assign",
        description: "one goroutine deletes keys while another assigns new ones",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[
                kinds::RACE,
                kinds::WRITES,
                kinds::CORRUPTED,
                kinds::FAULT,
                kinds::BAD_MAP_STATE,
            ],
        }),
        expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
