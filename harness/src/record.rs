//! The record of the execution running on this thread: goroutine names, the running goroutine,
//! the trace being built, and the failure once there is one.
//!
//! Shuttle runs every task of an execution as a continuation on the thread that called
//! `Runner::run`, and calls the scheduler on that thread too, so a thread-local is shared by the
//! scheduler and the code under test without touching shuttle's execution state (which is
//! borrowed while `next_task` runs).

use crate::access::{Access, ObjectCounts, ObjectId, StepAccess};
use crate::failure::{Failure, FailureKind};
use crate::note::{EventNote, NoteBuf, NoteSpan};
use crate::point::Point;
use crate::trace::{Event, Trace};
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

/// An event as recorded: the goroutine is still a goroutine number.
pub(crate) struct RawEvent {
    step: u64,
    task: u32,
    point: Point,
    note: NoteSpan,
}

pub(crate) struct Record {
    /// An execution of ours is running on this thread.
    pub active: bool,
    /// Events are being recorded (replays); plain exploration only records the schedule.
    pub tracing: bool,
    /// Scheduling decisions made so far.
    pub step: u64,
    /// Number of the goroutine the scheduler last chose (main is 0, then goroutines in spawn
    /// order; every index in this record is such a number, not a shuttle task id).
    pub running: usize,
    /// Shuttle task id of the hidden sentinel task, once spawned (see `sentinel`).
    pub sentinel: Option<usize>,
    /// The sentinel is being spawned: the engine lets the spawning goroutine go on, unrecorded.
    pub hidden: bool,
    /// Goroutines (bit per number below 64) that were runnable at the last decision.
    pub runnable_at_decision: u64,
    /// Goroutines that may stop running for good: inside a blocking operation (join, lock,
    /// wait), blocked or about to be, or exiting.
    pub may_stop: u64,
    /// Goroutines that another goroutine is joining.
    pub joined: u64,
    /// Goroutine names by goroutine number (`None` for goroutines not started yet).
    /// (`Arc<str>`: a name is shared by the spawner, the goroutine and its join handle, and
    /// cloning it must not allocate on every spawn.)
    pub names: Vec<Option<Arc<str>>>,
    /// Whether `labels` is kept up to date (a replay folds them into digests, or the strategy
    /// reads them); plain exploration skips it, as it does the trace.
    pub labels_wanted: bool,
    /// The point each goroutine last reached, by goroutine number: where it waits while switched
    /// out. Kept here rather than in shuttle's task labels, which allocate on every update
    /// and were measured to halve exploration throughput.
    pub labels: Vec<Option<Point>>,
    /// Names given to goroutines spawned but not started yet.
    pub reserved: Vec<Arc<str>>,
    /// Unnamed goroutines so far (for `G1`, `G2`, ...).
    pub unnamed: u32,
    /// `G1`, `G2`, ... as made so far, kept across executions: every execution names its
    /// unnamed goroutines the same way, and sharing the names saves an allocation each.
    unnamed_names: Vec<Arc<str>>,
    /// `main`, kept across executions like `unnamed_names`.
    main: Option<Arc<str>>,
    /// Whether each started goroutine (by goroutine number) has not finished yet.
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
    /// Where the last panic was raised (`file:line`), noted by the panic hook.
    pub panic_location: Option<String>,
    /// The scheduler has stopped the execution; panics from here on belong to teardown.
    pub stopping: bool,
    /// The execution's failure (the first one).
    pub failure: Option<Failure>,
    /// The events, when tracing, with goroutines as goroutine numbers (named when the trace is taken,
    /// which saves a string per event).
    pub events: Vec<RawEvent>,
    /// The events' details and state fields.
    notes: NoteBuf,
    /// Whether the object/access record is kept (a strategy or an oracle reads it, or a
    /// replay reports it); see `access`.
    pub accesses_wanted: bool,
    /// By goroutine number: the access its next step starts with, if it declared one.
    pub pending: Vec<Option<Access>>,
    /// Every access performed so far, in order.
    pub access_log: Vec<StepAccess>,
    /// This execution's number in the process (see `access::next_epoch`).
    pub epoch: u32,
    /// Objects given an id so far, per kind.
    pub object_counts: ObjectCounts,
    /// The objects given an id so far that order nothing for the race detector.
    pub internal: Vec<ObjectId>,
    /// The objects given an id so far that belong to a library (see `Object::library`).
    pub library: Vec<ObjectId>,
    /// The synchronisation objects this execution runs without (mutants, see `mutate`):
    /// they neither order nor, where the object allows it, exclude.
    pub disabled: Vec<ObjectId>,
    /// Whether the execution runs under the loom engine (values created now use loom's
    /// primitives; see `loom_engine`).
    pub loom: bool,
    /// The step bound under loom (shuttle's is checked by the scheduler).
    #[cfg_attr(not(feature = "loom"), allow(dead_code))]
    pub max_steps: u64,
    /// The loom engine's per-execution state.
    #[cfg(feature = "loom")]
    pub loom_state: crate::loom_engine::rt::LoomState,
    /// This execution's twins of the std-shaped values it used (see `std_shaped::bind`).
    pub bindings: crate::std_shaped::bind::Bindings,
}

