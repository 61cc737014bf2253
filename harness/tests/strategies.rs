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
