//! Deadlocks and leaks wherever they happen, and goroutine numbering, with the hidden sentinel
//! task spawned lazily (only when an execution may end up with no goroutine able to run).

use maprace_harness::sync::{
    Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
use maprace_harness::*;
use std::collections::BTreeSet;

const STEP: Point = Point::new(Op::User("work"), "step");

fn every_schedule() -> Strategy {
    Strategy::Dfs {
        preemption_bound: None,
    }
}

/// Explores every schedule of `body` and checks that it fails with `kind` and nothing else.
fn explore_expecting_only(name: &str, body: fn(), kind: FailureKind) -> Exploration {
    let e = Explorer::new(name)
        .strategy(every_schedule())
        .iterations(100_000)
        .run(body);
    assert!(e.exhausted);
    assert_eq!(kinds_of(&e), BTreeSet::from([kind.to_string()]));
    e
}

/// The kinds found, and that none of them is a shuttle failure that escaped the engine or a
/// deadlock shuttle found on its own (the sentinel check missed a blocking path).
fn kinds_of(e: &Exploration) -> BTreeSet<String> {
    assert_eq!(shuttle_deadlocks(), 0, "shuttle found a deadlock itself");
    for f in &e.failures {
        assert!(
            !f.failure.message.starts_with("engine:"),
            "escaped: {}",
            f.failure.message
        );
    }
    e.failures
        .iter()
        .map(|f| f.failure.kind.to_string())
        .collect()
}

/// Two goroutines take two locks in opposite orders.
fn lock_order_inversion() {
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
    let g1 = go("ab", move || {
        let _a = a.lock();
        preempt(STEP);
        let _b = b.lock();
    });
    let g2 = go("ba", move || {
        let _b = b2.lock();
        preempt(STEP);
        let _a = a2.lock();
    });
    g1.join();
    g2.join();
}

#[test]
fn lock_order_inversion_deadlocks_in_some_schedules_and_only_deadlocks() {
    let e = explore_expecting_only("t/abba", lock_order_inversion, FailureKind::DEADLOCK);
    let f = &e.failures[0];
    assert!(f.count < e.executions, "some schedules pass");
    let replayed = Explorer::new("t/abba")
        .replay(&f.token, lock_order_inversion)
        .expect("the deadlock replays");
    assert_eq!(replayed.trace_hash, f.trace_hash);
}

/// A goroutine waits for a notification nobody sends; another finishes; main joins only that
/// one and returns. Whatever the schedule, the waiter leaks.
fn forgotten_waiter() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p = Arc::clone(&pair);
    go("waiter", move || {
        let (m, c) = &*p;
        let g = m.lock();
        let _g = c.wait_while(g, |ready| !*ready);
    });
    let worker = go("worker", || {
        preempt(STEP);
        preempt(STEP);
    });
    worker.join();
}

#[test]
fn a_goroutine_left_waiting_leaks_in_every_schedule() {
    let e = explore_expecting_only("t/forgotten", forgotten_waiter, FailureKind::GOROUTINE_LEAK);
    let f = &e.failures[0];
    assert_eq!(f.count, e.executions, "no schedule escapes the leak");
    assert_eq!(f.failure.goroutine, "waiter");
}

