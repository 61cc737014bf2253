//! `t1-once-lazy-goroutine`: lazy initialisation with `sync.Once` whose function makes the map
//! and starts a goroutine that fills it.
//!
//! # The Go pattern
//!
//! ```go
//! type entry struct{ value int }
//!
//! var (
//!     once  sync.Once
//!     cache map[string]*entry
//! )
//!
//! func getCache() map[string]*entry {
//!     once.Do(func() {
//!         cache = make(map[string]*entry)
//!         go func() { // warm the cache in the background, so startup stays fast
//!             for _, k := range []string{"a", "b", "c"} {
//!                 cache[k] = &entry{value: load(k)}
//!             }
//!         }()
//!     })
//!     return cache
//! }
//!
//! func handle(k string) int {
//!     if e, ok := getCache()[k]; ok {
//!         return e.value
//!     }
//!     return load(k) // not warm yet: fall back to the source
//! }
//! ```
//!
//! Two request goroutines call `handle` ("a" and "b"; "c") while the cache warms up.
//!
//! # Why it fails
//!
//! `sync.Once` itself is race-free, whatever the seed article suggests: every caller of `Do`
//! waits until the function has returned and then sees the map it made (the model's
//! [`Once`] follows Go's implementation, mutex and all). What `Do` does
//! not cover is the goroutine the function started: its writes go on after `Do` has returned,
//! concurrently with the callers' reads. Two outcomes:
//!
//! - a read enters `mapaccess` while the warmer is inside `mapassign` (the `hashWriting` bit
//!   is set): `fatal error: concurrent map read and map write`;
//! - a read finds a key whose cell the warmer has just filled but whose value it has not
//!   stored yet (Go stores the value after `mapassign` returns, outside the flag window): the
//!   lookup gives `ok == true` and a nil `*entry`, and `e.value` panics with a nil pointer
//!   dereference. No runtime check can see this one.
//!
//! Reads of the map while it is still empty never check the flag (`count == 0` returns
//! early), so a caller that comes very early just falls back, silently.
//!
//! The keys are strings: `mapassign_faststr` stores a new cell's tophash, then the key's
//! length, then its data pointer (map_faststr.go 283-289). A lookup that passed its check
//! before the writer set the flag and compares a key of the same length with the half-written
//! one calls `memequal` on the nil pointer: `panic: runtime error: invalid memory address or
//! nil pointer dereference [signal SIGSEGV ...]` inside the runtime (kind `fault`).
//!
//! # The fix
//!
//! Finish every write inside `Do`: fill the map synchronously in the `Once` function. After
//! `Do` returns the map is only read, and concurrent reads are safe. (Guarding the map with a
//! mutex would work too, at the cost of a lock per request.)

use super::common::{
    check_map, expect, expect_contents, kinds, nil_dereference, unmutated, Pair, Var,
};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Once, WaitGroup};
use crate::{Scenario, Unmutated};
use maprace_maps::GoMap;

type Cache = GoMap<&'static str, u64>;

const KEYS: [&str; 3] = ["a", "b", "c"];

/// `load(k)`: the slow source the cache fronts.
fn load(k: &str) -> u64 {
    k.len() as u64 * 100 + u64::from(k.as_bytes()[0])
}

/// The package state: `once`, `cache`, and (test instrumentation, not in the Go program) a
/// wait group the background warmer reports to, so the test can check the map once it is
/// quiescent.
struct Package {
    once: Once,
    cache: Var<Option<Arc<Cache>>>,
    background: WaitGroup,
}

impl Package {
    fn new() -> Arc<Self> {
        Arc::new(Package {
            once: Once::new(),
            cache: Var::new(None),
            background: WaitGroup::new(),
        })
    }

    fn cache(&self) -> Arc<Cache> {
        self.cache.get().expect("getCache returns the map Do made")
    }

    /// `handle(k)` over whatever `getCache` gives.
    fn handle(&self, cache: &Cache, k: &'static str) -> u64 {
        match cache.get2(&k) {
            (Some(value), true) => value,
            // ok == true with a nil *entry: the warmer's value store has not happened yet.
            (None, true) => nil_dereference(),
            _ => load(k),
        }
    }
}

fn run(pkg: Arc<Package>, get_cache: fn(&Arc<Package>) -> Arc<Cache>) {
    let requests: Vec<_> = [&KEYS[..2], &KEYS[2..]]
        .into_iter()
        .map(|keys| {
            let pkg = Arc::clone(&pkg);
            go("request", move || {
                for &k in keys {
                    let v = pkg.handle(&get_cache(&pkg), k);
                    expect(v == load(k), || format!("handle({k}) = {v}"));
                }
            })
        })
        .collect();
    for r in requests {
        r.join();
    }
    pkg.background.wait();
    let cache = pkg.cache();
    check_map(&cache);
    let want: Vec<_> = KEYS.iter().map(|&k| (k, load(k))).collect();
    expect_contents(&cache, "the warm cache", &want);
}

fn buggy() {
    fn get_cache(pkg: &Arc<Package>) -> Arc<Cache> {
        pkg.once.call_once(|| {
            let cache = Arc::new(Cache::new());
            pkg.cache.set(Some(Arc::clone(&cache)));
            pkg.background.add(1);
            // The goroutine is started from inside Do, but nothing makes Do wait for it.
            let pkg = Arc::clone(pkg);
            go("warmer", move || {
                for k in KEYS {
                    cache.assign(k, load(k));
                }
                pkg.background.done();
            });
        });
        pkg.cache()
    }
    run(Package::new(), get_cache);
}

fn fixed() {
    fn get_cache(pkg: &Arc<Package>) -> Arc<Cache> {
        pkg.once.call_once(|| {
            let cache = Arc::new(Cache::new());
            // Every write happens before Do returns.
            for k in KEYS {
                cache.assign(k, load(k));
            }
            pkg.cache.set(Some(cache));
        });
        pkg.cache()
    }
    run(Package::new(), get_cache);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    let pair = Pair {
        name: "t1-once-lazy-goroutine",
        description:
            "sync.Once makes a map and starts a goroutine that fills it while callers read it",
        buggy,
        fixed,
        go_size: None,
        expected_kinds: &[kinds::RACE, kinds::READ_WRITE, kinds::PANIC, kinds::FAULT],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios();
    unmutated(
        pair,
        &[
            Unmutated {
                object: "waitgroup#0",
                why: "test instrumentation for the buggy variant's warmer: the fix starts no goroutine, so Wait finds the counter at zero and orders nothing",
            },
        ],
    )
}
