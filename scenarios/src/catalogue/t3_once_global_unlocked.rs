//! `t3-once-global-unlocked`: `once.Do` builds a global registry map and an accessor returns
//! the map itself; callers register new entries through it with no lock while others look
//! entries up and dump the registry.
//!
//! # The Go pattern
//!
//! ```go
//! var (
//!     regOnce  sync.Once
//!     registry map[string]string
//! )
//!
//! func Registry() map[string]string {
//!     regOnce.Do(func() {
//!         registry = map[string]string{"timeout": "1s", "endpoint": "a"}
//!     })
//!     return registry // the map itself, not a copy
//! }
//!
//! func Register(name, addr string) { Registry()[name] = addr } // a NEW key, no lock
//!
//! func Lookup(name string) string { return Registry()[name] }
//!
//! func Dump() (out []string) {
//!     for k, v := range Registry() {
//!         out = append(out, k+"="+v)
//!     }
//!     return out
//! }
//!
//! func main() {
//!     var wg sync.WaitGroup
//!     for w := 0; w < 2; w++ { // plugins registering themselves
//!         wg.Add(1)
//!         go func(w int) {
//!             defer wg.Done()
//!             for i := 0; i < n; i++ {
//!                 Register(fmt.Sprintf("svc-%d-%d", w, i), "addr")
//!             }
//!         }(w)
//!     }
//!     wg.Add(1)
//!     go func() { // a request handler
//!         defer wg.Done()
//!         _ = Lookup("timeout")
//!         _ = Dump()
//!     }()
//!     wg.Wait()
//! }
//! ```
//!
//! `n` is 1 at the default size and 100 at Go size (the registry then grows from B = 0 to
//! B = 5, and the writers meet inside `growWork` and `evacuate`).
//!
//! # Why it fails
//!
//! The seed article blames the `sync.Once` initialisation. That claim is wrong: `Do` makes
//! every concurrent caller wait until `f` has **returned** (its slow path holds a mutex while
//! `f` runs, `sync/once.go`), so every caller sees the finished map, and the model follows
//! Go's `Once` exactly. The init-only control below (callers that only read the defaults)
//! never fails. The bug is that `Registry()` hands out the one shared map and callers *write*
//! to it with no lock:
//!
//! - two `Register`s inside `mapassign` at once: `fatal error: concurrent map writes` (the
//!   main real failure);
//! - `Lookup` enters `mapaccess` while a `Register` is inside `mapassign`: `fatal error:
//!   concurrent map read and map write`;
//! - `Dump`'s `range` calls `mapiternext` (which checks the bit at every step) while a
//!   `Register` writes: `fatal error: concurrent map iteration and map write`;
//! - both writers slip past the check and insert into the same free cell, or both count the
//!   map's `count` from the same stale value: a key is lost, or `count` disagrees with the
//!   cells, which the invariant checker at the end reports (`map-corrupted`), or the final
//!   registry misses an entry (`wrong-result`).
//!
//! # The fix
//!
//! Guard the registry with a `sync.RWMutex`: `Register` takes the write lock, `Lookup` and
//! `Dump` the read lock.

use super::common::{check_map, expect, kinds, unmutated, GoSized, Pair, Sizes, Var, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Once, RWMutex};
use crate::{Scenario, Unmutated};
use maprace_harness::sync::RwLockReadGuard;
use maprace_maps::GoMap;

type Registry = GoMap<String, &'static str>;

const DEFAULTS: [(&str, &str); 2] = [("endpoint", "a"), ("timeout", "1s")];

fn initial() -> Registry {
    let m = Registry::new();
    for (k, v) in DEFAULTS {
        m.assign(k.to_string(), v);
    }
    m
}

/// The package: the `Once`, the registry variable, and (in the fix) its lock.
struct Pkg {
    once: Once,
    registry: Var<Option<Arc<Registry>>>,
    mu: Option<RWMutex<()>>,
}

