//! Synchronisation primitives for code under test: shuttle's or loom's (see `engine_sync`), wrapped so that every acquire,
//! release, wait and atomic access is a labelled point in the trace.
//!
//! Locks never report poisoning: an execution stops at its first panic, so a poisoned lock can
//! only be seen by code that runs after the failure, and that code is never scheduled.

use crate::access::{AccessKind, Object, ObjectKind};
use crate::engine_sync;
use crate::point::{Op, Point};
use crate::preempt::mark_in;
use crate::record;
use crate::sentinel::Blocking;
use std::ops::{Deref, DerefMut};

pub use crate::atomic::{
    fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicU16,
    AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
};
pub use std::sync::{Arc, Weak};

const LOCK: Point = Point::new(Op::Mutex, "lock");
const LOCKED: Point = Point::new(Op::Mutex, "locked");
const TRY_LOCK: Point = Point::new(Op::Mutex, "try lock");
const TRY_RLOCK: Point = Point::new(Op::RwLock, "try rlock");
const TRY_WLOCK: Point = Point::new(Op::RwLock, "try lock");
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

/// Marks `point` before a scheduling point that precedes `kind` on `object`: the goroutine's
/// next step starts with that access.
#[inline]
fn before(point: Point, object: &Object, kind: AccessKind) {
    record::with(|r| {
        if mark_in(r, point, |n| name_note(n, object)) {
            r.declare(object, kind);
        }
    });
}

/// Marks `point` (trace only) and records `kind` on `object` as done in the current step.
#[inline]
fn done(point: Point, object: &Object, kind: AccessKind) {
    record::with(|r| {
        if mark_in(r, point, |n| name_note(n, object)) {
            r.perform(object, kind);
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

/// Whether a lock with data of type `T` is `object` disabled as a mutant (see
/// [`crate::sync_disabled`]): then it neither excludes nor orders. Only a lock over zero-sized
/// data (Go's `sync.Mutex`, which holds none: `Mutex<()>`) can stop excluding; one that holds
/// Rust data keeps excluding, since two holders would alias the data, and only orders nothing.
#[inline]
fn unlocked<T>(object: &Object) -> bool {
    std::mem::size_of::<T>() == 0 && crate::mutate::sync_disabled(object)
}

/// The data of a disabled lock, which any number of goroutines hold at once (see
/// [`unlocked`]: only for zero-sized data).
fn unlocked_data<'a, T>() -> &'a mut T {
    assert_eq!(
        std::mem::size_of::<T>(),
        0,
        "only zero-sized data is unlocked"
    );
    // SAFETY: `T` is zero-sized, so a dangling (non-null, aligned) pointer is valid for it
    // and a reference to it covers no memory: holders of such references alias nothing.
    unsafe { &mut *std::ptr::NonNull::<T>::dangling().as_ptr() }
}

/// A disabled lock's acquire or release: a plain scheduling point where the lock operation
/// was (none while unwinding: the goroutine is leaving).
fn plain_point() {
    if !std::thread::panicking() {
        crate::preempt::raw_switch();
    }
}

/// A named object's events say which one: `mutex: lock "stripe[2]"`.
fn name_note(n: &mut crate::note::EventNote, object: &Object) {
    if let Some(name) = object.name() {
        n.detail(format!("{name:?}"));
    }
}

/// A mutual-exclusion lock (Go's `sync.Mutex`, holding its data like Rust's).
#[derive(Debug)]
pub struct Mutex<T> {
    object: Object,
    inner: engine_sync::Mutex<T>,
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

/// A held [`Mutex`]; unlocks when dropped.
#[derive(Debug)]
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
    inner: Option<engine_sync::MutexGuard<'a, T>>,
    /// Held of a disabled mutex (a mutant): no lock is held.
    unlocked: bool,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex.
    pub fn new(value: T) -> Self {
        Mutex {
            object: Object::new(ObjectKind::Mutex),
            inner: engine_sync::Mutex::new(value),
        }
    }

    /// A new unlocked mutex with a name its trace events carry (`mutex: lock "stripe[2]"`).
    pub fn named(name: impl Into<String>, value: T) -> Self {
        Mutex {
            object: Object::named(ObjectKind::Mutex, name),
            inner: engine_sync::Mutex::new(value),
        }
    }

    /// A mutex whose lock and unlock order nothing for the race detector: for a runtime that
    /// builds a synchronisation object (a channel, a wait group) on it and records that
    /// object's own accesses (see [`Object::internal`]). Scheduling is the same as [`Mutex::new`].
    pub fn internal(value: T) -> Self {
        Mutex {
            object: Object::internal(ObjectKind::Mutex),
            inner: engine_sync::Mutex::new(value),
        }
    }

    /// A mutex that belongs to a library the code under test calls (Go's `context`,
    /// `sync.Map`): it orders as any mutex, but is not a mutant (see [`Object::library`]).
    pub fn library(value: T) -> Self {
        Mutex {
            object: Object::library(ObjectKind::Mutex),
            inner: engine_sync::Mutex::new(value),
        }
    }

    /// Consumes the mutex, returning its data.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }

    /// The data, through exclusive access (no scheduling point).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<T> Mutex<T> {
    /// Locks, blocking until the lock is free.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        before(LOCK, &self.object, AccessKind::Lock);
        if unlocked::<T>(&self.object) {
            return self.unlocked(LOCKED);
        }
        let g = Blocking::during(|| self.inner.lock());
        done(LOCKED, &self.object, AccessKind::Lock);
        self.held(g)
    }

    fn held<'a>(&'a self, g: engine_sync::MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        MutexGuard {
            mutex: self,
            inner: Some(g),
            unlocked: false,
        }
    }

    /// The guard of a disabled mutex: the acquire is a plain scheduling point.
    fn unlocked(&self, point: Point) -> MutexGuard<'_, T> {
        plain_point();
        done(point, &self.object, AccessKind::Lock);
        MutexGuard {
            mutex: self,
            inner: None,
            unlocked: true,
        }
    }

    /// Locks if the lock is free, without blocking. A failed attempt is recorded as a read of
    /// the lock: it observes the lock without synchronising with its holder.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        before(TRY_LOCK, &self.object, AccessKind::Lock);
        if unlocked::<T>(&self.object) {
            return Some(self.unlocked(LOCKED));
        }
        match self.inner.try_lock() {
            Some(g) => {
                done(LOCKED, &self.object, AccessKind::Lock);
                Some(self.held(g))
            }
            None => {
                performed(&self.object, AccessKind::Read);
                None
            }
        }
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        if self.unlocked {
            return unlocked_data();
        }
        self.inner.as_deref().expect("guard is held")
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        if self.unlocked {
            return unlocked_data();
        }
        self.inner.as_deref_mut().expect("guard is held")
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if self.unlocked {
            done(UNLOCK, &self.mutex.object, AccessKind::Unlock);
            plain_point();
        } else if let Some(g) = self.inner.take() {
            done(UNLOCK, &self.mutex.object, AccessKind::Unlock);
            g.release();
        }
    }
}

