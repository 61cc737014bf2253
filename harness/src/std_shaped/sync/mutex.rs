//! `std::sync::Mutex`, std-shaped.

use crate::std_shaped::bind::{self, Bind};
use crate::std_shaped::simulated;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// A mutual-exclusion lock with std's API, `const fn new` included (see [`crate::std_shaped`]
/// for how it binds to an execution).
///
/// The data lives in a std mutex in both cases; inside an execution the execution's own
/// harness mutex (remade for every execution) decides who holds the lock, and is the
/// scheduling point. So a `static` mutex keeps its **data** from one execution to the next,
/// as a `static` keeps it from one test to the next: a body that changes it should reset it
/// first (an execution that depends on what an earlier one left does not replay alone).
///
/// ```
/// use maprace_harness::std_shaped::sync::Mutex;
/// static HITS: Mutex<u32> = Mutex::new(0);
/// *HITS.lock().unwrap() += 1;
/// assert_eq!(*HITS.lock().unwrap(), 1);
/// ```
pub struct Mutex<T> {
    bind: Bind,
    name: Option<String>,
    home: std::sync::Mutex<T>,
}

/// A held [`Mutex`]; unlocks when dropped.
pub struct MutexGuard<'a, T> {
    pub(crate) inner: Held<'a, T>,
}

/// What a guard holds: std's guard, or (inside an execution) the twin's guard and the data.
pub(crate) enum Held<'a, T> {
    Std(std::sync::MutexGuard<'a, T>),
    Sim {
        /// `None` once a condition variable has taken it.
        twin: Option<crate::sync::MutexGuard<'a, ()>>,
        data: &'a mut T,
        hold: u64,
        home: &'a std::sync::Mutex<T>,
    },
}

impl<T> Mutex<T> {
    /// A new unlocked mutex (usable in a `static`).
    pub const fn new(value: T) -> Self {
        Mutex {
            bind: Bind::new(),
            name: None,
            home: std::sync::Mutex::new(value),
        }
    }

    /// A new unlocked mutex named for traces (`mutex: lock "stripe[2]"`).
    pub fn named(name: impl Into<String>, value: T) -> Self {
        Mutex {
            bind: Bind::new(),
            name: Some(name.into()),
            home: std::sync::Mutex::new(value),
        }
    }

    /// This execution's harness mutex.
    fn twin(&self) -> &crate::sync::Mutex<()> {
        self.bind.twin(|| match &self.name {
            Some(n) => crate::sync::Mutex::named(n.clone(), ()),
            None => crate::sync::Mutex::new(()),
        })
    }

    /// The guard for a twin guard just taken.
    fn held<'a>(&'a self, twin: crate::sync::MutexGuard<'a, ()>) -> MutexGuard<'a, T> {
        relock(twin, &self.home)
    }

    /// Locks, blocking until the lock is free.
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        if simulated() {
            Ok(self.held(self.twin().lock()))
        } else {
            wrap(self.home.lock())
        }
    }

    /// Locks if the lock is free.
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        if simulated() {
            return match self.twin().try_lock() {
                Some(g) => Ok(self.held(g)),
                None => Err(TryLockError::WouldBlock),
            };
        }
        match self.home.try_lock() {
            Ok(g) => Ok(MutexGuard {
                inner: Held::Std(g),
            }),
            Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
            Err(TryLockError::Poisoned(p)) => {
                Err(TryLockError::Poisoned(PoisonError::new(MutexGuard {
                    inner: Held::Std(p.into_inner()),
                })))
            }
        }
    }

    /// Whether a holder panicked (never, inside an execution).
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

    /// Consumes the mutex, returning its data.
    pub fn into_inner(self) -> LockResult<T> {
        let inside = simulated();
        let Mutex { bind, name, home } = self;
        drop((bind, name));
        if inside {
            Ok(home.into_inner().unwrap_or_else(PoisonError::into_inner))
        } else {
            home.into_inner()
        }
    }
}

/// Takes the home lock for a twin guard just acquired (see `bind`): uncontended, unless an
/// execution on another thread holds it, which then releases it soon.
pub(crate) fn relock<'a, T>(
    twin: crate::sync::MutexGuard<'a, ()>,
    home: &'a std::sync::Mutex<T>,
) -> MutexGuard<'a, T> {
    let mut g = match home.try_lock() {
        Ok(g) => g,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => home.lock().unwrap_or_else(PoisonError::into_inner),
    };
    let data: *mut T = &mut *g;
    // SAFETY: the guard below releases the hold before it stops borrowing `home`, and the
    // execution's end releases a hold whose guard was leaked.
    let hold = unsafe { bind::hold(g) };
    MutexGuard {
        inner: Held::Sim {
            twin: Some(twin),
            // SAFETY: the held std guard gives exclusive access until the hold is released.
            data: unsafe { &mut *data },
            hold,
            home,
        },
    }
}

pub(crate) fn wrap<T>(
    r: LockResult<std::sync::MutexGuard<'_, T>>,
) -> LockResult<MutexGuard<'_, T>> {
    match r {
        Ok(g) => Ok(MutexGuard {
            inner: Held::Std(g),
        }),
        Err(p) => Err(PoisonError::new(MutexGuard {
            inner: Held::Std(p.into_inner()),
        })),
    }
}

impl<'a, T> MutexGuard<'a, T> {
    /// Releases the home lock and hands back the twin guard (for a condition variable's wait).
    pub(crate) fn into_twin(
        mut self,
    ) -> Result<(crate::sync::MutexGuard<'a, ()>, &'a std::sync::Mutex<T>), Self> {
        match &mut self.inner {
            Held::Sim {
                twin, hold, home, ..
            } => {
                let twin = twin.take().expect("a guard's twin is taken once");
                bind::release(*hold);
                Ok((twin, *home))
            }
            Held::Std(_) => Err(self),
        }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if let Held::Sim { hold, home, .. } = &self.inner {
            // The home first: the twin's unlock (dropped next) is a scheduling point, after
            // which another goroutine may lock.
            bind::release(*hold);
            if std::thread::panicking() {
                // An execution's panic is its failure, not the data's: std's guard poisoned
                // the home as it was released while unwinding.
                home.clear_poison();
            }
        }
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
            Held::Std(g) => g,
            Held::Sim { data, .. } => data,
        }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.inner {
            Held::Std(g) => g,
            Held::Sim { data, .. } => data,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
