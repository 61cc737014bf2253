//! The one-line checks: their panic message, replay through `MAPRACE_REPLAY`-style tokens,
//! regression files, distinct failures, identities.

use maprace_harness::check::Check;
use maprace_harness::sync::{Arc, AtomicU32, Ordering};
use maprace_harness::{go, preempt, Explorer, Op, Point, Strategy, Token};
use std::path::PathBuf;

const GAP: Point = Point::new(Op::User("counter"), "between load and store");

/// A lost update: two goroutines load, pause, and store load + 1.
fn lost_update() {
    let n = Arc::new(AtomicU32::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let n = Arc::clone(&n);
            go("", move || {
                let v = n.load(Ordering::SeqCst);
                preempt(GAP);
                n.store(v + 1, Ordering::SeqCst);
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    assert_eq!(n.load(Ordering::SeqCst), 2, "an update was lost");
}

/// A fresh directory for one test's regression files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("maprace-check-tests-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_failing_check_says_what_failed_and_how_to_replay_it() {
    let failure = Check::new()
        .identity("check/lost-update")
        .persist(false)
        .try_run(lost_update)
        .expect_err("the lost update is found");
    let text = failure.to_string();
    assert!(
        text.contains("check/lost-update failed: panic in main"),
        "{text}"
    );
    assert!(text.contains("an update was lost"), "{text}");
    assert!(text.contains("counter: between load and store"), "{text}");
    assert!(text.contains("token:  mr2:check/lost-update:"), "{text}");
    assert!(text.contains("replay: MAPRACE_REPLAY='mr2:"), "{text}");
    // cargo runs tests with the package's name in the environment, and libtest names the
    // test's thread: the command names both.
    assert!(
        failure.replay_command.ends_with(
            " cargo test -p maprace-harness a_failing_check_says_what_failed_and_how_to_replay_it -- --exact"
        ),
        "{}",
        failure.replay_command
    );
    // The token in the message replays to the same trace.
    let token_text = text
        .lines()
        .find_map(|l| l.strip_prefix("token:  "))
        .expect("a token line");
    let token = Token::parse(token_text).expect("the printed token parses");
    let replayed = Explorer::new("check/lost-update")
        .replay(&token, lost_update)
        .expect("it replays");
    assert_eq!(replayed.trace_hash, failure.found.trace_hash);
    assert!(replayed.failure.is_some());
}

#[test]
fn a_correct_body_passes() {
    let e = Check::new()
        .identity("check/correct")
        .persist(false)
        .strategy(Strategy::Dfs {
            preemption_bound: None,
        })
        .try_run(|| {
            let n = Arc::new(AtomicU32::new(0));
            let n2 = Arc::clone(&n);
            let h = go("", move || n2.fetch_add(1, Ordering::SeqCst));
            n.fetch_add(1, Ordering::SeqCst);
            h.join();
            assert_eq!(n.load(Ordering::SeqCst), 2);
        })
        .expect("no failure");
    assert!(e.exhausted);
}

#[test]
fn a_failing_token_is_saved_replayed_first_and_reported_stale_when_code_changed() {
    let dir = scratch("saved");
    let check = || {
        Check::new()
            .identity("check/saved")
            .regressions_dir(&dir)
            .iterations(200)
    };
    let first = check().try_run(lost_update).expect_err("found");
    let file = dir.join("check-saved.txt");
    let saved = std::fs::read_to_string(&file).expect("the regression file is written");
    assert!(saved.contains(&first.found.token.to_string()));
    // Next run: the saved token is replayed before any exploration.
    let again = check().try_run(lost_update).expect_err("still failing");
    assert!(again.to_string().contains("a saved regression still fails"));
    assert_eq!(again.found.token.to_string(), first.found.token.to_string());
    // Saving is idempotent.
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(after.matches("mr2:").count(), 1);
    // Code that no longer takes the schedule: the token is stale, not a pass or a crash, and
    // the (fixed) body is explored as usual.
    let fixed = check().try_run(|| {
        let n = Arc::new(AtomicU32::new(0));
        let n2 = Arc::clone(&n);
        let h = go("", move || n2.fetch_add(1, Ordering::SeqCst));
        n.fetch_add(1, Ordering::SeqCst);
        h.join();
    });
    assert!(fixed.is_ok());
}

#[test]
fn two_distinct_asserts_are_two_failures() {
    let e = Explorer::new("check/two-asserts")
        .strategy(Strategy::Dfs {
            preemption_bound: None,
        })
        .iterations(10_000)
        .run(|| {
            let n = Arc::new(AtomicU32::new(0));
            let n2 = Arc::clone(&n);
            let h = go("", move || n2.store(1, Ordering::SeqCst));
            let seen = n.load(Ordering::SeqCst);
            if seen == 0 {
                panic!("saw {} before the store", seen);
            }
            h.join();
            assert_ne!(seen, 1, "saw the store");
        });
    let kinds: Vec<_> = e.failures.iter().map(|f| f.failure.kind.as_str()).collect();
    assert_eq!(kinds, ["panic", "panic"], "{e}");
    assert_ne!(
        e.failures[0].failure.location,
        e.failures[1].failure.location
    );
}

#[test]
fn module_paths_are_identities() {
    let e = Explorer::new(module_path!()).iterations(1).run(|| {});
    assert_eq!(e.identity, "check");
    let e = Explorer::new("my_crate::tests::counter")
        .iterations(1)
        .run(|| {});
    assert_eq!(e.identity, "my_crate/tests/counter");
    // The default identity of a check is the running test's name.
    let failure = Check::new()
        .persist(false)
        .try_run(lost_update)
        .unwrap_err();
    assert_eq!(
        failure.found.token.scenario, "module_paths_are_identities",
        "libtest names the test's thread"
    );
}

#[test]
fn stale_and_foreign_tokens_neither_crash_nor_fail_the_check() {
    let dir = scratch("stale");
    // A token recorded against the lost-update body, then the code changed shape entirely.
    let first = Check::new()
        .identity("check/stale")
        .regressions_dir(&dir)
        .iterations(200)
        .try_run(lost_update)
        .expect_err("found");
    let file = dir.join("check-stale.txt");
    // Add a token of another check and a line that is no token at all.
    let foreign = Token {
        scenario: "check/other".into(),
        ..first.found.token.clone()
    };
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(&format!("{foreign}\nnot-a-token\n"));
    std::fs::write(&file, &text).unwrap();
    let changed = Check::new()
        .identity("check/stale")
        .regressions_dir(&dir)
        .iterations(50)
        .try_run(|| {
            let n = Arc::new(AtomicU32::new(0));
            n.fetch_add(1, Ordering::SeqCst);
        });
    assert!(changed.is_ok(), "stale tokens are skipped, not failures");
    // Stale lines are reported, not deleted: the file is the user's.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}
