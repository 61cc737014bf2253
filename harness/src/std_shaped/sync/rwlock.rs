//! `std::sync::RwLock`, std-shaped: the data at home in a std lock, the execution's own harness
//! lock deciding who holds it (as for [`super::Mutex`], whose notes on `static`s apply).

use crate::std_shaped::bind::{self, Bind};
use crate::std_shaped::simulated;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// A reader-writer lock with std's API, `const fn new` included (see [`crate::std_shaped`]).
pub struct RwLock<T> {
    bind: Bind,
    home: std::sync::RwLock<T>,
}

/// A read lock on an [`RwLock`].
pub struct RwLockReadGuard<'a, T> {
    inner: Held<'a, T, std::sync::RwLockReadGuard<'a, T>, crate::sync::RwLockReadGuard<'a, ()>>,
}

/// A write lock on an [`RwLock`].
pub struct RwLockWriteGuard<'a, T> {
    inner: Held<'a, T, std::sync::RwLockWriteGuard<'a, T>, crate::sync::RwLockWriteGuard<'a, ()>>,
}

/// std's guard, or (inside an execution) the twin's guard, the data and the home hold.
enum Held<'a, T, S, G> {
    Std(S),
    Sim {
        // Dropped after the hold is released (see `Drop`): its unlock is a scheduling point.
        _twin: G,
        data: *mut T,
        hold: u64,
        home: &'a std::sync::RwLock<T>,
    },
}

impl<T, S, G> Drop for Held<'_, T, S, G> {
    fn drop(&mut self) {
        if let Held::Sim { hold, home, .. } = self {
            bind::release(*hold);
            if std::thread::panicking() {
                home.clear_poison();
            }
        }
    }
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

/// Takes a home lock for a twin guard just acquired: uncontended unless another thread's
/// execution holds it (see `bind`).
fn relock<'a, T, S, G>(
    twin: G,
    home: &'a std::sync::RwLock<T>,
    try_take: impl FnOnce() -> TryLockResult<S>,
    take: impl FnOnce() -> LockResult<S>,
    data: impl FnOnce(&mut S) -> *mut T,
) -> Held<'a, T, S, G>
where
    S: 'a,
{
    let mut g = match try_take() {
        Ok(g) => g,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => take().unwrap_or_else(PoisonError::into_inner),
    };
    let data = data(&mut g);
    Held::Sim {
        _twin: twin,
        data,
        // SAFETY: `Held`'s drop releases the hold while `home` is borrowed; the execution's end
        // releases one whose guard was leaked.
        hold: unsafe { bind::hold(g) },
        home,
    }
}

impl<T> RwLock<T> {
    /// A new unlocked lock (usable in a `static`).
    pub const fn new(value: T) -> Self {
        RwLock {
            bind: Bind::new(),
            home: std::sync::RwLock::new(value),
        }
    }

    /// This execution's harness lock.
    fn twin(&self) -> &crate::sync::RwLock<()> {
        self.bind.twin(|| crate::sync::RwLock::new(()))
    }

    fn read_held<'a>(
        &'a self,
        twin: crate::sync::RwLockReadGuard<'a, ()>,
    ) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard {
            inner: relock(
                twin,
                &self.home,
                || self.home.try_read(),
                || self.home.read(),
                // Only ever read through.
                |g| &**g as *const T as *mut T,
            ),
        }
    }

    fn write_held<'a>(
        &'a self,
        twin: crate::sync::RwLockWriteGuard<'a, ()>,
    ) -> RwLockWriteGuard<'a, T> {
        RwLockWriteGuard {
            inner: relock(
                twin,
                &self.home,
                || self.home.try_write(),
                || self.home.write(),
                |g| &mut **g as *mut T,
            ),
        }
    }

    /// Takes a read lock.
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        if simulated() {
            return Ok(self.read_held(self.twin().read()));
        }
        wrap(self.home.read(), |g| RwLockReadGuard {
            inner: Held::Std(g),
        })
    }

    /// Takes the write lock.
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        if simulated() {
            return Ok(self.write_held(self.twin().write()));
        }
        wrap(self.home.write(), |g| RwLockWriteGuard {
            inner: Held::Std(g),
        })
    }

    /// Takes a read lock if no writer holds the lock.
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        if simulated() {
            return match self.twin().try_read() {
                Some(g) => Ok(self.read_held(g)),
                None => Err(TryLockError::WouldBlock),
            };
        }
        wrap_try(self.home.try_read(), |g| RwLockReadGuard {
            inner: Held::Std(g),
        })
    }

    /// Takes the write lock if it is free.
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        if simulated() {
            return match self.twin().try_write() {
                Some(g) => Ok(self.write_held(g)),
                None => Err(TryLockError::WouldBlock),
            };
        }
        wrap_try(self.home.try_write(), |g| RwLockWriteGuard {
            inner: Held::Std(g),
        })
    }

    /// Whether a writer panicked (never, inside an execution).
    pub fn is_poisoned(&self) -> bool {
        !simulated() && self.home.is_poisoned()
    }

    /// Clears the poisoned state.
    pub fn clear_poison(&self) {
        self.home.clear_poison();
    }

    /// The data, through exclusive access (no scheduling point).
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        if simulated() {
            Ok(self.home.get_mut().unwrap_or_else(PoisonError::into_inner))
        } else {
            self.home.get_mut()
        }
    }

    /// Consumes the lock, returning its data.
    pub fn into_inner(self) -> LockResult<T> {
        let inside = simulated();
        let RwLock { bind, home } = self;
        drop(bind);
        if inside {
            Ok(home.into_inner().unwrap_or_else(PoisonError::into_inner))
        } else {
            home.into_inner()
        }
    }
}

// SAFETY: a shared guard gives only `&T` (as std's guards, which are `Sync` when `T` is).
unsafe impl<T: Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
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
            Held::Std(g) => g,
            // SAFETY: the held home read guard keeps the data shared until the hold goes.
            Held::Sim { data, .. } => unsafe { &**data },
        }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.inner {
            Held::Std(g) => g,
            // SAFETY: the held home write guard gives exclusive access until the hold goes.
            Held::Sim { data, .. } => unsafe { &**data },
        }
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.inner {
            Held::Std(g) => g,
            // SAFETY: as for `deref`.
            Held::Sim { data, .. } => unsafe { &mut **data },
        }
    }
}
