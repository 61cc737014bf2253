//! What code under test calls: labelled preemption points, trace-only events and random values.
//!
//! Every function here is a no-op (or falls back to a fixed deterministic value) outside an
//! execution, so a model instrumented with preemption points also runs as plain sequential code
//! in ordinary unit and property tests.

use crate::access::{AccessKind, Object};
use crate::note::EventNote;
use crate::point::{Op, Point};
use crate::record;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::cell::RefCell;
use std::time::Duration;

/// Records `point` in the trace (when tracing) and lets the scheduler switch to another goroutine.
pub fn preempt(point: Point) {
    preempt_with(point, |_| {});
}

/// Like [`preempt`], with a detail and state snapshot filled in by `note`. `note` only runs when
/// the execution is being traced, so describing the event costs nothing during exploration.
///
/// ```
/// use maprace_harness::{preempt_with, Op, Point, State};
/// const FLAG_SET: Point = Point::new(Op::Assign, "flag set");
/// // Outside an execution this does nothing, so models stay usable in plain tests.
/// preempt_with(FLAG_SET, |n| {
///     n.detail("k=3").state(State::new().with("count", 1));
/// });
/// ```
pub fn preempt_with(point: Point, note: impl FnOnce(&mut EventNote)) {
    let engine = record::with(|r| {
        let active = mark_in(r, point, note);
        if active {
            // No access declared: reduction must assume the next step touches anything.
            r.declare_unknown();
        }
        EngineNow::of(r, active)
    });
    match engine {
        EngineNow::Outside => {}
        EngineNow::Shuttle => shuttle::thread::sleep(Duration::ZERO),
        #[cfg(feature = "loom")]
        EngineNow::Loom => crate::loom_engine::rt::point(None),
    }
}

/// Which engine runs the calling code, if any: one read of the record decides how a point
/// switches (a branch, not a dynamic call: the shuttle path pays one comparison).
#[derive(Clone, Copy)]
pub(crate) enum EngineNow {
    /// Outside an execution.
    Outside,
    /// In a shuttle execution.
    Shuttle,
    /// In a loom execution.
    #[cfg(feature = "loom")]
    Loom,
}

impl EngineNow {
    /// The engine of `r`'s execution, when `active` (the caller's `mark_in` said so).
    #[inline]
    pub(crate) fn of(r: &record::Record, active: bool) -> EngineNow {
        if !active {
            return EngineNow::Outside;
        }
        #[cfg(feature = "loom")]
        if r.loom {
            return EngineNow::Loom;
        }
        let _ = r;
        EngineNow::Shuttle
    }

    /// The engine of the running execution.
    #[inline]
    pub(crate) fn current() -> EngineNow {
        record::with(|r| EngineNow::of(r, r.active))
    }
}

/// Where [`yield_now`] and [`spin_loop`] appear in traces.
const YIELD: Point = Point::new(Op::Go, "yield");

/// Gives up the processor, like Go's `runtime.Gosched` or Rust's `std::thread::yield_now`:
/// the goroutine stays runnable, but strategies see the step as a yield
/// (`Decision::yielding`) and deprioritise it (PCT lowers its priority, DFS and delay
/// bounding try the other goroutines first and do not count the switch as a preemption,
/// Random stays uniform). Call it in every spin-wait loop: a correct spin-wait then finishes
/// under every strategy instead of running into the step bound.
///
/// ```
/// use maprace_harness::{go, yield_now, Explorer};
/// use maprace_harness::sync::{Arc, AtomicBool, Ordering};
/// let exploration = Explorer::new("doc/yield").run(|| {
///     let flag = Arc::new(AtomicBool::new(false));
///     let f = Arc::clone(&flag);
///     let h = go("setter", move || f.store(true, Ordering::SeqCst));
///     while !flag.load(Ordering::SeqCst) {
///         yield_now();
///     }
///     h.join();
/// });
/// assert!(exploration.failures.is_empty());
/// ```
pub fn yield_now() {
    let engine = record::with(|r| {
        let active = mark_in(r, YIELD, |_| {});
        EngineNow::of(r, active)
    });
    match engine {
        EngineNow::Outside => {}
        EngineNow::Shuttle => shuttle::thread::yield_now(),
        #[cfg(feature = "loom")]
        EngineNow::Loom => crate::loom_engine::rt::yield_now(),
    }
}

/// A yield with no event, for the std-shaped `thread::yield_now` (inside an execution).
pub(crate) fn raw_yield() {
    match EngineNow::current() {
        EngineNow::Outside => {}
        EngineNow::Shuttle => shuttle::thread::yield_now(),
        #[cfg(feature = "loom")]
        EngineNow::Loom => crate::loom_engine::rt::yield_now(),
    }
}

