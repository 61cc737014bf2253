//! `t7-afterfunc-global`: a test arms `time.AfterFunc` whose callback deletes and updates a
//! global map while the test goroutine keeps writing and reading it.
//!
//! # The Go pattern
//!
//! ```go
//! var cache = map[string]int{}
//!
//! func TestExpiry(t *testing.T) {
//!     cache["session"] = 1
//!     done := make(chan struct{})
//!     timer := time.AfterFunc(5*time.Millisecond, func() { // expire the session
//!         delete(cache, "session")
//!         cache["expired"] = 1
//!         close(done)
//!     })
//!     _ = cache["session"]
//!     if timer.Stop() { // meant: "if the callback runs, wait for it"
//!         <-done
//!     }
//!     for i := 0; i < 2; i++ {
//!         cache[fmt.Sprintf("k%d", i)] = i
//!         _ = cache["session"]
//!     }
//! }
//! ```
//!
//! Time is virtual (see [`Clock`]): the timer fires when the scheduler
//! runs the clock, anywhere between the test's steps, or not before `Stop`.
//!
//! # Why it fails
//!
//! The callback runs in its own goroutine, and nothing orders it with the test goroutine:
//!
//! - when the timer fires before `Stop`, the callback's `delete` and assignment race with the
//!   test's lookups (`fatal error: concurrent map read and map write`) and assignments
//!   (`concurrent map writes`), or corrupt the map silently (`map-corrupted`);
//! - when `Stop` wins, the condition is the wrong way round: `Stop` returned true because the
//!   callback will never run, so `done` is never closed and the test blocks forever. With no
//!   other goroutine left: `fatal error: all goroutines are asleep - deadlock!`.
//!
//! `Stop` reports whether it stopped the timer; it never waits for a callback that has
//! already started. The idiom is `if !timer.Stop() { <-done }`.
//!
//! # The fix
//!
//! Guard every access to the global map with a mutex (the callback's too), and stop the timer
//! with the right condition, `if !timer.Stop() { <-done }`, so the test waits for the callback
//! exactly when it has fired. The final contents then depend only on who won: expired session,
//! or untouched session.

use super::common::{check_map, expect_contents, kinds, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{Arc, Chan, Clock, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;
use std::time::Duration;

type Cache = GoMap<String, u64>;

const KEYS: u64 = 2;

fn key(s: &str) -> String {
    s.to_string()
}

/// The test, with the map accesses guarded by `mu` or not and the timer stopped with the right
/// condition or the inverted one.
fn test(fixed: bool) {
    let clock = Clock::new();
    let mu = Arc::new(Mutex::new(()));
    let cache = Arc::new(Cache::new());
    cache.assign(key("session"), 1);
    let done: Chan<()> = Chan::new(0);
    let (c, d, m) = (Arc::clone(&cache), done.clone(), Arc::clone(&mu));
    let timer = clock.after_func("expire", Duration::from_millis(5), move || {
        let g = fixed.then(|| m.lock());
        c.delete(&key("session"));
        c.assign(key("expired"), 1);
        drop(g);
        d.close();
    });
    {
        let _g = fixed.then(|| mu.lock());
        let _ = cache.get(&key("session"));
    }
    let fired = !timer.stop();
    if fired == fixed {
        // Fixed: the callback has fired, wait for it. Buggy: the inverted condition waits
        // exactly when the callback will never run.
        let _ = done.recv();
    }
    for i in 0..KEYS {
        let _g = fixed.then(|| mu.lock());
        cache.assign(format!("k{i}"), i);
        let _ = cache.get(&key("session"));
    }

    // The test framework's view: once the callback (if it fired) is done, check the cache.
    if fired && !fixed {
        let _ = done.recv();
    }
    check_map(&cache);
    let mut want: Vec<(String, u64)> = (0..KEYS).map(|i| (format!("k{i}"), i)).collect();
    want.push(if fired {
        (key("expired"), 1)
    } else {
        (key("session"), 1)
    });
    want.sort();
    expect_contents(&cache, "the cache", &want);
}

fn buggy() {
    test(false);
}

fn fixed() {
    test(true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t7-afterfunc-global",
        description: "a time.AfterFunc callback deletes and updates a global map while the test goroutine writes and reads it",
        buggy,
        fixed,
        expected_kinds: &[
            kinds::RACE,
            kinds::WRITES,
            kinds::READ_WRITE,
            kinds::CORRUPTED,
            kinds::DEADLOCK,
        ],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
