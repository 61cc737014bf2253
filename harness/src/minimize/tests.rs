//! Minimizer tests: lost updates needing exactly one preemption, amid incidental ones.

use super::*;

use crate::sync::{Arc, AtomicU32, Ordering};
use crate::{go, preempt, Op, Point};

const P: Point = Point::new(Op::User("step"), "p");

/// Two increments as load, preemption point, store: a lost update needs exactly one
/// preemption (between one goroutine's load and its store). A third goroutine only adds
/// points, so random schedules carry many incidental preemptions.
fn lost_update() {
    increments(true);
}

fn unchecked() {
    increments(false);
}

fn increments(check: bool) {
    let x = Arc::new(AtomicU32::new(0));
    let mut hs = Vec::new();
    for _ in 0..2 {
        let x = Arc::clone(&x);
        hs.push(go("", move || {
            preempt(P);
            let v = x.load(Ordering::SeqCst);
            preempt(P);
            x.store(v + 1, Ordering::SeqCst);
            preempt(P);
        }));
    }
    hs.push(go("noise", || {
        for _ in 0..6 {
            preempt(P);
        }
    }));
    for h in hs {
        h.join();
    }
    if check && x.load(Ordering::SeqCst) != 2 {
        crate::fail(FailureKind::WRONG_RESULT, "lost update");
    }
}

/// Fails in every schedule, without any preemption.
fn always_fails() {
    go("", || preempt(P)).join();
    crate::fail(FailureKind::WRONG_RESULT, "always");
}

fn random_failure(explorer: &Explorer, body: fn()) -> Token {
    let e = explorer.clone().iterations(500).run(body);
    e.failures[0].token.clone()
}

#[test]
fn preemption_counts_agree_with_the_bounded_search() {
    let explorer = Explorer::new("test/lost-update");
    let bound = |b| {
        explorer
            .clone()
            .strategy(Strategy::Dfs {
                preemption_bound: Some(b),
            })
            .iterations(100_000)
            .run(lost_update)
    };
    let none = bound(0);
    assert!(none.exhausted && none.failures.is_empty());
    let one = bound(1);
    let t = &one.failures[0].token;
    assert_eq!(preemptions(&explorer, t, lost_update).unwrap(), 1);

    let explorer = Explorer::new("test/always");
    let t = random_failure(&explorer, always_fails);
    assert_eq!(preemptions(&explorer, &t, always_fails).unwrap(), 0);
}

#[test]
fn a_minimized_schedule_fails_the_same_way_and_replays() {
    let explorer = Explorer::new("test/lost-update");
    let token = random_failure(&explorer, lost_update);
    let m = minimize(&explorer, &token, lost_update, Budget::new(20_000)).unwrap();
    assert_eq!(m.failure.kind, FailureKind::WRONG_RESULT);
    assert!(m.preemptions_before >= m.preemptions_after);
    assert_eq!((m.preemptions_after, m.lower_bound), (1, 1));
    assert!(m.proven_minimal);
    // Only the schedule changed: the data seed is the original token's.
    assert_eq!(m.token.seed, token.seed);
    let again = explorer.replay(&m.token, lost_update).unwrap();
    assert_eq!(again.failure.unwrap().kind, FailureKind::WRONG_RESULT);
    assert_eq!(again.trace_hash, m.trace_hash);
    assert_eq!(preemptions(&explorer, &m.token, lost_update).unwrap(), 1);
}

#[test]
fn greedy_removal_alone_keeps_the_failure() {
    let explorer = Explorer::new("test/lost-update");
    // A budget too small for any bounded search: only greedy removal runs.
    let token = random_failure(&explorer, lost_update);
    for budget in [0, 40, 150, 400] {
        let m = minimize(&explorer, &token, lost_update, Budget::new(budget)).unwrap();
        assert_eq!(m.failure.kind, FailureKind::WRONG_RESULT, "budget {budget}");
        assert!(m.preemptions_after <= m.preemptions_before);
        let again = explorer.replay(&m.token, lost_update).unwrap();
        assert_eq!(
            again.failure.map(|f| f.kind),
            Some(FailureKind::WRONG_RESULT)
        );
        assert_eq!(
            preemptions(&explorer, &m.token, lost_update).unwrap(),
            m.preemptions_after
        );
        assert_eq!(m.proven_minimal, m.preemptions_after == m.lower_bound);
        if budget > 0 {
            assert!(
                m.preemptions_after < m.preemptions_before,
                "budget {budget}"
            );
        }
    }
}

#[test]
fn a_passing_schedule_has_nothing_to_minimize() {
    let explorer = Explorer::new("test/lost-update");
    let token = random_failure(&explorer, lost_update);
    // The same goroutines and points without the final check pass, and take a few more
    // steps (main returns instead of failing): extend the schedule with whichever task is
    // runnable until it fits.
    let mut steps = token.steps.clone();
    let passing = loop {
        let t = Token {
            steps: steps.clone(),
            digests: vec![],
            trace_hash: None,
            ..token.clone()
        };
        match explorer.replay(&t, unchecked) {
            Ok(r) => break r,
            Err(ReplayError::Diverged { step, .. }) if step as usize == steps.len() => {
                let next = (0..8)
                    .find(|&task| {
                        let mut longer = steps.clone();
                        longer.push(task);
                        let probe = Token {
                            steps: longer,
                            ..t.clone()
                        };
                        !matches!(
                            explorer.replay(&probe, unchecked),
                            Err(ReplayError::Diverged { step: s, .. }) if s == step
                        )
                    })
                    .expect("some task is runnable");
                steps.push(next);
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert!(passing.failure.is_none());
    let err = minimize(&explorer, &passing.token, unchecked, Budget::default()).unwrap_err();
    assert_eq!(err, MinimizeError::Passes);
    let err = minimize(
        &Explorer::new("test/other"),
        &token,
        lost_update,
        Budget::default(),
    );
    assert!(matches!(
        err,
        Err(MinimizeError::Replay(ReplayError::WrongScenario { .. }))
    ));
}

#[test]
fn removals_pull_the_preempted_run_forward_or_push_the_preempting_one_back() {
    // a a b b a c  -- the switch at 2 preempts a.
    let steps = [0, 0, 1, 1, 0, 2];
    let c = removals(&steps, 2);
    assert_eq!(c[0], vec![0, 0, 0, 1, 1, 2]);
    assert_eq!(
        c.len(),
        1,
        "pushing b after a's next run is the same schedule"
    );
    // a b c a: pull a forward -> a a b c; push b back -> a c a b.
    let c = removals(&[0, 1, 2, 0], 1);
    assert_eq!(c, vec![vec![0, 0, 1, 2], vec![0, 2, 0, 1]]);
    // No later run of the preempted goroutine: nothing to try.
    assert!(removals(&[0, 1, 1], 1).is_empty());
}
