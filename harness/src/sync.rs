//! Synchronisation primitives for code under test: shuttle's, wrapped so that every acquire,
//! release, wait and atomic access is a labelled point in the trace.
//!
//! Locks never report poisoning: an execution stops at its first panic, so a poisoned lock can
//! only be seen by code that runs after the failure, and that code is never scheduled.

use crate::access::{AccessKind, Object, ObjectKind};
use crate::point::{Op, Point};
use crate::preempt::mark_in;
use crate::record;
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

/// Marks `point` before a scheduling point that precedes `kind` on `object`: the goroutine's
/// next step starts with that access.
#[inline]
fn before(point: Point, object: &Object, kind: AccessKind) {
    record::with(|r| {
        if mark_in(r, point, |_| {}) {
            r.declare(object, kind);
        }
    });
}

/// Marks `point` (trace only) and records `kind` on `object` as done in the current step.
#[inline]
fn done(point: Point, object: &Object, kind: AccessKind) {
    record::with(|r| {
        if mark_in(r, point, |_| {}) {
            r.perform(object, kind);
        }
    });
}

/// [`before`] with a note (atomics describe the value they store).
#[inline]
fn before_atomic(
    point: Point,
    object: &Object,
    kind: AccessKind,
    note: impl FnOnce(&mut crate::note::EventNote),
) {
    record::with(|r| {
        if mark_in(r, point, note) {
            r.declare(object, kind);
        }
    });
}

/// Records `kind` on `object` as done in the current step, with no event.
#[inline]
fn performed(object: &Object, kind: AccessKind) {
    record::with(|r| {
        if r.active {
            r.perform(object, kind);
        }
    });
}

fn ok<G>(r: Result<G, std::sync::PoisonError<G>>) -> G {
    r.unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A mutual-exclusion lock (Go's `sync.Mutex`, holding its data like Rust's).
#[derive(Debug)]
pub struct Mutex<T: ?Sized> {
    object: Object,
    inner: shuttle::sync::Mutex<T>,
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

/// A held [`Mutex`]; unlocks when dropped.
#[derive(Debug)]
pub struct MutexGuard<'a, T: ?Sized> {
    object: &'a Object,
    inner: Option<shuttle::sync::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex.
    pub fn new(value: T) -> Self {
        Mutex {
            object: Object::new(ObjectKind::Mutex),
            inner: shuttle::sync::Mutex::new(value),
        }
    }

    /// A mutex whose lock and unlock order nothing for the race detector: for a runtime that
    /// builds a synchronisation object (a channel, a wait group) on it and records that
    /// object's own accesses (see [`Object::internal`]). Scheduling is the same as [`Mutex::new`].
    pub fn internal(value: T) -> Self {
        Mutex {
            object: Object::internal(ObjectKind::Mutex),
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
        before(LOCK, &self.object, AccessKind::Lock);
        let g = Blocking::during(|| ok(self.inner.lock()));
        done(LOCKED, &self.object, AccessKind::Lock);
        MutexGuard {
            object: &self.object,
            inner: Some(g),
        }
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
            done(UNLOCK, self.object, AccessKind::Unlock);
            drop(g);
        }
    }
}

/// A reader-writer lock (Go's `sync.RWMutex`).
#[derive(Debug)]
pub struct RwLock<T> {
    object: Object,
    inner: shuttle::sync::RwLock<T>,
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

/// A read lock on an [`RwLock`].
#[derive(Debug)]
pub struct RwLockReadGuard<'a, T> {
    object: &'a Object,
    inner: Option<shuttle::sync::RwLockReadGuard<'a, T>>,
}

/// A write lock on an [`RwLock`].
#[derive(Debug)]
pub struct RwLockWriteGuard<'a, T> {
    object: &'a Object,
    inner: Option<shuttle::sync::RwLockWriteGuard<'a, T>>,
}

impl<T> RwLock<T> {
    /// A new unlocked lock.
    pub fn new(value: T) -> Self {
        RwLock {
            object: Object::new(ObjectKind::RwLock),
            inner: shuttle::sync::RwLock::new(value),
        }
    }
}

impl<T> RwLock<T> {
    /// Takes a read lock (Go's `RLock`).
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        before(RLOCK, &self.object, AccessKind::ReadLock);
        let g = Blocking::during(|| ok(self.inner.read()));
        done(RLOCKED, &self.object, AccessKind::ReadLock);
        RwLockReadGuard {
            object: &self.object,
            inner: Some(g),
        }
    }

    /// Takes the write lock (Go's `Lock`).
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        before(WLOCK, &self.object, AccessKind::Lock);
        let g = Blocking::during(|| ok(self.inner.write()));
        done(WLOCKED, &self.object, AccessKind::Lock);
        RwLockWriteGuard {
            object: &self.object,
            inner: Some(g),
        }
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
            done(RUNLOCK, self.object, AccessKind::ReadUnlock);
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
            done(WUNLOCK, self.object, AccessKind::Unlock);
            drop(g);
        }
    }
}

