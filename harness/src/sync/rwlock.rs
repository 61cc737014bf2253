//! [`RwLock`]: Go's `sync.RWMutex`, holding its data like Rust's.

use super::*;
use std::ops::{Deref, DerefMut};

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
