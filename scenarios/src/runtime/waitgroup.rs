//! Go's `sync.WaitGroup`.

use maprace_harness::sync::{Condvar, Mutex};

/// Go's `sync.WaitGroup`: `add` before starting goroutines, `done` in each, `wait` for all.
///
/// Share it with an `Arc`, as Go code shares a `*sync.WaitGroup`.
#[derive(Debug, Default)]
pub struct WaitGroup {
    counter: Mutex<i64>,
    zero: Condvar,
}

impl WaitGroup {
    /// A wait group with a zero counter.
    pub fn new() -> Self {
        WaitGroup::default()
    }

    /// `wg.Add(delta)`. Panics with Go's message if the counter goes negative.
    pub fn add(&self, delta: i64) {
        let mut n = self.counter.lock();
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
        drop(n);
    }
}