/// A condition variable, used with [`Mutex`].
#[derive(Debug)]
pub struct Condvar {
    object: Object,
    inner: shuttle::sync::Condvar,
}

impl Default for Condvar {
    fn default() -> Self {
        Condvar::new()
    }
}

impl Condvar {
    /// A new condition variable.
    pub fn new() -> Self {
        Condvar {
            object: Object::new(ObjectKind::Condvar),
            inner: shuttle::sync::Condvar::new(),
        }
    }

    /// A condition variable whose notifications order nothing for the race detector (see
    /// [`Mutex::internal`]).
    pub fn internal() -> Self {
        Condvar {
            object: Object::internal(ObjectKind::Condvar),
            inner: shuttle::sync::Condvar::new(),
        }
    }

    /// Releases the guard's lock, waits for a notification, and locks again.
    pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let g = guard.inner.take().expect("guard is held");
        let mutex = guard.object;
        // Shuttle releases the mutex inside `wait`, after a scheduling point this wrapper
        // cannot see; nothing of the goroutine runs in between, so the release is recorded
        // here, in the step that starts the wait.
        done(WAIT, &self.object, AccessKind::Wait);
        performed(mutex, AccessKind::Unlock);
        let g = Blocking::during(|| ok(self.inner.wait(g)));
        done(WOKEN, &self.object, AccessKind::Woken);
        performed(mutex, AccessKind::Lock);
        MutexGuard {
            object: mutex,
            inner: Some(g),
        }
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
        before(NOTIFY_ONE, &self.object, AccessKind::Notify);
        self.inner.notify_one();
        performed(&self.object, AccessKind::Notify);
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        before(NOTIFY_ALL, &self.object, AccessKind::Notify);
        self.inner.notify_all();
        performed(&self.object, AccessKind::Notify);
    }
}

macro_rules! traced_atomic {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            object: Object,
            inner: shuttle::sync::atomic::$name,
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new(<$t>::default())
            }
        }

        impl $name {
            /// A new atomic holding `v`.
            pub fn new(v: $t) -> Self {
                $name {
                    object: Object::new(ObjectKind::Atomic),
                    inner: shuttle::sync::atomic::$name::new(v),
                }
            }

            /// Loads the value.
            pub fn load(&self, order: Ordering) -> $t {
                before_atomic(ATOMIC_LOAD, &self.object, AccessKind::Read, |_| {});
                let v = self.inner.load(order);
                performed(&self.object, AccessKind::Read);
                v
            }

            /// Stores `v`.
            pub fn store(&self, v: $t, order: Ordering) {
                before_atomic(ATOMIC_STORE, &self.object, AccessKind::Write, |n| { n.detail(v); });
                self.inner.store(v, order);
                performed(&self.object, AccessKind::Write);
            }

            /// Stores `v`, returning the previous value.
            pub fn swap(&self, v: $t, order: Ordering) -> $t {
                before_atomic(ATOMIC_SWAP, &self.object, AccessKind::Update, |n| { n.detail(v); });
                let old = self.inner.swap(v, order);
                performed(&self.object, AccessKind::Update);
                old
            }

            /// Stores `new` if the value is `current`.
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                before_atomic(ATOMIC_COMPARE_EXCHANGE, &self.object, AccessKind::Update, |n| {
                    n.detail(format!("{current}->{new}"));
                });
                let r = self.inner.compare_exchange(current, new, success, failure);
                // A failed compare-exchange only reads.
                let kind = if r.is_ok() { AccessKind::Update } else { AccessKind::Read };
                performed(&self.object, kind);
                r
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
                before_atomic(ATOMIC_FETCH_ADD, &self.object, AccessKind::Update, |n| { n.detail(v); });
                let old = self.inner.fetch_add(v, order);
                performed(&self.object, AccessKind::Update);
                old
            }

            /// Subtracts `v`, returning the previous value.
            pub fn fetch_sub(&self, v: $t, order: Ordering) -> $t {
                before_atomic(ATOMIC_FETCH_SUB, &self.object, AccessKind::Update, |n| { n.detail(v); });
                let old = self.inner.fetch_sub(v, order);
                performed(&self.object, AccessKind::Update);
                old
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
