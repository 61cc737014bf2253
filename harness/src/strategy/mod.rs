//! Scheduling strategies. Each decides, at every scheduling step, which goroutine runs next;
//! every random choice comes from a ChaCha stream derived from the exploration's seed, so a
//! `(strategy, seed)` pair gives the same executions on every machine.

mod dfs;
mod dpor;
mod pct;
mod races;
mod random;
mod reduction;
mod replay;

pub(crate) use dfs::Dfs;
pub(crate) use pct::Pct;
pub(crate) use random::RandomWalk;
pub(crate) use reduction::build_reduced;
pub use reduction::{Coverage, Reduction};
pub(crate) use replay::ReplaySteps;

use crate::access::{Pending, StepAccess};
use crate::token::Token;
use std::fmt;

/// How to explore interleavings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// At every step, a goroutine chosen uniformly among the runnable ones.
    Random,
    /// Probabilistic concurrency testing (Burckhardt et al.): random goroutine priorities with
    /// `depth - 1` priority change points; finds any bug of depth `depth` with a known
    /// probability per execution.
    Pct {
        /// The bug depth targeted (number of ordering constraints), at least 1.
        depth: u32,
    },
    /// Depth-first search of every schedule, optionally bounded by the number of preemptions
    /// (switches away from a goroutine that could have continued). Says whether it exhausted
    /// the space.
    Dfs {
        /// The largest number of preemptions per schedule, or `None` for no bound.
        preemption_bound: Option<u32>,
    },
    /// Replays one recorded schedule.
    Replay(Token),
}

impl Strategy {
    /// The strategy's name (`random`, `pct`, `dfs`, `replay`).
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::Random => "random",
            Strategy::Pct { .. } => "pct",
            Strategy::Dfs { .. } => "dfs",
            Strategy::Replay(_) => "replay",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Random => f.write_str("random"),
            Strategy::Pct { depth } => write!(f, "pct(depth={depth})"),
            Strategy::Dfs {
                preemption_bound: Some(b),
            } => write!(f, "dfs(preemption-bound={b})"),
            Strategy::Dfs {
                preemption_bound: None,
            } => f.write_str("dfs"),
            Strategy::Replay(_) => f.write_str("replay"),
        }
    }
}

/// One scheduling decision, as a strategy sees it.
pub(crate) struct Decision<'a> {
    /// The step number (0-based).
    pub step: u64,
    /// Runnable goroutines, by number (main 0, then spawn order), ascending. Never empty.
    pub runnable: &'a [usize],
    /// The goroutine that ran last, if it is still runnable.
    pub current: Option<usize>,
    /// Whether the current goroutine yielded voluntarily.
    pub yielding: bool,
    /// The access each goroutine's next step starts with, where it declared one (kept only
    /// when the strategy [`Schedule::wants_accesses`] or something else reads the record).
    #[allow(dead_code)] // read by the dependency-aware strategies
    pub pending: Pending<'a>,
    /// The accesses performed so far in this execution, in order (same condition).
    #[allow(dead_code)]
    pub log: &'a [StepAccess],
}

impl Decision<'_> {
    /// Whether choosing `task` preempts the current goroutine.
    pub fn preempts(&self, task: usize) -> bool {
        matches!(self.current, Some(c) if c != task && !self.yielding)
    }
}

/// A strategy's engine-facing side.
pub(crate) trait Schedule {
    /// Starts the next execution: its seed, or `None` when the strategy has nothing left.
    fn begin(&mut self) -> Option<u64>;
    /// The goroutine to run (one of `d.runnable`), or why the schedule cannot go on.
    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String>;
    /// The execution ended after `steps` steps; `Err` when the schedule was not used up.
    fn end(&mut self, _steps: u64) -> Result<(), String> {
        Ok(())
    }
    /// Whether the strategy reads the points goroutines are paused at (map-aware strategies
    /// will); when none does and no replay checks digests, the record does not keep them.
    fn wants_labels(&self) -> bool {
        false
    }
    /// Whether the strategy reads the object/access record ([`Decision::pending`],
    /// [`Decision::log`]); when nothing does, the record is not kept.
    fn wants_accesses(&self) -> bool {
        false
    }
    /// Whether the strategy has covered its whole space.
    fn exhausted(&self) -> bool {
        false
    }
}

/// Builds the engine-side schedule for a strategy and seed.
pub(crate) fn build(strategy: &Strategy, seed: u64) -> Box<dyn Schedule> {
    match strategy {
        Strategy::Random => Box::new(RandomWalk::new(seed)),
        Strategy::Pct { depth } => Box::new(Pct::new(seed, (*depth).max(1))),
        Strategy::Dfs { preemption_bound } => Box::new(Dfs::new(seed, *preemption_bound)),
        Strategy::Replay(token) => Box::new(ReplaySteps::new(token.seed, token.steps.clone())),
    }
}
