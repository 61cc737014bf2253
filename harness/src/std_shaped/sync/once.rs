//! `std::sync::{Once, OnceLock, LazyLock}`, std-shaped, built on the std-shaped atomic and
//! mutex: Go's `sync.Once` algorithm (an atomic fast path, then a mutex and a re-check), so
//! every caller that arrives while the initialiser runs blocks until it has returned, and the
//! initialiser's effects happen before every return.
//!
//! All three have `const fn new` and start every execution afresh (see [`crate::std_shaped`]):
//! a `static` `Once` runs its initialiser again in each execution, and a `static` `OnceLock` or
//! `LazyLock` is empty again, unless it was completed outside explorations, in which case every
//! execution sees that outside value. A value set inside an execution is kept (unreachable) until
//! the cell is dropped, because references to it may outlive the execution: a `static` cell
//! keeps one value per execution that set it.

use super::atomic::{AtomicBool, Ordering};
use super::Mutex;
use crate::std_shaped::bind::Bind;
use crate::std_shaped::simulated;
use std::cell::Cell;
use std::fmt;
use std::ops::Deref;
use std::sync::PoisonError;

/// Runs an initialiser once (std's `Once`, without poisoning).
pub struct Once {
    done: AtomicBool,
    m: Mutex<()>,
}

impl Once {
    /// A `Once` that has not run (usable in a `static`).
    pub const fn new() -> Self {
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
    /// The value outside explorations.
    home: std::sync::OnceLock<T>,
    /// Orders an execution's initialisation (remade in each execution, as its parts are).
    once: Once,
    /// Values set inside executions, boxed so that references to them stay valid as more come.
    made: std::sync::Mutex<Vec<Box<T>>>,
    /// The running execution's value: `index + 1` into `made`, 0 for none.
    slot: Bind,
}

impl<T> OnceLock<T> {
    /// An empty cell (usable in a `static`).
    pub const fn new() -> Self {
        OnceLock {
            home: std::sync::OnceLock::new(),
            once: Once::new(),
            made: std::sync::Mutex::new(Vec::new()),
            slot: Bind::new(),
        }
    }

    fn slot(&self) -> &Cell<usize> {
        self.slot.twin(|| Cell::new(0))
    }

    fn made(&self) -> std::sync::MutexGuard<'_, Vec<Box<T>>> {
        self.made.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The running execution's value, if it set one.
    fn made_here(&self) -> Option<&T> {
        let i = self.slot().get().checked_sub(1)?;
        let p: *const T = &*self.made()[i];
        // SAFETY: boxes in `made` are neither moved out nor dropped before `self` is.
        Some(unsafe { &*p })
    }

    /// Keeps `value` as the running execution's value.
    fn keep(&self, value: T) {
        let mut made = self.made();
        made.push(Box::new(value));
        self.slot().set(made.len());
    }

    /// The value, if it was set.
    pub fn get(&self) -> Option<&T> {
        if !simulated() || self.home.get().is_some() {
            return self.home.get();
        }
        if self.once.is_completed() {
            self.made_here()
        } else {
            None
        }
    }

    /// Sets the value if the cell is empty; gives `value` back otherwise.
    pub fn set(&self, value: T) -> Result<(), T> {
        if !simulated() || self.home.get().is_some() {
            return self.home.set(value);
        }
        let mut value = Some(value);
        self.once
            .call_once(|| self.keep(value.take().expect("taken once")));
        match value {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }

    /// The value, initialising it with `f` if the cell is empty.
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        if !simulated() || self.home.get().is_some() {
            return self.home.get_or_init(f);
        }
        self.once.call_once(|| self.keep(f()));
        self.made_here().expect("initialised by call_once")
    }

    /// Consumes the cell, returning its value.
    pub fn into_inner(self) -> Option<T> {
        if !simulated() || self.home.get().is_some() {
            return self.home.into_inner();
        }
        let here = self.slot().get().checked_sub(1)?;
        let mut made = self
            .made
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Some(*made.swap_remove(here))
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceLock").field(&self.get()).finish()
    }
}

/// A value initialised on first access (std's `LazyLock`). With the default initialiser type
/// (`fn() -> T`, the one a `static` has) the initialiser runs again in every execution; any
/// other initialiser type is `FnOnce`, so such a value can be forced in one execution (or
/// outside) only, and forcing it again in another panics saying so.
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: std::sync::Mutex<Option<F>>,
}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// A lazy value made by `f` on first access (usable in a `static`).
    pub const fn new(f: F) -> Self {
        LazyLock {
            cell: OnceLock::new(),
            init: std::sync::Mutex::new(Some(f)),
        }
    }

    /// Forces initialisation and returns the value.
    pub fn force(this: &Self) -> &T {
        this.cell.get_or_init(|| this.make())
    }

    /// Runs the initialiser: a copy of it if it is a function pointer (so it can run in every
    /// execution), or else the one initialiser, taken.
    fn make(&self) -> T {
        // Only the one caller that runs the initialiser gets here: no contention.
        let mut init = self.init.lock().unwrap_or_else(PoisonError::into_inner);
        if typeid::of::<F>() == typeid::of::<fn() -> T>() {
            let f = init.as_ref().expect("a function pointer is never taken");
            // SAFETY: `F` is `fn() -> T` (equal type ids, lifetimes aside, and `F` returns
            // exactly `T`), and a function pointer is `Copy`.
            let f: fn() -> T = unsafe { std::mem::transmute_copy(f) };
            drop(init);
            return f();
        }
        let f = init.take().unwrap_or_else(|| {
            panic!(
                "maprace: a LazyLock whose initialiser is a closure (FnOnce) was forced in an \
                 earlier execution or outside, and cannot be initialised again: give it the \
                 type LazyLock<T> (a fn() -> T initialiser) or make it inside the body"
            )
        });
        drop(init);
        f()
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
            .field(&self.cell.home.get())
            .finish()
    }
}
