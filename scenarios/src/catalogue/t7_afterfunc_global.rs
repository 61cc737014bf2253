//! `t7-afterfunc-global`: a test arms `time.AfterFunc` whose callback updates a global map
//! (and rotates a session in a `sync.Map`) while the test goroutine keeps using the map and a
//! reporter goroutine ranges over the sessions.
//!
//! # The Go pattern
//!
//! ```go
//! var (
//!     cache    = map[string]int{}
//!     sessions sync.Map // session id -> state
//! )
//!
//! func TestExpiry(t *testing.T) {
//!     cache["session"] = 1
//!     sessions.Store("s1", live)
//!     done := make(chan struct{})
//!     time.AfterFunc(5*time.Millisecond, func() { // expire the session
//!         sessions.Store("s2", live)    // rotate: the new session first,
//!         sessions.Store("s1", expired) // then retire the old one
//!         delete(cache, "session")
//!         cache["expired"] = 1
//!         close(done)
//!     })
//!     go func() { // a metrics reporter
//!         active := 0
//!         sessions.Range(func(k, v any) bool {
//!             if v == expired {
//!                 sessions.Delete(k)
//!             } else {
//!                 active++
//!             }
//!             return true
//!         })
//!         if active == 0 { t.Error("no active session") } // there always is one
//!     }()
//!     for i := 0; i < n; i++ {
//!         cache[fmt.Sprintf("k%d", i)] = i
//!         _ = cache["session"]
//!     }
//!     <-done
//! }
//! ```
//!
//! Time is virtual (see [`Clock`]): the timer fires when the scheduler runs the clock,
//! anywhere between the test's steps. `n` is 2 at the default size, 100 at Go size.
//!
//! # Why it fails
//!
//! The callback runs in its own goroutine, and nothing orders it with the test goroutine:
//!
//! - its `delete` and assignment race with the test's lookups (`fatal error: concurrent map
//!   read and map write`) and assignments (`concurrent map writes`), or corrupt the map
//!   silently (`map-corrupted`, or a lost key: `wrong-result`);
//! - the `sync.Map` flavour never crashes: every `sync.Map` operation is safe. But `Range` is
//!   not a snapshot. The reporter can take the map's read-only view before the callback
//!   stores `s2`, then load `s1`'s entry after the callback retired it, and count no active
//!   session, though at every instant one existed (`wrong-result`).
//!
//! The keys are strings: `mapassign_faststr` stores a new cell's tophash, then the key's
//! length, then its data pointer (map_faststr.go 283-289). A lookup that passed its check
//! before the writer set the flag and compares a key of the same length with the half-written
//! one calls `memequal` on the nil pointer: `panic: runtime error: invalid memory address or
//! nil pointer dereference [signal SIGSEGV ...]` inside the runtime (kind `fault`).
//!
//! At Go size the races also reach `bad-map-state` (the test's assignment and the callback's
//! both evacuating one old bucket) and, rarely, a hang (`hang`): the callback's `delete` or
//! assignment races the test's insert into the one-bucket map of the first keys, and a lost
//! `count++` leaves `count` at 7 with 9 live keys, which is one bucket plus an overflow
//! bucket. The test's next new key then finds no load-factor grow due but too many overflow
//! buckets for B = 0, starts a same-size grow, finishes it (one old bucket), needs the
//! overflow bucket again, and starts the next grow: `mapassign` never returns. Go prints
//! nothing; `go test` fails at its timeout. (Before the model recognised this loop, these
//! executions ran into the step bound and were abandoned.)
//!
//! # The fix
//!
//! One mutex guards the global map and makes the rotation and the report atomic with respect
//! to each other: the callback holds it for its whole body, the reporter for its `Range`, the
//! test for each map access.
//!
//! The seed article's version also stopped the timer with an inverted condition
//! (`if timer.Stop() { <-done }`); that is a different bug (a hang, not a map race) and lives
//! in `e10-timer-stop-inverted`.

use super::common::{check_map, expect, expect_contents, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Chan, Clock, Mutex};
use crate::Scenario;
use maprace_maps::{GoMap, SyncMap};
use std::time::Duration;

type Cache = GoMap<String, u64>;

const LIVE: u8 = 1;
const EXPIRED: u8 = 2;

fn key(s: &str) -> String {
    s.to_string()
}

/// The test, with the accesses guarded by one mutex or not.
fn test(size: Sizes, fixed: bool) {
    let clock = Clock::new();
    let mu = Arc::new(Mutex::new(()));
    let cache = Arc::new(Cache::new());
    let sessions = Arc::new(SyncMap::<&'static str, u8>::new());
    cache.assign(key("session"), 1);
    sessions.store("s1", LIVE);
    let done: Chan<()> = Chan::new(0);
    let (c, s, d, m) = (
        Arc::clone(&cache),
        Arc::clone(&sessions),
        done.clone(),
        Arc::clone(&mu),
    );
    let _timer = clock.after_func("expire", Duration::from_millis(5), move || {
        let g = fixed.then(|| m.lock());
        s.store("s2", LIVE);
        s.store("s1", EXPIRED);
        c.delete(&key("session"));
        c.assign(key("expired"), 1);
        drop(g);
        d.close();
    });
    let (s, m) = (Arc::clone(&sessions), Arc::clone(&mu));
    let reporter = go("reporter", move || {
        let _g = fixed.then(|| m.lock());
        let mut active = 0;
        s.range(|k, &v| {
            if v == EXPIRED {
                s.delete(k);
            } else {
                active += 1;
            }
            true
        });
        expect(active > 0, || "the reporter saw no active session".into());
    });
    let keys = size.keys as u64;
    for i in 0..keys {
        let _g = fixed.then(|| mu.lock());
        cache.assign(format!("k{i}"), i);
        let _ = cache.get(&key("session"));
    }
    let _ = done.recv();
    reporter.join();

    check_map(&cache);
    let mut want: Vec<(String, u64)> = (0..keys).map(|i| (format!("k{i}"), i)).collect();
    want.push((key("expired"), 1));
    want.sort();
    expect_contents(&cache, "the cache", &want);
}

fn buggy() {
    test(SMALL, false);
}

fn fixed() {
    test(SMALL, true);
}

fn buggy_go() {
    test(GO, false);
}

fn fixed_go() {
    test(GO, true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t7-afterfunc-global",
        description: "a time.AfterFunc callback updates a global map while the test goroutine uses it, and rotates a sync.Map session while a reporter ranges and deletes",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[
                kinds::RACE,
                kinds::WRITES,
                kinds::READ_WRITE,
                kinds::CORRUPTED,
                kinds::WRONG,
                kinds::FAULT,
                kinds::BAD_MAP_STATE,
                kinds::HANG,
            ],
        }),
        expected_kinds: &[
            kinds::RACE,
            kinds::WRITES,
            kinds::READ_WRITE,
            kinds::CORRUPTED,
            kinds::WRONG,
            kinds::FAULT,
        ],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
