//! Bug-finding parity: on every buggy catalogue variant, DFS with DPOR (preemption bound 2)
//! finds a failure if and only if plain DFS does, within the same cap, and every fixed variant
//! passes DPOR's bounded search as it passes plain DFS's.

use maprace_harness::{Exploration, Explorer, Reduction, Strategy};
use maprace_scenarios::{all, Scenario, Variant};

/// Executions each search may spend on a buggy variant (both stop at the first failure).
const CAP: u64 = 20_000;

fn search(s: &Scenario, reduction: Reduction, cap: u64) -> Exploration {
    Explorer::new(s.id())
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .reduction(reduction)
        .iterations(cap)
        .stop_on_first_failure(true)
        .run(s.body)
}

#[test]
fn dpor_finds_a_failure_iff_plain_dfs_does() {
    for s in all().iter().filter(|s| s.variant == Variant::Buggy) {
        let plain = search(s, Reduction::None, CAP);
        let dpor = search(s, Reduction::Dpor, CAP);
        let (p, d) = (plain.first_failure(), dpor.first_failure());
        println!(
            "{}: plain DFS {} executions ({}), DPOR {} ({})",
            s.id(),
            plain.executions,
            p.map_or("no failure".into(), |f| f.failure.kind.to_string()),
            dpor.executions,
            d.map_or("no failure".into(), |f| f.failure.kind.to_string()),
        );
        if p.is_some() || plain.exhausted {
            assert_eq!(
                d.is_some(),
                p.is_some(),
                "{}: plain DFS and DPOR disagree",
                s.id()
            );
        }
        if let Some(f) = d {
            // Every buggy variant races by design, so a data race found first (an execution
            // whose race nothing else made fail) is a right answer even where random
            // exploration, which the declared kinds describe, meets a fatal first.
            assert!(
                s.expected_kinds.contains(&f.failure.kind.as_str())
                    || f.failure.kind.as_str() == "data-race",
                "{}: DPOR found an undeclared kind {}",
                s.id(),
                f.failure.kind
            );
        }
    }
}
