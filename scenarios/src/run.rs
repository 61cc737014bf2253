//! Running catalogue scenarios through the harness: the options people choose on the command
//! line (or in the corpus), and the verdict of an exploration against the scenario's expectation.

use crate::{by_id, Expected, Scenario};
use maprace_harness::{Exploration, Explorer, ReplayError, Replayed, Strategy, Token, TokenError};
use std::fmt;
use std::time::Duration;

/// How to explore a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The strategy (never `Replay`: replays go through [`replay`]).
    pub strategy: Strategy,
    /// The seed.
    pub seed: u64,
    /// The largest number of executions.
    pub iterations: u64,
    /// The largest number of scheduling steps per execution.
    pub max_steps: u64,
    /// An optional wall-clock budget (limits how many executions run, never what they do).
    pub time_budget: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strategy: Strategy::Random,
            seed: 0,
            iterations: DEFAULT_ITERATIONS,
            max_steps: DEFAULT_MAX_STEPS,
            time_budget: None,
        }
    }
}

/// Default number of executions per scenario variant.
pub const DEFAULT_ITERATIONS: u64 = 10_000;
/// Default step bound per execution.
pub const DEFAULT_MAX_STEPS: u64 = 20_000;
/// The preemption bound of the bounded-exhaustive check of fixed variants.
pub const DFS_PREEMPTION_BOUND: u32 = 2;
/// The default cap on the executions of that check (see [`Scenario::dfs_iterations`]).
pub const DEFAULT_DFS_ITERATIONS: u64 = 100_000;

impl Options {
    /// The explorer these options describe, for `scenario`.
    pub fn explorer(&self, scenario: &Scenario) -> Explorer {
        Explorer::new(scenario.id())
            .strategy(self.strategy.clone())
            .seed(self.seed)
            .iterations(self.iterations)
            .max_steps(self.max_steps)
            .time_budget(self.time_budget)
    }
}

impl Options {
    /// The bounded-exhaustive check of `scenario`: DFS with preemption bound
    /// [`DFS_PREEMPTION_BOUND`], capped at the scenario's [`Scenario::dfs_iterations`].
    pub fn dfs(scenario: &Scenario) -> Self {
        Options {
            strategy: Strategy::Dfs {
                preemption_bound: Some(DFS_PREEMPTION_BOUND),
            },
            iterations: scenario.dfs_iterations,
            ..Options::default()
        }
    }
}

/// Whether an exploration met the scenario's expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Buggy variant failed, or fixed variant passed.
    Ok,
    /// The opposite.
    Unexpected,
}

impl Verdict {
    /// `ok` or `unexpected`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Unexpected => "unexpected",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of `exploration` for a scenario expected to `expected`.
pub fn verdict(expected: Expected, exploration: &Exploration) -> Verdict {
    let failed = !exploration.failures.is_empty();
    match (expected, failed) {
        (Expected::Fail, true) | (Expected::Pass, false) => Verdict::Ok,
        _ => Verdict::Unexpected,
    }
}

/// Explores one scenario variant.
pub fn explore(scenario: &Scenario, options: &Options) -> Exploration {
    options.explorer(scenario).run(scenario.body)
}

/// Why a token could not be replayed.
#[derive(Debug)]
pub enum ReplayFailure {
    /// The token text is malformed.
    Malformed(TokenError),
    /// The token names no registered scenario: it comes from a check in someone's tests.
    UnknownScenario {
        /// The identity the token names.
        scenario: String,
        /// The token's text, for the command that replays it where it came from.
        token: String,
    },
    /// The schedule does not fit the scenario (any more).
    Replay(ReplayError),
}

impl fmt::Display for ReplayFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayFailure::Malformed(e) => write!(f, "{e}"),
            ReplayFailure::UnknownScenario { scenario, token } => {
                // A check's identity is its test's name with `::` written `/`.
                let test = scenario.replace('/', "::");
                write!(
                    f,
                    "token is for {scenario}, not a catalogue scenario (see `maprace list`): if it comes from a test, replay it there with MAPRACE_REPLAY='{token}' cargo test {test} -- --exact"
                )
            }
            ReplayFailure::Replay(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReplayFailure {}

/// Parses `text` and replays it against the scenario it names.
pub fn replay(text: &str, max_steps: u64) -> Result<(Scenario, Replayed), ReplayFailure> {
    let token = Token::parse(text).map_err(ReplayFailure::Malformed)?;
    let scenario = by_id(&token.scenario).ok_or_else(|| ReplayFailure::UnknownScenario {
        scenario: token.scenario.clone(),
        token: text.trim().to_string(),
    })?;
    let replayed = Explorer::new(scenario.id())
        .max_steps(max_steps)
        .replay(&token, scenario.body)
        .map_err(ReplayFailure::Replay)?;
    Ok((scenario, replayed))
}

/// Replays a loom checkpoint (saved by `explore --engine loom --report DIR` for a failure only
/// loom shows) against the scenario it names.
#[cfg(feature = "loom")]
pub fn replay_loom_checkpoint(
    checkpoint: &str,
    max_steps: u64,
) -> Result<(Scenario, Replayed), ReplayFailure> {
    let bad = |why: String| ReplayFailure::Replay(ReplayError::BadCheckpoint(why));
    let id = maprace_harness::loom_checkpoint_scenario(checkpoint).map_err(bad)?;
    let scenario = by_id(&id).ok_or_else(|| {
        bad(format!(
            "the checkpoint is for {id}, not a catalogue scenario (see `maprace list`)"
        ))
    })?;
    let replayed = Explorer::new(scenario.id())
        .max_steps(max_steps)
        .replay_loom_checkpoint(checkpoint, scenario.body)
        .map_err(ReplayFailure::Replay)?;
    Ok((scenario, replayed))
}
