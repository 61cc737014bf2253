//! `std::sync::Condvar`, std-shaped.

use super::mutex::{relock, wrap, Held, MutexGuard};
use crate::std_shaped::bind::Bind;
use crate::std_shaped::simulated;
use std::sync::LockResult;
use std::time::Duration;

/// A condition variable with std's API, `const fn new` included (see [`crate::std_shaped`] for
/// how it binds to an execution).
#[derive(Debug)]
pub struct Condvar {
    bind: Bind,
    home: std::sync::Condvar,
}

/// Whether a timed wait timed out (std's type cannot be made outside std).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// Whether the wait timed out (never, inside an execution).
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

impl Condvar {
    /// A new condition variable (usable in a `static`).
    pub const fn new() -> Self {
        Condvar {
            bind: Bind::new(),
            home: std::sync::Condvar::new(),
        }
    }

    /// This execution's harness condition variable.
    fn twin(&self) -> &crate::sync::Condvar {
        self.bind.twin(crate::sync::Condvar::new)
    }

    /// Releases the guard's lock, waits for a notification, and locks again.
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        match guard.into_twin() {
            Ok((twin, home)) => Ok(relock(self.twin().wait(twin), home)),
            Err(guard) => wrap(self.home.wait(std_guard(guard))),
        }
    }

    /// Waits until `condition` is false, re-checking after every wake-up.
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut guard) {
            guard = self.wait(guard)?;
        }
        Ok(guard)
    }

    /// Like [`Condvar::wait`] with a timeout. Inside an execution there is no clock: the wait
    /// ends only with a notification, and never reports a timeout.
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let guard = match guard.into_twin() {
            Ok((twin, home)) => {
                return Ok((
                    relock(self.twin().wait(twin), home),
                    WaitTimeoutResult(false),
                ))
            }
            Err(guard) => std_guard(guard),
        };
        match self.home.wait_timeout(guard, dur) {
            Ok((g, t)) => Ok((
                MutexGuard {
                    inner: Held::Std(g),
                },
                WaitTimeoutResult(t.timed_out()),
            )),
            Err(p) => {
                let (g, t) = p.into_inner();
                Err(std::sync::PoisonError::new((
                    MutexGuard {
                        inner: Held::Std(g),
                    },
                    WaitTimeoutResult(t.timed_out()),
                )))
            }
        }
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) {
        if simulated() {
            self.twin().notify_one();
        } else {
            self.home.notify_one();
        }
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        if simulated() {
            self.twin().notify_all();
        } else {
            self.home.notify_all();
        }
    }
}

/// The std guard inside a guard taken outside an execution.
fn std_guard<T>(guard: MutexGuard<'_, T>) -> std::sync::MutexGuard<'_, T> {
    let mut guard = std::mem::ManuallyDrop::new(guard);
    match &mut guard.inner {
        // SAFETY: `guard` is never used or dropped again, so its std guard is moved out once.
        Held::Std(g) => unsafe { std::ptr::read(g) },
        Held::Sim { .. } => unreachable!("into_twin takes every simulated guard"),
    }
}

impl Default for Condvar {
    fn default() -> Self {
        Condvar::new()
    }
}
