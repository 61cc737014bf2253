//! Lincheck under the `MAPRACE_*` variables: `MAPRACE_PERSIST=0` neither writes nor reads the
//! regression file, and `MAPRACE_REPLAY` with a regression line replays it. One test in its own
//! binary: the environment is process-wide, so nothing else may read it meanwhile.

mod lincheck_common;

use lincheck_common::Kv;
use maprace_harness::lincheck::{Lincheck, Origin};
use std::panic::{catch_unwind, AssertUnwindSafe};

const RACY: Kv = Kv {
    racy: true,
    with_size: false,
};

fn clear() {
    for v in [
        "MAPRACE_SEED",
        "MAPRACE_ITERATIONS",
        "MAPRACE_STRATEGY",
        "MAPRACE_MAX_STEPS",
        "MAPRACE_REPLAY",
        "MAPRACE_PERSIST",
    ] {
        std::env::remove_var(v);
    }
}

#[test]
fn persist_off_and_replay_lines_through_the_environment() {
    let dir = std::env::temp_dir().join(format!("maprace-lincheck-env-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("lincheck-persist_off_and_replay_lines_through_the_environment.txt");
    let check = || {
        Lincheck::new(RACY)
            .scenarios(20)
            .iterations(100)
            .regressions_dir(&dir)
    };
    clear();
    std::env::set_var("MAPRACE_PERSIST", "0");
    let found = check().try_check().expect_err("a lost update");
    assert!(!file.exists(), "MAPRACE_PERSIST=0 writes nothing");
    // The replay command's variable replays the line: the same scenario, schedule and history,
    // with no search.
    assert_eq!(
        found.replay_command,
        format!(
            "MAPRACE_REPLAY='{}' cargo test -p maprace-harness \
             persist_off_and_replay_lines_through_the_environment -- --exact",
            found.regression
        )
    );
    clear();
    std::env::set_var("MAPRACE_REPLAY", found.regression.to_string());
    let replayed = check().try_check().expect_err("the line still fails");
    assert_eq!(replayed.origin, Origin::EnvReplay);
    assert!(replayed
        .to_string()
        .contains("replayed from MAPRACE_REPLAY"));
    assert_eq!(replayed.scenario, found.scenario);
    assert_eq!(replayed.history, found.history);
    assert_eq!(replayed.trace, found.trace);
    assert!(!file.exists(), "a replay saves nothing");
    // A bare token is not enough to rebuild a scenario: a usage error, said in one line.
    std::env::set_var("MAPRACE_REPLAY", found.token.to_string());
    let panic = catch_unwind(AssertUnwindSafe(|| check().try_check())).expect_err("a usage error");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.starts_with("MAPRACE_REPLAY: not a lincheck regression line"),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
    clear();
}
