//! Virtual time: `time.AfterFunc`, `Timer.Stop` and `time.Sleep` on a simulated clock.
//!
//! No scenario ever sleeps for real. A [`Clock`] keeps the virtual time and the pending timers,
//! ordered by deadline (then by arming order). While a timer is pending, a `timers` goroutine
//! exists whose every step fires the earliest pending timer, moving the clock to its deadline:
//! so time moves only when the scheduler chooses to run that goroutine, anywhere between the
//! other goroutines' steps, which is how a real timer can fire at any moment relative to code
//! that does not wait for it. Timers always fire in deadline order: a shorter timer armed
//! earlier never fires after a longer one. The `timers` goroutine ends as soon as nothing is
//! pending, so an idle clock never keeps an execution alive.
//!
//! As in Go, `AfterFunc(d, f)` runs `f` in its own goroutine once the timer fires, and `Stop`
//! does not wait for an `f` that has already started.

use super::chan::Chan;
use super::unsync::Unsync;
use maprace_harness::sync::Arc;
use maprace_harness::{
    go, preempt_with, record_access, trace_event, AccessKind, Object, ObjectKind, Op, Point,
};
use std::collections::BTreeMap;
use std::time::Duration;

const ARM: Point = Point::new(Op::Time, "arm");
const STOP: Point = Point::new(Op::Time, "stop");
const ADVANCE: Point = Point::new(Op::Time, "advance");
const FIRE: Point = Point::new(Op::Time, "fire");

/// A virtual clock with its pending timers. Cloning gives the same clock.
#[derive(Clone)]
pub struct Clock {
    inner: Arc<Unsync<Timers>>,
}

/// Deadline, then arming order: the firing order.
type Key = (Duration, u64);

#[derive(Default)]
struct Timers {
    now: Duration,
    armed: u64,
    pending: BTreeMap<Key, Action>,
    driver: bool,
}

enum Action {
    /// `AfterFunc`: start this goroutine. The object orders the arming before the start
    /// (Go's timers release on arming and acquire before running the function).
    Func(String, Box<dyn FnOnce() + Send>, Object),
    /// `Sleep`: close this channel to wake the sleeper.
    Wake(Chan<()>),
}

/// A timer armed by [`Clock::after_func`] (Go's `*time.Timer`).
pub struct Timer {
    clock: Clock,
    key: Key,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

impl Clock {
    /// A clock at virtual time zero with no timer.
    pub fn new() -> Self {
        Clock {
            inner: Arc::new(Unsync::new(Timers::default())),
        }
    }

    /// The virtual time since the clock was made.
    pub fn now(&self) -> Duration {
        self.inner.with(|t| t.now)
    }

    /// `time.AfterFunc(d, f)`: once virtual time reaches now + `d`, `f` runs in its own
    /// goroutine named `name`.
    pub fn after_func(
        &self,
        name: impl Into<String>,
        d: Duration,
        f: impl FnOnce() + Send + 'static,
    ) -> Timer {
        let armed = Object::library(ObjectKind::Channel);
        record_access(&armed, AccessKind::Send);
        let key = self.arm(d, Action::Func(name.into(), Box::new(f), armed));
        Timer {
            clock: self.clone(),
            key,
        }
    }

    /// `time.Sleep(d)`: blocks the calling goroutine until virtual time reaches now + `d`.
    pub fn sleep(&self, d: Duration) {
        if d.is_zero() {
            return;
        }
        let wake = Chan::library(0);
        self.arm(d, Action::Wake(wake.clone()));
        let _ = wake.recv();
    }

    fn arm(&self, d: Duration, action: Action) -> Key {
        let (key, start_driver) = self.inner.with(|t| {
            let key = (t.now + d, t.armed);
            t.armed += 1;
            t.pending.insert(key, action);
            let start = !t.driver;
            t.driver = true;
            (key, start)
        });
        if start_driver {
            let clock = self.clone();
            go("timers", move || clock.drive());
        }
        // A point after arming: the timer may fire before the caller's next step (a spawn's
        // own switch comes before the new goroutine exists, so it cannot give that).
        preempt_with(ARM, |n| {
            n.detail(format!("deadline={}ms", key.0.as_millis()));
        });
        key
    }

    /// The `timers` goroutine: fires pending timers in order, one per step, and ends when none
    /// is left.
    fn drive(&self) {
        loop {
            preempt_with(ADVANCE, |n| {
                n.detail(format!("now={}ms", self.now().as_millis()));
            });
            let next = self.inner.with(|t| match t.pending.pop_first() {
                Some(((at, _), action)) => {
                    t.now = t.now.max(at);
                    Some(action)
                }
                None => {
                    // Cleared in the same step as the emptiness check: an `arm` after this
                    // point starts a new driver.
                    t.driver = false;
                    None
                }
            });
            let Some(action) = next else { return };
            let now = self.now();
            match action {
                Action::Func(name, f, armed) => {
                    trace_event(FIRE, |n| {
                        n.detail(format!("now={}ms func {name}", now.as_millis()));
                    });
                    record_access(&armed, AccessKind::Receive);
                    go(name, f);
                }
                Action::Wake(wake) => {
                    trace_event(FIRE, |n| {
                        n.detail(format!("now={}ms wake", now.as_millis()));
                    });
                    wake.close();
                }
            }
        }
    }
}

impl Timer {
    /// `t.Stop()`: prevents the timer from firing. True if this call stopped it, false if it
    /// had already fired (its function may be running or done) or been stopped.
    pub fn stop(&self) -> bool {
        let stopped = self
            .clock
            .inner
            .with(|t| t.pending.remove(&self.key).is_some());
        trace_event(STOP, |n| {
            n.detail(if stopped { "stopped" } else { "already fired" });
        });
        stopped
    }
}
