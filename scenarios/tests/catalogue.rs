//! The catalogue's promises: every buggy variant is found failing by the default strategy for
//! (at least) 19 of the seeds 0..20, with the failure kinds it declares; every fixed variant
//! passes a bounded-exhaustive DFS (preemption bound 2). The default-strategy check of fixed
//! variants (10,000 executions) is the corpus test's (`tests/corpus.rs`).

use maprace_harness::{Explorer, FailureKind, Strategy};
use maprace_scenarios::catalogue::t3_once_global_unlocked;
use maprace_scenarios::run::{self, Options, DEFAULT_DFS_ITERATIONS};
use maprace_scenarios::{all, by_id, sized, Scenario, Size, Variant};
use std::collections::BTreeSet;

/// Every scenario name, in catalogue order; each gets its own tests below (so they run in
/// parallel and fail separately).
const NAMES: [&str; 20] = [
    "t1-once-lazy-goroutine",
    "t2-ctx-cancel-shared-map",
    "t3-once-global-unlocked",
    "t4-middleware-context-map",
    "t5-collector-labels",
    "t6-interceptor-metadata",
    "t7-afterfunc-global",
    "e1-defer-at-exit",
    "e2-two-writers",
    "e3-range-while-write",
    "e4-delete-vs-assign",
    "e5-grow-window",
    "e6-syncmap-wrapper-raw-field",
    "e7-lost-update",
    "e8-syncmap-range-spawn",
    "e9-fresh-map-first-writes",
    "e10-timer-stop-inverted",
    "e11-log-lock-hides-race",
    "e12-ready-select-hides-race",
    "demo-flag-map",
];

#[test]
fn catalogue_lists_every_scenario_once_with_both_variants() {
    let ids: Vec<String> = all().iter().map(Scenario::id).collect();
    let want: Vec<String> = NAMES
        .iter()
        .flat_map(|n| [format!("{n}/buggy"), format!("{n}/fixed")])
        .collect();
    assert_eq!(ids, want);
    for s in all() {
        match s.variant {
            Variant::Buggy => assert!(!s.expected_kinds.is_empty(), "{} declares no kind", s.id()),
            Variant::Fixed => assert!(s.expected_kinds.is_empty(), "{} declares kinds", s.id()),
        }
        for k in s.expected_kinds {
            assert!(FailureKind::new(*k).is_ok(), "{}: bad kind {k}", s.id());
        }
        assert!(s.dfs_iterations > 0 && !s.description.is_empty());
    }
}

#[test]
fn buggy_variants_together_show_every_failure_kind() {
    let declared: BTreeSet<&str> = all()
        .iter()
        .flat_map(|s| s.expected_kinds.iter().copied())
        .collect();
    for kind in [
        "concurrent-map-writes",
        "concurrent-map-read-and-map-write",
        "concurrent-map-iteration-and-map-write",
        "map-corrupted",
        "wrong-result",
        "goroutine-leak",
        "deadlock",
        "panic",
        "data-race",
        "fault",
        "bad-map-state",
        "oldoverflow-is-not-nil",
    ] {
        assert!(declared.contains(kind), "no buggy scenario shows {kind}");
    }
}

#[test]
fn go_size_variants_are_registered_beside_the_small_ones() {
    let go: Vec<Scenario> = sized(&[Size::Go]);
    assert!(go.len() >= 20, "{} Go-size variants", go.len());
    for s in &go {
        assert!(s.id().contains(".gosize/"), "{}", s.id());
        let small = by_id(&format!("{}/{}", s.name, s.variant)).expect("a small variant");
        assert_eq!(small.variant, s.variant);
        assert_eq!(s.variant == Variant::Buggy, !s.expected_kinds.is_empty());
        assert_eq!(by_id(&s.id()).map(|f| f.size), Some(Size::Go));
    }
    assert!(all().iter().all(|s| s.size == Size::Small));
}

/// Every Go-size buggy variant fails within a small budget, only with its declared kinds, and
/// every Go-size fixed variant passes a small random budget (the long explorations are
/// `maprace explore --size go`'s).
#[test]
fn go_size_variants_keep_their_promises_on_a_budget() {
    for s in sized(&[Size::Go]) {
        let options = Options {
            iterations: match s.variant {
                Variant::Buggy => 300,
                Variant::Fixed => 40,
            },
            ..Options::default()
        };
        let e = options
            .explorer(&s)
            .stop_on_first_failure(s.variant == Variant::Buggy)
            .run(s.body);
        match s.variant {
            Variant::Buggy => {
                let f = e
                    .first_failure()
                    .unwrap_or_else(|| panic!("{}: no failure in 300", s.id()));
                assert!(
                    s.expects_kind(f.failure.kind.as_str()),
                    "{}: {}",
                    s.id(),
                    f.failure
                );
            }
            Variant::Fixed => {
                if let Some(f) = e.first_failure() {
                    panic!("{}: {} (token {})", s.id(), f.failure, f.token);
                }
            }
        }
    }
}

/// t7 at Go size reaches Go's endless same-size grow (`hang`) as a failure that replays from
/// its token, where it used to run into the step bound and be abandoned.
#[test]
fn t7_gosize_reaches_the_endless_grow_as_a_replayable_hang() {
    let s = by_id("t7-afterfunc-global.gosize/buggy").expect("registered");
    let options = Options {
        iterations: 7_000,
        ..Options::default()
    };
    let e = run::explore(&s, &options);
    assert_eq!(e.abandoned, 0);
    let hang = e
        .failures
        .iter()
        .find(|f| f.failure.kind.as_str() == "hang")
        .expect("a hang within 7,000 random executions (seed 0 meets one at #6,818)");
    assert!(s.expects_kind("hang"));
    assert!(
        hang.failure.message.contains("grows the map forever"),
        "{}",
        hang.failure
    );
    let (_, replayed) = run::replay(&hang.token.to_string(), options.max_steps).expect("replays");
    assert_eq!(replayed.failure.as_ref(), Some(&hang.failure));
}

