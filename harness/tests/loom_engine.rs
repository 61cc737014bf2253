//! The loom engine: the same bodies under loom's DPOR and C11 memory model.
#![cfg(feature = "loom")]

use maprace_harness::sync::{Arc, AtomicBool, AtomicUsize, Mutex, Ordering};
use maprace_harness::{go, Engine, Explorer, ReplayError, Strategy};

fn loom() -> Engine {
    Engine::loom(None)
}

/// Two goroutines increment with a load and a store: an update can be lost.
fn lost_update() {
    let n = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let n = Arc::clone(&n);
            go("", move || {
                let v = n.load(Ordering::SeqCst);
                n.store(v + 1, Ordering::SeqCst);
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
}

#[test]
fn a_correct_body_is_exhausted_under_loom() {
    let e = Explorer::new("loom/counter").engine(loom()).run(|| {
        let n = Arc::new(Mutex::new(0));
        let m = Arc::clone(&n);
        let h = go("adder", move || *m.lock() += 1);
        *n.lock() += 1;
        h.join();
        assert_eq!(*n.lock(), 2);
    });
    assert!(e.failures.is_empty(), "{:?}", e.failures);
    assert!(e.exhausted);
    assert!(e.coverage.is_complete());
    assert!(e.executions > 1);
}

#[test]
fn a_lost_update_fails_under_loom_and_replays_under_shuttle() {
    let e = Explorer::new("loom/lost-update")
        .engine(loom())
        .run(lost_update);
    let f = &e.failures[0];
    assert_eq!(f.failure.kind.as_str(), "panic");
    assert!(f.failure.message.contains("an increment was lost"));
    assert!(f.shuttle_replays, "an SC failure replays under shuttle");
    let replayed = Explorer::new("loom/lost-update")
        .replay(&f.token, lost_update)
        .expect("the token fits");
    assert_eq!(replayed.failure.unwrap().kind, f.failure.kind);
    // The same events by the same goroutines, in both engines.
    let describe = |t: &maprace_harness::Trace| {
        t.events
            .iter()
            .map(|e| format!("{} {}", e.goroutine, e.describe()))
            .collect::<Vec<_>>()
    };
    assert_eq!(describe(&replayed.trace), describe(&f.trace));
    // shuttle finds the same bug.
    let s = Explorer::new("loom/lost-update")
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .run(lost_update);
    assert_eq!(s.failures[0].failure.kind, f.failure.kind);
}

/// Publishes data, then a ready flag; the reader trusts the flag. `order` is the flag's.
fn handshake(store: Ordering, load: Ordering) -> impl Fn() + Send + Sync + 'static {
    move || {
        let data = Arc::new(AtomicUsize::new(0));
        let ready = Arc::new(AtomicBool::new(false));
        let (d, r) = (Arc::clone(&data), Arc::clone(&ready));
        let h = go("publisher", move || {
            d.store(42, Ordering::Relaxed);
            r.store(true, store);
        });
        if ready.load(load) {
            assert_eq!(
                data.load(Ordering::Relaxed),
                42,
                "saw the flag but stale data"
            );
        }
        h.join();
    }
}

#[test]
fn a_relaxed_handshake_passes_shuttle_and_fails_under_loom() {
    for strategy in [
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Dfs {
            preemption_bound: None,
        },
    ] {
        let e = Explorer::new("loom/relaxed")
            .strategy(strategy.clone())
            .iterations(2_000)
            .run(handshake(Ordering::Relaxed, Ordering::Relaxed));
        assert!(e.failures.is_empty(), "{strategy}: {:?}", e.failures);
    }
    let e = Explorer::new("loom/relaxed")
        .engine(loom())
        .run(handshake(Ordering::Relaxed, Ordering::Relaxed));
    let f = &e.failures[0];
    assert!(
        f.failure.message.contains("stale data"),
        "{}",
        f.failure.message
    );
    assert!(
        !f.shuttle_replays,
        "a weak-memory outcome has no SC schedule"
    );
    assert!(f.trace.events.iter().any(|e| e.kind == "atomic"));
    assert!(f.to_string().contains("loom only"), "{f}");
    // It replays from loom's checkpoint instead: the same trace and failure.
    let checkpoint = f
        .loom_checkpoint
        .as_ref()
        .expect("a loom-only failure keeps a checkpoint");
    let again = Explorer::new("loom/relaxed")
        .replay_loom_checkpoint(checkpoint, handshake(Ordering::Relaxed, Ordering::Relaxed))
        .expect("the checkpoint replays");
    assert_eq!(again.trace_hash, f.trace_hash);
    assert_eq!(
        again.failure.as_ref().map(|x| &x.message),
        Some(&f.failure.message)
    );
    // Against another body it names the difference, not a pass; another scenario is refused.
    let other = Explorer::new("loom/relaxed")
        .replay_loom_checkpoint(checkpoint, handshake(Ordering::Release, Ordering::Acquire));
    assert!(
        other.is_err(),
        "a changed body does not replay the same trace"
    );
    let wrong = Explorer::new("loom/other").replay_loom_checkpoint(checkpoint, || {});
    assert!(matches!(wrong, Err(ReplayError::WrongScenario { .. })));
    let junk = Explorer::new("loom/relaxed").replay_loom_checkpoint("{}", || {});
    assert!(matches!(junk, Err(ReplayError::BadCheckpoint(_))));
    let fixed = Explorer::new("loom/release-acquire")
        .engine(loom())
        .run(handshake(Ordering::Release, Ordering::Acquire));
    assert!(fixed.failures.is_empty(), "{:?}", fixed.failures);
    assert!(fixed.exhausted);
}

#[test]
fn a_lock_order_inversion_deadlocks_under_loom() {
    let e = Explorer::new("loom/deadlock").engine(loom()).run(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let h = go("other", move || {
            let _b = b2.lock();
            let _a = a2.lock();
        });
        {
            let _a = a.lock();
            let _b = b.lock();
        }
        h.join();
    });
    assert_eq!(e.failures[0].failure.kind.as_str(), "deadlock");
    assert!(e.failures[0]
        .failure
        .message
        .starts_with("fatal error: all goroutines are asleep - deadlock!"));
}

