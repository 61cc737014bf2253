//! `t3-once-global-unlocked`: `once.Do` builds a global config map and a getter returns the map
//! itself; a refresher updates it while requests read it.
//!
//! # The Go pattern
//!
//! ```go
//! var (
//!     cfgOnce sync.Once
//!     cfg     map[string]string
//! )
//!
//! func Config() map[string]string {
//!     cfgOnce.Do(func() {
//!         cfg = map[string]string{"timeout": "1s", "endpoint": "a"}
//!     })
//!     return cfg // the map itself, not a copy
//! }
//!
//! func refresh() { // a background refresher, later in the program's life
//!     c := Config()
//!     c["timeout"] = "2s"
//!     c["endpoint"] = "b"
//! }
//!
//! func handleA() string { return Config()["timeout"] }
//!
//! func handleB() []string { // renders the whole config
//!     var out []string
//!     for k, v := range Config() {
//!         out = append(out, k+"="+v)
//!     }
//!     return out
//! }
//! ```
//!
//! # Why it fails
//!
//! The seed article blames the `sync.Once` initialisation. That part is race-free: `Do` makes
//! every concurrent caller wait until the map is built, and the model follows Go's `Once`
//! exactly. The bug is that `Config()` hands out the one shared map, and a goroutine later
//! writes to it with no lock:
//!
//! - `handleA`'s lookup enters `mapaccess` while the refresher is inside `mapassign`:
//!   `fatal error: concurrent map read and map write`;
//! - `handleB`'s `range` calls `mapiternext` (which checks the bit at every step) while the
//!   refresher writes: `fatal error: concurrent map iteration and map write`.
//!
//! Updating an existing key still goes through `mapassign`, which sets `hashWriting` for its
//! whole scan, so "I only overwrite existing keys" does not help.
//!
//! # The fix
//!
//! Publish immutable snapshots, the `atomic.Value` pattern: `Config()` returns the current
//! map from an `atomic.Value`, which nobody ever writes again; the refresher copies it, changes
//! the copy and stores the copy. Readers see the old or the new map, never one being written.
//! (Guarding every read and write with an `RWMutex` works too; `e3-range-while-write` shows
//! that fix.)

use super::common::{check_map, expect, expect_contents, kinds, Pair, Var};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Once};
use crate::Scenario;
use maprace_maps::{AtomicValue, GoMap};

type Cfg = GoMap<&'static str, &'static str>;

fn initial() -> Cfg {
    let m = Cfg::new();
    m.assign("timeout", "1s");
    m.assign("endpoint", "a");
    m
}

const REFRESHED: [(&str, &str); 2] = [("endpoint", "b"), ("timeout", "2s")];

/// Runs the refresher and the two handlers concurrently, then checks the final config.
fn serve<P: Send + Sync + 'static>(pkg: Arc<P>, config: fn(&P) -> Arc<Cfg>, refresh: fn(&P)) {
    let p = Arc::clone(&pkg);
    let refresher = go("refresher", move || refresh(&p));
    let p = Arc::clone(&pkg);
    let a = go("handleA", move || {
        let v = config(&p).get(&"timeout");
        expect(matches!(v, Some("1s" | "2s")), || {
            format!("timeout = {v:?}")
        });
    });
    let p = Arc::clone(&pkg);
    let b = go("handleB", move || {
        let mut out = Vec::new();
        config(&p).range(|k, v| {
            out.push(format!("{k}={v}"));
            true
        });
        out
    });
    refresher.join();
    a.join();
    b.join();
    let cfg = config(&pkg);
    check_map(&cfg);
    expect_contents(&cfg, "the config", &REFRESHED);
}

struct Buggy {
    once: Once,
    cfg: Var<Option<Arc<Cfg>>>,
}

fn buggy() {
    fn config(p: &Buggy) -> Arc<Cfg> {
        p.once.call_once(|| p.cfg.set(Some(Arc::new(initial()))));
        p.cfg.get().expect("Do has built the map")
    }
    fn refresh(p: &Buggy) {
        let c = config(p);
        c.assign("timeout", "2s");
        c.assign("endpoint", "b");
    }
    let pkg = Arc::new(Buggy {
        once: Once::new(),
        cfg: Var::new(None),
    });
    serve(pkg, config, refresh);
}

struct Fixed {
    once: Once,
    /// `atomic.Value` holding a `map[string]string` nobody writes after the `Store`.
    cfg: AtomicValue<Option<Arc<Cfg>>>,
}

fn fixed() {
    fn config(p: &Fixed) -> Arc<Cfg> {
        p.once.call_once(|| p.cfg.store(Some(Arc::new(initial()))));
        (*p.cfg.load()).clone().expect("Do has stored the map")
    }
    fn refresh(p: &Fixed) {
        let old = config(p);
        let next = Cfg::new();
        old.range(|k, v| {
            next.assign(k, v);
            true
        });
        next.assign("timeout", "2s");
        next.assign("endpoint", "b");
        p.cfg.store(Some(Arc::new(next)));
    }
    let pkg = Arc::new(Fixed {
        once: Once::new(),
        cfg: AtomicValue::new(None),
    });
    serve(pkg, config, refresh);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t3-once-global-unlocked",
        description: "once.Do builds a global config map that a getter hands out; a refresher writes it while requests read and range",
        buggy,
        fixed,
        expected_kinds: &[kinds::RACE, kinds::READ_WRITE, kinds::ITER_WRITE],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
