//! `defer` at goroutine exit: functions a goroutine registers run, last first, when it returns
//! (see [`Defers`] for what happens when it panics).

use maprace_harness::{go, in_execution, JoinHandle};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// The deferred calls of one function frame (Go's defer stack).
///
/// # When the goroutine panics
///
/// There is no `recover` here, so a goroutine that panics ends the Go program: Go runs the
/// goroutine's deferred calls and then crashes with the panic. Inside an execution the deferred
/// calls of a panicking goroutine are **not** run, and the panic is reported at once. Running
/// them could not change the outcome Go would show (the crash), but it could hide it: the
/// harness keeps a panicking goroutine running alone until its panic is caught, so a deferred
/// call that blocked there (a `wg.Done()` whose lock another goroutine holds at that moment)
/// would end the execution with no failure at all. Outside an execution, where nothing else
/// runs, the deferred calls do run before the panic carries on, as in Go.
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
/// `f` returns. When `f` panics, the panic carries on (as a Go panic without `recover` does);
/// the deferred calls run first only outside an execution (see [`Defers`]).
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
    match catch_unwind(AssertUnwindSafe(|| f(&mut defers))) {
        Ok(v) => {
            defers.run();
            v
        }
        Err(payload) => {
            if !in_execution() {
                defers.run();
            }
            resume_unwind(payload)
        }
    }
}

/// `go func() { defer ...; ... }()`: spawns a goroutine named `name` whose function gets a defer
/// stack that runs when the goroutine returns.
pub fn go_deferring<F, T>(name: impl Into<String>, f: F) -> JoinHandle<T>
where
    F: FnOnce(&mut Defers) -> T + Send + 'static,
    T: Send + 'static,
{
    go(name, move || with_defers(f))
}
