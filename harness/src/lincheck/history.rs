//! Histories: the invocation and response of every operation of one execution, in real-time
//! order, recorded both in memory (for the checker) and as trace events (for people).

use crate::note::Shown;
use crate::point::{Op, Point};
use crate::preempt::{current_goroutine, trace_event};
use std::fmt::{Debug, Display};
use std::sync::{Arc, Mutex, PoisonError};

/// The trace point of an operation's invocation (detail: `G1 assign(3, 1)`).
pub const INVOKE: Point = Point::new(Op::User("lincheck"), "invoke");
/// The trace point of an operation's response (detail: `G1 assign(3, 1) -> ()`).
pub const RESPOND: Point = Point::new(Op::User("lincheck"), "respond");

/// One operation of a history.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation<O, R> {
    /// The goroutine that ran it (`main` for a scenario's init and post parts, `G1`, ...).
    pub goroutine: String,
    /// The operation with its arguments.
    pub op: O,
    /// When it was invoked (a position in the history's event order).
    pub call: u64,
    /// When it returned and what, or `None` for an operation still pending when the history
    /// ends (it may or may not have taken effect).
    pub response: Option<(u64, R)>,
}

impl<O, R> Operation<O, R> {
    /// Whether the operation returned.
    pub fn completed(&self) -> bool {
        self.response.is_some()
    }

    /// When it returned (`u64::MAX` for a pending operation: it may take effect at any time
    /// after its call).
    pub fn returned(&self) -> u64 {
        self.response.as_ref().map_or(u64::MAX, |r| r.0)
    }

    /// Whether `self` returned before `other` was invoked (real-time order).
    pub fn precedes(&self, other: &Self) -> bool {
        self.returned() < other.call
    }
}

/// A history: operations in order of invocation, with a logical clock of invocations and
/// responses.
///
/// Built by an execution (see [`Recorder`]) or by hand, for tests of the checker:
///
/// ```
/// use maprace_harness::lincheck::History;
/// let mut h: History<&str, i32> = History::new();
/// let a = h.invoke("G1", "write(1)");
/// let b = h.invoke("G2", "read()"); // overlaps write(1)
/// h.respond(a, 0);
/// h.respond(b, 1);
/// assert!(!h.operations[0].precedes(&h.operations[1]));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct History<O, R> {
    /// The operations, in order of invocation.
    pub operations: Vec<Operation<O, R>>,
    clock: u64,
}

impl<O, R> Default for History<O, R> {
    fn default() -> Self {
        History {
            operations: Vec::new(),
            clock: 0,
        }
    }
}

impl<O, R> History<O, R> {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the invocation of `op` by `goroutine`; returns the operation's index.
    pub fn invoke(&mut self, goroutine: impl Into<String>, op: O) -> usize {
        self.clock += 1;
        self.operations.push(Operation {
            goroutine: goroutine.into(),
            op,
            call: self.clock,
            response: None,
        });
        self.operations.len() - 1
    }

    /// Records that operation `index` returned `ret`.
    ///
    /// # Panics
    /// If `index` is not an operation of this history or has already returned.
    pub fn respond(&mut self, index: usize, ret: R) {
        self.clock += 1;
        let op = &mut self.operations[index];
        assert!(op.response.is_none(), "operation {index} returned twice");
        op.response = Some((self.clock, ret));
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether the history has no operation.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The goroutines of the history, in order of first invocation.
    pub fn goroutines(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for o in &self.operations {
            if !out.contains(&o.goroutine.as_str()) {
                out.push(&o.goroutine);
            }
        }
        out
    }
}

/// Records the history of one execution from its goroutines: a [`History`] behind a lock, plus
/// an [`INVOKE`] and a [`RESPOND`] trace event per operation. Recording is no scheduling point,
/// so it changes no interleaving. Clones share the history.
#[derive(Debug)]
pub struct Recorder<O, R> {
    history: Arc<Mutex<History<O, R>>>,
}

impl<O, R> Clone for Recorder<O, R> {
    fn clone(&self) -> Self {
        Recorder {
            history: Arc::clone(&self.history),
        }
    }
}

impl<O, R> Default for Recorder<O, R> {
    fn default() -> Self {
        Recorder {
            history: Arc::default(),
        }
    }
}

impl<O: Clone + Display, R: Clone + Debug> Recorder<O, R> {
    /// A recorder with an empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `run` as operation `op` of the current goroutine, recording its invocation before
    /// and its response after.
    pub fn record(&self, op: &O, run: impl FnOnce() -> R) -> R {
        let goroutine = current_goroutine().unwrap_or_else(|| "main".into());
        trace_event(INVOKE, |n| {
            n.detail(Shown(format_args!("{goroutine} {op}")));
        });
        let index = self.lock().invoke(goroutine.clone(), op.clone());
        let ret = run();
        self.lock().respond(index, ret.clone());
        trace_event(RESPOND, |n| {
            n.detail(Shown(format_args!("{goroutine} {op} -> {ret:?}")));
        });
        ret
    }

    /// The history recorded so far.
    pub fn history(&self) -> History<O, R> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, History<O, R>> {
        // A goroutine that panicked mid-record ends the execution; what it left is still valid.
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
