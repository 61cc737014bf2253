//! Unsynchronised shared state for code that runs inside one execution.
//!
//! Every goroutine of an execution runs on the same OS thread and switches only at scheduling
//! points, so state that Go code would share without a lock (a struct field, a global, the
//! runtime's own timer heap) can live in a `RefCell`, as long as no borrow is held across a
//! scheduling point. [`Unsync::with`] enforces that shape: the borrow lives only inside the
//! closure, and the closures passed to it never call into the harness.

use std::cell::RefCell;
use std::thread::{self, ThreadId};

/// A `RefCell` that may be shared between the goroutines of one execution, usable only on the
/// OS thread that created it.
#[derive(Debug)]
pub(crate) struct Unsync<T> {
    owner: ThreadId,
    cell: RefCell<T>,
}

// SAFETY: the `RefCell` (whose borrow flag is not thread-safe) is only touched on the thread
// that created it: `with` checks the owner before touching it and panics on any other thread.
// Goroutines of an execution all run on that thread, one at a time, and borrows never span a
// scheduling point (see `with`). Moving the value itself needs `T: Send`.
unsafe impl<T: Send> Sync for Unsync<T> {}

impl<T> Unsync<T> {
    /// Wraps `value`, owned by the calling thread.
    pub(crate) fn new(value: T) -> Self {
        Unsync {
            owner: thread::current().id(),
            cell: RefCell::new(value),
        }
    }

    /// Runs `f` with the value borrowed mutably. `f` must not reach a scheduling point.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        assert_eq!(
            thread::current().id(),
            self.owner,
            "goroutine state used outside the OS thread running its execution"
        );
        f(&mut self.cell.borrow_mut())
    }
}