/// A reader-writer lock (Go's `sync.RWMutex`).
#[derive(Debug)]
pub struct RwLock<T> {
    object: Object,
    inner: engine_sync::RwLock<T>,
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
    inner: Option<engine_sync::ReadGuard<'a, T>>,
    /// Held of a disabled lock (a mutant): no lock is held.
    unlocked: bool,
}

/// A write lock on an [`RwLock`].
#[derive(Debug)]
pub struct RwLockWriteGuard<'a, T> {
    object: &'a Object,
    inner: Option<engine_sync::WriteGuard<'a, T>>,
    /// Held of a disabled lock (a mutant): no lock is held.
    unlocked: bool,
}

impl<T> RwLock<T> {
    /// A new unlocked lock.
    pub fn new(value: T) -> Self {
        RwLock {
            object: Object::new(ObjectKind::RwLock),
            inner: engine_sync::RwLock::new(value),
        }
    }
}

impl<T> RwLock<T> {
    /// Takes a read lock (Go's `RLock`).
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        before(RLOCK, &self.object, AccessKind::ReadLock);
        if unlocked::<T>(&self.object) {
            return self.unlocked_read();
        }
        let g = Blocking::during(|| self.inner.read());
        done(RLOCKED, &self.object, AccessKind::ReadLock);
        RwLockReadGuard {
            object: &self.object,
            inner: Some(g),
            unlocked: false,
        }
    }

    /// Takes the write lock (Go's `Lock`).
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        before(WLOCK, &self.object, AccessKind::Lock);
        if unlocked::<T>(&self.object) {
            return self.unlocked_write();
        }
        let g = Blocking::during(|| self.inner.write());
        done(WLOCKED, &self.object, AccessKind::Lock);
        RwLockWriteGuard {
            object: &self.object,
            inner: Some(g),
            unlocked: false,
        }
    }

    /// Takes a read lock if no writer holds the lock, without blocking.
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        before(TRY_RLOCK, &self.object, AccessKind::ReadLock);
        if unlocked::<T>(&self.object) {
            return Some(self.unlocked_read());
        }
        match self.inner.try_read() {
            Some(g) => {
                done(RLOCKED, &self.object, AccessKind::ReadLock);
                Some(RwLockReadGuard {
                    object: &self.object,
                    inner: Some(g),
                    unlocked: false,
                })
            }
            None => {
                performed(&self.object, AccessKind::Read);
                None
            }
        }
    }

    /// Takes the write lock if it is free, without blocking.
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        before(TRY_WLOCK, &self.object, AccessKind::Lock);
        if unlocked::<T>(&self.object) {
            return Some(self.unlocked_write());
        }
        match self.inner.try_write() {
            Some(g) => {
                done(WLOCKED, &self.object, AccessKind::Lock);
                Some(RwLockWriteGuard {
                    object: &self.object,
                    inner: Some(g),
                    unlocked: false,
                })
            }
            None => {
                performed(&self.object, AccessKind::Read);
                None
            }
        }
    }

    /// A read guard of a disabled lock: the acquire is a plain scheduling point.
    fn unlocked_read(&self) -> RwLockReadGuard<'_, T> {
        plain_point();
        done(RLOCKED, &self.object, AccessKind::ReadLock);
        RwLockReadGuard {
            object: &self.object,
            inner: None,
            unlocked: true,
        }
    }

    /// A write guard of a disabled lock: the acquire is a plain scheduling point.
    fn unlocked_write(&self) -> RwLockWriteGuard<'_, T> {
        plain_point();
        done(WLOCKED, &self.object, AccessKind::Lock);
        RwLockWriteGuard {
            object: &self.object,
            inner: None,
            unlocked: true,
        }
    }

    /// The data, through exclusive access (no scheduling point).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Consumes the lock, returning its data.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        if self.unlocked {
            return unlocked_data();
        }
        self.inner.as_deref().expect("guard is held")
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        if self.unlocked {
            done(RUNLOCK, self.object, AccessKind::ReadUnlock);
            plain_point();
        } else if let Some(g) = self.inner.take() {
            done(RUNLOCK, self.object, AccessKind::ReadUnlock);
            g.release();
        }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        if self.unlocked {
            return unlocked_data();
        }
        self.inner.as_deref().expect("guard is held")
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        if self.unlocked {
            return unlocked_data();
        }
        self.inner.as_deref_mut().expect("guard is held")
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if self.unlocked {
            done(WUNLOCK, self.object, AccessKind::Unlock);
            plain_point();
        } else if let Some(g) = self.inner.take() {
            done(WUNLOCK, self.object, AccessKind::Unlock);
            g.release();
        }
    }
}

