//! [`Mutex`]: Go's `sync.Mutex`, holding its data like Rust's.

use super::*;
use std::ops::{Deref, DerefMut};

/// A mutual-exclusion lock (Go's `sync.Mutex`, holding its data like Rust's).
#[derive(Debug)]
pub struct Mutex<T> {
    pub(super) object: Object,
    pub(super) inner: engine_sync::Mutex<T>,
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

/// A held [`Mutex`]; unlocks when dropped.
#[derive(Debug)]
pub struct MutexGuard<'a, T> {
    pub(super) mutex: &'a Mutex<T>,
    pub(super) inner: Option<engine_sync::MutexGuard<'a, T>>,
    /// Held of a disabled mutex (a mutant): no lock is held.
    pub(super) unlocked: bool,
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

    pub(super) fn held<'a>(&'a self, g: engine_sync::MutexGuard<'a, T>) -> MutexGuard<'a, T> {
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
