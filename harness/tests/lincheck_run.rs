//! Lincheck end to end on a small key-value store: a correct store passes, a racy one fails
//! with `not-linearizable`, the shrunk scenario still fails, and its token replays to the same
//! history.

mod lincheck_common;

use lincheck_common::Kv;
use maprace_harness::lincheck::{Lincheck, Table};

fn racy() -> Kv {
    Kv {
        racy: true,
        with_size: false,
    }
}

#[test]
fn a_correct_store_passes() {
    let passed = Lincheck::new(Kv {
        racy: false,
        with_size: true,
    })
    .scenarios(10)
    .iterations(100)
    .run()
    .expect("a store behind one lock is linearizable");
    assert_eq!(passed.scenarios, 10);
    assert!(passed.executions > 10, "{passed:?}");
}

#[test]
fn shrinking_returns_a_small_scenario_that_still_fails() {
    for seed in 0..4 {
        let check = Lincheck::new(racy())
            .goroutines(3)
            .operations(4)
            .scenarios(20)
            .iterations(100)
            .seed(seed);
        let failure = check.run().expect_err("a lost update is found");
        assert_eq!(failure.failure.kind.as_str(), "not-linearizable");
        // Shrinking never returns a scenario that passes: exploring it again fails the same way.
        let (found, _) = check.explore(&failure.scenario);
        let found = found.expect("the shrunk scenario fails");
        assert_eq!(found.failure.unwrap().kind.as_str(), "not-linearizable");
        // A lost update needs two puts of one key in two goroutines, and nothing else.
        assert_eq!(failure.scenario.parallel.len(), 2, "seed {seed}: {failure}");
        assert_eq!(failure.scenario.len(), 2, "seed {seed}: {failure}");
    }
}

#[test]
fn a_not_linearizable_token_replays_to_the_same_history() {
    let check = Lincheck::new(racy()).scenarios(20).iterations(100);
    let failure = check.run().expect_err("a lost update is found");
    let replayed = check
        .replay(&failure.scenario, &failure.token)
        .expect("the token replays");
    assert_eq!(replayed.failure.as_ref(), Some(&failure.failure));
    assert_eq!(replayed.history, failure.history);
    assert_eq!(replayed.trace, failure.trace);
    // The trace carries an invocation and a response per operation.
    let history = failure.history.as_ref().unwrap();
    let marks = |label: &str| {
        failure
            .trace
            .events
            .iter()
            .filter(|e| e.kind == "lincheck" && e.label == label)
            .count()
    };
    assert_eq!(marks("invoke"), history.len());
    assert_eq!(marks("respond"), history.len());
    assert_eq!(
        replayed.why(&racy()).as_deref(),
        Some(&*failure.failure.message)
    );
}

#[test]
fn the_report_shows_the_goroutines_results_and_token() {
    let failure = Lincheck::new(racy())
        .scenarios(20)
        .iterations(100)
        .run()
        .expect_err("a lost update is found");
    let text = failure.to_string();
    let history = failure.history.as_ref().unwrap();
    let table = Table::of_history(history, failure.scenario.init.len()).to_string();
    assert!(text.starts_with("not-linearizable: put("), "{text}");
    assert!(text.contains(&table), "{text}");
    assert!(text.contains("interleaving:"), "{text}");
    assert!(
        text.contains(&format!("\ntoken: {}\nreplay: ", failure.token)),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "replay: MAPRACE_REPLAY='{}' cargo test -p maprace-harness \
             the_report_shows_the_goroutines_results_and_token -- --exact",
            failure.regression
        )),
        "{text}"
    );
    // One column per goroutine, one row per operation with its result.
    let header = table.lines().find(|l| l.contains("G1")).unwrap();
    assert!(header.contains("G2"), "{table}");
    for o in &history.operations {
        let (_, ret) = o.response.as_ref().unwrap();
        assert!(table.contains(&format!("{}: {ret:?}", o.op)), "{table}");
    }
    let md = failure.markdown();
    assert!(md.starts_with("**not-linearizable**: put("), "{md}");
    assert!(md.contains("| | G1 | G2 |\n|---|---|---|\n"), "{md}");
    assert!(
        md.contains(&format!("Token: `{}`\n", failure.token)),
        "{md}"
    );
    assert!(
        md.ends_with(&format!("`{}`\n", failure.replay_command)),
        "{md}"
    );
}

#[test]
fn the_same_settings_give_the_same_report() {
    let run = || {
        Lincheck::new(racy())
            .goroutines(3)
            .scenarios(10)
            .iterations(50)
            .seed(3)
            .run()
            .expect_err("a lost update is found")
            .to_string()
    };
    assert_eq!(run(), run());
}
