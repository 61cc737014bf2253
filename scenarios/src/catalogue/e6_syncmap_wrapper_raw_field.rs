//! `e6-syncmap-wrapper-raw-field`: a type that wraps `sync.Map` for its main data but also
//! keeps a plain map field that two goroutines touch directly.
//!
//! # The Go pattern
//!
//! ```go
//! type Registry struct {
//!     items sync.Map       // safe for concurrent use
//!     stats map[string]int // "just some counters"
//! }
//!
//! func (r *Registry) Put(k string, v int) {
//!     r.items.Store(k, v)
//!     r.stats["puts"]++
//! }
//!
//! func (r *Registry) Get(k string) (int, bool) {
//!     v, ok := r.items.Load(k)
//!     r.stats["gets"]++
//!     if !ok {
//!         return 0, false
//!     }
//!     return v.(int), true
//! }
//! ```
//!
//! One goroutine puts two items, another puts one and gets one. At Go size
//! (`e6-syncmap-wrapper-raw-field.gosize`), two clients each put 100 items of their own and
//! read each back, as a registry serving a burst of requests does: 400 counter increments
//! race on the two stats entries.
//!
//! # Why it fails
//!
//! `sync.Map` makes `items` safe, and that safety is easy to read as covering the whole type.
//! It does not: `r.stats[...]++` is a plain map write (`mapassign`, then a load and a store of
//! the value). Two goroutines' increments overlap in `mapassign` (`fatal error: concurrent
//! map writes`), or, with no overlap the runtime can see, one increment is lost because both
//! loaded the old value before either stored (`wrong-result`: the counters do not add up). The
//! stats map can also end up corrupted (`map-corrupted`).
//!
//! # The fix
//!
//! Guard the plain field with a mutex (or make the counters atomics). The `sync.Map` needs no
//! change.

use super::common::{
    check_map, expect, expect_contents, kinds, static_names, GoSized, Pair, Sizes, GO,
};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::{GoMap, SyncMap};
use std::sync::OnceLock;

struct Registry {
    items: SyncMap<&'static str, u64>,
    stats: GoMap<&'static str, u64>,
    /// Used by the fixed variant only.
    mu: Mutex<()>,
    locked: bool,
}

impl Registry {
    fn count(&self, stat: &'static str) {
        let _g = self.locked.then(|| self.mu.lock());
        self.stats.update(stat, |n| n.copied().unwrap_or(0) + 1);
    }

    fn put(&self, k: &'static str, v: u64) {
        self.items.store(k, v);
        self.count("puts");
    }

    fn get(&self, k: &'static str) -> Option<u64> {
        let v = self.items.load(&k);
        self.count("gets");
        v
    }
}

fn run(locked: bool) {
    let r = Arc::new(Registry {
        items: SyncMap::new(),
        stats: GoMap::new(),
        mu: Mutex::new(()),
        locked,
    });
    let r1 = Arc::clone(&r);
    let a = go("client", move || {
        r1.put("a", 1);
        r1.put("b", 2);
    });
    let r2 = Arc::clone(&r);
    let b = go("client", move || {
        r2.put("c", 3);
        r2.get("a")
    });
    a.join();
    let got = b.join();
    expect(matches!(got, None | Some(1)), || {
        format!("Get(a) = {got:?}")
    });
    check_map(&r.stats);
    expect_contents(&r.stats, "the stats", &[("gets", 1), ("puts", 3)]);
}

fn buggy() {
    run(false);
}

fn fixed() {
    run(true);
}

/// The registry at Go size: `size.writers` clients each put `size.keys` items of their own
/// and get each one back right after putting it.
fn run_sized(locked: bool, size: Sizes) {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = static_names(&NAMES, "item", size.writers * size.keys);
    let r = Arc::new(Registry {
        items: SyncMap::new(),
        stats: GoMap::new(),
        mu: Mutex::new(()),
        locked,
    });
    let clients: Vec<_> = names
        .chunks(size.keys)
        .map(|mine| {
            let r = Arc::clone(&r);
            go("client", move || {
                for (i, &k) in mine.iter().enumerate() {
                    r.put(k, i as u64);
                    let got = r.get(k);
                    expect(got == Some(i as u64), || format!("Get({k}) = {got:?}"));
                }
            })
        })
        .collect();
    for c in clients {
        c.join();
    }
    check_map(&r.stats);
    let ops = (size.writers * size.keys) as u64;
    expect_contents(&r.stats, "the stats", &[("gets", ops), ("puts", ops)]);
}

fn buggy_go() {
    run_sized(false, GO);
}

fn fixed_go() {
    run_sized(true, GO);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "e6-syncmap-wrapper-raw-field",
        description: "a type wraps sync.Map for its data but keeps a plain stats map that goroutines update directly",
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