#[test]
fn a_goroutine_left_blocked_is_a_leak_under_loom() {
    let e = Explorer::new("loom/leak").engine(loom()).run(|| {
        let m = Arc::new(Mutex::new(()));
        let guard = m.lock();
        let m2 = Arc::clone(&m);
        let _h = go("stuck", move || drop(m2.lock()));
        std::mem::forget(guard);
    });
    assert_eq!(e.failures[0].failure.kind.as_str(), "goroutine-leak");
}

#[test]
fn too_many_goroutines_is_a_one_line_error() {
    let err = Explorer::new("loom/many")
        .engine(loom())
        .try_run(|| {
            let hs: Vec<_> = (0..5).map(|_| go("", || {})).collect();
            for h in hs {
                h.join();
            }
        })
        .unwrap_err();
    assert!(err.contains("loom runs at most 5 threads"), "{err}");
    assert!(!err.contains('\n'));
}

#[test]
fn bad_loom_options_are_errors() {
    let e = Engine::Loom {
        preemption_bound: Some(1_000),
        max_branches: 10,
    };
    assert!(e.check().unwrap_err().contains("255"));
    let err = Explorer::new("loom/bad")
        .engine(e)
        .try_run(|| {})
        .unwrap_err();
    assert!(!err.contains('\n'));
}

/// Waits for `flag` with a yielding spin loop.
fn spin_until(flag: &AtomicBool) {
    while !flag.load(Ordering::Acquire) {
        maprace_harness::yield_now();
    }
}

#[test]
fn a_yielding_spin_wait_passes_under_loom_and_a_spin_that_never_ends_is_step_bound() {
    // Correct: the flag is set by the other goroutine; loom runs a yielder's peers first.
    let e = Explorer::new("loom/spin").engine(loom()).run(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let h = go("setter", move || f.store(true, Ordering::Release));
        spin_until(&flag);
        h.join();
    });
    assert!(e.failures.is_empty(), "{:?}", e.failures);
    assert!(e.exhausted);
    // Nobody sets it: the execution runs into maprace's step bound, or first into loom's
    // equivalent, its branch cap; either is reported as `step-bound`, not as a loom panic.
    let capped = Engine::Loom {
        preemption_bound: Some(2),
        max_branches: 100,
    };
    for (engine, max_steps, says) in [(loom(), 500, "step bound"), (capped, 20_000, "branch cap")] {
        let e = Explorer::new("loom/spin-forever")
            .engine(engine)
            .max_steps(max_steps)
            .step_bound_fails(true)
            .run(|| spin_until(&AtomicBool::new(false)));
        let f = &e.failures[0];
        assert_eq!(
            f.failure.kind.as_str(),
            "step-bound",
            "{}",
            f.failure.message
        );
        assert!(f.failure.message.contains(says), "{}", f.failure.message);
    }
}

/// The values `main` saw across a loom exploration of `body` (which returns what it saw).
fn outcomes(body: impl Fn() -> usize + Send + Sync + 'static) -> std::collections::BTreeSet<usize> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let s = std::sync::Arc::clone(&seen);
    let e = Explorer::new("loom/outcomes")
        .engine(loom())
        .race_detection(false)
        .run(move || {
            let v = body();
            s.lock().unwrap().insert(v);
        });
    assert!(e.failures.is_empty() && e.exhausted, "{:?}", e.failures);
    let out = seen.lock().unwrap().clone();
    out
}

// loom's DPOR remembers only the last access to an atomic (tokio-rs/loom#166, #392): a
// goroutine that loads and then stores would never have its store moved before another
// goroutine's earlier load. maprace's conflict cells make loom see it (loom_engine/rt.rs).
#[test]
fn loom_moves_a_load_after_another_goroutines_load_then_store() {
    let seen = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let w = Arc::clone(&x);
        let h = go("writer", move || {
            let v = w.load(Ordering::SeqCst);
            w.store(v + 1, Ordering::SeqCst);
        });
        let v = x.load(Ordering::SeqCst);
        h.join();
        v
    });
    assert_eq!(seen, [0, 1].into(), "both orders are explored");
}

#[test]
fn loom_moves_a_declared_read_after_another_goroutines_read_then_write() {
    use maprace_harness::{preempt_access, AccessKind, Object, ObjectKind, Op, Point};
    const READ: Point = Point::new(Op::Access, "read");
    const WRITE: Point = Point::new(Op::Assign, "write");
    // The data lives outside loom: only the order of the declared points decides what is seen,
    // as with the Go map model's plain fields.
    let seen = outcomes(|| {
        let map = Arc::new(Object::new(ObjectKind::Map));
        let data = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (m, d) = (Arc::clone(&map), Arc::clone(&data));
        let h = go("writer", move || {
            preempt_access(READ, &m, AccessKind::Read);
            let v = d.load(Ordering::SeqCst);
            preempt_access(WRITE, &m, AccessKind::Write);
            d.store(v + 1, Ordering::SeqCst);
        });
        preempt_access(READ, &map, AccessKind::Read);
        let v = data.load(Ordering::SeqCst);
        h.join();
        v
    });
    assert_eq!(seen, [0, 1].into(), "both orders are explored");
}
