//! What explorations and replays return: the exploration's result, each failure it found
//! (with its token, trace and accesses), a replayed execution, and why a replay failed.

use crate::access::StepAccess;
use crate::classes::ClassCount;
use crate::failure::Failure;
use crate::loom_engine::Engine;
use crate::oracle::DataRace;
use crate::strategy::{Coverage, Reduction, Strategy};
use crate::token::Token;
use crate::trace::Trace;
use std::fmt;

/// A failure found by an exploration (its first occurrence), with everything needed to replay it.
#[derive(Clone, Debug)]
pub struct FoundFailure {
    /// Index (0-based) of the first execution that failed with this kind.
    pub execution: u64,
    /// How many executions failed with this kind.
    pub count: u64,
    /// The failure (the first occurrence: its message, goroutine and step).
    pub failure: Failure,
    /// The schedule token that replays the first occurrence.
    pub token: Token,
    /// The trace of the first occurrence.
    pub trace: Trace,
    /// The trace's hash.
    pub trace_hash: u64,
    /// The accesses of the first occurrence, in order (see [`Replayed::accesses`]).
    pub accesses: Vec<StepAccess>,
    /// The first occurrence's data race, when it raced (see [`Replayed::race`]).
    pub race: Option<DataRace>,
    /// Whether the token replays this failure under shuttle. Always so for failures shuttle
    /// found; a failure the loom engine found gets a shuttle token only when shuttle could
    /// follow loom's execution to the same trace and failure (not a weak-memory outcome, nor
    /// a switch shuttle cannot make); otherwise its token has no steps.
    pub shuttle_replays: bool,
    /// For a failure the loom engine found and shuttle cannot replay: loom's own checkpoint
    /// of the failing execution (a JSON document to save as a file), which
    /// `Explorer::replay_loom_checkpoint` replays. `None` otherwise.
    pub loom_checkpoint: Option<String>,
}

/// The result of an exploration.
#[derive(Clone, Debug)]
pub struct Exploration {
    /// The scenario identity explored.
    pub identity: String,
    /// The strategy used.
    pub strategy: Strategy,
    /// The seed used.
    pub seed: u64,
    /// Executions run.
    pub executions: u64,
    /// Whether a systematic strategy covered its whole space.
    pub exhausted: bool,
    /// Whether the time budget cut the exploration short.
    pub out_of_time: bool,
    /// The reduction that ran (none unless the strategy is exhaustive search).
    pub reduction: Reduction,
    /// What the executions covered: every schedule (up to equivalence), or how many ran.
    pub coverage: Coverage,
    /// Executions abandoned because they only ran out of steps (see
    /// [`Explorer::step_bound_fails`](super::Explorer::step_bound_fails)): neither passed nor failed.
    pub abandoned: u64,
    /// Every distinct failure kind found, in order of first occurrence: the first execution
    /// that failed that way, and how many did.
    pub failures: Vec<FoundFailure>,
    /// The executions by [`Class`](crate::failure::Class), worst class first, each class that occurred with a token
    /// for its first execution; the counts add up to `executions`.
    pub classes: Vec<ClassCount>,
    /// The engine that ran the executions (under loom, `strategy` was not used).
    pub engine: Engine,
}

impl Exploration {
    /// The first failure found, if any.
    pub fn first_failure(&self) -> Option<&FoundFailure> {
        self.failures.first()
    }
}

/// The outcome of replaying one token.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The failure the schedule ends in, or `None` when the execution passed.
    pub failure: Option<Failure>,
    /// The trace.
    pub trace: Trace,
    /// The trace's hash.
    pub trace_hash: u64,
    /// The token, completed with digests and trace hash.
    pub token: Token,
    /// Every access the execution performed, in order: the object/access record that
    /// strategies and oracles read (see [`crate::Object`]).
    pub accesses: Vec<StepAccess>,
    /// The execution's first data race, with race detection on (whether or not the execution
    /// also failed otherwise: a fatal failure stays its failure).
    pub race: Option<DataRace>,
}

/// Why a token could not be replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// The token belongs to another scenario.
    WrongScenario {
        /// The scenario named by the token.
        token: String,
        /// The scenario it was replayed against.
        expected: String,
    },
    /// The code no longer takes the recorded schedule.
    Diverged {
        /// The step where the schedule stopped fitting.
        step: u64,
        /// What did not fit.
        reason: String,
    },
    /// The text is not a usable loom checkpoint (malformed, or for no known exploration).
    BadCheckpoint(String),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::WrongScenario { token, expected } => {
                write!(f, "token is for scenario {token}, not {expected}")
            }
            ReplayError::Diverged { step, reason } => {
                write!(f, "schedule diverged at step {step}: {reason}")
            }
            ReplayError::BadCheckpoint(why) => write!(f, "loom checkpoint: {why}"),
        }
    }
}

impl std::error::Error for ReplayError {}
