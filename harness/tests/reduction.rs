//! Partial-order reduction is sound: on programs whose Mazurkiewicz traces are known, sleep sets
//! and DPOR reach every final state plain DFS reaches (and DPOR runs about one execution per
//! trace); on generated programs of locks, atomics and resources, the sets of final states are
//! equal, with and without a preemption bound.

use maprace_harness::sync::{Arc, AtomicU64, Mutex, Ordering};
use maprace_harness::Strategy;
use maprace_harness::*;
use proptest::prelude::*;
use proptest::strategy::Strategy as _;
use std::collections::BTreeSet;

type States = BTreeSet<Vec<u64>>;

/// Explores `body` exhaustively; `body` returns the final state, collected per execution.
fn explore(
    reduction: Reduction,
    bound: Option<u32>,
    body: impl Fn() -> Vec<u64> + Send + Sync + 'static,
) -> (States, Exploration) {
    let (states, e) = try_explore(reduction, bound, body);
    assert!(e.exhausted, "{reduction} did not finish");
    (states, e)
}

/// [`explore`], which may stop at the execution cap.
fn try_explore(
    reduction: Reduction,
    bound: Option<u32>,
    body: impl Fn() -> Vec<u64> + Send + Sync + 'static,
) -> (States, Exploration) {
    let seen: Arc<std::sync::Mutex<States>> = Arc::default();
    let s = Arc::clone(&seen);
    let e = Explorer::new("test/reduction")
        .strategy(Strategy::Dfs {
            preemption_bound: bound,
        })
        .reduction(reduction)
        .iterations(50_000)
        // The programs race on purpose (the final states are what is compared): the race
        // oracle would turn every racing execution into a failure.
        .race_detection(false)
        .run(move || {
            let state = body();
            s.lock().unwrap().insert(state);
        });
    assert!(e.failures.is_empty(), "{:?}", e.failures[0].failure);
    let states = seen.lock().unwrap().clone();
    (states, e)
}

/// `n` goroutines each write their own variable.
fn independent_writers(n: usize) -> Vec<u64> {
    let cells: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let c = Arc::clone(&cells);
            go("", move || c[i].store(i as u64 + 1, Ordering::SeqCst))
        })
        .collect();
    handles.into_iter().for_each(JoinHandle::join);
    cells.iter().map(|c| c.load(Ordering::SeqCst)).collect()
}

/// `n` goroutines each write their number to one variable: n! orders of the writes, n final
/// values.
fn writers_to_one(n: usize) -> Vec<u64> {
    let x = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let x = Arc::clone(&x);
            go("", move || x.store(i as u64 + 1, Ordering::SeqCst))
        })
        .collect();
    handles.into_iter().for_each(JoinHandle::join);
    vec![x.load(Ordering::SeqCst)]
}

/// One goroutine reads `x` `n` times, another writes it once: the write falls before, between
/// or after the reads, n + 1 traces.
fn reads_and_a_write(n: usize) -> Vec<u64> {
    let x = Arc::new(AtomicU64::new(0));
    let x2 = Arc::clone(&x);
    let writer = go("writer", move || x2.store(1, Ordering::SeqCst));
    let reader = go("reader", move || {
        (0..n).map(|_| x.load(Ordering::SeqCst)).collect()
    });
    writer.join();
    reader.join()
}

/// `n` reader goroutines read `x` once, one goroutine writes it: each read falls before or after
/// the write, 2^n traces.
fn readers_and_a_writer(n: usize) -> Vec<u64> {
    let x = Arc::new(AtomicU64::new(0));
    let x2 = Arc::clone(&x);
    let writer = go("writer", move || x2.store(1, Ordering::SeqCst));
    let readers: Vec<_> = (0..n)
        .map(|_| {
            let x = Arc::clone(&x);
            go("", move || x.load(Ordering::SeqCst))
        })
        .collect();
    writer.join();
    readers.into_iter().map(JoinHandle::join).collect()
}