/// Main takes a lock while it is the only goroutine (so the sentinel is spawned before any
/// goroutine), then starts two racing writers.
fn racers_after_the_sentinel() {
    let lock = Arc::new(Mutex::new(0u32));
    *lock.lock() += 1;
    let hs: Vec<_> = (0..2)
        .map(|_| {
            go("", || {
                preempt(STEP);
                fail(FailureKind::WRONG_RESULT, "a writer finished");
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
}

#[test]
fn goroutines_are_numbered_as_if_no_hidden_task_existed() {
    let e = Explorer::new("t/numbering")
        .strategy(every_schedule())
        .iterations(1_000)
        .stop_on_first_failure(false)
        .run(racers_after_the_sentinel);
    assert!(e.exhausted);
    assert!(!e.failures.is_empty());
    for f in &e.failures {
        // main is 0 and the writers 1 and 2: the sentinel (task 1) never shows.
        assert!(f.token.steps.iter().all(|&g| g <= 2), "{:?}", f.token.steps);
        assert!(
            f.token.steps.contains(&1),
            "a writer ran: {:?}",
            f.token.steps
        );
        let replayed = Explorer::new("t/numbering")
            .replay(&f.token, racers_after_the_sentinel)
            .expect("replays");
        assert_eq!(replayed.trace_hash, f.trace_hash);
    }
}

/// What a goroutine of a generated program does, step by step.
#[derive(Clone, Debug)]
enum Action {
    /// Takes one of two mutexes (held until released or the goroutine ends).
    Lock(usize),
    /// Takes the reader-writer lock for reading.
    Read,
    /// Takes the reader-writer lock for writing.
    Write,
    /// Releases the lock taken last, if any.
    Release,
    /// A plain preemption point.
    Step,
    /// Waits for a notification, which may never come.
    Wait,
    /// Wakes every waiter (without a scheduling point after it).
    Notify,
}

fn action() -> impl proptest::strategy::Strategy<Value = Action> {
    use proptest::prelude::*;
    prop_oneof![
        (0..2usize).prop_map(Action::Lock),
        Just(Action::Read),
        Just(Action::Write),
        Just(Action::Release),
        Just(Action::Step),
        Just(Action::Wait),
        Just(Action::Notify),
    ]
}

/// The locks and the condition variable a generated program shares.
struct Shared {
    locks: [Mutex<()>; 2],
    rw: RwLock<()>,
    signal: (Mutex<()>, Condvar),
}

/// A lock a generated goroutine holds (kept only to be released by dropping it).
#[expect(dead_code, reason = "a guard is held for its drop, never read")]
enum Held<'a> {
    Mutex(MutexGuard<'a, ()>),
    Read(RwLockReadGuard<'a, ()>),
    Write(RwLockWriteGuard<'a, ()>),
}

fn perform(script: &[Action], shared: &Shared) {
    let mut held = Vec::new();
    for a in script {
        match a {
            Action::Lock(i) => held.push(Held::Mutex(shared.locks[*i].lock())),
            Action::Read => held.push(Held::Read(shared.rw.read())),
            Action::Write => held.push(Held::Write(shared.rw.write())),
            Action::Release => drop(held.pop()),
            Action::Step => preempt(STEP),
            Action::Wait => {
                let g = shared.signal.0.lock();
                drop(shared.signal.1.wait(g));
            }
            Action::Notify => shared.signal.1.notify_all(),
        }
    }
}

/// Goroutines run their scripts; main runs its own, then joins the goroutines picked by `joins`.
fn program(scripts: &[Vec<Action>], main_script: &[Action], joins: u8) {
    let shared = Arc::new(Shared {
        locks: [Mutex::new(()), Mutex::new(())],
        rw: RwLock::new(()),
        signal: (Mutex::new(()), Condvar::new()),
    });
    let handles: Vec<_> = scripts
        .iter()
        .map(|s| {
            let (s, shared) = (s.clone(), Arc::clone(&shared));
            go("", move || perform(&s, &shared))
        })
        .collect();
    perform(main_script, &shared);
    for (i, h) in handles.into_iter().enumerate() {
        if joins & (1 << i) != 0 {
            h.join();
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Wherever goroutines block or exit, an execution in which none can run ends as a deadlock
    /// or a leak seen by the engine: never as shuttle's own deadlock (the engine counts those),
    /// and never as anything else.
    #[test]
    fn every_stuck_execution_is_a_deadlock_or_a_leak(
        scripts in proptest::collection::vec(proptest::collection::vec(action(), 0..5), 1..4),
        main_script in proptest::collection::vec(action(), 0..3),
        joins in 0u8..8,
        seed in 0u64..1000,
    ) {
        for strategy in [Strategy::Random, Strategy::Dfs { preemption_bound: Some(2) }] {
            let (scripts, main_script) = (scripts.clone(), main_script.clone());
            let e = Explorer::new("t/generated")
                .strategy(strategy)
                .seed(seed)
                .iterations(300)
                .stop_on_first_failure(false)
                .run(move || program(&scripts, &main_script, joins));
            let kinds = kinds_of(&e);
            let allowed = [FailureKind::DEADLOCK.to_string(), FailureKind::GOROUTINE_LEAK.to_string()];
            proptest::prop_assert!(kinds.iter().all(|k| allowed.contains(k)), "{:?}", kinds);
        }
    }
}
#[test]
fn locking_a_held_lock_is_a_deadlock() {
    let e = Explorer::new("t/relock").iterations(3).run(|| {
        let m = Mutex::new(());
        let _a = m.lock();
        let _b = m.lock();
    });
    let f = &e.failures[0];
    assert_eq!(f.failure.kind, FailureKind::DEADLOCK);
    assert_eq!(
        f.failure.message,
        "deadlock: a goroutine locked a Mutex it already holds"
    );
    assert_eq!(f.failure.goroutine, "main");
}
