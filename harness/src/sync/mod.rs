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

mod condvar;
mod mutex;
mod rwlock;

pub use condvar::Condvar;
pub use mutex::{Mutex, MutexGuard};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
