//! `std::sync::RwLock`, std-shaped.

use crate::std_shaped::{simulated, Backend};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// A reader-writer lock with std's API (see [`crate::std_shaped`] for its two backends).
pub struct RwLock<T> {
    inner: Backend<crate::sync::RwLock<T>, std::sync::RwLock<T>>,
}

/// A read lock on an [`RwLock`].
pub struct RwLockReadGuard<'a, T> {
    inner: Backend<crate::sync::RwLockReadGuard<'a, T>, std::sync::RwLockReadGuard<'a, T>>,
}

/// A write lock on an [`RwLock`].
pub struct RwLockWriteGuard<'a, T> {
    inner: Backend<crate::sync::RwLockWriteGuard<'a, T>, std::sync::RwLockWriteGuard<'a, T>>,
}

/// Maps a std lock result to ours.
fn wrap<G, H>(r: LockResult<G>, f: impl Fn(G) -> H) -> LockResult<H> {
    r.map(&f).map_err(|p| PoisonError::new(f(p.into_inner())))
}

/// Maps a std try-lock result to ours.
fn wrap_try<G, H>(r: TryLockResult<G>, f: impl Fn(G) -> H) -> TryLockResult<H> {
    match r {
        Ok(g) => Ok(f(g)),
        Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
        Err(TryLockError::Poisoned(p)) => {
            Err(TryLockError::Poisoned(PoisonError::new(f(p.into_inner()))))
        }
    }
}

impl<T> RwLock<T> {
    /// A new unlocked lock.
    pub fn new(value: T) -> Self {
        RwLock {
            inner: if simulated() {
                Backend::Sim(crate::sync::RwLock::new(value))
            } else {
                Backend::Std(std::sync::RwLock::new(value))
            },
        }
    }

    /// Takes a read lock.
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let read = |g| RwLockReadGuard {
            inner: Backend::Std(g),
        };
        match &self.inner {
            Backend::Sim(l) => Ok(RwLockReadGuard {
                inner: Backend::Sim(l.read()),
            }),
            Backend::Std(l) => wrap(l.read(), read),
        }
    }

    /// Takes the write lock.
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let write = |g| RwLockWriteGuard {
            inner: Backend::Std(g),
        };
        match &self.inner {
            Backend::Sim(l) => Ok(RwLockWriteGuard {
                inner: Backend::Sim(l.write()),
            }),
            Backend::Std(l) => wrap(l.write(), write),
        }
    }

    /// Takes a read lock if no writer holds the lock.
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        let read = |g| RwLockReadGuard {
            inner: Backend::Std(g),
        };
        match &self.inner {
            Backend::Sim(l) => l
                .try_read()
                .map(|g| RwLockReadGuard {
                    inner: Backend::Sim(g),
                })
                .ok_or(TryLockError::WouldBlock),
            Backend::Std(l) => wrap_try(l.try_read(), read),
        }
    }

    /// Takes the write lock if it is free.
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let write = |g| RwLockWriteGuard {
            inner: Backend::Std(g),
        };
        match &self.inner {
            Backend::Sim(l) => l
                .try_write()
                .map(|g| RwLockWriteGuard {
                    inner: Backend::Sim(g),
                })
                .ok_or(TryLockError::WouldBlock),
            Backend::Std(l) => wrap_try(l.try_write(), write),
        }
    }

    /// Whether a writer panicked (never, inside an execution).
    pub fn is_poisoned(&self) -> bool {
        match &self.inner {
            Backend::Sim(_) => false,
            Backend::Std(l) => l.is_poisoned(),
        }
    }

    /// The data, through exclusive access.
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        match &mut self.inner {
            Backend::Sim(l) => Ok(l.get_mut()),
            Backend::Std(l) => l.get_mut(),
        }
    }

    /// Consumes the lock, returning its data.
    pub fn into_inner(self) -> LockResult<T> {
        match self.inner {
            Backend::Sim(l) => Ok(l.into_inner()),
            Backend::Std(l) => l.into_inner(),
        }
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RwLock { .. }")
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.inner {
            Backend::Sim(g) => g,
            Backend::Std(g) => g,
        }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.inner {
            Backend::Sim(g) => g,
            Backend::Std(g) => g,
        }
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.inner {
            Backend::Sim(g) => g,
            Backend::Std(g) => g,
        }
    }
}
