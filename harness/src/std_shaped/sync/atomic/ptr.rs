//! `AtomicPtr`, std-shaped.
//!
//! Inside an execution the twin is an atomic integer holding a small number for each pointer
//! (1, 2, … in the order the execution first stored them; 0 is null), beside a table of the
//! pointers. Traces then show those numbers, the same in every run, instead of addresses, which
//! are not; and the pointers keep their provenance in the table. Two pointers to one address
//! get one number, as a compare-exchange on hardware sees them (so ABA is explored as it
//! happens), and the number stands for the pointer stored last.

use crate::std_shaped::bind::Bind;
use crate::std_shaped::simulated;
use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::Ordering;

/// An atomic raw pointer (std's `AtomicPtr`), with `const fn new`.
///
/// ```
/// use maprace_harness::std_shaped::sync::atomic::{AtomicPtr, Ordering};
/// let mut five = 5;
/// let p = AtomicPtr::new(std::ptr::null_mut());
/// p.store(&mut five, Ordering::Release);
/// assert_eq!(unsafe { *p.load(Ordering::Acquire) }, 5);
/// ```
pub struct AtomicPtr<T> {
    bind: Bind,
    home: std::sync::atomic::AtomicPtr<T>,
}

/// An execution's twin: numbers in a harness atomic, pointers in a table.
struct Twin {
    numbers: crate::atomic::AtomicUsize,
    // Only the execution's thread reaches a twin: a `RefCell` is enough.
    pointers: RefCell<Vec<*mut ()>>,
}

impl Twin {
    fn number<T>(&self, p: *mut T) -> usize {
        if p.is_null() {
            return 0;
        }
        let p = p.cast::<()>();
        let mut pointers = self.pointers.borrow_mut();
        match pointers.iter().position(|&q| q == p) {
            Some(i) => {
                pointers[i] = p;
                i + 1
            }
            None => {
                pointers.push(p);
                pointers.len()
            }
        }
    }

    fn pointer<T>(&self, n: usize) -> *mut T {
        match n {
            0 => std::ptr::null_mut(),
            n => self.pointers.borrow()[n - 1].cast(),
        }
    }
}

impl<T> AtomicPtr<T> {
    /// A new atomic holding `p` (usable in a `static`).
    pub const fn new(p: *mut T) -> Self {
        AtomicPtr {
            bind: Bind::new(),
            home: std::sync::atomic::AtomicPtr::new(p),
        }
    }

    /// This execution's twin, made from the pointer outside.
    fn twin(&self) -> Option<&Twin> {
        if !simulated() {
            return None;
        }
        Some(self.bind.twin(|| {
            let p = self.home.load(Ordering::Relaxed);
            let pointers = if p.is_null() {
                Vec::new()
            } else {
                vec![p.cast()]
            };
            Twin {
                numbers: crate::atomic::AtomicUsize::new(pointers.len()),
                pointers: RefCell::new(pointers),
            }
        }))
    }

    /// Loads the pointer.
    pub fn load(&self, order: Ordering) -> *mut T {
        match self.twin() {
            Some(t) => t.pointer(t.numbers.load(order)),
            None => self.home.load(order),
        }
    }

    /// Stores `p`.
    pub fn store(&self, p: *mut T, order: Ordering) {
        match self.twin() {
            Some(t) => t.numbers.store(t.number(p), order),
            None => self.home.store(p, order),
        }
    }

    /// Stores `p`, returning the previous pointer.
    pub fn swap(&self, p: *mut T, order: Ordering) -> *mut T {
        match self.twin() {
            Some(t) => t.pointer(t.numbers.swap(t.number(p), order)),
            None => self.home.swap(p, order),
        }
    }

    /// Stores `new` if the pointer is `current`; the previous pointer either way.
    pub fn compare_exchange(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        match self.twin() {
            Some(t) => t
                .numbers
                .compare_exchange(t.number(current), t.number(new), success, failure)
                .map(|n| t.pointer(n))
                .map_err(|n| t.pointer(n)),
            None => self.home.compare_exchange(current, new, success, failure),
        }
    }

    /// [`Self::compare_exchange`], allowed to fail spuriously (inside an execution it never
    /// does: failures are explored through schedules instead).
    pub fn compare_exchange_weak(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        match self.twin() {
            Some(_) => self.compare_exchange(current, new, success, failure),
            None => self
                .home
                .compare_exchange_weak(current, new, success, failure),
        }
    }

    /// Applies `f` until its compare-exchange succeeds (std's loop: a load, then a
    /// compare-exchange per attempt, each a scheduling point inside an execution).
    pub fn fetch_update<F>(
        &self,
        set_order: Ordering,
        fetch_order: Ordering,
        mut f: F,
    ) -> Result<*mut T, *mut T>
    where
        F: FnMut(*mut T) -> Option<*mut T>,
    {
        match self.twin() {
            // The twin's loop over pointer numbers, `f` seeing the pointers they stand for.
            Some(t) => t
                .numbers
                .fetch_update(set_order, fetch_order, |n| {
                    f(t.pointer(n)).map(|p| t.number(p))
                })
                .map(|n| t.pointer(n))
                .map_err(|n| t.pointer(n)),
            None => self.home.fetch_update(set_order, fetch_order, f),
        }
    }

    /// The pointer, through exclusive access (no scheduling point). Inside an execution the
    /// twin's pointer comes home first, and the next access makes a new twin from it.
    pub fn get_mut(&mut self) -> &mut *mut T {
        if simulated() {
            if let Some(t) = self.bind.existing_mut::<Twin>() {
                let n = t.numbers.value_mut();
                let p = t.pointer(n);
                *self.home.get_mut() = p;
                self.bind.unbind();
            }
        }
        self.home.get_mut()
    }

    /// Consumes the atomic, returning the pointer.
    pub fn into_inner(mut self) -> *mut T {
        *self.get_mut()
    }
}

impl<T> Default for AtomicPtr<T> {
    fn default() -> Self {
        AtomicPtr::new(std::ptr::null_mut())
    }
}

impl<T> From<*mut T> for AtomicPtr<T> {
    fn from(p: *mut T) -> Self {
        AtomicPtr::new(p)
    }
}

impl<T> fmt::Debug for AtomicPtr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
    }
}