/// Checks sleep sets and DPOR against plain DFS on `body`, returning DPOR's executions.
fn cross_check(body: impl Fn() -> Vec<u64> + Send + Sync + Clone + 'static, classes: usize) -> u64 {
    let (all, plain) = explore(Reduction::None, None, body.clone());
    let (slept, sleep) = explore(Reduction::Sleep, None, body.clone());
    let (reduced, dpor) = explore(Reduction::Dpor, None, body);
    assert_eq!(all.len(), classes, "final states of plain DFS");
    assert_eq!(slept, all, "sleep sets reach every final state");
    assert_eq!(reduced, all, "DPOR reaches every final state");
    assert!(sleep.executions <= plain.executions);
    assert!(dpor.executions <= sleep.executions);
    assert!(dpor.executions >= classes as u64);
    assert_eq!(
        dpor.coverage.to_string(),
        "every schedule up to equivalence"
    );
    dpor.executions
}

#[test]
fn independent_writers_are_one_trace() {
    let runs = cross_check(|| independent_writers(3), 1);
    assert_eq!(runs, 1, "independent steps are never reordered");
}

#[test]
fn two_writers_to_one_variable_are_two_traces() {
    let runs = cross_check(|| writers_to_one(2), 2);
    assert_eq!(runs, 2);
}

#[test]
fn three_writers_to_one_variable_are_six_traces() {
    // 3! orders, 3 final values.
    let runs = cross_check(|| writers_to_one(3), 3);
    assert_eq!(runs, 6);
}

#[test]
fn n_reads_and_a_write_are_n_plus_one_traces() {
    for n in 1..=3 {
        let runs = cross_check(move || reads_and_a_write(n), n + 1);
        assert_eq!(runs, n as u64 + 1, "n = {n}");
    }
}

#[test]
fn n_readers_and_a_writer_are_two_to_the_n_traces() {
    let classes = |n| 1usize << n;
    let runs = cross_check(|| readers_and_a_writer(2), classes(2));
    assert_eq!(runs, 4);
}

#[test]
fn bounded_dpor_keeps_every_state_within_the_bound() {
    for bound in 0..=2 {
        let (all, plain) = explore(Reduction::None, Some(bound), || writers_to_one(3));
        let (reduced, dpor) = explore(Reduction::Dpor, Some(bound), || writers_to_one(3));
        assert_eq!(reduced, all, "bound {bound}");
        assert!(dpor.executions <= plain.executions);
        assert_eq!(
            dpor.coverage.to_string(),
            format!("every schedule with ≤ {bound} preemptions up to equivalence")
        );
    }
}

#[test]
fn a_cut_search_says_so() {
    let e = Explorer::new("test/reduction-cut")
        .strategy(Strategy::Dfs {
            preemption_bound: None,
        })
        .reduction(Reduction::None)
        .iterations(3)
        .run(|| {
            writers_to_one(3);
        });
    assert!(!e.exhausted);
    assert_eq!(
        e.coverage.to_string(),
        "cut at 3 executions, not exhaustive"
    );
}

/// One operation of a generated goroutine.
#[derive(Clone, Copy, Debug)]
enum Op {
    /// Adds to atomic `i` (a read-modify-write).
    Add(usize),
    /// Stores the running sum into atomic `i`.
    Store(usize),
    /// Adds atomic `i`'s value into the goroutine's running sum.
    Load(usize),
    /// Under lock `l`, reads resource cell `i` into the sum and writes the sum back (a
    /// read-then-write pair that a lock makes atomic).
    Locked(usize, usize),
    /// Reads or writes user resource `i` with `preempt_access` (its value lives in a plain
    /// mutex the model does not see: only the declared access orders it).
    Touch(usize, bool),
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    prop_oneof![
        (0..2usize).prop_map(Op::Add),
        (0..2usize).prop_map(Op::Store),
        (0..2usize).prop_map(Op::Load),
        (0..2usize, 0..2usize).prop_map(|(l, i)| Op::Locked(l, i)),
        (0..2usize, any::<bool>()).prop_map(|(i, w)| Op::Touch(i, w)),
    ]
}

