//! `maprace mutate`: happens-before mutation testing of the fixed variants.

use super::args::MutateArgs;
use super::explore::selected;
use super::{print, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_harness::sync_objects;
use maprace_reports::table::grid;
use maprace_scenarios::run::Options;
use maprace_scenarios::Variant;

/// Executions whose synchronisation objects make up the mutants.
const SURVEY: u64 = 50;

pub fn run(args: &MutateArgs) -> Result<i32, CliError> {
    let scenarios = selected(&args.scenarios, &[maprace_scenarios::Size::Small])?;
    let options = Options {
        iterations: args.iterations,
        seed: args.seed,
        ..Options::default()
    };
    let mut rows = Vec::new();
    let (mut caught, mut total) = (0u64, 0u64);
    for s in scenarios.iter().filter(|s| s.variant == Variant::Fixed) {
        for object in sync_objects(SURVEY, s.body) {
            let e = options
                .explorer(s)
                .without_sync(object)
                .stop_on_first_failure(true)
                .run(s.body);
            total += 1;
            let (by, token) = match e.first_failure() {
                Some(f) => {
                    caught += 1;
                    (f.failure.kind.to_string(), f.token.to_string())
                }
                None => ("NOT CAUGHT".to_string(), "-".to_string()),
            };
            rows.push(vec![
                s.id(),
                object.to_string(),
                e.executions.to_string(),
                by,
                token,
            ]);
        }
    }
    let mut out = grid(
        &["scenario", "dropped", "executions", "caught by", "token"],
        rows,
    );
    let pct = (caught * 100).checked_div(total).unwrap_or(100);
    out.push_str(&format!(
        "mutation score: {caught}/{total} mutants caught ({pct}%)\n"
    ));
    print(&out)?;
    Ok(if caught == total {
        EXIT_OK
    } else {
        EXIT_UNEXPECTED
    })
}
