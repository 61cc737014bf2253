//! `maprace minimize TOKEN`: the failing schedule with the fewest preemptions.

use super::args::MinimizeArgs;
use super::replay::replay_error;
use super::{print, render, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_harness::{minimize, Budget, Explorer, MinimizeError};
use maprace_scenarios::run::replay;

pub fn run(args: &MinimizeArgs) -> Result<i32, CliError> {
    // Replaying first gives the same errors, with the same exit codes, as `maprace replay`.
    super::replay::check_token(&args.token, args.max_steps)?;
    let (scenario, original) = replay(&args.token, args.max_steps).map_err(replay_error)?;
    let explorer = Explorer::new(scenario.id()).max_steps(args.max_steps);
    let m = minimize(
        &explorer,
        &original.token,
        scenario.body,
        Budget::new(args.budget),
    )
    .map_err(|e| match e {
        MinimizeError::Passes => CliError {
            code: EXIT_UNEXPECTED,
            message: e.to_string(),
        },
        MinimizeError::Replay(e) => CliError {
            code: EXIT_UNEXPECTED,
            message: e.to_string(),
        },
    })?;
    let report = render::minimized(&scenario.id(), &original.token, &m);
    let options = render::trace_options(&args.trace);
    print(&render::trace(&report, args.format, &options))?;
    Ok(EXIT_OK)
}