/// A condition variable, used with [`Mutex`].
#[derive(Debug)]
pub struct Condvar {
    object: Object,
    inner: engine_sync::Condvar,
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
            inner: engine_sync::Condvar::new(),
        }
    }

    /// A condition variable whose notifications order nothing for the race detector (see
    /// [`Mutex::internal`]).
    pub fn internal() -> Self {
        Condvar {
            object: Object::internal(ObjectKind::Condvar),
            inner: engine_sync::Condvar::new(),
        }
    }

    /// Releases the guard's lock, waits for a notification, and locks again.
    ///
    /// With a disabled mutex (a mutant, see [`crate::sync_disabled`]) the wait still needs a
    /// lock to release: it takes the real one for the wait alone, and returns a guard that
    /// holds none, as the mutant's other guards.
    pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let unlocked = std::mem::replace(&mut guard.unlocked, false);
        let g = match guard.inner.take() {
            Some(g) => g,
            None if unlocked => guard.mutex.inner.lock(),
            None => panic!("guard is held"),
        };
        let lock = guard.mutex;
        let mutex = &lock.object;
        // Shuttle releases the mutex inside `wait`, after a scheduling point this wrapper
        // cannot see; nothing of the goroutine runs in between, so the release is recorded
        // here, in the step that starts the wait.
        done(WAIT, &self.object, AccessKind::Wait);
        performed(mutex, AccessKind::Unlock);
        let g = Blocking::during(|| self.inner.wait(g));
        done(WOKEN, &self.object, AccessKind::Woken);
        performed(mutex, AccessKind::Lock);
        if unlocked {
            g.release();
            return MutexGuard {
                mutex: lock,
                inner: None,
                unlocked: true,
            };
        }
        lock.held(g)
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
