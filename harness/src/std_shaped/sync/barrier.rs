//! `std::sync::Barrier`, std-shaped, on the std-shaped mutex, atomics and condition variable.
//! Its state is in atomics (under the mutex) rather than in the mutex's data, so that a
//! `static` barrier starts every execution afresh, as atomics do (a lock's data is kept).

use super::atomic::{AtomicU64, AtomicUsize, Ordering};
use super::{Condvar, Mutex};
use std::fmt;
use std::sync::PoisonError;

/// Lets `n` threads wait for each other (std's `Barrier`).
pub struct Barrier {
    n: usize,
    lock: Mutex<()>,
    /// Threads arrived in this generation (read and written under `lock`).
    arrived: AtomicUsize,
    /// Generations completed (read and written under `lock`).
    generation: AtomicU64,
    all_arrived: Condvar,
}

/// What [`Barrier::wait`] tells each thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this thread was the last to arrive (exactly one per generation is).
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// A barrier for `n` threads (usable in a `static`).
    pub const fn new(n: usize) -> Self {
        Barrier {
            n,
            lock: Mutex::new(()),
            arrived: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
            all_arrived: Condvar::new(),
        }
    }

    /// Blocks until `n` threads have called `wait` in this generation.
    pub fn wait(&self) -> BarrierWaitResult {
        // `Relaxed` throughout: the lock orders every access.
        let g = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let generation = self.generation.load(Ordering::Relaxed);
        let arrived = self.arrived.load(Ordering::Relaxed) + 1;
        if arrived >= self.n {
            self.arrived.store(0, Ordering::Relaxed);
            self.generation.store(generation + 1, Ordering::Relaxed);
            drop(g);
            self.all_arrived.notify_all();
            return BarrierWaitResult(true);
        }
        self.arrived.store(arrived, Ordering::Relaxed);
        let g = self
            .all_arrived
            .wait_while(g, |_| self.generation.load(Ordering::Relaxed) == generation)
            .unwrap_or_else(PoisonError::into_inner);
        drop(g);
        BarrierWaitResult(false)
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").field("n", &self.n).finish()
    }
}