/// t3's control: callers that only read the defaults through the `Once`-guarded accessor
/// never fail, in the whole preemption-bounded space.
#[test]
fn t3_init_only_control_is_safe() {
    let e = Explorer::new("t3-init-only-control")
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(DEFAULT_DFS_ITERATIONS)
        .run(t3_once_global_unlocked::init_only_control);
    if let Some(f) = e.first_failure() {
        panic!("{}", f.failure);
    }
    assert!(e.exhausted, "{} executions", e.executions);
}

fn scenario(name: &str, variant: Variant) -> Scenario {
    by_id(&format!("{name}/{variant}")).expect("registered")
}

/// Seeds 0..20 of the default strategy, each stopping at its first failure: at least 19 find
/// one, and every failure found is of a declared kind and replays from its token.
fn buggy_found_by_default_strategy(name: &str) {
    let s = scenario(name, Variant::Buggy);
    let mut found = 0;
    for seed in 0..20 {
        let options = Options {
            seed,
            ..Options::default()
        };
        let e = options.explorer(&s).stop_on_first_failure(true).run(s.body);
        let Some(f) = e.first_failure() else { continue };
        found += 1;
        assert!(
            s.expects_kind(f.failure.kind.as_str()),
            "{} seed {seed}: undeclared failure {}",
            s.id(),
            f.failure
        );
        let (_, replayed) = run::replay(&f.token.to_string(), options.max_steps).expect("replays");
        assert_eq!(
            replayed.failure.as_ref(),
            Some(&f.failure),
            "{} seed {seed}",
            s.id()
        );
        assert_eq!(replayed.trace_hash, f.trace_hash);
    }
    assert!(
        found >= 19,
        "{}: only {found} of 20 seeds found a failure",
        s.id()
    );
}

/// A default random exploration (seed 0, 10,000 executions) and a portfolio one (`explore`'s
/// default strategy; 20,000 executions, as `just bench-kinds` runs it) together find exactly
/// the declared kinds: every declared kind is reached, and no kind the scenario does not
/// declare.
fn buggy_shows_declared_kinds(name: &str) {
    let s = scenario(name, Variant::Buggy);
    let mut found: BTreeSet<String> = BTreeSet::new();
    for (strategy, iterations) in [(Strategy::Random, 10_000), (Strategy::Portfolio, 20_000)] {
        let options = Options {
            strategy,
            iterations,
            ..Options::default()
        };
        let e = run::explore(&s, &options);
        found.extend(e.failures.iter().map(|f| f.failure.kind.to_string()));
    }
    let declared: BTreeSet<String> = s.expected_kinds.iter().map(|k| k.to_string()).collect();
    assert_eq!(found, declared, "{}: kinds found vs declared", s.id());
}

/// DFS with preemption bound 2, capped at the scenario's budget, finds no failure; with the
/// default cap it must also exhaust the bounded space (a scenario with a smaller cap says in
/// its documentation that it does not).
fn fixed_passes_bounded_dfs(name: &str) {
    let s = scenario(name, Variant::Fixed);
    let e = run::explore(&s, &Options::dfs(&s));
    if let Some(f) = e.first_failure() {
        panic!("{}: DFS found {} (token {})", s.id(), f.failure, f.token);
    }
    println!(
        "{}: DFS bound 2: {} executions, exhausted: {}",
        s.id(),
        e.executions,
        e.exhausted
    );
    if s.dfs_iterations >= DEFAULT_DFS_ITERATIONS {
        assert!(
            e.exhausted,
            "{}: DFS did not exhaust in {} executions",
            s.id(),
            e.executions
        );
    } else {
        assert!(e.exhausted || e.executions == s.dfs_iterations);
    }
}

macro_rules! scenario_tests {
    ($($module:ident => $name:literal,)*) => {
        $(
            mod $module {
                #[test]
                fn buggy_found_by_default_strategy() {
                    super::buggy_found_by_default_strategy($name);
                }

                #[test]
                fn buggy_shows_declared_kinds() {
                    super::buggy_shows_declared_kinds($name);
                }

                #[test]
                fn fixed_passes_bounded_dfs() {
                    super::fixed_passes_bounded_dfs($name);
                }
            }
        )*

        #[test]
        fn every_scenario_has_its_tests() {
            assert_eq!([$($name),*], NAMES);
        }
    };
}

scenario_tests! {
    t1 => "t1-once-lazy-goroutine",
    t2 => "t2-ctx-cancel-shared-map",
    t3 => "t3-once-global-unlocked",
    t4 => "t4-middleware-context-map",
    t5 => "t5-collector-labels",
    t6 => "t6-interceptor-metadata",
    t7 => "t7-afterfunc-global",
    e1 => "e1-defer-at-exit",
    e2 => "e2-two-writers",
    e3 => "e3-range-while-write",
    e4 => "e4-delete-vs-assign",
    e5 => "e5-grow-window",
    e6 => "e6-syncmap-wrapper-raw-field",
    e7 => "e7-lost-update",
    e8 => "e8-syncmap-range-spawn",
    e9 => "e9-fresh-map-first-writes",
    e10 => "e10-timer-stop-inverted",
    e11 => "e11-log-lock-hides-race",
    e12 => "e12-ready-select-hides-race",
    demo => "demo-flag-map",
}
