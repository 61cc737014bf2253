//! Which options belong to which strategy, and the strategy they build.
//!
//! An option that has no effect under the chosen strategy is a usage error (exit 2), never a
//! silent no-op: `--depth` with `--strategy random` would otherwise read as if it mattered.
//! Adding a strategy's option is one row in [`STRATEGY_OPTIONS`] (and its field in
//! [`ExploreArgs`]); adding a strategy is one arm in [`strategy`].

use super::args::{Bound, EngineName, ExploreArgs, StrategyName};
use super::CliError;
use maprace_harness::{Engine, Strategy};

/// The PCT bug depth when `--depth` is not given.
pub const DEFAULT_DEPTH: u32 = 3;
/// The delay bound when `--delay-bound` is not given.
pub const DEFAULT_DELAY_BOUND: u32 = 2;
/// The DFS preemption bound when `--preemption-bound` is not given.
pub const DEFAULT_PREEMPTION_BOUND: Bound = Bound(Some(2));

/// An option that only some strategies read.
struct StrategyOption {
    /// The flag, as typed.
    flag: &'static str,
    /// Whether the command line gave it.
    given: fn(&ExploreArgs) -> bool,
    /// The strategies it applies to.
    applies_to: &'static [StrategyName],
}

const STRATEGY_OPTIONS: &[StrategyOption] = &[
    StrategyOption {
        flag: "--depth",
        given: |a| a.depth.is_some(),
        applies_to: &[StrategyName::Pct],
    },
    StrategyOption {
        flag: "--preemption-bound",
        given: |a| a.preemption_bound.is_some(),
        applies_to: &[StrategyName::Dfs],
    },
    StrategyOption {
        flag: "--delay-bound",
        given: |a| a.delay_bound.is_some(),
        applies_to: &[StrategyName::Delay],
    },
    StrategyOption {
        flag: "--reduction",
        given: |a| a.reduction.is_some(),
        applies_to: &[StrategyName::Dfs],
    },
];

/// The strategy `args` choose, after checking that every strategy-specific option given
/// applies to it.
pub fn strategy(args: &ExploreArgs) -> Result<Strategy, CliError> {
    if args.engine == EngineName::Loom {
        // loom searches on its own; what it covers is reported like a DFS with its bound.
        engine(args)?;
        return Ok(Strategy::Dfs {
            preemption_bound: args.preemption_bound.unwrap_or(DEFAULT_PREEMPTION_BOUND).0,
        });
    }
    for o in STRATEGY_OPTIONS {
        if (o.given)(args) && !o.applies_to.contains(&args.strategy) {
            let names: Vec<String> = o.applies_to.iter().map(|s| name(*s)).collect();
            return Err(CliError::usage(format!(
                "{} has no effect with --strategy {}; it applies to --strategy {}",
                o.flag,
                name(args.strategy),
                names.join(" or ")
            )));
        }
    }
    Ok(match args.strategy {
        StrategyName::Random => Strategy::Random,
        StrategyName::Pct => Strategy::Pct {
            depth: args.depth.unwrap_or(DEFAULT_DEPTH),
        },
        StrategyName::Dfs => Strategy::Dfs {
            preemption_bound: args.preemption_bound.unwrap_or(DEFAULT_PREEMPTION_BOUND).0,
        },
        StrategyName::Delay => Strategy::DelayBounded {
            delay_bound: args.delay_bound.unwrap_or(DEFAULT_DELAY_BOUND),
        },
        StrategyName::Pos => Strategy::Pos,
        StrategyName::Urw => Strategy::Urw,
        StrategyName::Surw => Strategy::Surw,
        StrategyName::Portfolio => Strategy::Portfolio,
    })
}

/// The engine `args` choose. loom brings its own search: a strategy other than `dfs` (or the
/// default), `--reduction` and `--jobs` do not apply to it, and `--preemption-bound` is
/// loom's; `--loom-max-branches` applies only to loom.
pub fn engine(args: &ExploreArgs) -> Result<Engine, CliError> {
    if args.engine == EngineName::Shuttle {
        if args.loom_max_branches.is_some() {
            return Err(CliError::usage(
                "--loom-max-branches has no effect with --engine shuttle; it applies to --engine loom",
            ));
        }
        return Ok(Engine::Shuttle);
    }
    if !matches!(args.strategy, StrategyName::Portfolio | StrategyName::Dfs) {
        return Err(CliError::usage(format!(
            "--engine loom runs loom's own search: --strategy {} does not apply (use --strategy dfs or leave it out)",
            name(args.strategy)
        )));
    }
    for (given, flag, why) in [
        (
            args.reduction.is_some(),
            "--reduction",
            "loom's DPOR is its reduction",
        ),
        (
            args.jobs.is_some(),
            "--jobs",
            "loom's DPOR runs on one thread",
        ),
        (args.depth.is_some(), "--depth", "it is PCT's"),
        (
            args.delay_bound.is_some(),
            "--delay-bound",
            "loom bounds preemptions, not delays",
        ),
    ] {
        if given {
            return Err(CliError::usage(format!(
                "{flag} has no effect with --engine loom ({why})"
            )));
        }
    }
    let bound = args.preemption_bound.unwrap_or(DEFAULT_PREEMPTION_BOUND).0;
    let engine = Engine::Loom {
        preemption_bound: bound.map(|b| b as usize),
        max_branches: args
            .loom_max_branches
            .map_or(maprace_harness::LOOM_DEFAULT_MAX_BRANCHES, |b| b as usize),
    };
    engine.check().map_err(CliError::usage)?;
    Ok(engine)
}

/// The strategy's name as `--strategy` takes it.
fn name(s: StrategyName) -> String {
    use clap::ValueEnum;
    s.to_possible_value()
        .map_or_else(|| format!("{s:?}"), |v| v.get_name().to_string())
}