impl Record {
    /// The record of a thread that runs no execution.
    pub(crate) const fn idle() -> Self {
        Record {
            active: false,
            tracing: false,
            step: 0,
            running: 0,
            sentinel: None,
            hidden: false,
            runnable_at_decision: 0,
            may_stop: 0,
            joined: 0,
            names: Vec::new(),
            labels_wanted: false,
            labels: Vec::new(),
            reserved: Vec::new(),
            unnamed: 0,
            unnamed_names: Vec::new(),
            main: None,
            unfinished: Vec::new(),
            running_goroutines: 0,
            pending_start: 0,
            main_done: false,
            panicked: None,
            panic_location: None,
            stopping: false,
            failure: None,
            events: Vec::new(),
            notes: NoteBuf::new(),
            accesses_wanted: false,
            pending: Vec::new(),
            access_log: Vec::new(),
            epoch: 0,
            object_counts: [0; 11],
            internal: Vec::new(),
            library: Vec::new(),
            disabled: Vec::new(),
            loom: false,
            max_steps: u64::MAX,
            #[cfg(feature = "loom")]
            loom_state: crate::loom_engine::rt::LoomState::new(),
            bindings: crate::std_shaped::bind::Bindings::new(),
        }
    }
}

/// `G<n>`, written without the formatting machinery: unnamed goroutines are spawned in every
/// execution, and `format!` showed in the profile.
fn unnamed(n: u32) -> Arc<str> {
    let mut buf = [0u8; 11];
    buf[0] = b'G';
    let digits = n.checked_ilog10().unwrap_or(0) as usize + 1;
    let mut v = n;
    for i in (1..=digits).rev() {
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    Arc::from(std::str::from_utf8(&buf[..=digits]).expect("ASCII digits"))
}

thread_local! {
    // A `const` initializer: every scheduling decision and preemption point reaches this, and
    // a const thread-local needs no lazy-initialisation check on each access.
    static RECORD: RefCell<Record> = const { RefCell::new(Record::idle()) };
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
    pub fn reset(&mut self, tracing: bool, labels_wanted: bool, accesses_wanted: bool) {
        self.end_bindings();
        self.active = true;
        self.loom = false;
        self.accesses_wanted = accesses_wanted;
        self.pending.clear();
        self.access_log.clear();
        self.epoch = crate::access::next_epoch();
        self.object_counts = Default::default();
        self.internal.clear();
        self.library.clear();
        self.disabled.clear();
        self.tracing = tracing;
        self.labels_wanted = labels_wanted;
        self.step = 0;
        self.running = 0;
        self.sentinel = None;
        self.hidden = false;
        self.runnable_at_decision = 0;
        self.may_stop = 0;
        self.joined = 0;
        self.names.clear();
        self.labels.clear();
        self.unnamed = 0;
        self.reserved.clear();
        self.unfinished.clear();
        self.running_goroutines = 0;
        self.pending_start = 0;
        self.main_done = false;
        self.panicked = None;
        self.panic_location = None;
        self.stopping = false;
        self.failure = None;
        self.events.clear();
        self.notes.clear();
    }

    /// Ends the running execution's bindings: the twins go, and every std lock an execution's
    /// guard still holds (its stack was leaked by teardown) is released. Called when an
    /// execution ends and again when the next one starts.
    pub fn end_bindings(&mut self) {
        self.bindings.end(self.loom);
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
    pub fn unique_name(&mut self, wanted: String) -> Arc<str> {
        let name: Arc<str> = if wanted.is_empty() {
            self.unnamed += 1;
            let n = self.unnamed;
            while self.unnamed_names.len() < n as usize {
                let next = self.unnamed_names.len() as u32 + 1;
                self.unnamed_names.push(unnamed(next));
            }
            Arc::clone(&self.unnamed_names[n as usize - 1])
        } else {
            Arc::from(wanted)
        };
        let name = if self.taken(&name) {
            let free = (2..)
                .map(|n| format!("{name}#{n}"))
                .find(|c| !self.taken(c))
                .expect("some suffix is free");
            Arc::from(free)
        } else {
            name
        };
        self.reserved.push(Arc::clone(&name));
        name
    }

    /// The main goroutine's name.
    pub fn main_name(&mut self) -> Arc<str> {
        Arc::clone(self.main.get_or_insert_with(|| Arc::from("main")))
    }

    /// Whether a goroutine (started, or spawned and not started yet) has the name `n`. Names
    /// are few: a scan beats keeping a set.
    fn taken(&self, n: &str) -> bool {
        self.names.iter().flatten().any(|x| &**x == n) || self.reserved.iter().any(|x| &**x == n)
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

    pub fn set_name(&mut self, task: usize, name: Arc<str>) {
        if let Some(i) = self.reserved.iter().position(|n| Arc::ptr_eq(n, &name)) {
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
            let location = if kind == FailureKind::PANIC {
                self.panic_location.take()
            } else {
                None
            };
            self.failure = Some(Failure {
                kind,
                message,
                goroutine,
                step: self.step,
                location,
            });
        }
    }

    pub fn push_event(&mut self, point: Point, note: impl FnOnce(&mut EventNote)) {
        let mut n = EventNote::new(&mut self.notes);
        note(&mut n);
        let note = n.span();
        self.events.push(RawEvent {
            step: self.step,
            task: self.running as u32,
            point,
            note,
        });
    }

    pub fn take_trace(&mut self) -> Trace {
        let notes = &self.notes;
        Trace {
            goroutines: self.names.iter().flatten().map(|n| n.to_string()).collect(),
            events: self
                .events
                .drain(..)
                .map(|e| {
                    let (detail, state) = notes.materialize(e.note);
                    Event {
                        step: e.step,
                        goroutine: self
                            .names
                            .get(e.task as usize)
                            .and_then(|n| n.as_deref())
                            .unwrap_or("?")
                            .to_string(),
                        kind: Cow::Borrowed(e.point.op.name()),
                        label: Cow::Borrowed(e.point.step),
                        detail,
                        state,
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unnamed_goroutines_are_numbered() {
        for n in [1, 9, 10, 42, 100, 4_294_967_295] {
            assert_eq!(&*unnamed(n), format!("G{n}"));
        }
    }

    #[test]
    fn repeated_names_get_a_suffix() {
        let mut r = Record::idle();
        let a = r.unique_name("worker".into());
        let b = r.unique_name("worker".into());
        let g = r.unique_name(String::new());
        let c = r.unique_name("G1".into());
        assert_eq!([&*a, &*b, &*g, &*c], ["worker", "worker#2", "G1", "G1#2"]);
    }
}