impl Pkg {
    fn new(locked: bool) -> Self {
        Pkg {
            once: Once::new(),
            registry: Var::new(None),
            mu: locked.then(|| RWMutex::new(())),
        }
    }

    fn registry(&self) -> Arc<Registry> {
        self.once
            .call_once(|| self.registry.set(Some(Arc::new(initial()))));
        self.registry.get().expect("Do has built the map")
    }

    fn read_lock(&self) -> Option<RwLockReadGuard<'_, ()>> {
        self.mu.as_ref().map(|m| m.read())
    }

    fn register(&self, name: String) {
        let _g = self.mu.as_ref().map(|m| m.write());
        self.registry().assign(name, "addr");
    }

    fn lookup(&self, name: &str) -> Option<&'static str> {
        let _g = self.read_lock();
        self.registry().get(&name.to_string())
    }

    fn dump(&self) -> Vec<String> {
        let _g = self.read_lock();
        let mut out = Vec::new();
        self.registry().range(|k, v| {
            out.push(format!("{k}={v}"));
            true
        });
        out
    }
}

fn service(w: usize, i: usize) -> String {
    format!("svc-{w}-{i}")
}

/// The program: the writers, a lookup and a dump, then the final checks.
fn run(size: Sizes, locked: bool) {
    // One key per writer at the default size keeps the fix's bounded DFS exhaustive.
    let size = if size == SMALL {
        Sizes { keys: 1, ..size }
    } else {
        size
    };
    let pkg = Arc::new(Pkg::new(locked));
    let mut goroutines = Vec::new();
    for w in 0..size.writers {
        let p = Arc::clone(&pkg);
        goroutines.push(go(format!("register{w}"), move || {
            for i in 0..size.keys {
                p.register(service(w, i));
            }
        }));
    }
    let p = Arc::clone(&pkg);
    goroutines.push(go("handler", move || {
        let v = p.lookup("timeout");
        expect(v == Some("1s"), || format!("timeout = {v:?}"));
        let _ = p.dump();
    }));
    for g in goroutines {
        g.join();
    }
    let registry = pkg.registry();
    check_map(&registry);
    let want = DEFAULTS.len() + size.writers * size.keys;
    let got = registry.len();
    expect(got == want, || {
        format!("the registry holds {got} entries, want {want}")
    });
    for w in 0..size.writers {
        for i in 0..size.keys {
            let name = service(w, i);
            let found = registry.get(&name);
            expect(found == Some("addr"), || format!("{name} = {found:?}"));
        }
    }
}

/// The control: callers only read the defaults through `Registry()`, concurrently with its
/// first call. `once.Do` makes that safe (no exploration finds a failure), which is what the
/// seed article gets wrong.
pub fn init_only_control() {
    let pkg = Arc::new(Pkg::new(false));
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let p = Arc::clone(&pkg);
            go(format!("reader{r}"), move || {
                let v = p.lookup("timeout");
                expect(v == Some("1s"), || format!("timeout = {v:?}"));
                let n = p.dump().len();
                expect(n == DEFAULTS.len(), || format!("dump has {n} entries"));
            })
        })
        .collect();
    for r in readers {
        r.join();
    }
    check_map(&pkg.registry());
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
    let pair = Pair {
        name: "t3-once-global-unlocked",
        description: "once.Do builds a global registry map that an accessor hands out; two callers register new keys through it unlocked while others look up and range",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::READ_WRITE, kinds::ITER_WRITE, kinds::CORRUPTED, kinds::WRONG, kinds::FAULT, kinds::BAD_MAP_STATE],
        }),
        expected_kinds: &[
            kinds::RACE,
            kinds::WRITES,
            kinds::READ_WRITE,
            kinds::ITER_WRITE,
            kinds::CORRUPTED,
            kinds::WRONG,
        ],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios();
    unmutated(
        pair,
        &[
            Unmutated {
                object: "once#0",
                why: "in the fix every Registry() call runs under mu (a writer's lock or the one reader's), which already orders and excludes the Do; the once matters in the buggy variant and the init-only control",
            },
        ],
    )
}
