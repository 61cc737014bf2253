//! A failing check: the smallest failing scenario, its failure, token and history, as text
//! (Lincheck's layout) and Markdown.

use super::history::History;
use super::regression::Regression;
use super::report::{interleaving, Table};
use super::run::{Found, Stale};
use super::scenario::Scenario;
use super::spec::Operations;
use crate::check::Context;
use crate::failure::Failure;
use crate::token::Token;
use crate::trace::Trace;
use std::fmt;

/// A failing check: the smallest failing scenario found, its failure, token and history.
pub struct LincheckFailure<S: Operations> {
    /// The failure: kind `not-linearizable` (see [`super::not_linearizable`]) with the why-sentence
    /// as message, or whatever else the implementation did (a runtime fatal, a panic, ...).
    pub failure: Failure,
    /// The smallest failing scenario proptest's shrinking reached.
    pub scenario: Scenario<S::Op>,
    /// The size of the first failing scenario, before shrinking (`3×4 + init 2`).
    pub original_size: String,
    /// The schedule token (minimized to the fewest preemptions the budget allowed); replays
    /// with [`super::Lincheck::replay`] and the scenario.
    pub token: Token,
    /// The execution's trace, with an invocation and a response event per operation.
    pub trace: Trace,
    /// The history, when the failure is `not-linearizable` (other failures end the execution
    /// before the history is judged).
    pub history: Option<History<S::Op, S::Ret>>,
    /// Executions run until the first failing one (included), over every scenario tried.
    pub executions_to_first: u64,
    /// Scenarios explored until the first failing one (included).
    pub scenarios_to_first: u32,
    /// The regression line: the scenario (how to rebuild it) and the token. Saved by
    /// [`super::Lincheck::check`]; `MAPRACE_REPLAY` takes it.
    pub regression: Regression,
    /// The command that replays the failure where it came from:
    /// `MAPRACE_REPLAY='lincheck1 …' cargo test -p <package> <test> -- --exact`.
    pub replay_command: String,
    /// Where the failure came from.
    pub origin: Origin,
    /// Saved regression lines that no longer reproduce, met before this failure.
    pub stale: Vec<Stale>,
}

/// Where a lincheck failure came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Scenario generation and exploration found it.
    Exploration,
    /// A saved regression line (in this file) still fails.
    Regression(String),
    /// `MAPRACE_REPLAY` replayed it.
    EnvReplay,
}

impl<S: Operations> LincheckFailure<S> {
    /// The failure of `found`, an execution of `scenario`, as a report; the counts of an
    /// exploration are left at their "not explored" values (the scenario's own size, 0).
    pub(super) fn new(
        scenario: Scenario<S::Op>,
        found: Found<S>,
        regression: Regression,
        origin: Origin,
    ) -> Self {
        LincheckFailure {
            failure: found.failure.expect("a failing execution"),
            original_size: scenario.size(),
            scenario,
            token: found.token,
            trace: found.trace,
            history: found.history,
            executions_to_first: 0,
            scenarios_to_first: 0,
            replay_command: Context::of_this_test().replay_command(&regression),
            regression,
            origin,
            stale: Vec::new(),
        }
    }
}

impl<S: Operations> fmt::Debug for LincheckFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<S: Operations> fmt::Display for LincheckFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.failure.kind, self.failure.message)?;
        match &self.origin {
            Origin::Exploration => writeln!(
                f,
                "smallest failing scenario ({}, first found as {} after {} executions):",
                self.scenario.size(),
                self.original_size,
                self.executions_to_first
            )?,
            Origin::Regression(path) => writeln!(
                f,
                "a saved regression still fails (from {path}); its scenario ({}):",
                self.scenario.size()
            )?,
            Origin::EnvReplay => writeln!(
                f,
                "replayed from MAPRACE_REPLAY; its scenario ({}):",
                self.scenario.size()
            )?,
        }
        match &self.history {
            Some(h) => {
                write!(f, "{}", Table::of_history(h, self.scenario.init.len()))?;
                writeln!(f, "interleaving:")?;
                write!(f, "{}", interleaving(h))?;
            }
            None => write!(f, "{}", self.scenario)?,
        }
        writeln!(f, "token: {}", self.token)?;
        write!(f, "replay: {}", self.replay_command)
    }
}

impl<S: Operations> LincheckFailure<S> {
    /// The report in Markdown, for bug reports: the failure, the scenario with its results
    /// (Lincheck's layout), and the token.
    pub fn markdown(&self) -> String {
        let table = match &self.history {
            Some(h) => Table::of_history(h, self.scenario.init.len()),
            None => self.scenario.table(),
        };
        format!(
            "**{}**: {}\n\nSmallest failing scenario ({}):\n\n{}\nToken: `{}`\n\nReplay: `{}`\n",
            self.failure.kind,
            self.failure.message,
            self.scenario.size(),
            table.markdown(),
            self.token,
            self.replay_command
        )
    }
}
