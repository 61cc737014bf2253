//! The hidden sentinel task, spawned only when an execution may need it.
//!
//! Shuttle decides on its own that an execution deadlocked when no task can run, and then prints
//! an `eprintln!` that cannot be silenced and fails the run with its own panic. To report
//! deadlocks and goroutine leaks as maprace outcomes instead, an execution that might end up
//! with every goroutine blocked gets a hidden task that is always runnable: shuttle then keeps
//! asking the scheduler, and the engine, seeing no goroutine it can run, reports the deadlock.
//!
//! Spawning that task in every execution costs about as much as a goroutine, so it is spawned
//! lazily, just before the running goroutine does something after which possibly no goroutine
//! could run: enter a blocking operation (join, lock, wait), or exit. At that moment the
//! goroutines that can surely go on are those the scheduler saw runnable at its last decision
//! that are not themselves inside a blocking operation or exiting: other goroutines cannot
//! change state while this one runs, and any it woke since are still inside their blocking
//! call. When there is none, the sentinel is spawned first. Spawning it needlessly costs time,
//! never a schedule.
//!
//! The sentinel is invisible to strategies, tokens and traces: its spawn and its final run are
//! scheduling decisions the engine makes without recording, and goroutines are numbered as if
//! it did not exist (main is 0, then goroutines in spawn order), whenever it was spawned.

use crate::record::{self, Record};
use std::time::Duration;

/// The goroutine number of shuttle task `task`, given the sentinel's task id if it exists.
pub(crate) fn goroutine_of(task: usize, sentinel: Option<usize>) -> usize {
    match sentinel {
        Some(s) if task > s => task - 1,
        _ => task,
    }
}

/// The shuttle task id of goroutine number `g`, given the sentinel's task id if it exists.
pub(crate) fn task_of(g: usize, sentinel: Option<usize>) -> usize {
    match sentinel {
        Some(s) if g >= s => g + 1,
        _ => g,
    }
}

/// A bit per goroutine number, for the small sets the sentinel check uses; no bit (0) when the
/// number does not fit (the check then treats the goroutine as unable to go on).
pub(crate) fn bit(g: usize) -> u64 {
    1u64.checked_shl(g as u32).unwrap_or(0)
}

/// Marks the running goroutine as inside a blocking operation until dropped, spawning the
/// sentinel first if no other goroutine could surely run while it blocks.
pub(crate) struct Blocking {
    mask: u64,
}

impl Blocking {
    /// Enters a blocking operation (no-op outside an execution).
    pub fn enter() -> Blocking {
        let (blocking, spawn) = record::with(Blocking::enter_in);
        if spawn {
            spawn_sentinel();
        }
        blocking
    }

    /// [`Blocking::enter`] for a caller that holds the record; the caller spawns the sentinel
    /// (with [`spawn_sentinel`], once the record is released) when told to.
    #[must_use]
    pub fn enter_in(r: &mut Record) -> (Blocking, bool) {
        if !r.active {
            return (Blocking { mask: 0 }, false);
        }
        let mask = bit(r.running);
        r.may_stop |= mask;
        (Blocking { mask }, needs_sentinel(r))
    }

    /// Leaves the blocking operation, for a caller that holds the record.
    pub fn leave_in(mut self, r: &mut Record) {
        r.may_stop &= !self.mask;
        self.mask = 0;
    }

    /// Runs the blocking operation `op` inside [`Blocking::enter`].
    pub fn during<R>(op: impl FnOnce() -> R) -> R {
        let _blocking = Blocking::enter();
        op()
    }
}

impl Drop for Blocking {
    fn drop(&mut self) {
        let mask = self.mask;
        if mask != 0 {
            record::try_with(|r| r.may_stop &= !mask);
        }
    }
}

/// Called (holding the record) by a goroutine about to exit: whether to spawn the sentinel
/// (with [`spawn_sentinel`], once the record is released) because the goroutines left might
/// all be blocked. A goroutine that another one is joining wakes it by exiting, so that one
/// can run.
#[must_use]
pub(crate) fn exiting_in(r: &mut Record) -> bool {
    let me = r.running;
    let joined = r.joined & bit(me) != 0;
    let spawn = r.live() > 0 && !joined && needs_sentinel(r);
    // Exiting can be a scheduling point (main's always is): others may run before this
    // goroutine is gone, and must not count on it.
    r.may_stop |= bit(me);
    spawn
}

/// Whether the sentinel must be spawned before the running goroutine stops being able to run:
/// it does not exist yet, the execution is not being torn down, and no other goroutine surely
/// can run. (Goroutines numbered 64 and up are never in these masks, so they never count as
/// able to go on: the check errs on the side of spawning.)
fn needs_sentinel(r: &Record) -> bool {
    // Under loom there is no sentinel: loom reports a deadlock itself (see `loom_engine`).
    if r.sentinel.is_some() || r.stopping || r.loom {
        return false;
    }
    let me = bit(r.running);
    r.runnable_at_decision & !me & !r.may_stop == 0
}

/// Spawns the sentinel. Its spawn is a scheduling point, which the engine passes over (the
/// spawning goroutine goes on) because `hidden` is set.
pub(crate) fn spawn_sentinel() {
    record::with(|r| r.hidden = true);
    let handle = shuttle::thread::spawn(|| {
        // Chosen only when no goroutine can run: with goroutines left that is a deadlock (or a
        // leak), which the engine reports without running this; with none left, it just ends.
        while record::with(|r| r.live() > 0) {
            shuttle::thread::sleep(Duration::ZERO);
        }
    });
    let id = usize::from(handle.thread().id());
    record::with(|r| {
        r.hidden = false;
        r.sentinel = Some(id);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goroutine_numbers_skip_the_sentinel() {
        // Tasks: main 0, G1 1, G2 2, sentinel 3, G3 4.
        let s = Some(3);
        let goroutines: Vec<usize> = [0, 1, 2, 4].iter().map(|&t| goroutine_of(t, s)).collect();
        assert_eq!(goroutines, [0, 1, 2, 3]);
        for g in 0..4 {
            assert_eq!(goroutine_of(task_of(g, s), s), g);
            assert_ne!(task_of(g, s), 3);
            assert_eq!(task_of(g, None), g);
        }
        assert_eq!(bit(64), 0);
        assert_eq!(bit(2), 4);
    }
}
