//! Late binding of std-shaped values to the running execution.
//!
//! std's `new` is `const`, so a std-shaped value cannot look at the running execution when it
//! is made (a `static` is made at compile time, before any). It binds on first use instead:
//! outside an execution it is its std half (its *home*); inside one, its first operation makes
//! a *twin* (the harness's primitive, every operation a scheduling point) in the execution's
//! record, and every later operation of the same execution finds that twin again. The next
//! execution makes a new twin, so a `static` carries no scheduling state, no dead shuttle or
//! loom object and (for atomics, `Barrier`, `Once`, `OnceLock`, `LazyLock`) no value from one
//! execution to the next: every execution starts from the value's home state, which only code
//! outside executions changes.
//!
//! A value finds its twin through a tag it holds (the execution's number and the twin's index):
//! a thread-local read, one atomic load and a compare per operation, the whole cost of binding
//! inside an execution.
//! A value used by executions on several threads at once (a `static` shared by tests running in
//! parallel) overwrites its tag from each; the loser finds its twin again by the value's
//! address, in a per-execution table.
//!
//! Locks keep their data at home in both cases (a `Mutex<T>`'s `T` lives in a std mutex): the
//! twin schedules, and a hold inside an execution also takes the home lock, uncontended unless
//! another thread's execution holds it. That hold is kept in the record, not only on the
//! holding goroutine's stack, so that a stack leaked by an abandoned execution's teardown
//! cannot keep the home locked: every hold is released when its execution ends.

use crate::record;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// A type-erased twin or hold, owned by the record until its execution ends.
trait Held {}
impl<T: ?Sized> Held for T {}

/// An execution's twins, and the home locks its guards hold.
pub(crate) struct Bindings {
    twins: Vec<Box<dyn Any>>,
    /// Twin index by value address, for values whose tag another thread's execution took.
    by_address: Option<HashMap<usize, u32>>,
    /// Home guards held by this execution's guards, by hold number.
    holds: Vec<(u64, Box<dyn Held>)>,
    next_hold: u64,
}

impl Bindings {
    pub(crate) const fn new() -> Self {
        Bindings {
            twins: Vec::new(),
            by_address: None,
            holds: Vec::new(),
            next_hold: 0,
        }
    }

    /// Drops the twins (leaks them if they are loom's: loom objects cannot be dropped outside
    /// their execution) and releases every hold.
    pub(crate) fn end(&mut self, loom: bool) {
        // Holds first: a hold is a std guard on a home, released whatever the engine.
        self.holds.clear();
        if loom {
            for twin in self.twins.drain(..) {
                std::mem::forget(twin);
            }
        } else {
            self.twins.clear();
        }
        if let Some(m) = &mut self.by_address {
            m.clear();
        }
    }
}

/// A value's link to its twin in the running execution (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Bind {
    /// `epoch << 32 | index + 1` of the execution that last found its twin; 0 before any.
    tag: AtomicU64,
}

impl Bind {
    pub(crate) const fn new() -> Self {
        Bind {
            tag: AtomicU64::new(0),
        }
    }

    /// This execution's twin, if the value has one yet.
    #[inline]
    fn find<S: Any>(&self) -> Option<*const S> {
        let tag = self.tag.load(Ordering::Relaxed);
        if tag == 0 {
            return None;
        }
        let address = self as *const Bind as usize;
        record::with(|r| {
            let epoch = u64::from(r.epoch);
            let b = &mut r.bindings;
            let index = if tag >> 32 == epoch {
                Some(tag as u32 - 1)
            } else {
                // Another execution's tag: this value's twin here, if any, is by address.
                let i = b.by_address.as_ref().and_then(|m| m.get(&address)).copied();
                if let Some(i) = i {
                    self.tag
                        .store(epoch << 32 | u64::from(i + 1), Ordering::Relaxed);
                }
                i
            };
            index.map(|i| twin_ptr::<S>(&*b.twins[i as usize]))
        })
    }

    /// This execution's twin, made by `make` on the value's first use in the execution. Call
    /// only inside an execution. `make` runs without the record borrowed, and makes no
    /// scheduling point (constructors never do).
    #[inline]
    pub(crate) fn twin<S: Any>(&self, make: impl FnOnce() -> S) -> &S {
        let ptr = match self.find::<S>() {
            Some(p) => p,
            None => {
                let address = self as *const Bind as usize;
                let twin: Box<dyn Any> = Box::new(make());
                record::with(|r| {
                    let epoch = u64::from(r.epoch);
                    let b = &mut r.bindings;
                    let i = u32::try_from(b.twins.len()).expect("fewer than 2^32 values");
                    let p = twin_ptr::<S>(&*twin);
                    b.twins.push(twin);
                    b.by_address
                        .get_or_insert_with(HashMap::new)
                        .insert(address, i);
                    self.tag
                        .store(epoch << 32 | u64::from(i + 1), Ordering::Relaxed);
                    p
                })
            }
        };
        // SAFETY: the twin is boxed in the record, which neither moves nor drops it before its
        // execution ends; this value's operations (and guards) in that execution are done by
        // then, or are on a stack teardown leaked and never resumes.
        unsafe { &*ptr }
    }

    /// This execution's twin through exclusive access, if the value has one yet.
    pub(crate) fn existing_mut<S: Any>(&mut self) -> Option<&mut S> {
        // SAFETY: as in `twin`; `&mut self` excludes every other use of this value, and the
        // record hands the twin to this value alone.
        self.find::<S>().map(|p| unsafe { &mut *(p as *mut S) })
    }

    /// Forgets this execution's twin: the next use makes a new one (from the value's home,
    /// which the caller has brought up to date).
    pub(crate) fn unbind(&mut self) {
        self.forget_address();
        *self.tag.get_mut() = 0;
    }

    fn forget_address(&mut self) {
        let address = self as *const Bind as usize;
        if *self.tag.get_mut() != 0 {
            record::try_with(|r| {
                if let Some(m) = &mut r.bindings.by_address {
                    m.remove(&address);
                }
            });
        }
    }
}

impl Drop for Bind {
    fn drop(&mut self) {
        // A value dropped inside an execution must not leave its address to the next value made
        // there (which would find this twin). `try_with`: a drop can run inside a record borrow
        // (teardown), when there is nothing to forget anyway.
        self.forget_address();
    }
}
fn twin_ptr<S: Any>(twin: &dyn Any) -> *const S {
    twin.downcast_ref::<S>()
        .expect("a value's twin has the value's twin type") as *const S
}

/// A home lock's guard, held in the record for the running execution (see the module docs);
/// returns the hold's number.
///
/// # Safety
/// The guard's home must outlive the hold: call [`release`] before the home is dropped or
/// moved (a value's guard borrows it, so its drop does; the execution's end does the rest).
pub(crate) unsafe fn hold<'a, G: 'a>(guard: G) -> u64 {
    let boxed: Box<dyn Held + 'a> = Box::new(guard);
    // SAFETY: the caller keeps the home alive while the hold exists.
    let boxed: Box<dyn Held + 'static> = unsafe { std::mem::transmute(boxed) };
    record::with(|r| {
        let b = &mut r.bindings;
        b.next_hold += 1;
        b.holds.push((b.next_hold, boxed));
        b.next_hold
    })
}

/// Releases a hold (unlocking its home), if the execution has not already.
pub(crate) fn release(hold: u64) {
    let guard = record::try_with(|r| {
        let holds = &mut r.bindings.holds;
        holds
            .iter()
            .rposition(|(h, _)| *h == hold)
            .map(|i| holds.swap_remove(i).1)
    });
    // Dropped here, outside the record's borrow.
    drop(guard);
}
