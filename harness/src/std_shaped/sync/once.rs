//! `std::sync::{Once, OnceLock, LazyLock}`, std-shaped, built on the std-shaped atomic and
//! mutex: Go's `sync.Once` algorithm (an atomic fast path, then a mutex and a re-check), so
//! every caller that arrives while the initialiser runs blocks until it has returned, and the
//! initialiser's effects happen before every return.

use super::atomic::{AtomicBool, Ordering};
use super::Mutex;
use std::fmt;
use std::ops::Deref;

/// Runs an initialiser once (std's `Once`, without poisoning).
pub struct Once {
    done: AtomicBool,
    m: Mutex<()>,
}

impl Once {
    /// A `Once` that has not run.
    pub fn new() -> Self {
        Once {
            done: AtomicBool::new(false),
            m: Mutex::new(()),
        }
    }

    /// Runs `f` if no call has run it yet; returns only after it has returned.
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        if self.done.load(Ordering::Acquire) {
            return;
        }
        let _g = self
            .m
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.done.load(Ordering::Relaxed) {
            f();
            self.done.store(true, Ordering::Release);
        }
    }

    /// Whether an initialiser has run to completion.
    pub fn is_completed(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

impl Default for Once {
    fn default() -> Self {
        Once::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Once { .. }")
    }
}

/// A cell written once (std's `OnceLock`).
pub struct OnceLock<T> {
    once: Once,
    // The value lives in std's cell; `once` orders every access to it.
    cell: std::sync::OnceLock<T>,
}

impl<T> OnceLock<T> {
    /// An empty cell.
    pub fn new() -> Self {
        OnceLock {
            once: Once::new(),
            cell: std::sync::OnceLock::new(),
        }
    }

    /// The value, if it was set.
    pub fn get(&self) -> Option<&T> {
        if self.once.is_completed() {
            self.cell.get()
        } else {
            None
        }
    }

    /// Sets the value if the cell is empty; gives `value` back otherwise.
    pub fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.once.call_once(|| {
            let _ = self.cell.set(value.take().expect("taken once"));
        });
        match value {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }

    /// The value, initialising it with `f` if the cell is empty.
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        self.once.call_once(|| {
            let _ = self.cell.set(f());
        });
        self.cell.get().expect("initialised by call_once")
    }

    /// Consumes the cell, returning its value.
    pub fn into_inner(self) -> Option<T> {
        self.cell.into_inner()
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceLock").field(&self.cell.get()).finish()
    }
}

/// A value initialised on first access (std's `LazyLock`).
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: std::sync::Mutex<Option<F>>,
}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// A lazy value made by `f` on first access.
    pub fn new(f: F) -> Self {
        LazyLock {
            cell: OnceLock::new(),
            init: std::sync::Mutex::new(Some(f)),
        }
    }

    /// Forces initialisation and returns the value.
    pub fn force(this: &Self) -> &T {
        this.cell.get_or_init(|| {
            // Only the one caller that runs the initialiser gets here: no contention.
            let f = this
                .init
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .expect("LazyLock initialiser runs once");
            f()
        })
    }
}

impl<T, F: FnOnce() -> T> Deref for LazyLock<T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyLock")
            .field(&self.cell.cell.get())
            .finish()
    }
}
