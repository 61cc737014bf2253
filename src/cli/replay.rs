//! `maprace replay TOKEN`.

use super::args::ReplayArgs;
use super::{print, render, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_scenarios::run::{replay, ReplayFailure};

/// A replay error as a CLI error: a schedule that no longer fits is an unexpected outcome
/// (exit 1), anything else is bad input (exit 2).
pub fn replay_error(e: ReplayFailure) -> CliError {
    match e {
        e @ ReplayFailure::Replay(maprace_harness::ReplayError::Diverged { .. }) => CliError {
            code: EXIT_UNEXPECTED,
            message: e.to_string(),
        },
        e => CliError::usage(e.to_string()),
    }
}

pub fn run(args: &ReplayArgs) -> Result<i32, CliError> {
    let (scenario, replayed) = replay(&args.token, args.max_steps).map_err(replay_error)?;
    let report = render::replayed(&scenario.id(), &replayed);
    let options = render::trace_options(&args.trace);
    print(&render::trace(&report, args.format, &options))?;
    Ok(EXIT_OK)
}
