//! `demo-flag-map`: the smallest map with Go's best-effort write check, two writers.
//!
//! The map keeps a plain (non-atomic) `writing` flag, like Go's `hashWriting`: a writer checks
//! it on entry (`concurrent map writes` if set), sets it, inserts, checks it is still set, and
//! clears it. Two unsynchronised writers can be caught at either check. The fixed variant takes
//! a mutex around every write.

use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::{Scenario, Size, Variant};
use maprace_harness::sync::{Arc, Mutex};
use maprace_harness::{fail, fatal, go, preempt_with, FailureKind, Op, Point, State};
use std::cell::RefCell;
use std::collections::BTreeMap;

const ENTRY: Point = Point::new(Op::Assign, "entry check");
const FLAG_SET: Point = Point::new(Op::Assign, "flag set");
const INSERTED: Point = Point::new(Op::Assign, "inserted");
const EXIT: Point = Point::new(Op::Assign, "exit check");

/// A tiny map with a Go-style `writing` flag. Shared without locks on purpose: every access
/// happens between two scheduling points on shuttle's single OS thread.
#[derive(Default)]
struct FlagMap {
    writing: RefCell<bool>,
    entries: RefCell<BTreeMap<u32, u32>>,
}

// SAFETY: executions run every goroutine on one OS thread, switching only at scheduling points,
// and no `RefCell` borrow is held across one; the map is never shared outside an execution.
unsafe impl Sync for FlagMap {}

impl FlagMap {
    fn state(&self) -> State {
        State::new()
            .with("count", self.entries.borrow().len())
            .with("writing", *self.writing.borrow())
    }

    fn assign(&self, k: u32, v: u32) {
        let note = |n: &mut maprace_harness::EventNote| {
            n.detail(format!("k={k}")).state(self.state());
        };
        preempt_with(ENTRY, note);
        if *self.writing.borrow() {
            fatal("concurrent map writes");
        }
        *self.writing.borrow_mut() = true;
        preempt_with(FLAG_SET, note);
        self.entries.borrow_mut().insert(k, v);
        preempt_with(INSERTED, note);
        if !*self.writing.borrow() {
            fatal("concurrent map writes");
        }
        preempt_with(EXIT, note);
        *self.writing.borrow_mut() = false;
    }
}

fn buggy() {
    let m = Arc::new(FlagMap::default());
    let writers: Vec<_> = (0..2u32)
        .map(|w| {
            let m = Arc::clone(&m);
            go("", move || m.assign(w, w))
        })
        .collect();
    for h in writers {
        h.join();
    }
    if m.entries.borrow().len() != 2 {
        fail(FailureKind::WRONG_RESULT, "an insert was lost");
    }
}

fn fixed() {
    let m = Arc::new(FlagMap::default());
    let lock = Arc::new(Mutex::new(()));
    let writers: Vec<_> = (0..2u32)
        .map(|w| {
            let (m, lock) = (Arc::clone(&m), Arc::clone(&lock));
            go("", move || {
                let _g = lock.lock();
                m.assign(w, w);
            })
        })
        .collect();
    for h in writers {
        h.join();
    }
    if m.entries.borrow().len() != 2 {
        fail(FailureKind::WRONG_RESULT, "an insert was lost");
    }
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    let description = "two goroutines write a minimal map guarded by a non-atomic writing flag";
    vec![
        Scenario {
            name: "demo-flag-map",
            variant: Variant::Buggy,
            description,
            body: buggy,
            expected_kinds: &["concurrent-map-writes"],
            corpus_kind: None,
            dfs_iterations: DEFAULT_DFS_ITERATIONS,
            size: Size::Small,
            unmutated: &[],
        },
        Scenario {
            name: "demo-flag-map",
            variant: Variant::Fixed,
            description,
            body: fixed,
            expected_kinds: &[],
            corpus_kind: None,
            dfs_iterations: DEFAULT_DFS_ITERATIONS,
            size: Size::Small,
            unmutated: &[],
        },
    ]
}