const TOUCH: Point = Point::new(maprace_harness::Op::User("touch"), "before access");

/// Runs a generated program: goroutines of ops on shared atomics, locked cells and resources;
/// the final state is every variable and every goroutine's running sum.
fn run_program(program: &[Vec<Op>]) -> Vec<u64> {
    let atomics: Arc<Vec<AtomicU64>> = Arc::new((0..2).map(|_| AtomicU64::new(1)).collect());
    let locks: Arc<Vec<Mutex<[u64; 2]>>> = Arc::new((0..2).map(|_| Mutex::new([0; 2])).collect());
    let resources: Arc<Vec<(Object, std::sync::Mutex<u64>)>> = Arc::new(
        (0..2)
            .map(|i| {
                (
                    Object::named(ObjectKind::Resource, format!("r{i}")),
                    std::sync::Mutex::new(0),
                )
            })
            .collect(),
    );
    let handles: Vec<_> = program
        .iter()
        .cloned()
        .map(|ops| {
            let (a, l, r) = (
                Arc::clone(&atomics),
                Arc::clone(&locks),
                Arc::clone(&resources),
            );
            go("", move || {
                let mut sum = 0u64;
                for op in ops {
                    match op {
                        Op::Add(i) => sum += a[i].fetch_add(1, Ordering::SeqCst),
                        Op::Store(i) => a[i].store(sum % 5, Ordering::SeqCst),
                        Op::Load(i) => sum += a[i].load(Ordering::SeqCst),
                        Op::Locked(m, i) => {
                            let mut g = l[m].lock();
                            sum += g[i];
                            g[i] = sum % 7 + 1;
                        }
                        Op::Touch(i, write) => {
                            let (object, value) = &r[i];
                            let kind = if write {
                                AccessKind::Write
                            } else {
                                AccessKind::Read
                            };
                            preempt_access(TOUCH, object, kind);
                            let mut v = value.lock().unwrap();
                            if write {
                                *v = sum % 3 + 1;
                            } else {
                                sum += *v;
                            }
                        }
                    }
                }
                sum
            })
        })
        .collect();
    let mut state: Vec<u64> = handles.into_iter().map(JoinHandle::join).collect();
    state.extend(atomics.iter().map(|a| a.load(Ordering::SeqCst)));
    for m in locks.iter() {
        state.extend(*m.lock());
    }
    state.extend(resources.iter().map(|(_, v)| *v.lock().unwrap()));
    state
}

fn program() -> impl proptest::strategy::Strategy<Value = Vec<Vec<Op>>> {
    proptest::collection::vec(proptest::collection::vec(op(), 1..=2), 2..=3)
}

proptest! {
    // 32 cases keep CI fast; PROPTEST_CASES=500 for a longer soak.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        ..ProptestConfig::default()
    })]

    #[test]
    fn reduced_searches_reach_the_final_states_of_plain_dfs(program in program()) {
        let p = Arc::new(program);
        let body = |p: &Arc<Vec<Vec<Op>>>| {
            let p = Arc::clone(p);
            move || run_program(&p)
        };
        let (all, plain) = try_explore(Reduction::None, None, body(&p));
        // Programs too big for plain DFS say nothing.
        prop_assume!(plain.exhausted);
        let (slept, _) = explore(Reduction::Sleep, None, body(&p));
        let (reduced, dpor) = explore(Reduction::Dpor, None, body(&p));
        prop_assert_eq!(&slept, &all);
        prop_assert_eq!(&reduced, &all);
        prop_assert!(dpor.executions <= plain.executions);
        for bound in [0, 1, 2] {
            let (all, _) = explore(Reduction::None, Some(bound), body(&p));
            let (reduced, _) = explore(Reduction::Dpor, Some(bound), body(&p));
            prop_assert_eq!(&reduced, &all, "bound {}", bound);
        }
    }
}

