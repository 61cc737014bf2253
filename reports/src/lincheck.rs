//! A lincheck failure (kind `not-linearizable`, or whatever else a generated scenario did) as
//! plain rows, and its JSON document. Lincheck's layout: one column per goroutine, one cell
//! per operation with its result, the init and post parts run by `main` around them; then the
//! interleaving of invocations and responses that no sequential order explains, the
//! why-sentence, the token and the regression line that replays it. The HTML page is in
//! [`crate::lincheck_html`].
//!
//! The rows are plain strings, so this module needs no lincheck types; building them from a
//! `maprace_harness::lincheck::LincheckFailure` ([`LincheckReport::of`]) needs this crate's
//! `lincheck` feature.

use crate::json::Versioned;
use crate::model::ReplayReport;
use serde::{Deserialize, Serialize};

/// One operation of the scenario, as it ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LincheckCell {
    /// The operation with its arguments (`put(1, 0)`).
    pub op: String,
    /// What it returned (`Debug`-formatted: `Some(0)`), or `null` when it never returned (a
    /// pending operation) or the execution ended before the history was judged.
    pub result: Option<String>,
}

/// One row of the interleaving.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LincheckStep {
    /// The goroutine (`main`, `G1`, ...).
    pub goroutine: String,
    /// `invoke`, `respond`, or `whole` (invoked and returned with nothing in between).
    pub event: String,
    /// The operation.
    pub op: String,
    /// What it returned (`null` for `invoke`).
    pub result: Option<String>,
}

/// A lincheck failure, ready to render; its JSON is the `lincheck` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LincheckReport {
    /// [`crate::json::VERSION`].
    pub version: u32,
    /// The check's scenario identity (`lincheck/<name>`).
    pub scenario: String,
    /// The failure kind (`not-linearizable`).
    pub kind: String,
    /// Why: for `not-linearizable`, the sentence saying which result no order explains.
    pub message: String,
    /// The scenario's size (`2×2 + init 1`).
    pub size: String,
    /// The column heads, one per goroutine (`G1`, `G2`, ...).
    pub goroutines: Vec<String>,
    /// Run by `main` before the goroutines started.
    pub init: Vec<LincheckCell>,
    /// One column per goroutine, one cell per operation.
    pub parallel: Vec<Vec<LincheckCell>>,
    /// Run by `main` after the goroutines were joined.
    pub post: Vec<LincheckCell>,
    /// Invocations and responses in real-time order (empty when the execution ended before
    /// the history was judged).
    pub interleaving: Vec<LincheckStep>,
    /// The schedule token.
    pub token: String,
    /// The regression line: the scenario and the token (`MAPRACE_REPLAY` takes it).
    pub regression: String,
    /// The command that replays the failure.
    pub replay_command: String,
    /// The failing execution's trace.
    pub execution: ReplayReport,
}

impl Versioned for LincheckReport {
    fn version(&self) -> u32 {
        self.version
    }
}

/// The `lincheck` JSON document of `report` (pretty, one trailing newline, fields in a fixed
/// order).
pub fn json(report: &LincheckReport) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report types always serialise");
    s.push('\n');
    s
}

#[cfg(feature = "lincheck")]
mod of {
    use super::{LincheckCell, LincheckReport, LincheckStep};
    use crate::json::VERSION;
    use crate::model::{ReplayReport, TraceFailure};
    use maprace_harness::lincheck::{steps, LincheckFailure, Operation, Operations, Parts, Step};
    use std::fmt::{Debug, Display};

    fn cell<O: Display, R: Debug>(o: &Operation<O, R>) -> LincheckCell {
        LincheckCell {
            op: o.op.to_string(),
            result: o.response.as_ref().map(|(_, r)| format!("{r:?}")),
        }
    }

    impl LincheckReport {
        /// The report of a failing lincheck check.
        pub fn of<S: Operations>(f: &LincheckFailure<S>) -> Self {
            let ran = |o: &S::Op| LincheckCell {
                op: o.to_string(),
                result: None,
            };
            let (goroutines, init, parallel, post, interleaving) = match &f.history {
                Some(h) => {
                    let parts = Parts::of(h, f.scenario.init.len());
                    let cells = |ops: &[&Operation<S::Op, S::Ret>]| {
                        ops.iter().map(|o| cell(o)).collect::<Vec<_>>()
                    };
                    let interleaving = steps(h)
                        .into_iter()
                        .map(|s| {
                            let (i, event) = match s {
                                Step::Invoke(i) => (i, "invoke"),
                                Step::Respond(i) => (i, "respond"),
                                Step::Whole(i) => (i, "whole"),
                            };
                            let o = &h.operations[i];
                            LincheckStep {
                                goroutine: o.goroutine.clone(),
                                event: event.into(),
                                op: o.op.to_string(),
                                result: match s {
                                    Step::Invoke(_) => None,
                                    _ => cell(o).result,
                                },
                            }
                        })
                        .collect();
                    (
                        parts.heads.iter().map(|g| g.to_string()).collect(),
                        cells(&parts.init),
                        parts.parallel.iter().map(|c| cells(c)).collect(),
                        cells(&parts.post),
                        interleaving,
                    )
                }
                // The execution ended (a runtime fatal, a panic) before the history was judged:
                // the scenario without results.
                None => (
                    (1..=f.scenario.parallel.len())
                        .map(|g| format!("G{g}"))
                        .collect(),
                    f.scenario.init.iter().map(ran).collect(),
                    f.scenario
                        .parallel
                        .iter()
                        .map(|ops| ops.iter().map(ran).collect())
                        .collect(),
                    f.scenario.post.iter().map(ran).collect(),
                    Vec::new(),
                ),
            };
            LincheckReport {
                version: VERSION,
                scenario: f.token.scenario.clone(),
                kind: f.failure.kind.to_string(),
                message: f.failure.message.clone(),
                size: f.scenario.size(),
                goroutines,
                init,
                parallel,
                post,
                interleaving,
                token: f.token.to_string(),
                regression: f.regression.to_string(),
                replay_command: f.replay_command.clone(),
                execution: ReplayReport {
                    token: f.token.to_string(),
                    scenario: f.token.scenario.clone(),
                    outcome: Some(TraceFailure::from(&f.failure)),
                    trace_hash: f.trace.hash_hex(),
                    goroutines: f.trace.goroutines.clone(),
                    trace: f.trace.events.clone(),
                    minimization: None,
                    loom_only: None,
                },
            }
        }
    }
}
