//! `std::thread`, std-shaped: inside an execution a thread is a maprace goroutine (named,
//! numbered, its panics failing the execution as an unrecovered Go panic does); outside one it
//! is a std thread. [`scope`] is std's scoped threads (see its module notes).

use crate::std_shaped::{simulated, Backend};
use std::time::Duration;

pub use super::scope::{scope, Scope, ScopedJoinHandle};

/// A handle to join a spawned thread.
#[derive(Debug)]
pub struct JoinHandle<T> {
    inner: Backend<crate::JoinHandle<T>, std::thread::JoinHandle<T>>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread and returns its result. Inside an execution a thread that panicked
    /// has already failed the execution, so this returns `Ok` or never returns.
    pub fn join(self) -> std::thread::Result<T> {
        match self.inner {
            Backend::Sim(h) => Ok(h.join()),
            Backend::Std(h) => h.join(),
        }
    }
}

/// Spawns a thread (a goroutine inside an execution).
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new()
        .spawn(f)
        .expect("spawning a thread does not fail")
}

/// std's thread builder: a name (shown in traces inside an execution).
#[derive(Debug, Default)]
pub struct Builder {
    pub(super) name: Option<String>,
}

impl Builder {
    /// A builder with no name.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the thread.
    pub fn name(mut self, name: String) -> Self {
        self.name = Some(name);
        self
    }

    /// Spawns the thread.
    pub fn spawn<F, T>(self, f: F) -> std::io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        if simulated() {
            Ok(JoinHandle {
                inner: Backend::Sim(crate::go(self.name.unwrap_or_default(), f)),
            })
        } else {
            let mut b = std::thread::Builder::new();
            if let Some(name) = self.name {
                b = b.name(name);
            }
            Ok(JoinHandle {
                inner: Backend::Std(b.spawn(f)?),
            })
        }
    }
}

/// Lets other threads run: inside an execution the scheduler is told this thread yields (a
/// spin loop that yields is then not a livelock).
pub fn yield_now() {
    if simulated() {
        crate::preempt::raw_yield();
    } else {
        std::thread::yield_now();
    }
}

/// Sleeps: inside an execution a scheduling point (there is no clock), outside std's sleep.
pub fn sleep(dur: Duration) {
    if simulated() {
        crate::preempt::raw_switch();
    } else {
        std::thread::sleep(dur);
    }
}
