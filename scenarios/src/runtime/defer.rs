//! `defer` at goroutine exit: functions a goroutine registers run, last first, when it returns
//! or panics.

use maprace_harness::{go, JoinHandle};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// The deferred calls of one function frame (Go's defer stack).
#[derive(Default)]
pub struct Defers {
    stack: Vec<Box<dyn FnOnce()>>,
}

impl Defers {
    /// `defer f()`: `f` runs when the frame ends, after every call deferred later.
    pub fn defer(&mut self, f: impl FnOnce() + 'static) {
        self.stack.push(Box::new(f));
    }

    /// Runs the deferred calls, last first.
    fn run(&mut self) {
        while let Some(f) = self.stack.pop() {
            f();
        }
    }
}

/// Runs `f` as a function frame with a defer stack: the deferred calls run, last first, when
/// `f` returns or panics (then the panic carries on, as a Go panic without `recover` does).
///
/// ```
/// use maprace_scenarios::runtime::with_defers;
/// use std::cell::RefCell;
/// let order = std::rc::Rc::new(RefCell::new(Vec::new()));
/// let o = order.clone();
/// with_defers(move |d| {
///     let (a, b) = (o.clone(), o.clone());
///     d.defer(move || a.borrow_mut().push("first registered"));
///     d.defer(move || b.borrow_mut().push("last registered"));
///     o.borrow_mut().push("body");
/// });
/// assert_eq!(*order.borrow(), ["body", "last registered", "first registered"]);
/// ```
pub fn with_defers<T>(f: impl FnOnce(&mut Defers) -> T) -> T {
    let mut defers = Defers::default();
    // The panic is caught rather than left to unwind through a `Drop`: deferred calls reach
    // scheduling points and may fail themselves, which must not happen during unwinding.
    let result = catch_unwind(AssertUnwindSafe(|| f(&mut defers)));
    defers.run();
    match result {
        Ok(v) => v,
        Err(payload) => resume_unwind(payload),
    }
}

/// `go func() { defer ...; ... }()`: spawns a goroutine named `name` whose function gets a defer
/// stack that runs when the goroutine returns or panics.
pub fn go_deferring<F, T>(name: impl Into<String>, f: F) -> JoinHandle<T>
where
    F: FnOnce(&mut Defers) -> T + Send + 'static,
    T: Send + 'static,
{
    go(name, move || with_defers(f))
}
