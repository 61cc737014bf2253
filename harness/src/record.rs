//! The record of the execution running on this thread: goroutine names, the running goroutine,
//! the trace being built, and the failure once there is one.
//!
//! Shuttle runs every task of an execution as a continuation on the thread that called
//! `Runner::run`, and calls the scheduler on that thread too, so a thread-local is shared by the
//! scheduler and the code under test without touching shuttle's execution state (which is
//! borrowed while `next_task` runs).

use crate::failure::{Failure, FailureKind};
use crate::point::Point;
use crate::trace::{Event, EventNote, Trace};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeSet;

/// The label a goroutine carries in shuttle while it waits at a preemption point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointLabel(pub Point);

/// Task index of the hidden sentinel task (the first task main spawns).
pub(crate) const SENTINEL: usize = 1;

#[derive(Default)]
pub(crate) struct Record {
    /// An execution of ours is running on this thread.
    pub active: bool,
    /// Events are being recorded (replays); plain exploration only records the schedule.
    pub tracing: bool,
    /// Scheduling decisions made so far.
    pub step: u64,
    /// Task index of the goroutine the scheduler last chose.
    pub running: usize,
    /// Goroutine names by task index (`None` for hidden tasks and tasks not started yet).
    pub names: Vec<Option<String>>,
    /// Goroutines named so far, to make repeated names unique.
    pub used_names: BTreeSet<String>,
    /// Unnamed goroutines so far (for `G1`, `G2`, ...).
    pub unnamed: u32,
    /// Started goroutines that have not finished, by task index.
    pub unfinished: BTreeSet<usize>,
    /// Goroutines spawned but not started yet.
    pub pending_start: u32,
    /// The main goroutine has returned.
    pub main_done: bool,
    /// A panic is unwinding in the running goroutine: keep it running until it is caught.
    pub unwinding: bool,
    /// The scheduler has stopped the execution; panics from here on belong to teardown.
    pub stopping: bool,
    /// The execution's failure (the first one).
    pub failure: Option<Failure>,
    /// The events, when tracing.
    pub events: Vec<Event>,
}

thread_local! {
    static RECORD: RefCell<Record> = RefCell::new(Record::default());
}

pub(crate) fn with<R>(f: impl FnOnce(&mut Record) -> R) -> R {
    RECORD.with(|r| f(&mut r.borrow_mut()))
}

/// Like [`with`], but gives `None` instead of panicking when the record is already borrowed
/// (a panic hook can run in the middle of a `with`).
pub(crate) fn try_with<R>(f: impl FnOnce(&mut Record) -> R) -> Option<R> {
    RECORD.with(|r| r.try_borrow_mut().ok().map(|mut r| f(&mut r)))
}

/// Whether the calling code runs inside a maprace execution.
pub fn in_execution() -> bool {
    RECORD.with(|r| r.borrow().active)
}

impl Record {
    pub fn reset(&mut self, tracing: bool) {
        *self = Record {
            active: true,
            tracing,
            ..Record::default()
        };
    }

    pub fn live(&self) -> usize {
        self.unfinished.len() + self.pending_start as usize
    }

    pub fn name(&self, task: usize) -> &str {
        self.names
            .get(task)
            .and_then(|n| n.as_deref())
            .unwrap_or("?")
    }

    /// A unique goroutine name: the one asked for, `name#2` when taken, `G<n>` when empty.
    pub fn unique_name(&mut self, wanted: String) -> String {
        let base = if wanted.is_empty() {
            self.unnamed += 1;
            format!("G{}", self.unnamed)
        } else {
            wanted
        };
        let mut name = base.clone();
        let mut n = 1;
        while self.used_names.contains(&name) {
            n += 1;
            name = format!("{base}#{n}");
        }
        self.used_names.insert(name.clone());
        name
    }

    pub fn set_name(&mut self, task: usize, name: String) {
        if self.names.len() <= task {
            self.names.resize(task + 1, None);
        }
        self.names[task] = Some(name);
    }

    /// Records the first failure; later ones are consequences and are ignored.
    pub fn fail(&mut self, kind: FailureKind, message: String, goroutine: Option<String>) {
        if self.failure.is_none() {
            let goroutine = goroutine.unwrap_or_else(|| self.name(self.running).to_string());
            self.failure = Some(Failure {
                kind,
                message,
                goroutine,
                step: self.step,
            });
        }
    }

    pub fn push_event(&mut self, point: Point, note: impl FnOnce(&mut EventNote)) {
        let mut n = EventNote::default();
        note(&mut n);
        let goroutine = self.name(self.running).to_string();
        self.events.push(Event {
            step: self.step,
            goroutine,
            kind: Cow::Borrowed(point.op.name()),
            label: Cow::Borrowed(point.step),
            detail: n.detail,
            state: n.state,
        });
    }

    pub fn take_trace(&mut self) -> Trace {
        Trace {
            goroutines: self.names.iter().flatten().cloned().collect(),
            events: std::mem::take(&mut self.events),
        }
    }
}
