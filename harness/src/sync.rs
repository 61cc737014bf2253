//! Synchronisation primitives for code under test: shuttle's, wrapped so that every acquire,
//! release, wait and atomic access is a labelled point in the trace.
//!
//! Locks never report poisoning: an execution stops at its first panic, so a poisoned lock can
//! only be seen by code that runs after the failure, and that code is never scheduled.

use crate::point::{Op, Point};
use crate::preempt::{mark, trace_event};
use crate::sentinel::Blocking;
use std::ops::{Deref, DerefMut};

pub use std::sync::atomic::Ordering;
pub use std::sync::{Arc, Weak};

const LOCK: Point = Point::new(Op::Mutex, "lock");
const LOCKED: Point = Point::new(Op::Mutex, "locked");
const UNLOCK: Point = Point::new(Op::Mutex, "unlock");
const RLOCK: Point = Point::new(Op::RwLock, "rlock");
const RLOCKED: Point = Point::new(Op::RwLock, "rlocked");
const RUNLOCK: Point = Point::new(Op::RwLock, "runlock");
const WLOCK: Point = Point::new(Op::RwLock, "lock");
const WLOCKED: Point = Point::new(Op::RwLock, "locked");
const WUNLOCK: Point = Point::new(Op::RwLock, "unlock");
const WAIT: Point = Point::new(Op::Condvar, "wait");
const WOKEN: Point = Point::new(Op::Condvar, "woken");
const NOTIFY_ONE: Point = Point::new(Op::Condvar, "notify one");
const NOTIFY_ALL: Point = Point::new(Op::Condvar, "notify all");
const ATOMIC_LOAD: Point = Point::new(Op::Atomic, "load");
const ATOMIC_STORE: Point = Point::new(Op::Atomic, "store");
const ATOMIC_SWAP: Point = Point::new(Op::Atomic, "swap");
const ATOMIC_COMPARE_EXCHANGE: Point = Point::new(Op::Atomic, "compare-exchange");
const ATOMIC_FETCH_ADD: Point = Point::new(Op::Atomic, "fetch-add");
const ATOMIC_FETCH_SUB: Point = Point::new(Op::Atomic, "fetch-sub");

fn ok<G>(r: Result<G, std::sync::PoisonError<G>>) -> G {
    r.unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A mutual-exclusion lock (Go's `sync.Mutex`, holding its data like Rust's).
#[derive(Debug, Default)]
pub struct Mutex<T: ?Sized> {
    inner: shuttle::sync::Mutex<T>,
}

/// A held [`Mutex`]; unlocks when dropped.
#[derive(Debug)]
pub struct MutexGuard<'a, T: ?Sized> {
    inner: Option<shuttle::sync::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex.
    pub fn new(value: T) -> Self {
        Mutex {
            inner: shuttle::sync::Mutex::new(value),
        }
    }

    /// Consumes the mutex, returning its data.
    pub fn into_inner(self) -> T {
        ok(self.inner.into_inner())
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks, blocking until the lock is free.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        mark(LOCK, |_| {});
        let g = Blocking::during(|| ok(self.inner.lock()));
        trace_event(LOCKED, |_| {});
        MutexGuard { inner: Some(g) }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_deref().expect("guard is held")
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_deref_mut().expect("guard is held")
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(g) = self.inner.take() {
            mark(UNLOCK, |_| {});
            drop(g);
        }
    }
}

/// A reader-writer lock (Go's `sync.RWMutex`).
#[derive(Debug, Default)]
pub struct RwLock<T> {
    inner: shuttle::sync::RwLock<T>,
}

/// A read lock on an [`RwLock`].
#[derive(Debug)]
pub struct RwLockReadGuard<'a, T> {
    inner: Option<shuttle::sync::RwLockReadGuard<'a, T>>,
}

/// A write lock on an [`RwLock`].
#[derive(Debug)]
pub struct RwLockWriteGuard<'a, T> {
    inner: Option<shuttle::sync::RwLockWriteGuard<'a, T>>,
}

impl<T> RwLock<T> {
    /// A new unlocked lock.
    pub fn new(value: T) -> Self {
        RwLock {
            inner: shuttle::sync::RwLock::new(value),
        }
    }
}

