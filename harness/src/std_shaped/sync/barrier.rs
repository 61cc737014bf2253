//! `std::sync::Barrier`, std-shaped, on the std-shaped mutex and condition variable.

use super::{Condvar, Mutex};
use std::sync::PoisonError;

/// Lets `n` threads wait for each other (std's `Barrier`).
#[derive(Debug)]
pub struct Barrier {
    n: usize,
    state: Mutex<(usize, u64)>,
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
            state: Mutex::new((0, 0)),
            all_arrived: Condvar::new(),
        }
    }

    /// Blocks until `n` threads have called `wait` in this generation.
    pub fn wait(&self) -> BarrierWaitResult {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let generation = s.1;
        s.0 += 1;
        if s.0 >= self.n {
            s.0 = 0;
            s.1 += 1;
            drop(s);
            self.all_arrived.notify_all();
            return BarrierWaitResult(true);
        }
        let s = self
            .all_arrived
            .wait_while(s, |s| s.1 == generation)
            .unwrap_or_else(PoisonError::into_inner);
        drop(s);
        BarrierWaitResult(false)
    }
}
