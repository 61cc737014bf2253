//! [`AtomicValue`]: Go's `atomic.Value` (or `atomic.Pointer[T]`) for the code under test: a
//! pointer loaded and swapped atomically, each access a scheduling point.

use crate::cell::SimCell;
use maprace_harness::{preempt_access, AccessKind, Object, ObjectKind, Op, Point};
use std::fmt;
use std::sync::Arc;

const LOAD: Point = Point::new(Op::Atomic, "atomic.Value load");
const STORE: Point = Point::new(Op::Atomic, "atomic.Value store");

/// An atomically swapped pointer to an immutable `T`, shared by simulated goroutines.
///
/// Every [`load`](AtomicValue::load) and [`store`](AtomicValue::store) is a scheduling point
/// and happens as one indivisible step, so it behaves as a sequentially consistent atomic.
/// Like the model maps, it must be used on the OS thread that created it (every goroutine of an
/// execution runs on that thread).
///
/// ```
/// use maprace_maps::AtomicValue;
/// let v = AtomicValue::new(vec![1]);
/// let old = v.load();
/// v.store(vec![1, 2]);
/// assert_eq!(*old, [1]); // readers keep the snapshot they loaded
/// assert_eq!(*v.load(), [1, 2]);
/// ```
pub struct AtomicValue<T> {
    object: Object,
    cell: SimCell<Arc<T>>,
}

impl<T: Send + Sync> AtomicValue<T> {
    /// A value holding `v`.
    pub fn new(v: T) -> Self {
        AtomicValue {
            object: Object::new(ObjectKind::Atomic),
            cell: SimCell::new(Arc::new(v)),
        }
    }

    /// A value holding `v`, inside a library (Go's `sync.Map`): it orders as any atomic, but
    /// is not a mutant of the program (see [`Object::library`]).
    pub fn library(v: T) -> Self {
        AtomicValue {
            object: Object::library(ObjectKind::Atomic),
            cell: SimCell::new(Arc::new(v)),
        }
    }

    /// `v.Load()`: the current pointer.
    pub fn load(&self) -> Arc<T> {
        preempt_access(LOAD, &self.object, AccessKind::Read);
        self.cell.with(Arc::clone)
    }

    /// `v.Store(x)`: replaces the pointer.
    pub fn store(&self, v: T) {
        self.store_arc(Arc::new(v));
    }

    /// `v.Store(p)` with a pointer already allocated.
    pub fn store_arc(&self, v: Arc<T>) {
        preempt_access(STORE, &self.object, AccessKind::Write);
        // Drop the old value outside the borrow: dropping runs no code of ours, but keeping
        // borrows minimal is the rule for model state.
        let old = self.cell.with_mut(|c| std::mem::replace(c, v));
        drop(old);
    }
}

impl<T> AtomicValue<T> {
    /// Reads the current value without a scheduling point (for trace snapshots and checks).
    pub fn peek<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.cell.with(|v| f(v))
    }
}

impl<T: Send + Sync + Default> Default for AtomicValue<T> {
    fn default() -> Self {
        AtomicValue::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for AtomicValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.cell
            .with(|v| f.debug_tuple("AtomicValue").field(v).finish())
    }
}
