//! Go's `sync.Once`, with its exact fast path and slow path.

use super::unsync::Unsync;
use maprace_harness::sync::{AtomicU32, Mutex, Ordering};
use maprace_harness::{
    preempt_access, record_access, sync_disabled, AccessKind, Object, ObjectKind, Op, Point,
};

const CHECK: Point = Point::new(Op::User("once"), "check done");

/// Go's `sync.Once`.
///
/// Modelled on Go's implementation (`sync/once.go`): `Do` first loads the `done` flag
/// atomically; if it is unset, it takes the mutex, checks again, runs `f`, and only then stores
/// `done = 1` and unlocks. So every caller that arrives while `f` runs blocks on the mutex until
/// `f` has **returned**, and sees everything `f` did. The initialisation itself is race-free;
/// what `f` leaves running (a goroutine it started) is not covered by that guarantee.
///
/// # Happens-before and mutants
/// The flag and the mutex are internal: the once records Go's one edge on an object of its
/// own, `f` returning before every `Do` returns. Switched off as a mutant
/// ([`maprace_harness::sync_disabled`]), it becomes what a program without the `Once` has, the
/// hand-rolled lazy initialisation `if !done { f(); done = true }` on a plain flag: every
/// caller that checks the flag before the first `f` finished runs `f` too, and one that finds
/// it set returns unordered with `f`. That is the mistake `sync.Once` exists to prevent (and a
/// stronger mutant than a once that only stops ordering, whose callers would still wait for
/// `f`: it finds both a missing order and a double initialisation).
#[derive(Debug)]
pub struct Once {
    object: Object,
    done: AtomicU32,
    m: Mutex<()>,
    /// The mutant's flag: a plain `bool`, checked and set without synchronisation.
    plain: Unsync<bool>,
}

impl Default for Once {
    fn default() -> Self {
        Once::new()
    }
}

impl Once {
    /// A `Once` that has not run.
    pub fn new() -> Self {
        Once {
            object: Object::new(ObjectKind::Once),
            done: AtomicU32::internal(0),
            m: Mutex::internal(()),
            plain: Unsync::new(false),
        }
    }

    /// `once.Do(f)`: runs `f` if no call has run it yet; returns only after it has returned.
    pub fn call_once(&self, f: impl FnOnce()) {
        if sync_disabled(&self.object) {
            return self.unsynchronised(f);
        }
        // `atomic.LoadUint32(&o.done)`: Go's atomics are sequentially consistent (the Go
        // memory model), which matters under the loom engine, where weaker orderings can
        // show stale values.
        if self.done.load(Ordering::SeqCst) == 0 {
            self.do_slow(f);
        }
        record_access(&self.object, AccessKind::Read);
    }

    fn do_slow(&self, f: impl FnOnce()) {
        let _g = self.m.lock();
        // A plain read in Go, under the mutex.
        if self.done.load(Ordering::Relaxed) == 0 {
            f();
            record_access(&self.object, AccessKind::Write);
            self.done.store(1, Ordering::SeqCst);
        }
    }

    /// The mutant: `if !done { f(); done = true }` (see the type's documentation).
    fn unsynchronised(&self, f: impl FnOnce()) {
        preempt_access(CHECK, &self.object, AccessKind::Read);
        if !self.plain.with(|done| *done) {
            f();
            self.plain.with(|done| *done = true);
            record_access(&self.object, AccessKind::Write);
        }
    }
}
