//! Choosing a reduction for exhaustive search, and saying what an exploration covered.

use super::dpor::{Mode, Reduced};
use super::{Schedule, Strategy};
use std::fmt;
use std::str::FromStr;

/// How exhaustive search ([`Strategy::Dfs`]) prunes equivalent schedules. Schedules that only
/// reorder independent steps (steps of different goroutines whose accesses do not conflict, see
/// [`crate::Access::conflicts`]) reach the same outcome, so one per equivalence class suffices.
///
/// Chosen with [`crate::Explorer::reduction`], not inside [`Strategy::Dfs`]: the strategy
/// names *which* schedules are in scope (and its first schedule and tokens stay those of plain
/// DFS), the reduction only *how many* of them run; and other strategies ignore it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reduction {
    /// Every schedule (plain DFS).
    None,
    /// Sleep sets (Godefroid): DFS that skips a goroutine whose step commutes with everything
    /// since it was explored. Sound without a preemption bound; with one, it is plain DFS.
    Sleep,
    /// Source-DPOR with sleep sets (Abdulla et al., POPL 2014): explores only the reorderings
    /// of racing steps. With a preemption bound, bounded POR (Coons et al., OOPSLA 2013)
    /// without sleep sets. The default: the strongest sound reduction.
    #[default]
    Dpor,
}

impl Reduction {
    /// The reduction's name (`none`, `sleep`, `dpor`).
    pub fn name(self) -> &'static str {
        match self {
            Reduction::None => "none",
            Reduction::Sleep => "sleep",
            Reduction::Dpor => "dpor",
        }
    }

    /// The reduction that actually runs for `strategy`: none for non-exhaustive strategies,
    /// and none for sleep sets under a preemption bound.
    pub fn effective(self, strategy: &Strategy) -> Reduction {
        match (self, strategy) {
            (Reduction::Sleep, Strategy::Dfs { preemption_bound })
                if preemption_bound.is_some() =>
            {
                Reduction::None
            }
            (r, Strategy::Dfs { .. }) => r,
            _ => Reduction::None,
        }
    }
}

impl fmt::Display for Reduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Reduction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Reduction::None),
            "sleep" => Ok(Reduction::Sleep),
            "dpor" => Ok(Reduction::Dpor),
            _ => Err(format!(
                "unknown reduction {s:?} (expected none, sleep or dpor)"
            )),
        }
    }
}

/// What an exploration covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Every schedule (within the preemption bound, if any) ran, or, when `up_to_equivalence`,
    /// one schedule of every equivalence class of them.
    Complete {
        /// The preemption bound, if any.
        preemption_bound: Option<u32>,
        /// Whether a reduction pruned equivalent schedules.
        up_to_equivalence: bool,
    },
    /// An exhaustive search stopped before the end (execution limit, time budget, first
    /// failure): `executions` ran, and nothing is proved about the rest.
    Cut {
        /// Executions run.
        executions: u64,
    },
    /// A random strategy sampled `executions` schedules.
    Sampled {
        /// Executions run.
        executions: u64,
    },
}

impl Coverage {
    /// What `strategy` with `reduction` covered after `executions` executions.
    pub fn of(strategy: &Strategy, reduction: Reduction, exhausted: bool, executions: u64) -> Self {
        match strategy {
            Strategy::Dfs { preemption_bound } if exhausted => Coverage::Complete {
                preemption_bound: *preemption_bound,
                up_to_equivalence: reduction.effective(strategy) != Reduction::None,
            },
            Strategy::Dfs { .. } => Coverage::Cut { executions },
            _ => Coverage::Sampled { executions },
        }
    }

    /// Whether every schedule in scope is accounted for.
    pub fn is_complete(&self) -> bool {
        matches!(self, Coverage::Complete { .. })
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Coverage::Complete {
                preemption_bound,
                up_to_equivalence,
            } => {
                f.write_str("every schedule")?;
                if let Some(b) = preemption_bound {
                    write!(f, " with ≤ {b} preemptions")?;
                }
                if up_to_equivalence {
                    f.write_str(" up to equivalence")?;
                }
                Ok(())
            }
            Coverage::Cut { executions } => {
                write!(f, "cut at {executions} executions, not exhaustive")
            }
            Coverage::Sampled { executions } => write!(f, "{executions} sampled executions"),
        }
    }
}

/// The engine-side schedule for `strategy` with `reduction` (which only changes exhaustive
/// search).
pub(crate) fn build_reduced(
    strategy: &Strategy,
    seed: u64,
    reduction: Reduction,
) -> Box<dyn Schedule> {
    match (strategy, reduction.effective(strategy)) {
        (Strategy::Dfs { preemption_bound }, Reduction::Sleep) => {
            Box::new(Reduced::new(seed, *preemption_bound, Mode::Sleep))
        }
        (Strategy::Dfs { preemption_bound }, Reduction::Dpor) => {
            Box::new(Reduced::new(seed, *preemption_bound, Mode::Dpor))
        }
        _ => super::build(strategy, seed),
    }
}
