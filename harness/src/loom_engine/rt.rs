//! The loom side of the harness primitives: who is running, and the loom operation that stands
//! for each labelled preemption point.
//!
//! loom switches goroutines only inside its own operations, and loom's DPOR only sees
//! dependencies between its own objects. The Go map model keeps plain Rust fields and says,
//! at every preemption point, which object its next step touches and how
//! ([`crate::preempt_access`]). Under loom each such point becomes one loom atomic operation on
//! the object's "conflict cell": a `Relaxed` store, whether the access is shared or exclusive.
//! Why atomics rather than loom cells: loom's `UnsafeCell` accesses are checked for races but
//! are not branch points, so a model built on them would be explored as if its steps were
//! indivisible. Why a store even for a read: loom's DPOR remembers only the *last* access to
//! an atomic, so after another goroutine's load, a goroutine that loads and then stores the
//! same atomic only ever reorders its store against its own load, and the other load is never
//! moved after the store (tokio-rs/loom#166 and #392: missed interleavings, not false
//! alarms). Stores are all dependent on each other, so the last-access chain sees every
//! conflict; the price is that reads of the same map do not commute under loom. Why
//! `Relaxed`: nothing ever loads a cell, so a relaxed store orders nothing, and the cells add
//! no synchronisation that would hide a weak-memory outcome of the code around them. An atomic
//! load of the body stores to its atomic's cell first, for the same reason ([`touch_before_load`]).
//! One operation per point, like shuttle's one scheduling point, keeps loom's switches where
//! shuttle can make them too (a loom failure then replays under shuttle, see
//! `strategy::Guided`).
//!
//! A point that declared no access ([`crate::preempt`]) is a store to one "world"
//! cell: undeclared steps are dependent with each other, but loom takes them as independent
//! of declared accesses. Code that mixes both on the same data should declare its accesses
//! (maprace's own models and runtime declare every access they rely on).

use crate::access::{Access, ObjectId};
use crate::record::{self, Record};
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::cell::Cell;
use std::sync::Arc;

loom::thread_local! {
    /// The goroutine number of the loom thread running (main 0, then spawn order).
    static GOROUTINE: Cell<usize> = Cell::new(0);
}

/// How many conflict cells an execution has. Objects share them by id (an object's cell is
/// its kind-and-index modulo this): two objects on one cell only make loom see a dependency
/// that is not there (more executions, never fewer), and catalogue bodies touch far fewer.
const CELLS: usize = 16;

/// The loom engine's per-execution state, kept in the record.
pub(crate) struct LoomState {
    /// The conflict cells (see [`CELLS`]) and, last, the world cell that undeclared points
    /// update. loom counts an atomic's creation as a write, and a
    /// goroutine whose first load is not ordered after it is a "causality violation": so
    /// the cells are created by main when the execution starts, before any goroutine exists.
    cells: Vec<Arc<AtomicUsize>>,
    /// The stream `random_u64` draws from: fixed per execution, so loom's paths stay
    /// deterministic (loom requires the same choices to give the same execution).
    rng: Option<ChaCha8Rng>,
    /// Every switch loom made: how many events had been recorded, and the goroutine that ran
    /// next (the script a shuttle replay follows, see `strategy::Guided`).
    pub switches: Vec<(u32, u32)>,
    /// The next goroutine number to give.
    pub next_goroutine: usize,
    /// Why the execution was stopped without a failure of the body (a loom limit).
    pub limit: Option<String>,
}

impl LoomState {
    /// No execution.
    pub const fn new() -> Self {
        LoomState {
            cells: Vec::new(),
            switches: Vec::new(),
            rng: None,
            next_goroutine: 1,
            limit: None,
        }
    }

    /// Starts an execution, on main, inside loom's execution: the previous execution's cells
    /// are dropped (loom atomics need no execution to be dropped) and new ones made.
    pub fn reset(&mut self) {
        self.cells.clear();
        self.cells
            .extend((0..=CELLS).map(|_| Arc::new(AtomicUsize::new(0))));
        self.switches.clear();
        self.rng = None;
        self.next_goroutine = 1;
        self.limit = None;
    }

    fn world(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.cells[CELLS])
    }

    fn cell(&self, object: ObjectId) -> Arc<AtomicUsize> {
        let key = object.index as usize * crate::access::KINDS + object.kind.slot();
        Arc::clone(&self.cells[key % CELLS])
    }
}

/// Whether the running execution is under loom (values created now use loom's primitives).
#[inline]
pub(crate) fn active(r: &Record) -> bool {
    r.active && r.loom
}

/// Tells loom's thread-local who this thread is (at the start of each goroutine).
pub(crate) fn set_me(g: usize) {
    GOROUTINE.with(|c| c.set(g));
}

/// After a loom operation, another goroutine may have run: the record learns again who runs.
pub(crate) fn resync() {
    let g = GOROUTINE.with(Cell::get);
    record::with(|r| switched_to(r, g));
}

