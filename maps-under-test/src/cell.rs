//! [`SimCell`]: interior mutability for model state shared by simulated goroutines.
//!
//! Every goroutine of a maprace execution runs on the one OS thread that started the
//! exploration, and control only changes hands at scheduling points. Model state (a Go map's
//! header and buckets, which Go accesses with plain loads and stores) can therefore live in a
//! `RefCell`, as long as no borrow is held across a scheduling point. `SimCell` adds the check
//! that keeps this sound when the model is shared as `Sync`: only the OS thread that created the
//! cell may touch it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);

thread_local! {
    // A small per-thread number: cheaper to compare than `std::thread::current().id()`.
    static THREAD: u64 = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
}

fn this_thread() -> u64 {
    THREAD.with(|t| *t)
}

/// A `RefCell` usable only from the OS thread that created it.
pub(crate) struct SimCell<T> {
    owner: u64,
    cell: RefCell<T>,
}

// SAFETY: the `RefCell` (whose borrow flag is not thread-safe) is only ever touched by the
// thread that created the cell: every access goes through `check_owner`, which panics on any
// other thread before the cell is touched. Moving the value itself needs `T: Send`. Exclusive
// access (`get_mut`, drop) cannot race with anything.
unsafe impl<T: Send> Sync for SimCell<T> {}

impl<T> SimCell<T> {
    pub fn new(value: T) -> Self {
        SimCell {
            owner: this_thread(),
            cell: RefCell::new(value),
        }
    }

    #[inline]
    fn check_owner(&self) {
        assert!(
            self.owner == this_thread(),
            "maprace model state used from an OS thread other than the one that created it \
             (simulated goroutines all run on the exploring thread)"
        );
    }

    /// Reads the state. Never call a preemption point inside `f`.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.check_owner();
        f(&self.cell.borrow())
    }

    /// Changes the state. Never call a preemption point inside `f`.
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        self.check_owner();
        f(&mut self.cell.borrow_mut())
    }
}

impl<T: Default> Default for SimCell<T> {
    fn default() -> Self {
        SimCell::new(T::default())
    }
}

#[cfg(test)]
mod tests {
    use super::SimCell;
    use std::sync::Arc;

    #[test]
    fn the_owner_thread_reads_and_writes() {
        let c = SimCell::new(1);
        c.with_mut(|v| *v += 1);
        assert_eq!(c.with(|v| *v), 2);
    }

    #[test]
    fn another_thread_is_refused() {
        let c = Arc::new(SimCell::new(1));
        let c2 = Arc::clone(&c);
        let r = std::thread::spawn(move || c2.with(|v| *v)).join();
        assert!(r.is_err(), "access from another thread must panic");
        assert_eq!(c.with(|v| *v), 1);
    }
}
