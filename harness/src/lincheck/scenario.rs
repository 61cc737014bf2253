//! Scenarios: an init part run by `main`, parallel parts run by one goroutine each, and a post
//! part run by `main` once they are joined; generated and shrunk by proptest, run as the body
//! of an exploration.

use super::history::{History, Recorder};
use super::report::Table;
use super::spec::Operations;
use crate::failure::{fail, FailureKind};
use crate::goroutine::go;
use proptest::collection::vec;
use proptest::strategy::{BoxedStrategy, Strategy as _};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// One scenario: who runs which operations, in which order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario<O> {
    /// Run by `main` before the goroutines start.
    pub init: Vec<O>,
    /// One list per goroutine (`G1`, `G2`, ...), run concurrently.
    pub parallel: Vec<Vec<O>>,
    /// Run by `main` after every goroutine is joined.
    pub post: Vec<O>,
}

impl<O> Scenario<O> {
    /// The number of operations.
    pub fn len(&self) -> usize {
        self.init.len() + self.parallel.iter().map(Vec::len).sum::<usize>() + self.post.len()
    }

    /// Whether the scenario has no operation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `goroutines×longest part` (`2×2`), plus the init and post parts when there are any.
    pub fn size(&self) -> String {
        let longest = self.parallel.iter().map(Vec::len).max().unwrap_or(0);
        let mut s = format!("{}×{}", self.parallel.len(), longest);
        if !self.init.is_empty() {
            s.push_str(&format!(" + init {}", self.init.len()));
        }
        if !self.post.is_empty() {
            s.push_str(&format!(" + post {}", self.post.len()));
        }
        s
    }
}

impl<O: fmt::Display> Scenario<O> {
    /// The scenario in Lincheck's layout, without results.
    pub fn table(&self) -> Table {
        let cells = |ops: &[O]| ops.iter().map(ToString::to_string).collect();
        Table {
            init: cells(&self.init),
            parallel: self.parallel.iter().map(|ops| cells(ops)).collect(),
            post: cells(&self.post),
            heads: Vec::new(),
        }
    }
}

impl<O: fmt::Display> fmt::Display for Scenario<O> {
    /// Lincheck's layout: the init part, one column per goroutine, the post part.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.table().fmt(f)
    }
}

/// The sizes of generated scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Goroutines running in parallel (at most).
    pub goroutines: usize,
    /// Operations per goroutine (at most).
    pub operations: usize,
    /// Operations of the init part (at most).
    pub init: usize,
    /// Operations of the post part (at most).
    pub post: usize,
}

/// Scenarios of at most `shape`'s sizes with operations from `spec`. Shrinking removes
/// goroutines (down to one), operations and init/post operations, and simplifies arguments.
pub fn scenarios<S: Operations>(spec: &S, shape: Shape) -> BoxedStrategy<Scenario<S::Op>> {
    let op = spec.generate();
    let goroutines = shape.goroutines.max(1);
    (
        vec(op.clone(), 0..=shape.init),
        vec(vec(op.clone(), 1..=shape.operations.max(1)), 1..=goroutines),
        vec(op, 0..=shape.post),
    )
        .prop_map(|(init, parallel, post)| Scenario {
            init,
            parallel,
            post,
        })
        .boxed()
}

/// The failure kind of a history that is not linearizable.
pub fn not_linearizable() -> FailureKind {
    FailureKind::new("not-linearizable").expect("a valid kind id")
}

/// Where a body leaves the history of a failing execution, for the report.
pub(crate) type Slot<S> =
    Arc<Mutex<Option<History<<S as super::Sequential>::Op, <S as super::Sequential>::Ret>>>>;

/// The body of one exploration of `scenario`: a fresh implementation, the scenario's
/// operations recorded into a history, and the history checked once every goroutine is done.
/// A history that is not linearizable fails the execution with kind `not-linearizable`, after
/// leaving the history in `slot`.
pub(crate) fn body<S: Operations>(
    spec: Arc<S>,
    scenario: Arc<Scenario<S::Op>>,
    slot: Slot<S>,
) -> impl Fn() + Send + Sync + Clone + 'static {
    move || {
        let imp = Arc::new(spec.implementation());
        let recorder: Recorder<S::Op, S::Ret> = Recorder::new();
        for op in &scenario.init {
            recorder.record(op, || spec.apply(&imp, op));
        }
        let handles: Vec<_> = (0..scenario.parallel.len())
            .map(|g| {
                let (spec, imp, recorder) = (Arc::clone(&spec), Arc::clone(&imp), recorder.clone());
                let scenario = Arc::clone(&scenario);
                go("", move || {
                    for op in &scenario.parallel[g] {
                        recorder.record(op, || spec.apply(&imp, op));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join();
        }
        for op in &scenario.post {
            recorder.record(op, || spec.apply(&imp, op));
        }
        let history = recorder.history();
        if let Err(violation) = super::checker::check(&*spec, &history) {
            let why = super::report::explain(&history, &violation);
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(history);
            fail(not_linearizable(), why);
        }
    }
}
