//! `std::sync::Condvar`, std-shaped.

use super::mutex::{wrap, MutexGuard};
use crate::std_shaped::{mixed, simulated, Backend};
use std::sync::LockResult;
use std::time::Duration;

/// A condition variable with std's API (see [`crate::std_shaped`] for its two backends).
#[derive(Debug)]
pub struct Condvar {
    inner: Backend<crate::sync::Condvar, std::sync::Condvar>,
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
    /// A new condition variable.
    pub fn new() -> Self {
        Condvar {
            inner: if simulated() {
                Backend::Sim(crate::sync::Condvar::new())
            } else {
                Backend::Std(std::sync::Condvar::new())
            },
        }
    }

    /// Releases the guard's lock, waits for a notification, and locks again.
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        match (&self.inner, guard.inner) {
            (Backend::Sim(c), Backend::Sim(g)) => Ok(MutexGuard {
                inner: Backend::Sim(c.wait(g)),
            }),
            (Backend::Std(c), Backend::Std(g)) => wrap(c.wait(g)),
            _ => mixed("a Condvar and a Mutex"),
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
        match (&self.inner, guard.inner) {
            (Backend::Sim(c), Backend::Sim(g)) => Ok((
                MutexGuard {
                    inner: Backend::Sim(c.wait(g)),
                },
                WaitTimeoutResult(false),
            )),
            (Backend::Std(c), Backend::Std(g)) => match c.wait_timeout(g, dur) {
                Ok((g, t)) => Ok((
                    MutexGuard {
                        inner: Backend::Std(g),
                    },
                    WaitTimeoutResult(t.timed_out()),
                )),
                Err(p) => {
                    let (g, t) = p.into_inner();
                    Err(std::sync::PoisonError::new((
                        MutexGuard {
                            inner: Backend::Std(g),
                        },
                        WaitTimeoutResult(t.timed_out()),
                    )))
                }
            },
            _ => mixed("a Condvar and a Mutex"),
        }
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) {
        match &self.inner {
            Backend::Sim(c) => c.notify_one(),
            Backend::Std(c) => c.notify_one(),
        }
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        match &self.inner {
            Backend::Sim(c) => c.notify_all(),
            Backend::Std(c) => c.notify_all(),
        }
    }
}

impl Default for Condvar {
    fn default() -> Self {
        Condvar::new()
    }
}
