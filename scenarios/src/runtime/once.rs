//! Go's `sync.Once`, with its exact fast path and slow path.

use maprace_harness::sync::{AtomicU32, Mutex, Ordering};

/// Go's `sync.Once`.
///
/// Modelled on Go's implementation (`sync/once.go`): `Do` first loads the `done` flag
/// atomically; if it is unset, it takes the mutex, checks again, runs `f`, and only then stores
/// `done = 1` and unlocks. So every caller that arrives while `f` runs blocks on the mutex until
/// `f` has **returned**, and sees everything `f` did. The initialisation itself is race-free;
/// what `f` leaves running (a goroutine it started) is not covered by that guarantee.
#[derive(Debug, Default)]
pub struct Once {
    done: AtomicU32,
    m: Mutex<()>,
}

impl Once {
    /// A `Once` that has not run.
    pub fn new() -> Self {
        Once::default()
    }

    /// `once.Do(f)`: runs `f` if no call has run it yet; returns only after it has returned.
    pub fn call_once(&self, f: impl FnOnce()) {
        // `atomic.LoadUint32(&o.done)`: Go's atomics are sequentially consistent (the Go
        // memory model), which matters under the loom engine, where weaker orderings can
        // show stale values.
        if self.done.load(Ordering::SeqCst) == 0 {
            self.do_slow(f);
        }
    }

    fn do_slow(&self, f: impl FnOnce()) {
        let _g = self.m.lock();
        // A plain read in Go, under the mutex.
        if self.done.load(Ordering::Relaxed) == 0 {
            f();
            self.done.store(1, Ordering::SeqCst);
        }
    }
}
