//! `std::thread::scope`, std-shaped: scoped threads that borrow from the caller's stack.
//!
//! Outside an execution this is std's scope. Inside one, a scoped thread is a goroutine, and
//! goroutines take `'static` functions: the scope erases the function's lifetime, which is
//! sound because `scope` does not return (nor unwind) before every goroutine it spawned has
//! been joined, as std's does. If the scope's function panics, the panic is caught, the
//! goroutines are joined, and the panic goes on. (Inside an execution a panic is the
//! execution's failure: the execution stops there, and teardown leaks the stacks of the
//! goroutines still suspended rather than running them against a frame that is gone.)

use crate::std_shaped::simulated;
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, PoisonError};

/// A scope to spawn scoped threads in (std's `Scope`); see [`scope`].
pub struct Scope<'scope, 'env: 'scope> {
    inner: Inner,
    // Invariant in both lifetimes, as std's `Scope`.
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

enum Inner {
    /// std's scope, while its function runs (set once, before the caller's function starts).
    Std(AtomicPtr<()>),
    /// Inside an execution: the goroutines spawned and not joined yet, by spawn number.
    Sim(std::sync::Mutex<Vec<Option<crate::JoinHandle<()>>>>),
}

/// A handle to join a scoped thread (std's `ScopedJoinHandle`).
pub struct ScopedJoinHandle<'scope, T> {
    inner: Handle<'scope, T>,
}

enum Handle<'scope, T> {
    Std(std::thread::ScopedJoinHandle<'scope, T>),
    Sim {
        scope: &'scope std::sync::Mutex<Vec<Option<crate::JoinHandle<()>>>>,
        index: usize,
        result: Arc<std::sync::Mutex<Option<T>>>,
    },
}

/// Runs `f` with a scope in which threads can borrow from the caller; returns once every
/// thread spawned in the scope has finished (std's `thread::scope`).
///
/// ```
/// use maprace_harness::std_shaped::thread;
/// let mut total = 0;
/// let parts = [1, 2, 3];
/// thread::scope(|s| {
///     let h = s.spawn(|| parts.iter().sum::<i32>());
///     total = h.join().unwrap();
/// });
/// assert_eq!(total, 6);
/// ```
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    if simulated() {
        let ours = Scope {
            inner: Inner::Sim(std::sync::Mutex::new(Vec::new())),
            _scope: PhantomData,
            _env: PhantomData,
        };
        let result = catch_unwind(AssertUnwindSafe(|| f(&ours)));
        ours.join_all();
        match result {
            Ok(v) => v,
            Err(payload) => resume_unwind(payload),
        }
    } else {
        // `ours` outlives std's scope, so a function that outlives `ours`'s borrow also
        // outlives std's scope, which is what std's `spawn` asks.
        let ours = Scope {
            inner: Inner::Std(AtomicPtr::new(std::ptr::null_mut())),
            _scope: PhantomData,
            _env: PhantomData,
        };
        std::thread::scope(|s| {
            if let Inner::Std(p) = &ours.inner {
                p.store(s as *const _ as *mut (), Ordering::Release);
            }
            f(&ours)
        })
    }
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Spawns a scoped thread (a goroutine inside an execution).
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        self.spawn_named(None, f)
    }

    fn spawn_named<F, T>(&'scope self, name: Option<String>, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        match &self.inner {
            Inner::Std(p) => {
                let p = p.load(Ordering::Acquire) as *const std::thread::Scope<'scope, 'env>;
                // SAFETY: set before the caller's function runs, and std's scope outlives every
                // call of this (a `&'scope Scope` cannot leave the caller's function but into
                // the scope's threads, which std joins before its scope ends).
                let s = unsafe { &*p };
                let mut b = std::thread::Builder::new();
                if let Some(name) = name {
                    b = b.name(name);
                }
                ScopedJoinHandle {
                    inner: Handle::Std(
                        b.spawn_scoped(s, f)
                            .expect("spawning a thread does not fail"),
                    ),
                }
            }
            Inner::Sim(handles) => {
                let result = Arc::new(std::sync::Mutex::new(None));
                let slot = Arc::clone(&result);
                let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
                    let v = f();
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(v);
                });
                // SAFETY: `scope` joins this goroutine before `'scope` ends (see the module
                // docs), so nothing the function borrows is gone while it runs.
                let body: Box<dyn FnOnce() + Send + 'static> = unsafe { std::mem::transmute(body) };
                let h = crate::go(name.unwrap_or_default(), body);
                let mut hs = handles.lock().unwrap_or_else(PoisonError::into_inner);
                hs.push(Some(h));
                ScopedJoinHandle {
                    inner: Handle::Sim {
                        scope: handles,
                        index: hs.len() - 1,
                        result,
                    },
                }
            }
        }
    }

    /// Joins every goroutine not joined yet (inside an execution).
    fn join_all(&self) {
        if let Inner::Sim(handles) = &self.inner {
            loop {
                // The lock is not held across the join, a scheduling point.
                let next = handles
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter_mut()
                    .find_map(Option::take);
                match next {
                    Some(h) => h.join(),
                    None => break,
                }
            }
        }
    }
}

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the thread and returns its result. Inside an execution a thread that panicked
    /// has already failed the execution, so this returns `Ok` or never returns.
    pub fn join(self) -> std::thread::Result<T> {
        match self.inner {
            Handle::Std(h) => h.join(),
            Handle::Sim {
                scope,
                index,
                result,
            } => {
                let h = scope.lock().unwrap_or_else(PoisonError::into_inner)[index].take();
                if let Some(h) = h {
                    h.join();
                }
                let v = result.lock().unwrap_or_else(PoisonError::into_inner).take();
                Ok(v.expect("a joined goroutine has returned its result"))
            }
        }
    }

    /// Whether the thread has finished running its function (no scheduling point).
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Handle::Std(h) => h.is_finished(),
            Handle::Sim { result, .. } => result
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_some(),
        }
    }
}

impl super::thread::Builder {
    /// Spawns a named scoped thread (std's `Builder::spawn_scoped`).
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> std::io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        Ok(scope.spawn_named(self.name, f))
    }
}

impl std::fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scope { .. }")
    }
}

impl<T> std::fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScopedJoinHandle { .. }")
    }
}
