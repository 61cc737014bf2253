//! Go's `sync.WaitGroup`.

use maprace_harness::sync::{Condvar, Mutex};
use maprace_harness::{record_access, AccessKind, Object, ObjectKind};

/// Go's `sync.WaitGroup`: `add` before starting goroutines, `done` in each, `wait` for all.
///
/// Share it with an `Arc`, as Go code shares a `*sync.WaitGroup`.
///
/// Happens-before as in Go's `sync` (its race annotations): every `Done` (an `Add` with a
/// negative delta) is ordered before `Wait` returns, and nothing else is: the lock and
/// condition variable inside are internal, so two `Done`s are not ordered with each other.
#[derive(Debug)]
pub struct WaitGroup {
    object: Object,
    counter: Mutex<i64>,
    zero: Condvar,
}

impl Default for WaitGroup {
    fn default() -> Self {
        WaitGroup::new()
    }
}

impl WaitGroup {
    /// A wait group with a zero counter.
    pub fn new() -> Self {
        WaitGroup {
            object: Object::new(ObjectKind::WaitGroup),
            counter: Mutex::internal(0),
            zero: Condvar::internal(),
        }
    }

    /// `wg.Add(delta)`. Panics with Go's message if the counter goes negative.
    pub fn add(&self, delta: i64) {
        let mut n = self.counter.lock();
        if delta < 0 {
            record_access(&self.object, AccessKind::Notify);
        }
        *n += delta;
        let now = *n;
        if now == 0 {
            self.zero.notify_all();
        }
        drop(n);
        if now < 0 {
            panic!("sync: negative WaitGroup counter");
        }
    }

    /// `wg.Done()`: `wg.Add(-1)`.
    pub fn done(&self) {
        self.add(-1);
    }

    /// `wg.Wait()`: blocks until the counter is zero.
    pub fn wait(&self) {
        let n = self.counter.lock();
        let n = self.zero.wait_while(n, |n| *n > 0);
        record_access(&self.object, AccessKind::Woken);
        drop(n);
    }
}
