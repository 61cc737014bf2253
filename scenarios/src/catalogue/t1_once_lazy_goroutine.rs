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
//! At Go size the warmer loads 100 keys (`user:0`...), so the map grows from B = 0 to B = 4
//! under the readers, and three client connections, each served by its own goroutine as
//! `net/http` serves a connection's requests in turn, send 20 requests each (four goroutines
//! besides main, within loom's limit).
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
//! At Go size the same three kinds appear (`concurrent map read and map write` in nearly
//! every execution), plus `data-race` where the requests' lookups and the warmer's writes
//! happen not to overlap in a checked window. The warmer is the only writer, so no schedule
//! gives `concurrent map writes`, `bad map state` or a corrupted map: reads never write the
//! map (not even to evacuate), so its internals only ever see one writer's steps.
//!
//! # The fix
//!
//! Finish every write inside `Do`: fill the map synchronously in the `Once` function. After
//! `Do` returns the map is only read, and concurrent reads are safe. (Guarding the map with a
//! mutex would work too, at the cost of a lock per request.)

use super::common::{
    check_map, expect, expect_contents, kinds, nil_dereference, static_names, unmutated, GoSized,
    Pair, Sizes, Var, GO, SMALL,
};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Once, WaitGroup};
use crate::{Scenario, Unmutated};
use maprace_maps::GoMap;
use std::sync::OnceLock;

type Cache = GoMap<&'static str, u64>;

const KEYS: [&str; 3] = ["a", "b", "c"];

/// Go size: the keys the warmer loads.
fn go_keys() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    static_names(&NAMES, "user:", GO.keys)
}

/// `load(k)`: the slow source the cache fronts.
fn load(k: &str) -> u64 {
    k.len() as u64 * 100 + k.bytes().map(u64::from).sum::<u64>()
}

/// The keys the warmer loads, and the keys each request goroutine looks up in turn.
struct Shape {
    warm: &'static [&'static str],
    requests: Vec<Vec<&'static str>>,
}

impl Shape {
    fn of(size: Sizes) -> Shape {
        if size == SMALL {
            return Shape {
                warm: &KEYS,
                requests: vec![KEYS[..2].to_vec(), KEYS[2..].to_vec()],
            };
        }
        // Three client connections, each served by its own goroutine (net/http serves a
        // connection's requests in turn on one goroutine), spread over the warm keys.
        let warm = go_keys();
        let requests = (0..CONNECTIONS)
            .map(|c| {
                (0..size.requests)
                    .map(|r| warm[(c * 37 + r * 11) % warm.len()])
                    .collect()
            })
            .collect();
        Shape { warm, requests }
    }
}

/// Request goroutines at Go size: with the warmer, four goroutines besides main (loom's
/// limit).
const CONNECTIONS: usize = 3;

/// The package state: `once`, `cache`, the keys `Do`'s function loads, and (test
/// instrumentation, not in the Go program) a wait group the background warmer reports to, so
/// the test can check the map once it is quiescent.
struct Package {
    once: Once,
    cache: Var<Option<Arc<Cache>>>,
    keys: &'static [&'static str],
    background: WaitGroup,
}

impl Package {
    fn new(keys: &'static [&'static str]) -> Arc<Self> {
        Arc::new(Package {
            once: Once::new(),
            cache: Var::new(None),
            keys,
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

fn run(size: Sizes, get_cache: fn(&Arc<Package>) -> Arc<Cache>) {
    let shape = Shape::of(size);
    let pkg = Package::new(shape.warm);
    let requests: Vec<_> = shape
        .requests
        .into_iter()
        .map(|keys| {
            let pkg = Arc::clone(&pkg);
            go("request", move || {
                for k in keys {
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
    let mut want: Vec<_> = shape.warm.iter().map(|&k| (k, load(k))).collect();
    want.sort();
    expect_contents(&cache, "the warm cache", &want);
}

fn buggy_get_cache(pkg: &Arc<Package>) -> Arc<Cache> {
    pkg.once.call_once(|| {
        let cache = Arc::new(Cache::new());
        pkg.cache.set(Some(Arc::clone(&cache)));
        pkg.background.add(1);
        // The goroutine is started from inside Do, but nothing makes Do wait for it.
        let pkg = Arc::clone(pkg);
        go("warmer", move || {
            for &k in pkg.keys {
                cache.assign(k, load(k));
            }
            pkg.background.done();
        });
    });
    pkg.cache()
}

fn fixed_get_cache(pkg: &Arc<Package>) -> Arc<Cache> {
    pkg.once.call_once(|| {
        let cache = Arc::new(Cache::new());
        // Every write happens before Do returns.
        for &k in pkg.keys {
            cache.assign(k, load(k));
        }
        pkg.cache.set(Some(cache));
    });
    pkg.cache()
}

fn buggy() {
    run(SMALL, buggy_get_cache);
}

fn fixed() {
    run(SMALL, fixed_get_cache);
}

fn buggy_go() {
    run(GO, buggy_get_cache);
}

fn fixed_go() {
    run(GO, fixed_get_cache);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    let pair = Pair {
        name: "t1-once-lazy-goroutine",
        description:
            "sync.Once makes a map and starts a goroutine that fills it while callers read it",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::READ_WRITE, kinds::PANIC, kinds::FAULT],
        }),
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