/// A correct double-checked initialisation: who initialises, and which goroutines saw the flag
/// set at their first check, is the final state.
fn double_checked(n: usize) -> Vec<u64> {
    let ready = Arc::new(maprace_harness::sync::AtomicBool::new(false));
    let lock = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (ready, lock) = (Arc::clone(&ready), Arc::clone(&lock));
            go("", move || {
                if ready.load(Ordering::SeqCst) {
                    return 1;
                }
                let mut g = lock.lock();
                if !ready.load(Ordering::SeqCst) {
                    *g = i as u64 + 1;
                    ready.store(true, Ordering::SeqCst);
                    return 2;
                }
                3
            })
        })
        .collect();
    let mut state: Vec<u64> = handles.into_iter().map(JoinHandle::join).collect();
    state.push(*lock.lock());
    state
}

#[test]
fn double_checked_initialisation_keeps_every_outcome() {
    // Each goroutine may initialise; the other then finds the flag set at its first or its
    // second check.
    cross_check(|| double_checked(2), 4);
    let (all, _) = explore(Reduction::None, Some(2), || double_checked(3));
    let (reduced, _) = explore(Reduction::Dpor, None, || double_checked(3));
    assert_eq!(reduced, all);
}
/// Two goroutines take one lock and append their number under it: two orders.
fn lock_order() -> Vec<u64> {
    let m = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (1..=2)
        .map(|i| {
            let m = Arc::clone(&m);
            go("", move || m.lock().push(i))
        })
        .collect();
    handles.into_iter().for_each(JoinHandle::join);
    let order = m.lock().clone();
    order
}

#[test]
fn a_lock_taken_in_either_order_is_two_traces() {
    cross_check(lock_order, 2);
    for bound in 0..=1 {
        let (all, _) = explore(Reduction::None, Some(bound), lock_order);
        let (reduced, _) = explore(Reduction::Dpor, Some(bound), lock_order);
        assert_eq!(reduced, all, "bound {bound}");
    }
}

#[test]
fn every_reduction_starts_with_plain_dfs_s_first_schedule() {
    // Every schedule fails, so the first execution's token is reported: it must be the same.
    let token = |reduction| {
        let e = Explorer::new("test/first-schedule")
            .strategy(Strategy::Dfs {
                preemption_bound: Some(2),
            })
            .reduction(reduction)
            .iterations(1)
            .run(|| {
                writers_to_one(3);
                panic!("always");
            });
        e.first_failure().expect("fails").token.to_string()
    };
    let plain = token(Reduction::None);
    assert_eq!(token(Reduction::Sleep), plain);
    assert_eq!(token(Reduction::Dpor), plain);
}

/// An execution that fails before a spawned goroutine ever ran must not hide that goroutine's
/// steps from DPOR: nothing is known of what it would do, so it depends on everything.
#[test]
fn a_failure_before_a_spawned_goroutine_starts_still_explores_it() {
    use maprace_harness::sync::{Arc, AtomicU32, Ordering};
    use maprace_harness::{go, Explorer, Reduction, Strategy};
    for reduction in [Reduction::None, Reduction::Sleep, Reduction::Dpor] {
        let e = Explorer::new("reduction/cut-by-failure")
            .strategy(Strategy::Dfs {
                preemption_bound: None,
            })
            .reduction(reduction)
            .iterations(1_000)
            .run(|| {
                let n = Arc::new(AtomicU32::new(0));
                let n2 = Arc::clone(&n);
                let h = go("", move || n2.store(1, Ordering::SeqCst));
                let seen = n.load(Ordering::SeqCst);
                if seen == 0 {
                    panic!("saw the store missing");
                }
                h.join();
                assert_ne!(seen, 1, "saw the store");
            });
        assert!(e.exhausted, "{reduction:?}");
        assert_eq!(e.failures.len(), 2, "{reduction:?}: {e}");
    }
}