impl<T> RwLock<T> {
    /// Takes a read lock (Go's `RLock`).
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        mark(RLOCK, |_| {});
        let g = Blocking::during(|| ok(self.inner.read()));
        trace_event(RLOCKED, |_| {});
        RwLockReadGuard { inner: Some(g) }
    }

    /// Takes the write lock (Go's `Lock`).
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        mark(WLOCK, |_| {});
        let g = Blocking::during(|| ok(self.inner.write()));
        trace_event(WLOCKED, |_| {});
        RwLockWriteGuard { inner: Some(g) }
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_deref().expect("guard is held")
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(g) = self.inner.take() {
            mark(RUNLOCK, |_| {});
            drop(g);
        }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_deref().expect("guard is held")
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_deref_mut().expect("guard is held")
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(g) = self.inner.take() {
            mark(WUNLOCK, |_| {});
            drop(g);
        }
    }
}

/// A condition variable, used with [`Mutex`].
#[derive(Debug, Default)]
pub struct Condvar {
    inner: shuttle::sync::Condvar,
}

impl Condvar {
    /// A new condition variable.
    pub fn new() -> Self {
        Condvar {
            inner: shuttle::sync::Condvar::new(),
        }
    }

    /// Releases the guard's lock, waits for a notification, and locks again.
    pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let g = guard.inner.take().expect("guard is held");
        mark(WAIT, |_| {});
        let g = Blocking::during(|| ok(self.inner.wait(g)));
        trace_event(WOKEN, |_| {});
        MutexGuard { inner: Some(g) }
    }

    /// Waits until `condition` is false, re-checking after every wake-up.
    pub fn wait_while<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        while condition(&mut guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) {
        mark(NOTIFY_ONE, |_| {});
        self.inner.notify_one();
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        mark(NOTIFY_ALL, |_| {});
        self.inner.notify_all();
    }
}

macro_rules! traced_atomic {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        #[derive(Debug, Default)]
        pub struct $name {
            inner: shuttle::sync::atomic::$name,
        }

        impl $name {
            /// A new atomic holding `v`.
            pub fn new(v: $t) -> Self {
                $name { inner: shuttle::sync::atomic::$name::new(v) }
            }

            /// Loads the value.
            pub fn load(&self, order: Ordering) -> $t {
                mark(ATOMIC_LOAD, |_| {});
                self.inner.load(order)
            }

            /// Stores `v`.
            pub fn store(&self, v: $t, order: Ordering) {
                mark(ATOMIC_STORE, |n| { n.detail(v); });
                self.inner.store(v, order)
            }

            /// Stores `v`, returning the previous value.
            pub fn swap(&self, v: $t, order: Ordering) -> $t {
                mark(ATOMIC_SWAP, |n| { n.detail(v); });
                self.inner.swap(v, order)
            }

            /// Stores `new` if the value is `current`.
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                mark(ATOMIC_COMPARE_EXCHANGE, |n| {
                    n.detail(format!("{current}->{new}"));
                });
                self.inner.compare_exchange(current, new, success, failure)
            }
        }
    };
}

macro_rules! traced_atomic_int {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        traced_atomic!($(#[$doc])* $name, $t);

        impl $name {
            /// Adds `v`, returning the previous value.
            pub fn fetch_add(&self, v: $t, order: Ordering) -> $t {
                mark(ATOMIC_FETCH_ADD, |n| { n.detail(v); });
                self.inner.fetch_add(v, order)
            }

            /// Subtracts `v`, returning the previous value.
            pub fn fetch_sub(&self, v: $t, order: Ordering) -> $t {
                mark(ATOMIC_FETCH_SUB, |n| { n.detail(v); });
                self.inner.fetch_sub(v, order)
            }
        }
    };
}

traced_atomic!(
    /// An atomic `bool` whose accesses are scheduling points.
    AtomicBool, bool
);
traced_atomic_int!(
    /// An atomic `usize` whose accesses are scheduling points.
    AtomicUsize, usize
);
traced_atomic_int!(
    /// An atomic `u32` whose accesses are scheduling points.
    AtomicU32, u32
);
traced_atomic_int!(
    /// An atomic `u64` whose accesses are scheduling points.
    AtomicU64, u64
);
traced_atomic_int!(
    /// An atomic `i64` whose accesses are scheduling points.
    AtomicI64, i64
);
