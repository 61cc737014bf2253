//! Scheduling strategies. Each decides, at every scheduling step, which goroutine runs next;
//! every random choice comes from a ChaCha stream derived from the exploration's seed, so a
//! `(strategy, seed)` pair gives the same executions on every machine.

mod delay;
mod dfs;
mod dpor;
#[cfg(feature = "loom")]
mod guided;
mod pct;
mod portfolio;
mod pos;
mod races;
mod random;
mod reduction;
mod replay;
mod urw;

pub(crate) use dfs::Dfs;
#[cfg(feature = "loom")]
pub(crate) use guided::Guided;
pub(crate) use pct::Pct;
pub(crate) use portfolio::Portfolio;
pub(crate) use pos::Pos;
pub(crate) use random::RandomWalk;
pub(crate) use reduction::build_reduced;
pub use reduction::{Coverage, Reduction};
pub(crate) use replay::ReplaySteps;
pub(crate) use urw::Urw;

use crate::access::{Pending, StepAccess};
use crate::token::Token;
use std::fmt;

/// How to explore interleavings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// At every step, a goroutine chosen uniformly among the runnable ones.
    Random,
    /// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random goroutine
    /// priorities with `depth - 1` priority change points placed among the steps that had a
    /// choice; finds any bug of depth `depth` with a known probability per execution.
    Pct {
        /// The bug depth targeted (number of ordering constraints), 1 to [`MAX_PCT_DEPTH`]
        /// (larger values are clamped).
        depth: u32,
    },
    /// Depth-first search of every schedule, optionally bounded by the number of preemptions
    /// (switches away from a goroutine that could have continued). Says whether it exhausted
    /// the space.
    Dfs {
        /// The largest number of preemptions per schedule, or `None` for no bound.
        preemption_bound: Option<u32>,
    },
    /// Depth-first search bounded by delays instead of preemptions (Emmi, Qadeer, Rakamarić,
    /// POPL 2011): a deterministic round-robin scheduler, where each delay skips the goroutine
    /// it would run next. Says whether it exhausted the space.
    DelayBounded {
        /// The largest number of delays per schedule.
        delay_bound: u32,
    },
    /// Partial order sampling (Yuan, Yang, Gu, CAV 2018): every pending step has a random
    /// priority, the highest runs, and the pending steps that conflict with a step that ran
    /// get fresh priorities. Reads the object/access record.
    Pos,
    /// Uniform random walk (Zhao, Wolff, Mathur, Roychoudhury, ASPLOS 2025): a goroutine is
    /// chosen with probability proportional to its estimated remaining steps, estimated per
    /// goroutine number from the executions finished so far.
    Urw,
    /// The selective form of [`Strategy::Urw`] (same paper): weights count only the steps
    /// that touch a shared object in the object/access record.
    Surw,
    /// A portfolio: executions take turns among [`Strategy::Urw`], [`Strategy::Pos`] and
    /// [`Strategy::Pct`] with depth 3, each with its own seed stream derived from the
    /// exploration's seed and its own state across its turns.
    Portfolio,
    /// Replays one recorded schedule.
    Replay(Token),
}

/// The largest PCT depth accepted: a bug needing more ordering constraints is out of PCT's
/// reach anyway (its probability bound shrinks geometrically with the depth).
pub const MAX_PCT_DEPTH: u32 = 64;

impl Strategy {
    /// The strategy's name (`random`, `pct`, `dfs`, `delay`, `pos`, `urw`, `surw`, `portfolio`,
    /// `replay`).
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::Random => "random",
            Strategy::Pct { .. } => "pct",
            Strategy::Dfs { .. } => "dfs",
            Strategy::DelayBounded { .. } => "delay",
            Strategy::Pos => "pos",
            Strategy::Urw => "urw",
            Strategy::Surw => "surw",
            Strategy::Portfolio => "portfolio",
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
            Strategy::DelayBounded { delay_bound } => write!(f, "delay(delay-bound={delay_bound})"),
            Strategy::Pos => f.write_str("pos"),
            Strategy::Urw => f.write_str("urw"),
            Strategy::Surw => f.write_str("surw"),
            Strategy::Portfolio => f.write_str("portfolio"),
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
    pub pending: Pending<'a>,
    /// The accesses performed so far in this execution, in order (same condition).
    pub log: &'a [StepAccess],
    /// How many trace events the execution has recorded so far (0 when not tracing).
    #[cfg_attr(not(feature = "loom"), allow(dead_code))]
    pub events: usize,
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
        Strategy::Pct { depth } => Box::new(Pct::new(seed, (*depth).clamp(1, MAX_PCT_DEPTH))),
        Strategy::Dfs { preemption_bound } => Box::new(Dfs::new(seed, *preemption_bound)),
        Strategy::DelayBounded { delay_bound } => Box::new(Dfs::delay_bounded(seed, *delay_bound)),
        Strategy::Pos => Box::new(Pos::new(seed)),
        Strategy::Urw => Box::new(Urw::new(seed, false)),
        Strategy::Surw => Box::new(Urw::new(seed, true)),
        Strategy::Portfolio => {
            // Distinct streams per member, so no two members replay each other's draws.
            let member = |i: u64| crate::hash::mix64(seed ^ (i << 56));
            Box::new(Portfolio::new(vec![
                Box::new(Urw::new(member(1), false)),
                Box::new(Pos::new(member(2))),
                Box::new(Pct::new(member(3), 3)),
            ]))
        }
        Strategy::Replay(token) => Box::new(ReplaySteps::new(token.seed, token.steps.clone())),
    }
}

/// What choosing `task` costs under preemption bounding (0 or 1): switching away from a
/// goroutine that could go on is a preemption, unless it yielded; running a yielder again while
/// another goroutine could run is one (that keeps bounded search finite on spin-waits).
pub(crate) fn preemption_cost(
    current: Option<usize>,
    yielding: bool,
    runnable: &[usize],
    task: usize,
) -> u32 {
    match current.filter(|c| runnable.contains(c)) {
        Some(c) if !yielding => u32::from(task != c),
        Some(c) => u32::from(task == c && runnable.len() > 1),
        None => 0,
    }
}
