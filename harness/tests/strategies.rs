//! The strategies on spin-wait programs, buggy programs and replays.

use maprace_harness::sync::{Arc, AtomicBool, AtomicUsize, Mutex, Ordering};
use maprace_harness::{go, yield_now, Explorer, Strategy};

fn every_strategy() -> Vec<Strategy> {
    let mut all = vec![
        Strategy::Random,
        Strategy::Pct { depth: 1 },
        Strategy::Pct { depth: 2 },
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Urw,
        Strategy::Surw,
    ];
    for b in [Some(0), Some(1), Some(2), None] {
        all.push(Strategy::Dfs {
            preemption_bound: b,
        });
    }
    for b in [0, 1, 2] {
        all.push(Strategy::DelayBounded { delay_bound: b });
    }
    all
}

/// A flag handshake: one goroutine sets a flag, the other spins on it with a yield.
fn handshake() {
    let flag = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&flag);
    let h = go("setter", move || f.store(true, Ordering::SeqCst));
    while !flag.load(Ordering::SeqCst) {
        yield_now();
    }
    h.join();
}

/// A correct ticket lock guarding a non-atomic increment (load then store).
fn ticket_lock() {
    let next = Arc::new(AtomicUsize::new(0));
    let serving = Arc::new(AtomicUsize::new(0));
    let count = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let (next, serving, count) = (next.clone(), serving.clone(), count.clone());
            go("", move || {
                let me = next.fetch_add(1, Ordering::SeqCst);
                while serving.load(Ordering::SeqCst) != me {
                    yield_now();
                }
                let c = count.load(Ordering::SeqCst);
                count.store(c + 1, Ordering::SeqCst);
                serving.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn spin_waits_pass_under_every_strategy() {
    for s in every_strategy() {
        for (name, body) in [("handshake", handshake as fn()), ("ticket", ticket_lock)] {
            let e = Explorer::new(format!("strategies/{name}"))
                .strategy(s.clone())
                .iterations(300)
                .max_steps(2_000)
                .run(body);
            assert!(
                e.failures.is_empty(),
                "{s} on {name}: {:?}",
                e.failures[0].failure
            );
            assert_eq!(e.abandoned, 0, "{s} on {name}: spun into the step bound");
        }
    }
}

/// A lost update: two goroutines increment a counter with a load and a store.
fn lost_update() {
    let count = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let count = count.clone();
            go("", move || {
                let c = count.load(Ordering::SeqCst);
                count.store(c + 1, Ordering::SeqCst);
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    assert_eq!(count.load(Ordering::SeqCst), 2, "lost update");
}

/// Two mutexes taken in opposite orders: a deadlock in some schedules.
fn lock_order() {
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let (a2, b2) = (a.clone(), b.clone());
    let h = go("other", move || {
        let _b = b2.lock();
        let _a = a2.lock();
    });
    {
        let _a = a.lock();
        let _b = b.lock();
    }
    h.join();
}

#[test]
fn every_strategy_finds_the_bugs_and_its_tokens_replay() {
    // PCT with depth 1 has no change point: each goroutine runs until it blocks, which finds
    // bugs of depth 1 only; both bugs here need a switch in the middle of a goroutine.
    let strategies = every_strategy()
        .into_iter()
        .filter(|s| *s != Strategy::Pct { depth: 1 });
    for s in strategies {
        for (name, body) in [
            ("lost-update", lost_update as fn()),
            ("lock-order", lock_order),
        ] {
            let explorer = Explorer::new(format!("strategies/{name}"))
                .strategy(s.clone())
                .iterations(2_000)
                .stop_on_first_failure(true);
            let e = explorer.run(body);
            if matches!(
                s,
                Strategy::Dfs {
                    preemption_bound: Some(0)
                } | Strategy::DelayBounded { delay_bound: 0 }
            ) {
                // Without a preemption (delay) each goroutine runs to completion: neither bug
                // shows, and the search says it covered everything.
                assert!(e.failures.is_empty() && e.exhausted, "{s} on {name}");
                continue;
            }
            let f = e
                .first_failure()
                .unwrap_or_else(|| panic!("{s} missed {name} in {} executions", e.executions));
            let replayed = explorer.replay(&f.token, body).expect("the token replays");
            assert_eq!(
                replayed.failure.as_ref().map(|x| &x.kind),
                Some(&f.failure.kind)
            );
            assert_eq!(replayed.trace_hash, f.trace_hash, "{s} on {name}");
        }
    }
}

#[test]
fn pos_is_byte_identical_for_a_seed_and_varies_with_it() {
    let run = |seed| {
        let e = Explorer::new("strategies/pos")
            .strategy(Strategy::Pos)
            .seed(seed)
            .iterations(200)
            .run(lost_update);
        let f = e.first_failure().expect("pos finds the lost update");
        (
            e.executions,
            f.execution,
            f.count,
            f.token.to_string(),
            f.trace_hash,
        )
    };
    assert_eq!(run(5), run(5));
    let firsts: std::collections::BTreeSet<_> = (0..8).map(|s| run(s).3).collect();
    assert!(firsts.len() > 1, "different seeds give different schedules");
}

#[test]
fn a_yielding_livelock_is_a_failure_only_when_asked() {
    // Nobody ever sets the flag: the spinner yields forever.
    let livelock = || {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let h = go("spinner", move || {
            while !f.load(Ordering::SeqCst) {
                yield_now();
            }
        });
        h.join();
    };
    for s in [
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Urw,
    ] {
        let explorer = Explorer::new("strategies/livelock")
            .strategy(s.clone())
            .iterations(5)
            .max_steps(300);
        let e = explorer.clone().run(livelock);
        assert!(e.failures.is_empty(), "{s}");
        assert_eq!(e.abandoned, 5, "{s}");
        let e = explorer.step_bound_fails(true).run(livelock);
        assert_eq!(e.failures[0].failure.kind.as_str(), "step-bound", "{s}");
    }
}
