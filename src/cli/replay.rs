//! `maprace replay TOKEN`.

use super::args::{Format, ReplayArgs};
use super::{print, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_reports::{ReplayReport, TraceFailure};
use maprace_scenarios::run::{replay, ReplayFailure};

pub fn run(args: &ReplayArgs) -> Result<i32, CliError> {
    let (scenario, replayed) = match replay(&args.token, args.max_steps) {
        Ok(r) => r,
        Err(e @ ReplayFailure::Replay(maprace_harness::ReplayError::Diverged { .. })) => {
            return Err(CliError {
                code: EXIT_UNEXPECTED,
                message: e.to_string(),
            })
        }
        Err(e) => return Err(CliError::usage(e.to_string())),
    };
    let report = ReplayReport {
        token: replayed.token.to_string(),
        scenario: scenario.id(),
        outcome: replayed.failure.as_ref().map(TraceFailure::from),
        trace_hash: format!("{:016x}", replayed.trace_hash),
        goroutines: replayed.trace.goroutines.clone(),
        trace: replayed.trace.events.clone(),
    };
    match args.format {
        Format::Json => print(&maprace_reports::json::replay(&report)),
        Format::Table => {
            let mut out = format!("scenario: {}\n", report.scenario);
            out.push_str(&maprace_reports::trace_text::render(
                &replayed.trace,
                report.outcome.as_ref(),
            ));
            if report.outcome.is_none() {
                out.push_str("=> passed\n");
            }
            out.push_str(&format!(
                "token: {}\ntrace hash: {}\n",
                report.token, report.trace_hash
            ));
            print(&out);
        }
    }
    Ok(EXIT_OK)
}
