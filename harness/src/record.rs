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

/// Task index of the hidden sentinel task (the first task main spawns).
pub(crate) const SENTINEL: usize = 1;

/// An event as recorded: the goroutine is still a task index.
pub(crate) struct RawEvent {
    step: u64,
    task: usize,
    point: Point,
    detail: Option<String>,
    state: Option<crate::trace::State>,
}

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
    /// The point each goroutine last reached, by task index: where it waits while switched
    /// out. Kept here rather than in shuttle's task labels, which allocate on every update
    /// and were measured to halve exploration throughput.
    pub labels: Vec<Option<Point>>,
    /// Names given to goroutines spawned but not started yet.
    pub reserved: Vec<String>,
    /// Unnamed goroutines so far (for `G1`, `G2`, ...).
    pub unnamed: u32,
    /// Whether each started goroutine (by task index) has not finished yet.
    pub unfinished: Vec<bool>,
    /// How many entries of `unfinished` are set.
    pub running_goroutines: usize,
    /// Goroutines spawned but not started yet.
    pub pending_start: u32,
    /// The main goroutine has returned.
    pub main_done: bool,
    /// The kind and message of the last panic raised in the execution, noted by the panic hook
    /// before unwinding starts: the failure to report if the goroutine never reaches its catch.
    pub panicked: Option<(FailureKind, String)>,
    /// The scheduler has stopped the execution; panics from here on belong to teardown.
    pub stopping: bool,
    /// The execution's failure (the first one).
    pub failure: Option<Failure>,
    /// The events, when tracing, with goroutines as task indices (named when the trace is taken,
    /// which saves a string per event).
    pub events: Vec<RawEvent>,
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
    /// Starts a new execution. Collections are cleared, not replaced, so their capacity is
    /// reused: executions are short and many, and allocation shows in the profile.
    pub fn reset(&mut self, tracing: bool) {
        self.active = true;
        self.tracing = tracing;
        self.step = 0;
        self.running = 0;
        self.names.clear();
        self.labels.clear();
        self.unnamed = 0;
        self.reserved.clear();
        self.unfinished.clear();
        self.running_goroutines = 0;
        self.pending_start = 0;
        self.main_done = false;
        self.panicked = None;
        self.stopping = false;
        self.failure = None;
        self.events.clear();
    }

    pub fn live(&self) -> usize {
        self.running_goroutines + self.pending_start as usize
    }

    /// Marks the running goroutine started (`true`) or finished (`false`).
    pub fn set_unfinished(&mut self, task: usize, unfinished: bool) {
        if self.unfinished.len() <= task {
            self.unfinished.resize(task + 1, false);
        }
        if self.unfinished[task] != unfinished {
            self.unfinished[task] = unfinished;
            if unfinished {
                self.running_goroutines += 1;
            } else {
                self.running_goroutines -= 1;
            }
        }
    }

    /// The names of the goroutines that started and have not finished, in creation order.
    pub fn unfinished_names(&self) -> Vec<String> {
        (0..self.unfinished.len())
            .filter(|&t| self.unfinished[t])
            .map(|t| self.name(t).to_string())
            .collect()
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
        // Names are few; a scan beats keeping a set. Names of goroutines spawned but not
        // started yet are reserved too, so they are compared as well.
        let taken = |r: &Record, n: &str| {
            r.names.iter().flatten().any(|x| x == n) || r.reserved.iter().any(|x| x == n)
        };
        let mut name = base.clone();
        let mut n = 1;
        while taken(self, &name) {
            n += 1;
            name = format!("{base}#{n}");
        }
        self.reserved.push(name.clone());
        name
    }

    /// Notes that the running goroutine reached `point`.
    pub fn set_label(&mut self, point: Point) {
        let task = self.running;
        if self.labels.len() <= task {
            self.labels.resize(task + 1, None);
        }
        self.labels[task] = Some(point);
    }

    /// The point `task` last reached.
    pub fn label(&self, task: usize) -> Option<Point> {
        self.labels.get(task).copied().flatten()
    }

    pub fn set_name(&mut self, task: usize, name: String) {
        if let Some(i) = self.reserved.iter().position(|n| *n == name) {
            self.reserved.swap_remove(i);
        }
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
        self.events.push(RawEvent {
            step: self.step,
            task: self.running,
            point,
            detail: n.detail,
            state: n.state,
        });
    }

    pub fn take_trace(&mut self) -> Trace {
        Trace {
            goroutines: self.names.iter().flatten().cloned().collect(),
            events: self
                .events
                .drain(..)
                .map(|e| Event {
                    step: e.step,
                    goroutine: self
                        .names
                        .get(e.task)
                        .and_then(|n| n.clone())
                        .unwrap_or_else(|| "?".to_string()),
                    kind: Cow::Borrowed(e.point.op.name()),
                    label: Cow::Borrowed(e.point.step),
                    detail: e.detail,
                    state: e.state,
                })
                .collect(),
        }
    }
}
