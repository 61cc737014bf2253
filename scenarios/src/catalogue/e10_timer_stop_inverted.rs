//! `e10-timer-stop-inverted`: a test stops a `time.AfterFunc` timer with the condition the
//! wrong way round and waits for a callback that will never run.
//!
//! # The Go pattern
//!
//! ```go
//! func TestExpiry(t *testing.T) {
//!     var mu sync.Mutex
//!     cache := map[string]int{"session": 1}
//!     done := make(chan struct{})
//!     timer := time.AfterFunc(5*time.Millisecond, func() {
//!         mu.Lock()
//!         delete(cache, "session")
//!         mu.Unlock()
//!         close(done)
//!     })
//!     mu.Lock()
//!     _ = cache["session"]
//!     mu.Unlock()
//!     if timer.Stop() { // meant: "if the callback runs, wait for it"
//!         <-done
//!     }
//! }
//! ```
//!
//! (Split off from the seed article's t7, where it sat next to the map race; the map here is
//! locked, so only the timer bug is left.)
//!
//! # Why it fails
//!
//! `Stop` returns true when it stopped the timer, that is when the callback will **never**
//! run. The inverted condition then waits on `done`, which nobody will close. In the real
//! `go test` run this is not `fatal error: all goroutines are asleep - deadlock!`: the testing
//! package keeps its own goroutines (the `-timeout` alarm among them), so Go's deadlock
//! detector never fires and the test hangs until the timeout (10 minutes by default), then
//! fails with `panic: test timed out after 10m0s` and every goroutine's stack. Here the
//! scenario has no such bystanders, and the harness reports the blocked test goroutine as
//! `deadlock`. When the timer fires first, `Stop` returns false and the test does not wait
//! (harmless here, since the callback locks).
//!
//! # The fix
//!
//! `if !timer.Stop() { <-done }`: wait exactly when the callback has fired (or is running).

use super::common::{check_map, kinds, unmutated, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{Arc, Chan, Clock, Mutex};
use crate::{Scenario, Unmutated};
use maprace_maps::GoMap;
use std::time::Duration;

fn test(fixed: bool) {
    let clock = Clock::new();
    let mu = Arc::new(Mutex::new(()));
    let cache = Arc::new(GoMap::<&'static str, u64>::new());
    cache.assign("session", 1);
    let done: Chan<()> = Chan::new(0);
    let (c, d, m) = (Arc::clone(&cache), done.clone(), Arc::clone(&mu));
    let timer = clock.after_func("expire", Duration::from_millis(5), move || {
        let g = m.lock();
        c.delete(&"session");
        drop(g);
        d.close();
    });
    {
        let _g = mu.lock();
        let _ = cache.get(&"session");
    }
    let stopped = timer.stop();
    // Fixed: wait when the callback has fired. Buggy: wait exactly when it never will.
    if stopped != fixed {
        let _ = done.recv();
    }
    let _g = mu.lock();
    check_map(&cache);
}

fn buggy() {
    test(false);
}

fn fixed() {
    test(true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    let pair = Pair {
        name: "e10-timer-stop-inverted",
        description: "a test waits for a time.AfterFunc callback exactly when timer.Stop says it will never run",
        buggy,
        fixed,
        go_size: None, // nothing to scale
        expected_kinds: &[kinds::DEADLOCK],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios();
    unmutated(
        pair,
        &[
            Unmutated {
                object: "chan#1",
                why: "the callback's delete reaches the final check through mu as well; done only makes the test wait for the callback, which the mutant keeps",
            },
        ],
    )
}
