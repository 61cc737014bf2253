//! [`SharedVar`]: plain memory shared between goroutines, instrumented for the race detector.

use crate::access::{AccessKind, Object, ObjectKind};
use crate::point::{Op, Point};
use crate::preempt::preempt_access;

const READ: Point = Point::new(Op::User("var"), "read");
const WRITE: Point = Point::new(Op::User("var"), "write");

/// A variable that goroutines share without synchronisation of its own, like a Go global or
/// struct field: every read and write is a preemption point and an access to a
/// [`ObjectKind::Cell`] object, which the race detector checks. Guard it with the harness's
/// locks, channels or atomics, or get a `data-race` when two goroutines touch it unordered and
/// one of them writes.
///
/// Outside an execution it is an ordinary cell.
///
/// ```
/// use maprace_harness::{go, Explorer, SharedVar, Strategy};
/// use maprace_harness::sync::Arc;
///
/// let exploration = Explorer::new("doc/shared-var")
///     .strategy(Strategy::Dfs { preemption_bound: Some(1) })
///     .run(|| {
///         let hits = Arc::new(SharedVar::named("hits", 0));
///         let h = {
///             let hits = Arc::clone(&hits);
///             go("", move || hits.update(|n| n + 1))
///         };
///         hits.update(|n| n + 1); // not ordered with the goroutine's update
///         h.join();
///     });
/// assert_eq!(exploration.failures[0].failure.kind.as_str(), "data-race");
/// ```
#[derive(Debug)]
pub struct SharedVar<T> {
    object: Object,
    // Goroutines of an execution take turns on one OS thread and never hold this across a
    // scheduling point, so the lock is never contended: it only makes the type `Sync`.
    value: std::sync::Mutex<T>,
}

impl<T: Default> Default for SharedVar<T> {
    fn default() -> Self {
        SharedVar::new(T::default())
    }
}

impl<T> SharedVar<T> {
    /// A variable holding `value`.
    pub fn new(value: T) -> Self {
        SharedVar {
            object: Object::new(ObjectKind::Cell),
            value: std::sync::Mutex::new(value),
        }
    }

    /// A variable holding `value`, named `name` for reports.
    pub fn named(name: impl Into<String>, value: T) -> Self {
        SharedVar {
            object: Object::named(ObjectKind::Cell, name),
            value: std::sync::Mutex::new(value),
        }
    }

    /// The access record's object for this variable.
    pub fn object(&self) -> &Object {
        &self.object
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, T> {
        self.value
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads the variable through `f` (one read step).
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        preempt_access(READ, &self.object, AccessKind::Read);
        f(&self.slot())
    }

    /// Writes `value` (one write step).
    pub fn set(&self, value: T) {
        preempt_access(WRITE, &self.object, AccessKind::Write);
        *self.slot() = value;
    }

    /// `x = f(x)` as Go compiles it: a read step, then a write step, so another goroutine can
    /// come in between (the lost update).
    pub fn update(&self, f: impl FnOnce(&T) -> T) {
        let next = self.with(f);
        self.set(next);
    }
}

impl<T: Clone> SharedVar<T> {
    /// Reads the variable (one read step).
    pub fn get(&self) -> T {
        self.with(T::clone)
    }
}
