//! `defer` at goroutine exit: functions a goroutine registers run, last first, when it returns
//! (see [`Defers`] for what happens when it panics).

use maprace_harness::{go, JoinHandle, Raised};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// The deferred calls of one function frame (Go's defer stack).
///
/// # When the goroutine panics
///
/// There is no `recover` here, so a goroutine that panics ends the Go program. As in Go:
///
/// - a plain panic runs the goroutine's deferred calls first, last first, while the other
///   goroutines go on running (a deferred call may wait for one of them), then carries on;
/// - a runtime fatal error (`fatal error: concurrent map writes`) or a scenario's own failure
///   ends the program at once: deferred calls do not run (Go's `fatal` never unwinds).
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
/// `f` returns or panics; a fatal error skips them (see [`Defers`]). The panic then carries on,
/// as a Go panic without `recover` does.
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
    // scheduling points, and once the panic is caught the harness schedules this goroutine
    // with the others again, as Go does while a panicking goroutine runs its deferred calls.
    match catch_unwind(AssertUnwindSafe(|| f(&mut defers))) {
        Ok(v) => {
            defers.run();
            v
        }
        Err(payload) => {
            // Raised failures are Go's `fatal`/`throw` and the scenario's own checks: they end
            // the program where they happen.
            if !payload.is::<Raised>() {
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