/// A scheduling point with no event and no declared access (the std-shaped `thread::sleep`).
pub(crate) fn raw_switch() {
    match EngineNow::current() {
        EngineNow::Outside => {}
        EngineNow::Shuttle => shuttle::thread::sleep(Duration::ZERO),
        #[cfg(feature = "loom")]
        EngineNow::Loom => crate::loom_engine::rt::point(None),
    }
}

/// A spin-loop hint (`std::hint::spin_loop`): inside an execution it is a [`yield_now`], since
/// a simulated spinning goroutine can only make progress when another one runs.
pub fn spin_loop() {
    yield_now();
}

/// A preemption point before the running goroutine touches `object`: its next step starts with
/// an access of `kind` to it. Strategies that read the object/access record (POS,
/// partial-order reduction) and oracles (the race detector) see the access; the scheduler may
/// switch here as at any [`preempt`].
///
/// ```
/// use maprace_harness::{go, preempt_access, AccessKind, Explorer, Object, ObjectKind, Op, Point};
/// use maprace_harness::sync::Arc;
/// const BUMP: Point = Point::new(Op::User("bump"), "before write");
/// let exploration = Explorer::new("doc/preempt-access").run(|| {
///     let counter = Arc::new(Object::named(ObjectKind::Resource, "counter"));
///     let c = Arc::clone(&counter);
///     let h = go("bumper", move || preempt_access(BUMP, &c, AccessKind::Write));
///     preempt_access(BUMP, &counter, AccessKind::Write);
///     h.join();
/// });
/// // Two writes that nothing orders: the race detector reports them.
/// assert_eq!(exploration.failures[0].failure.kind.as_str(), "data-race");
/// ```
pub fn preempt_access(point: Point, object: &Object, kind: AccessKind) {
    preempt_access_with(point, object, kind, |_| {});
}

/// [`preempt_access`] with a detail and state snapshot filled in by `note` (run only when
/// tracing, as for [`preempt_with`]).
pub fn preempt_access_with(
    point: Point,
    object: &Object,
    kind: AccessKind,
    note: impl FnOnce(&mut EventNote),
) {
    let (engine, _id) = record::with(|r| {
        let active = mark_in(r, point, note);
        if active {
            r.declare(object, kind);
        }
        let engine = EngineNow::of(r, active);
        #[cfg(feature = "loom")]
        if matches!(engine, EngineNow::Loom) {
            return (engine, Some(object.id_in(r)));
        }
        (engine, None::<crate::access::ObjectId>)
    });
    match engine {
        EngineNow::Outside => return,
        EngineNow::Shuttle => shuttle::thread::sleep(Duration::ZERO),
        #[cfg(feature = "loom")]
        EngineNow::Loom => {
            crate::loom_engine::rt::point(_id.map(|object| crate::access::Access { object, kind }))
        }
    }
    record::with(|r| r.perform(object, kind));
}

/// Records that the running goroutine performs `kind` on `object` in its current step, with no
/// scheduling point (for an access that directly follows another one in the same step).
/// Nothing happens outside an execution.
pub fn record_access(object: &Object, kind: AccessKind) {
    record::with(|r| {
        if r.active {
            r.perform(object, kind);
        }
    });
}

/// Records `point` in the trace (when tracing) without a scheduling point.
pub fn trace_event(point: Point, note: impl FnOnce(&mut EventNote)) {
    mark(point, note);
}

/// Notes that the running goroutine reached `point` (when a replay or the strategy wants to
/// know) and records the event (when tracing); false outside an execution.
pub(crate) fn mark(point: Point, note: impl FnOnce(&mut EventNote)) -> bool {
    record::with(|r| mark_in(r, point, note))
}

/// [`mark`] for a caller that already holds the record.
pub(crate) fn mark_in(
    r: &mut record::Record,
    point: Point,
    note: impl FnOnce(&mut EventNote),
) -> bool {
    if !r.active {
        return false;
    }
    if r.labels_wanted {
        r.set_label(point);
    }
    if r.tracing {
        r.push_event(point, note);
    }
    true
}

thread_local! {
    static FALLBACK_RNG: RefCell<ChaCha8Rng> = RefCell::new(ChaCha8Rng::seed_from_u64(0));
}

/// A random `u64` for the code under test (hash seeds, iteration start points, ...).
///
/// Inside an execution it comes from the execution's seed, so a replay draws the same values;
/// outside one it comes from a fixed-seed stream per thread, so plain tests are reproducible too.
pub fn random_u64() -> u64 {
    #[cfg(feature = "loom")]
    if let EngineNow::Loom = EngineNow::current() {
        return crate::loom_engine::rt::random_u64();
    }
    if record::in_execution() {
        use shuttle::rand::RngCore as _;
        shuttle::rand::thread_rng().next_u64()
    } else {
        FALLBACK_RNG.with(|r| r.borrow_mut().next_u64())
    }
}

/// The name of the running goroutine (`main`, `G1`, ...), or `None` outside an execution.
pub fn current_goroutine() -> Option<String> {
    record::with(|r| r.active.then(|| r.name(r.running).to_string()))
}
