//! Minimization over the whole catalogue: for every buggy variant, the minimized schedule of
//! its first failure still fails with the same kind, replays to the same trace, has no more
//! preemptions than the original, and the count it reports is the count a replay measures.

use maprace_harness::{minimize, preemptions, Budget, Explorer, Strategy};
use maprace_scenarios::{all, Variant};

#[test]
fn minimized_schedules_fail_the_same_way_and_replay() {
    let mut checked = 0;
    for s in all().into_iter().filter(|s| s.variant == Variant::Buggy) {
        let explorer = Explorer::new(s.id());
        let found = explorer
            .clone()
            .strategy(Strategy::Random)
            .iterations(300)
            .stop_on_first_failure(true)
            .run(s.body);
        let Some(first) = found.first_failure() else {
            panic!("{}: no failure in 300 random executions", s.id());
        };
        let m = minimize(&explorer, &first.token, s.body, Budget::new(3_000))
            .unwrap_or_else(|e| panic!("{}: {e}", s.id()));
        assert_eq!(m.failure.kind, first.failure.kind, "{}", s.id());
        assert!(m.preemptions_after <= m.preemptions_before, "{}", s.id());
        assert!(m.lower_bound <= m.preemptions_after, "{}", s.id());
        let again = explorer
            .replay(&m.token, s.body)
            .unwrap_or_else(|e| panic!("{}: the minimized token does not replay: {e}", s.id()));
        assert_eq!(
            again.failure.map(|f| f.kind),
            Some(first.failure.kind.clone()),
            "{}",
            s.id()
        );
        assert_eq!(again.trace_hash, m.trace_hash, "{}", s.id());
        assert_eq!(
            preemptions(&explorer, &m.token, s.body).unwrap(),
            m.preemptions_after,
            "{}",
            s.id()
        );
        checked += 1;
    }
    assert!(checked > 0);
}
