//! A failing check: the smallest failing scenario, its failure, token and history, as text
//! (Lincheck's layout) and Markdown.

use super::history::History;
use super::report::{interleaving, Table};
use super::scenario::Scenario;
use super::spec::Operations;
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
}

impl<S: Operations> fmt::Debug for LincheckFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<S: Operations> fmt::Display for LincheckFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.failure.kind, self.failure.message)?;
        writeln!(
            f,
            "smallest failing scenario ({}, first found as {} after {} executions):",
            self.scenario.size(),
            self.original_size,
            self.executions_to_first
        )?;
        match &self.history {
            Some(h) => {
                write!(f, "{}", Table::of_history(h, self.scenario.init.len()))?;
                writeln!(f, "interleaving:")?;
                write!(f, "{}", interleaving(h))?;
            }
            None => write!(f, "{}", self.scenario)?,
        }
        write!(f, "token: {}", self.token)
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
            "**{}**: {}\n\nSmallest failing scenario ({}):\n\n{}\nToken: `{}`\n",
            self.failure.kind,
            self.failure.message,
            self.scenario.size(),
            table.markdown(),
            self.token
        )
    }
}