/// Goroutine `g` runs now (after a loom operation, or as it starts): a switch, if it was
/// not running, is noted in the script.
pub(crate) fn switched_to(r: &mut Record, g: usize) {
    if r.running != g {
        r.loom_state
            .switches
            .push((r.events.len() as u32, g as u32));
        r.running = g;
    }
}

/// Counts a step and checks the step bound (a spin loop loom keeps running); stops the
/// execution when the bound is exceeded. Called holding the record, before a loom operation.
fn count_step(r: &mut Record) -> bool {
    r.step += 1;
    if r.step > r.max_steps {
        let bound = r.max_steps;
        r.fail(
            crate::failure::FailureKind::STEP_BOUND,
            format!("exceeded the step bound ({bound} steps): a spin loop or an unfair schedule?"),
            None,
        );
        return false;
    }
    true
}

/// The loom operation standing for a preemption point before `access` (`None`: undeclared).
/// Must be called without the record borrowed: loom may switch to another goroutine here.
pub(crate) fn point(access: Option<Access>) {
    let cell = record::with(|r| {
        if !count_step(r) {
            return None;
        }
        Some(match access {
            None => r.loom_state.world(),
            Some(a) => r.loom_state.cell(a.object),
        })
    });
    let Some(cell) = cell else {
        crate::goroutine::halt();
    };
    cell.store(0, Relaxed);
    resync();
}

/// Before an atomic load of the body under loom: a store to the atomic's conflict cell, so
/// loom's DPOR sees this load conflict with a later store by a goroutine that loaded the atomic
/// after it (see the module documentation). Not a step of its own: the load's step follows.
pub(crate) fn touch_before_load(object: ObjectId) {
    let cell = record::with(|r| active(r).then(|| r.loom_state.cell(object)));
    if let Some(cell) = cell {
        cell.store(0, Relaxed);
        resync();
    }
}

/// Counts the step of a loom primitive's own operation (a lock, an atomic, a join) about to
/// run; stops the execution past the step bound.
pub(crate) fn before_op() {
    if !record::with(count_step) {
        crate::goroutine::halt();
    }
}

/// Runs loom operation `op` (a possible switch): counts its step before, and makes the
/// record learn who runs after.
#[inline]
pub(crate) fn op<R>(op: impl FnOnce() -> R) -> R {
    before_op();
    let r = op();
    resync();
    r
}

/// Runs atomic access `op` with ordering `order`. loom treats `SeqCst` accesses as `AcqRel`
/// (its README: a `SeqCst` load may read a value older than a `SeqCst` store that ran
/// before it, a false alarm), but implements `fence(SeqCst)` fully; so a `SeqCst` access
/// runs between two `SeqCst` fences, which restores the single total order Go's atomics and
/// Rust's `SeqCst` promise. (Fences are not loom branch points: no extra schedules.)
#[inline]
pub(crate) fn seq_cst<R>(order: std::sync::atomic::Ordering, op: impl FnOnce() -> R) -> R {
    if order != std::sync::atomic::Ordering::SeqCst {
        return op();
    }
    loom::sync::atomic::fence(SeqCst);
    let r = op();
    loom::sync::atomic::fence(SeqCst);
    r
}

/// A `yield_now` under loom: loom runs another thread first when one can run.
pub(crate) fn yield_now() {
    before_op();
    loom::thread::yield_now();
    resync();
}

/// The next random value of the execution's fixed stream.
pub(crate) fn random_u64() -> u64 {
    record::with(|r| {
        r.loom_state
            .rng
            .get_or_insert_with(|| ChaCha8Rng::seed_from_u64(0))
            .next_u64()
    })
}

/// The panic payload that ends a loom execution once the record holds its outcome: it unwinds
/// out of `loom::model::Builder::check` (loom leaks the other threads' stacks while a panic is
/// in flight, so no destructor runs against a torn-down execution).
pub(crate) struct Stop;

/// Ends the execution (see [`Stop`]).
pub(crate) fn stop() -> ! {
    std::panic::resume_unwind(Box::new(Stop))
}

/// Whether a caught panic payload is loom's own deadlock report (every thread blocked).
pub(crate) fn is_loom_deadlock(message: &str) -> bool {
    message.starts_with("deadlock; threads =")
}

/// Whether a caught panic payload is loom's report of an execution past its branch cap.
pub(crate) fn is_branch_limit(message: &str) -> bool {
    message.starts_with("Model exceeded maximum number of branches")
}

/// The failure for an execution loom gave up on (past `max_branches`): a spin loop or a very
/// long execution, reported like shuttle's step bound.
pub(crate) fn branch_limit_failure(r: &mut Record) {
    r.fail(
        crate::failure::FailureKind::STEP_BOUND,
        "loom gave up on an execution past its branch cap (--loom-max-branches): a spin loop \
         or an unfair schedule?"
            .to_string(),
        None,
    );
}
