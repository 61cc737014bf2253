//! End-to-end behaviour of the engine: exploration, failures, tokens, replay and determinism.

use maprace_harness::sync::{Arc, Mutex};
use maprace_harness::*;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

const ENTRY: Point = Point::new(Op::Assign, "entry check");
const FLAG_SET: Point = Point::new(Op::Assign, "flag set");
const EXIT: Point = Point::new(Op::Assign, "exit check");

/// A writer protocol with a plain `writing` flag, like Go's `hashWriting`.
struct Flag(Cell<bool>);
// SAFETY: executions run on one OS thread and switch only at scheduling points.
unsafe impl Sync for Flag {}

fn write(flag: &Flag) {
    preempt(ENTRY);
    if flag.0.get() {
        fatal("concurrent map writes");
    }
    flag.0.set(true);
    preempt_with(FLAG_SET, |n| {
        n.state(State::new().with("writing", true));
    });
    preempt(EXIT);
    if !flag.0.get() {
        fatal("concurrent map writes");
    }
    flag.0.set(false);
}

fn two_writers() {
    let flag = Arc::new(Flag(Cell::new(false)));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let flag = Arc::clone(&flag);
            go("", move || write(&flag))
        })
        .collect();
    for h in hs {
        h.join();
    }
}

fn locked_writers() {
    let flag = Arc::new(Flag(Cell::new(false)));
    let lock = Arc::new(Mutex::new(()));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let (flag, lock) = (Arc::clone(&flag), Arc::clone(&lock));
            go("", move || {
                let _g = lock.lock();
                write(&flag)
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
}

fn summary(e: &Exploration) -> Vec<(u64, u64, String, String, String, u64)> {
    e.failures
        .iter()
        .map(|f| {
            (
                f.execution,
                f.count,
                f.failure.kind.to_string(),
                f.failure.message.clone(),
                f.token.to_string(),
                f.trace_hash,
            )
        })
        .collect()
}

#[test]
fn the_same_strategy_and_seed_give_the_same_exploration() {
    for strategy in [
        Strategy::Random,
        Strategy::Pct { depth: 2 },
        Strategy::Dfs {
            preemption_bound: Some(2),
        },
    ] {
        let run = || {
            Explorer::new("t/two-writers")
                .strategy(strategy.clone())
                .seed(7)
                .iterations(300)
                .run(two_writers)
        };
        let (a, b) = (run(), run());
        assert_eq!(a.executions, b.executions, "{strategy}");
        assert!(!a.failures.is_empty(), "{strategy} finds the race");
        assert_eq!(summary(&a), summary(&b), "{strategy}");
        for (x, y) in a.failures.iter().zip(&b.failures) {
            assert_eq!(x.trace, y.trace);
        }
    }
}

#[test]
fn different_seeds_explore_different_schedules() {
    let first = |seed| {
        Explorer::new("t/two-writers")
            .seed(seed)
            .iterations(200)
            .run(two_writers)
            .failures[0]
            .token
            .to_string()
    };
    let tokens: BTreeSet<String> = (0..5).map(first).collect();
    assert!(
        tokens.len() > 1,
        "seeds 0..5 all found the same first schedule"
    );
}

#[test]
fn every_failure_replays_to_the_same_trace() {
    let e = Explorer::new("t/two-writers")
        .iterations(500)
        .run(two_writers);
    assert!(!e.failures.is_empty());
    for f in &e.failures {
        assert_eq!(f.failure.kind, FailureKind::CONCURRENT_MAP_WRITES);
        assert_eq!(f.failure.message, "fatal error: concurrent map writes");
        let text = f.token.to_string();
        let token = Token::parse(&text).unwrap();
        let r = Explorer::new("t/two-writers")
            .replay(&token, two_writers)
            .unwrap();
        assert_eq!(r.failure.as_ref(), Some(&f.failure));
        assert_eq!(r.trace_hash, f.trace_hash);
        assert_eq!(r.trace, f.trace);
        assert!(!r.trace.events.is_empty());
        // A replay through the strategy gives the same failure too.
        let again = Explorer::new("t/two-writers")
            .strategy(Strategy::Replay(token))
            .run(two_writers);
        assert_eq!(again.failures[0].trace_hash, f.trace_hash);
    }
}

#[test]
fn a_token_for_another_scenario_is_rejected() {
    let e = Explorer::new("t/two-writers")
        .iterations(200)
        .run(two_writers);
    let token = &e.failures[0].token;
    let err = Explorer::new("t/other")
        .replay(token, two_writers)
        .unwrap_err();
    assert_eq!(
        err,
        ReplayError::WrongScenario {
            token: "t/two-writers".into(),
            expected: "t/other".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "token is for scenario t/two-writers, not t/other"
    );
}

#[test]
fn a_token_replayed_against_changed_code_diverges() {
    let e = Explorer::new("t/two-writers")
        .iterations(200)
        .run(two_writers);
    let token = e.failures[0].token.clone();
    // Same goroutines, same number of points, but the points moved: digests catch it.
    fn relabelled() {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                go("", || {
                    for step in ["a", "b", "c"] {
                        preempt(Point::new(Op::Delete, step));
                    }
                })
            })
            .collect();
        for h in hs {
            h.join();
        }
    }
    match Explorer::new("t/two-writers").replay(&token, relabelled) {
        Err(ReplayError::Diverged { step, reason }) => {
            assert!(
                step < token.len() as u64,
                "caught before the schedule runs out"
            );
            assert!(reason.contains("other preemption points"), "{reason}");
        }
        other => panic!("expected divergence, got {other:?}"),
    }
    // Fewer scheduling points: the schedule runs out of road.
    fn shorter() {
        go("", || preempt(ENTRY)).join();
    }
    let err = Explorer::new("t/two-writers")
        .replay(&token, shorter)
        .unwrap_err();
    assert!(
        err.to_string().starts_with("schedule diverged at step "),
        "{err}"
    );
}

#[test]
fn the_fixed_writers_pass_bounded_exhaustive_search() {
    let e = Explorer::new("t/locked")
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(1_000_000)
        .run(locked_writers);
    assert!(
        e.failures.is_empty(),
        "{:?}",
        e.failures.first().map(|f| &f.failure)
    );
    assert!(e.exhausted);
    assert!(e.executions > 1);
}

thread_local! {
    static ORDERS: RefCell<Vec<Vec<&'static str>>> = const { RefCell::new(Vec::new()) };
}

/// Two goroutines with two preemption points each; the body records the order of the points.
fn two_by_two() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let hs: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let order = Arc::clone(&order);
            go(name, move || {
                for step in ["1", "2"] {
                    preempt(Point::new(Op::User("work"), step));
                    let tag = if name == "a" { "a" } else { "b" };
                    // Not a lock acquisition point worth exploring: record through the raw
                    // thread-local, which is not a scheduling point.
                    ORDERS.with(|_| ());
                    order.lock().push(tag);
                }
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    let seen = order.lock().clone();
    ORDERS.with(|o| o.borrow_mut().push(seen));
}

#[test]
fn dfs_covers_every_interleaving_of_two_goroutines_and_stops() {
    ORDERS.with(|o| o.borrow_mut().clear());
    let e = Explorer::new("t/two-by-two")
        .strategy(Strategy::Dfs {
            preemption_bound: None,
        })
        .iterations(1_000_000)
        .run(two_by_two);
    assert!(e.exhausted);
    assert!(e.failures.is_empty());
    let orders = ORDERS.with(|o| std::mem::take(&mut *o.borrow_mut()));
    // Plus one replay: the one that completes the token of the (only) class, clean.
    assert_eq!(e.classes.len(), 1);
    assert_eq!(orders.len() as u64, e.executions + 1);
    let distinct: BTreeSet<_> = orders.into_iter().collect();
    // The four recorded pushes interleave in C(4, 2) = 6 ways.
    assert_eq!(distinct.len(), 6);
}

#[test]
fn dfs_with_bound_zero_never_preempts() {
    ORDERS.with(|o| o.borrow_mut().clear());
    let e = Explorer::new("t/two-by-two")
        .strategy(Strategy::Dfs {
            preemption_bound: Some(0),
        })
        .iterations(1_000_000)
        .run(two_by_two);
    assert!(e.exhausted);
    let orders = ORDERS.with(|o| std::mem::take(&mut *o.borrow_mut()));
    let distinct: BTreeSet<_> = orders.into_iter().collect();
    // Without preemption each goroutine runs to its end once started: a's pushes stay together.
    for o in &distinct {
        let joined = o.concat();
        assert!(joined == "aabb" || joined == "bbaa", "{joined}");
    }
    assert!(!distinct.is_empty());
}

/// Depth-2 ordering bug: `b` must run its store before `a` reads, and `a` must start first.
fn ordering_bug() {
    let slot = Arc::new(Mutex::new(0u32));
    let s1 = Arc::clone(&slot);
    let a = go("a", move || {
        for _ in 0..5 {
            preempt(Point::new(Op::User("a"), "busy"));
        }
        let v = *s1.lock();
        if v == 1 {
            panic!("read the value stored by b");
        }
    });
    let b = go("b", move || {
        for _ in 0..5 {
            preempt(Point::new(Op::User("b"), "busy"));
        }
        *slot.lock() = 1;
    });
    a.join();
    b.join();
}

#[test]
fn pct_finds_a_depth_two_bug_within_a_small_budget_for_most_seeds() {
    let found = (0..20)
        .filter(|&seed| {
            let e = Explorer::new("t/ordering")
                .strategy(Strategy::Pct { depth: 2 })
                .seed(seed)
                .iterations(50)
                .stop_on_first_failure(true)
                .run(ordering_bug);
            e.failures
                .first()
                .is_some_and(|f| f.failure.message == "read the value stored by b")
        })
        .count();
    assert!(found >= 15, "found in only {found} of 20 seeds");
}

#[test]
fn a_deadlock_is_reported_with_its_trace() {
    let e = Explorer::new("t/deadlock").iterations(20).run(|| {
        let m = Arc::new(Mutex::new(()));
        let held = m.lock();
        let m2 = Arc::clone(&m);
        let h = go("waiter", move || {
            let _g = m2.lock();
        });
        h.join();
        drop(held);
    });
    let f = &e.failures[0];
    assert_eq!(f.failure.kind, FailureKind::DEADLOCK);
    assert!(
        f.failure.message.contains("deadlock"),
        "{}",
        f.failure.message
    );
    assert!(f.failure.goroutine.contains("main") && f.failure.goroutine.contains("waiter"));
    let last = f.trace.events.last().unwrap();
    assert_eq!(
        (
            last.goroutine.as_str(),
            last.kind.as_ref(),
            last.label.as_ref()
        ),
        ("waiter", "mutex", "lock")
    );
    assert_eq!(f.count, e.executions, "every schedule deadlocks");
}

#[test]
fn blocked_goroutines_after_main_returns_are_a_leak() {
    let e = Explorer::new("t/leak").iterations(20).run(|| {
        let m = Arc::new(Mutex::new(()));
        let held = m.lock();
        std::mem::forget(held);
        let m2 = Arc::clone(&m);
        go("stuck", move || {
            let _g = m2.lock();
        });
    });
    let f = &e.failures[0];
    assert_eq!(f.failure.kind, FailureKind::GOROUTINE_LEAK);
    assert_eq!(f.failure.goroutine, "stuck");
}

#[test]
fn a_spinning_goroutine_is_abandoned_at_the_step_bound_unless_asked_to_fail() {
    let spin = || {
        go("spinner", || loop {
            preempt(Point::new(Op::User("spin"), "again"));
        });
    };
    let e = Explorer::new("t/spin")
        .iterations(3)
        .max_steps(200)
        .run(spin);
    assert!(e.failures.is_empty(), "{:?}", e.failures[0].failure);
    assert_eq!((e.executions, e.abandoned), (3, 3));
    let e = Explorer::new("t/spin")
        .iterations(3)
        .max_steps(200)
        .step_bound_fails(true)
        .run(spin);
    assert_eq!(e.failures[0].failure.kind, FailureKind::STEP_BOUND);
    assert_eq!((e.failures[0].count, e.abandoned), (3, 0));
}

#[test]
fn panics_and_failures_carry_goroutine_and_kind() {
    let e = Explorer::new("t/panic").iterations(5).run(|| {
        go("checker", || {
            fail(FailureKind::WRONG_RESULT, "count is 1, want 2")
        })
        .join();
    });
    let f = &e.failures[0].failure;
    assert_eq!(f.kind, FailureKind::WRONG_RESULT);
    assert_eq!(f.goroutine, "checker");
    assert_eq!(f.message, "count is 1, want 2");
    // The execution after a failure starts clean: every execution fails the same way.
    assert_eq!(e.failures.len(), 1);
    assert_eq!(e.failures[0].count, 5);
}

#[test]
fn stop_on_first_failure_stops() {
    let e = Explorer::new("t/two-writers")
        .iterations(10_000)
        .stop_on_first_failure(true)
        .run(two_writers);
    assert_eq!(e.executions, e.failures[0].execution + 1);
}

#[test]
fn a_time_budget_only_limits_how_many_executions_run() {
    let full = Explorer::new("t/two-writers")
        .iterations(200)
        .run(two_writers);
    let budgeted = Explorer::new("t/two-writers")
        .iterations(200)
        .time_budget(Some(std::time::Duration::from_secs(3600)))
        .run(two_writers);
    assert_eq!(summary(&full), summary(&budgeted));
    assert!(!budgeted.out_of_time);
}

#[test]
fn random_values_replay_with_the_schedule() {
    fn body() {
        let v = random_u64();
        let h = go("", move || {
            preempt(Point::new(Op::User("x"), "y"));
            if v.is_multiple_of(3) {
                panic!("divisible: {v}");
            }
        });
        h.join();
    }
    let e = Explorer::new("t/random").iterations(50).run(body);
    assert!(!e.failures.is_empty());
    for f in &e.failures {
        let r = Explorer::new("t/random").replay(&f.token, body).unwrap();
        assert_eq!(r.failure.unwrap().message, f.failure.message);
    }
}

/// A value whose destructor locks a mutex: run while a panic unwinds, it can block.
struct LocksOnDrop(Arc<Mutex<()>>);

impl Drop for LocksOnDrop {
    fn drop(&mut self) {
        let _g = self.0.lock();
    }
}

#[test]
fn a_panic_whose_unwinding_blocks_is_still_reported() {
    let e = Explorer::new("t/blocked-unwind")
        .strategy(Strategy::Dfs {
            preemption_bound: None,
        })
        .iterations(10_000)
        .run(|| {
            let m = Arc::new(Mutex::new(()));
            let held = m.lock();
            let m2 = Arc::clone(&m);
            let h = go("worker", move || {
                let _cleanup = LocksOnDrop(m2);
                panic!("worker failed");
            });
            h.join();
            drop(held);
        });
    assert!(e.exhausted);
    assert_eq!(e.failures.len(), 1);
    let f = &e.failures[0];
    assert_eq!(f.failure.kind, FailureKind::PANIC);
    assert_eq!(f.failure.message, "worker failed");
    assert_eq!(f.failure.goroutine, "worker");
    assert_eq!(f.count, e.executions, "no schedule loses the panic");
}

#[test]
fn a_goroutine_that_recovers_from_a_panic_keeps_being_scheduled_with_the_others() {
    ORDERS.with(|o| o.borrow_mut().clear());
    let e = Explorer::new("t/recover")
        .strategy(Strategy::Dfs {
            preemption_bound: None,
        })
        .iterations(10_000)
        .run(|| {
            let order = Arc::new(Mutex::new(Vec::new()));
            let (o1, o2) = (Arc::clone(&order), Arc::clone(&order));
            let a = go("a", move || {
                let caught = std::panic::catch_unwind(|| panic!("recovered"));
                assert!(caught.is_err());
                for _ in 0..2 {
                    preempt(Point::new(Op::User("a"), "after recover"));
                    o1.lock().push("a");
                }
            });
            let b = go("b", move || {
                for _ in 0..2 {
                    preempt(Point::new(Op::User("b"), "work"));
                    o2.lock().push("b");
                }
            });
            a.join();
            b.join();
            let seen = order.lock().clone();
            ORDERS.with(|o| o.borrow_mut().push(seen));
        });
    assert!(e.exhausted);
    assert!(e.failures.is_empty(), "{:?}", e.failures[0].failure);
    let distinct: BTreeSet<_> = ORDERS
        .with(|o| std::mem::take(&mut *o.borrow_mut()))
        .into_iter()
        .collect();
    assert_eq!(
        distinct.len(),
        6,
        "a recovered goroutine interleaves like any other"
    );
}

#[test]
fn a_progress_observer_watches_without_changing_the_exploration() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = std::sync::Arc::clone(&seen);
    let watched = Explorer::new("t/two-writers")
        .iterations(1_200)
        .on_progress(move |p| s2.lock().unwrap().push(p))
        .run(two_writers);
    let plain = Explorer::new("t/two-writers")
        .iterations(1_200)
        .run(two_writers);
    assert_eq!(summary(&watched), summary(&plain));
    let seen = seen.lock().unwrap().clone();
    let counts: Vec<u64> = seen.iter().map(|p| p.executions).collect();
    assert_eq!(counts, [500, 1_000, 1_200]);
    let last = seen.last().unwrap();
    let failed: u64 = watched.failures.iter().map(|f| f.count).sum();
    assert_eq!(last.failed, failed);
    assert!(seen.windows(2).all(|w| w[0].failed <= w[1].failed));
}

#[test]
fn event_notes_keep_each_events_detail_and_fields() {
    const P: Point = Point::new(Op::User("note"), "at");
    let body = || {
        preempt_with(P, |n| {
            n.detail(format_args!("k={}", 1))
                .field("B", 0)
                .field("count", 1);
        });
        preempt_with(P, |n| {
            n.state(State::new().with("count", 2)).field("B", 1);
        });
        preempt_with(P, |n| {
            n.state(State::new());
        });
        preempt(P);
        fail(FailureKind::WRONG_RESULT, "stop here");
    };
    let e = Explorer::new("t/notes").iterations(1).run(body);
    let events: Vec<_> = e.failures[0]
        .trace
        .events
        .iter()
        .filter(|ev| ev.kind == "note")
        .map(|ev| (ev.detail.clone(), ev.state.as_ref().map(|s| s.to_string())))
        .collect();
    assert_eq!(
        events,
        [
            (Some("k=1".to_string()), Some("B=0 count=1".to_string())),
            (None, Some("count=2 B=1".to_string())),
            (None, Some(String::new())),
            (None, None),
        ]
    );
}

#[test]
fn an_execution_cut_at_the_step_bound_replays_to_the_same_cut() {
    // A spin-wait on a flag nobody sets: every execution runs into the step bound.
    let spin = || {
        let flag = Arc::new(sync::AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let h = go("spinner", move || {
            while !f.load(sync::Ordering::SeqCst) {
                yield_now();
            }
        });
        h.join();
    };
    let explorer = Explorer::new("test/step-bound")
        .max_steps(60)
        .step_bound_fails(true)
        .iterations(5);
    let e = explorer.run(spin);
    let f = &e.failures[0];
    assert_eq!(f.failure.kind, FailureKind::STEP_BOUND);
    let replayed = explorer
        .replay(&f.token, spin)
        .expect("a cut execution replays");
    assert_eq!(replayed.trace_hash, f.trace_hash);
    assert_eq!(
        replayed.failure.map(|x| x.kind),
        Some(FailureKind::STEP_BOUND)
    );
}
