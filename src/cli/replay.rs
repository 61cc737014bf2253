//! `maprace replay TOKEN`.

use super::args::ReplayArgs;
use super::{print, render, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_harness::Token;
use maprace_scenarios::run::{replay, replay_loom_checkpoint, ReplayFailure};

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

/// Reads `text` as a token of at most `max_steps` steps, before anything replays it: a longer
/// schedule is refused by its length (a step limit it would exceed has no effect but to cut it),
/// and a token whose scenario name was edited says which scenario it was made for.
pub fn check_token(text: &str, max_steps: u64) -> Result<(), CliError> {
    let Err(e) = Token::parse_bounded(text, max_steps) else {
        return Ok(());
    };
    let named = text.trim().split(':').nth(1).unwrap_or_default();
    let made_for = maprace_scenarios::all()
        .into_iter()
        .map(|s| s.id())
        .find(|id| id != named && Token::belongs_to(text, id));
    Err(CliError::usage(match made_for {
        Some(id) => format!(
            "this token was made for {id}, but names {named}: its scenario was edited; \
             replay it as mr2:{id}:…"
        ),
        None if e.0.starts_with("the schedule has") => format!("{}; raise --max-steps", e.0),
        None => e.to_string(),
    }))
}

pub fn run(args: &ReplayArgs) -> Result<i32, CliError> {
    let (scenario, replayed) = match (&args.token, &args.loom_checkpoint) {
        (_, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", file.display())))?;
            replay_loom_checkpoint(&text, args.max_steps).map_err(replay_error)?
        }
        (Some(token), None) => {
            check_token(token, args.max_steps)?;
            replay(token, args.max_steps).map_err(replay_error)?
        }
        (None, None) => return Err(CliError::usage("give a token or --loom-checkpoint FILE")),
    };
    let mut report = render::replayed(&scenario.id(), &replayed);
    report.loom_only = args
        .loom_checkpoint
        .as_ref()
        .map(|f| maprace_reports::LoomOnly {
            checkpoint: Some(f.display().to_string()),
        });
    let options = render::trace_options(&args.trace);
    print(&render::trace(&report, args.format, &options))?;
    Ok(EXIT_OK)
}
