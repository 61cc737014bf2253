//! Simulated goroutines: named shuttle tasks whose lifecycle appears in the trace and whose
//! panics fail the execution the way an unrecovered Go panic ends the program.

use crate::access::AccessKind;
use crate::failure::{classify_payload, FailureKind};
use crate::point::{Op, Point};
use crate::preempt::mark_in;
use crate::record;
use crate::sentinel::{self, goroutine_of, Blocking};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

const SPAWN: Point = Point::new(Op::Go, "spawn");
const START: Point = Point::new(Op::Go, "start");
const EXIT: Point = Point::new(Op::Go, "exit");
const JOIN: Point = Point::new(Op::Go, "join");
const JOINED: Point = Point::new(Op::Go, "joined");

/// A handle to wait for a goroutine and take its result.
#[derive(Debug)]
pub struct JoinHandle<T> {
    name: Arc<str>,
    inner: Inner<T>,
}

/// The engine's handle to the goroutine's thread.
#[derive(Debug)]
enum Inner<T> {
    Shuttle(shuttle::thread::JoinHandle<Option<T>>),
    /// loom's handle, and the goroutine's number.
    #[cfg(feature = "loom")]
    Loom(loom::thread::JoinHandle<Option<T>>, usize),
}

impl<T> Inner<T> {
    /// The goroutine's number, given the sentinel's task (shuttle's tasks count it).
    fn goroutine(&self, sentinel: Option<usize>) -> usize {
        match self {
            Inner::Shuttle(h) => goroutine_of(usize::from(h.thread().id()), sentinel),
            #[cfg(feature = "loom")]
            Inner::Loom(_, g) => *g,
        }
    }

    /// Waits for the thread; `None` if it failed.
    fn join(self) -> Option<T> {
        match self {
            Inner::Shuttle(h) => h.join().ok().flatten(),
            #[cfg(feature = "loom")]
            Inner::Loom(h, _) => {
                crate::loom_engine::rt::before_op();
                let result = h.join().ok().flatten();
                crate::loom_engine::rt::resync();
                result
            }
        }
    }
}

impl<T> JoinHandle<T> {
    /// The goroutine's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits for the goroutine to return and gives its result. If the goroutine failed, the
    /// execution is already over and this never returns.
    pub fn join(self) -> T {
        let name = self.name;
        let inner = self.inner;
        let (joined, blocking, spawn, g) = record::with(|r| {
            mark_in(r, JOIN, |n| {
                n.detail(&*name);
            });
            let g = inner.goroutine(r.sentinel);
            let finished = r.names.get(g).is_some_and(Option::is_some)
                && !r.unfinished.get(g).copied().unwrap_or(false);
            if finished {
                // Joining a goroutine that has finished does not block.
                return (0, None, false, g);
            }
            let bit = sentinel::bit(g);
            r.joined |= bit;
            let (blocking, spawn) = Blocking::enter_in(r);
            (bit, Some(blocking), spawn, g)
        });
        if spawn {
            sentinel::spawn_sentinel();
        }
        let result = inner.join();
        record::with(|r| {
            if let Some(b) = blocking {
                b.leave_in(r);
            }
            r.joined &= !joined;
            if result.is_some() {
                r.perform_on_goroutine(g, AccessKind::Join);
                mark_in(r, JOINED, |n| {
                    n.detail(&*name);
                });
            }
        });
        match result {
            Some(v) => v,
            None => halt(),
        }
    }
}

/// Spawns a goroutine named `name` (an empty name gives `G1`, `G2`, ... in spawn order; a name
/// already taken gets `#2`, `#3`, ...). Must be called inside an execution.
pub fn go<F, T>(name: impl Into<String>, f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let name = record::with(|r| {
        assert!(r.active, "maprace::go called outside an exploration");
        r.pending_start += 1;
        let name = r.unique_name(name.into());
        mark_in(r, SPAWN, |n| {
            n.detail(&*name);
        });
        name
    });
    let child = Arc::clone(&name);
    let start = move || {
        record::with(|r| {
            r.pending_start -= 1;
            let me = r.running;
            r.set_unfinished(me, true);
            r.set_name(me, child);
            mark_in(r, START, |_| {});
            r.perform_on_goroutine(me, AccessKind::Start);
        });
        run_goroutine(f)
    };
    #[cfg(feature = "loom")]
    if record::with(|r| r.loom) {
        let (inner, g) = crate::loom_engine::spawn(start);
        record::with(|r| r.perform_on_goroutine(g, AccessKind::Spawn));
        return JoinHandle {
            name,
            inner: Inner::Loom(inner, g),
        };
    }
    let inner = shuttle::thread::spawn(start);
    // Shuttle's spawn switches before the new task exists, so the last decision did not see it;
    // it is runnable from now on, which the sentinel check may count on.
    let task = usize::from(inner.thread().id());
    record::with(|r| {
        let g = goroutine_of(task, r.sentinel);
        r.runnable_at_decision |= sentinel::bit(g);
        r.perform_on_goroutine(g, AccessKind::Spawn);
    });
    JoinHandle {
        name,
        inner: Inner::Shuttle(inner),
    }
}

/// Spawns an unnamed goroutine (`G1`, `G2`, ...).
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    go(String::new(), f)
}

/// Runs a goroutine's function; on a panic, records the failure and stops the execution.
fn run_goroutine<T>(f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => {
            let spawn = record::with(|r| {
                mark_in(r, EXIT, |_| {});
                let me = r.running;
                r.perform_on_goroutine(me, AccessKind::Exit);
                r.set_unfinished(me, false);
                if me == 0 {
                    r.main_done = true;
                }
                sentinel::exiting_in(r)
            });
            if spawn {
                sentinel::spawn_sentinel();
            }
            Some(v)
        }
        Err(payload) => {
            #[cfg(feature = "loom")]
            let payload = if record::with(|r| r.loom) {
                crate::loom_engine::goroutine_failed(payload)
            } else {
                payload
            };
            let (kind, message) = classify_payload(payload.as_ref());
            record::with(|r| {
                r.fail(kind, message, None);
            });
            halt()
        }
    }
}

/// Parks the goroutine for good: the scheduler stops an execution that has failed at its next
/// decision, so control never comes back here. Under loom, which has no such decision, the
/// execution ends by unwinding out of loom (see `loom_engine::rt::Stop`).
pub(crate) fn halt() -> ! {
    #[cfg(feature = "loom")]
    if record::with(|r| r.loom) {
        crate::loom_engine::rt::stop();
    }
    loop {
        shuttle::thread::sleep(Duration::ZERO);
    }
}

/// The main goroutine of every execution: runs the body.
pub(crate) fn run_main(body: &(dyn Fn() + Send + Sync)) {
    record::with(|r| {
        let main = r.main_name();
        r.set_name(0, main);
        r.set_unfinished(0, true);
        mark_in(r, START, |_| {});
        r.perform_on_goroutine(0, AccessKind::Start);
    });
    run_goroutine(body);
}

/// The failure for "no goroutine can run": a deadlock before main returned, a leak after.
pub(crate) fn stuck_failure(r: &mut record::Record) {
    let blocked = r.unfinished_names();
    let who = blocked.join(", ");
    if r.main_done {
        let n = blocked.len();
        r.fail(
            FailureKind::GOROUTINE_LEAK,
            format!("goroutine leak: {n} goroutine(s) blocked forever after main returned: {who}"),
            Some(who),
        );
    } else {
        r.fail(
            FailureKind::DEADLOCK,
            format!("fatal error: all goroutines are asleep - deadlock! (blocked: {who})"),
            Some(who),
        );
    }
}
