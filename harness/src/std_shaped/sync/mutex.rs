//! `std::sync::Mutex`, std-shaped.

use crate::std_shaped::{simulated, Backend};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// A mutual-exclusion lock with std's API (see [`crate::std_shaped`] for its two backends).
pub struct Mutex<T> {
    pub(crate) inner: Backend<crate::sync::Mutex<T>, std::sync::Mutex<T>>,
}

/// A held [`Mutex`]; unlocks when dropped.
pub struct MutexGuard<'a, T> {
    pub(crate) inner: Backend<crate::sync::MutexGuard<'a, T>, std::sync::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex.
    pub fn new(value: T) -> Self {
        Mutex {
            inner: if simulated() {
                Backend::Sim(crate::sync::Mutex::new(value))
            } else {
                Backend::Std(std::sync::Mutex::new(value))
            },
        }
    }

    /// A new unlocked mutex named for traces (`mutex "stripe[2]": lock`).
    pub fn named(name: impl Into<String>, value: T) -> Self {
        Mutex {
            inner: if simulated() {
                Backend::Sim(crate::sync::Mutex::named(name, value))
            } else {
                Backend::Std(std::sync::Mutex::new(value))
            },
        }
    }

    /// Locks, blocking until the lock is free.
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        match &self.inner {
            Backend::Sim(m) => Ok(MutexGuard {
                inner: Backend::Sim(m.lock()),
            }),
            Backend::Std(m) => wrap(m.lock()),
        }
    }

    /// Locks if the lock is free.
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        match &self.inner {
            Backend::Sim(m) => m
                .try_lock()
                .map(|g| MutexGuard {
                    inner: Backend::Sim(g),
                })
                .ok_or(TryLockError::WouldBlock),
            Backend::Std(m) => match m.try_lock() {
                Ok(g) => Ok(MutexGuard {
                    inner: Backend::Std(g),
                }),
                Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
                Err(TryLockError::Poisoned(p)) => {
                    Err(TryLockError::Poisoned(PoisonError::new(MutexGuard {
                        inner: Backend::Std(p.into_inner()),
                    })))
                }
            },
        }
    }

    /// Whether a holder panicked (never, inside an execution).
    pub fn is_poisoned(&self) -> bool {
        match &self.inner {
            Backend::Sim(_) => false,
            Backend::Std(m) => m.is_poisoned(),
        }
    }

    /// The data, through exclusive access.
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        match &mut self.inner {
            Backend::Sim(m) => Ok(m.get_mut()),
            Backend::Std(m) => m.get_mut(),
        }
    }

    /// Consumes the mutex, returning its data.
    pub fn into_inner(self) -> LockResult<T> {
        match self.inner {
            Backend::Sim(m) => Ok(m.into_inner()),
            Backend::Std(m) => m.into_inner(),
        }
    }
}

pub(crate) fn wrap<T>(
    r: LockResult<std::sync::MutexGuard<'_, T>>,
) -> LockResult<MutexGuard<'_, T>> {
    match r {
        Ok(g) => Ok(MutexGuard {
            inner: Backend::Std(g),
        }),
        Err(p) => Err(PoisonError::new(MutexGuard {
            inner: Backend::Std(p.into_inner()),
        })),
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mutex { .. }")
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.inner {
            Backend::Sim(g) => g,
            Backend::Std(g) => g,
        }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.inner {
            Backend::Sim(g) => g,
            Backend::Std(g) => g,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
