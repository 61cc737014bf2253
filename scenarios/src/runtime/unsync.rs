//! Unsynchronised shared state for code that runs inside one execution.
//!
//! Every goroutine of an execution runs on the same OS thread and switches only at scheduling
//! points, so state that Go code would share without a lock (a struct field, a global, the
//! runtime's own timer heap) can live in a `RefCell`, as long as no borrow is held across a
//! scheduling point. [`Unsync::with`] enforces that shape: the borrow lives only inside the
//! closure, and the closures passed to it never call into the harness.

use std::cell::RefCell;

/// A `RefCell` that may be shared between the goroutines of one execution.
#[derive(Debug, Default)]
pub(crate) struct Unsync<T>(RefCell<T>);

// SAFETY: values of this type are created inside an execution and shared only between its
// goroutines, which shuttle runs one at a time on a single OS thread; borrows never span a
// scheduling point (see `with`), so no two goroutines ever hold a borrow at once.
unsafe impl<T: Send> Sync for Unsync<T> {}

impl<T> Unsync<T> {
    /// Wraps `value`.
    pub(crate) fn new(value: T) -> Self {
        Unsync(RefCell::new(value))
    }

    /// Runs `f` with the value borrowed mutably. `f` must not reach a scheduling point.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}
