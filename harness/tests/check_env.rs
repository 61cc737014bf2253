//! The `MAPRACE_*` overrides, end to end. One test in its own binary: the environment is
//! process-wide, so nothing else may read it meanwhile.

use maprace_harness::check::Check;
use maprace_harness::sync::{Arc, AtomicU32, Ordering};
use maprace_harness::{go, Strategy};

fn body() {
    let n = Arc::new(AtomicU32::new(0));
    let n2 = Arc::clone(&n);
    let h = go("", move || n2.store(1, Ordering::SeqCst));
    let seen = n.load(Ordering::SeqCst);
    h.join();
    assert_eq!(seen, 0, "the store came before main's read");
}

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
fn environment_overrides_code_and_replay_replays() {
    clear();
    // Code says random with many iterations; the environment says DFS, 1 execution, seed 9.
    std::env::set_var("MAPRACE_STRATEGY", "dfs:0");
    std::env::set_var("MAPRACE_ITERATIONS", "1");
    std::env::set_var("MAPRACE_SEED", "9");
    std::env::set_var("MAPRACE_PERSIST", "0");
    let check = || {
        Check::new()
            .identity("check/env")
            .strategy(Strategy::Random)
            .iterations(1_000)
    };
    let outcome = check().try_run(body);
    let e = match &outcome {
        Ok(e) => e.clone(),
        Err(f) => panic!("DFS's first schedule runs main first and passes: {f}"),
    };
    assert_eq!(e.executions, 1);
    assert_eq!(e.seed, 9);
    assert_eq!(
        e.strategy,
        Strategy::Dfs {
            preemption_bound: Some(0)
        }
    );
    // Find the failure with the code's settings, then replay its token through the variable.
    clear();
    std::env::set_var("MAPRACE_PERSIST", "0");
    let found = check()
        .try_run(body)
        .expect_err("random finds the ordering");
    std::env::set_var("MAPRACE_REPLAY", found.found.token.to_string());
    let replayed = check()
        .try_run(body)
        .expect_err("the replay fails the same way");
    assert!(replayed
        .to_string()
        .contains("replayed from MAPRACE_REPLAY"));
    assert_eq!(replayed.found.trace_hash, found.found.trace_hash);
    clear();
}
