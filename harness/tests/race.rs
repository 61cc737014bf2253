//! The race detector on the harness's own primitives: every happens-before edge they give,
//! with the edge (no race in any schedule) and without it (a race in some schedule).

use maprace_harness::sync::{Arc, AtomicU32, Condvar, Mutex, Ordering, RwLock};
use maprace_harness::{
    count_of, go, Class, Exploration, Explorer, FailureKind, SharedVar, Strategy,
};

/// Every schedule of `body` up to two preemptions.
fn explore(name: &str, body: impl Fn() + Send + Sync + 'static) -> Exploration {
    Explorer::new(name)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(20_000)
        .run(body)
}

/// Whether some schedule of `body` races; any other failure fails the test.
fn races(name: &str, body: impl Fn() + Send + Sync + 'static) -> bool {
    let e = explore(name, body);
    assert!(e.exhausted, "{name}: the space is small");
    for f in &e.failures {
        assert_eq!(
            f.failure.kind,
            FailureKind::DATA_RACE,
            "{name}: {}",
            f.failure
        );
    }
    let total: u64 = e.classes.iter().map(|c| c.count).sum();
    assert_eq!(total, e.executions, "{name}: every execution has one class");
    !e.failures.is_empty()
}

type Var = Arc<SharedVar<u32>>;

fn var() -> Var {
    Arc::new(SharedVar::named("v", 0))
}

#[test]
fn spawn_orders_the_parents_past_before_the_child() {
    assert!(!races("race/spawn", || {
        let v = var();
        v.set(1);
        let c = Arc::clone(&v);
        go("", move || c.get()).join();
    }));
    assert!(races("race/spawn-missing", || {
        let v = var();
        let c = Arc::clone(&v);
        let h = go("", move || c.get());
        v.set(1);
        h.join();
    }));
}

#[test]
fn exit_orders_the_child_before_the_joiner() {
    assert!(!races("race/join", || {
        let v = var();
        let c = Arc::clone(&v);
        go("", move || c.set(1)).join();
        v.get();
    }));
    assert!(races("race/join-missing", || {
        let v = var();
        let c = Arc::clone(&v);
        let h = go("", move || c.set(1));
        v.get();
        h.join();
    }));
}

fn locked_writers(name: &str, both_locked: bool, internal: bool) -> bool {
    races(name, move || {
        let v = var();
        let m = Arc::new(if internal {
            Mutex::internal(())
        } else {
            Mutex::new(())
        });
        let (c, m2) = (Arc::clone(&v), Arc::clone(&m));
        let h = go("", move || {
            let _g = m2.lock();
            c.set(1);
        });
        if both_locked {
            let _g = m.lock();
            v.set(2);
        } else {
            v.set(2);
        }
        h.join();
    })
}

#[test]
fn unlock_orders_before_the_next_lock_unless_the_mutex_is_internal() {
    assert!(!locked_writers("race/mutex", true, false));
    assert!(locked_writers("race/mutex-missing", false, false));
    assert!(locked_writers("race/mutex-internal", true, true));
}

/// A goroutine reads (or writes) `v` under a read lock; main writes it under the write lock or
/// under a read lock.
fn rw(name: &str, main_writes_under_write_lock: bool, other_writes: bool) -> bool {
    races(name, move || {
        let v = var();
        let l = Arc::new(RwLock::new(()));
        let (c, l2) = (Arc::clone(&v), Arc::clone(&l));
        let h = go("", move || {
            let _g = l2.read();
            if other_writes {
                c.set(1);
            } else {
                c.get();
            }
        });
        if main_writes_under_write_lock {
            let _g = l.write();
            v.set(2);
        } else {
            let _g = l.read();
            v.set(2);
        }
        h.join();
    })
}

#[test]
fn rwlock_orders_writers_with_readers_but_not_readers_with_each_other() {
    assert!(
        !rw("race/rwlock", true, false),
        "a write lock against a read lock"
    );
    assert!(
        rw("race/rwlock-read-locked-writers", false, true),
        "two read locks order nothing"
    );
}

fn condvar(name: &str, internal: bool) -> Exploration {
    explore(name, move || {
        let v = var();
        let state = Arc::new((
            Mutex::internal(false),
            if internal {
                Condvar::internal()
            } else {
                Condvar::new()
            },
        ));
        let (c, s2) = (Arc::clone(&v), Arc::clone(&state));
        let h = go("", move || {
            c.set(1);
            *s2.0.lock() = true;
            s2.1.notify_all();
        });
        let g = state.0.lock();
        let g = state.1.wait_while(g, |ready| !*ready);
        drop(g);
        v.get();
        h.join();
    })
}

#[test]
fn notify_orders_before_the_woken_waiter() {
    // The mutex orders nothing here: only the wake-up does, in the schedules where main
    // waited. With the edge those are clean; without it every schedule races.
    let with = condvar("race/condvar", false);
    assert!(count_of(&with.classes, Class::Clean) > 0);
    let without = condvar("race/condvar-internal", true);
    assert_eq!(count_of(&without.classes, Class::Clean), 0);
    assert_eq!(count_of(&without.classes, Class::Race), without.executions);
}

fn flag(name: &str, read_only_when_set: bool) -> bool {
    races(name, move || {
        let v = var();
        let flag = Arc::new(AtomicU32::new(0));
        let (c, f2) = (Arc::clone(&v), Arc::clone(&flag));
        let h = go("", move || {
            c.set(1);
            f2.store(1, Ordering::SeqCst);
        });
        if flag.load(Ordering::SeqCst) == 1 || !read_only_when_set {
            v.get();
        }
        h.join();
    })
}

#[test]
fn an_atomic_store_orders_before_the_load_that_reads_it() {
    assert!(!flag("race/atomic", true));
    assert!(flag("race/atomic-missing", false));
}

#[test]
fn the_report_is_gos_shape_and_the_same_for_the_same_seed() {
    let run = || {
        Explorer::new("race/report")
            .seed(7)
            .iterations(200)
            .run(|| {
                let v = var();
                let c = Arc::clone(&v);
                let h = go("writer", move || c.set(1));
                v.get();
                h.join();
            })
    };
    let (a, b) = (run(), run());
    let (fa, fb) = (&a.failures[0], &b.failures[0]);
    assert_eq!(fa.failure, fb.failure);
    assert_eq!(fa.token, fb.token);
    assert_eq!(fa.race, fb.race);
    let m = &fa.failure.message;
    assert!(m.starts_with("WARNING: DATA RACE\n"), "{m}");
    assert!(m.contains("at cell#0 by goroutine"), "{m}");
    assert!(m.contains("var / "), "the points are named: {m}");
    let race = fa.race.expect("the replay reports the race");
    assert!(m.contains(&format!("step {}", race.current.step)), "{m}");
    assert!(m.contains(&format!("step {}", race.previous.step)), "{m}");
    assert_eq!(fa.failure.step, race.current.step);
    // The class token replays a racing execution.
    let racing = a
        .classes
        .iter()
        .find(|c| c.class == Class::Race)
        .expect("raced");
    let replayed = Explorer::new("race/report")
        .replay(&racing.token, || {
            let v = var();
            let c = Arc::clone(&v);
            let h = go("writer", move || c.set(1));
            v.get();
            h.join();
        })
        .expect("replays");
    assert_eq!(
        replayed.failure.map(|f| f.kind),
        Some(FailureKind::DATA_RACE)
    );
}

#[test]
fn race_detection_can_be_turned_off() {
    let e = Explorer::new("race/off")
        .race_detection(false)
        .iterations(100)
        .run(|| {
            let v = var();
            let c = Arc::clone(&v);
            let h = go("", move || c.set(1));
            v.set(2);
            h.join();
        });
    assert!(e.failures.is_empty());
    assert_eq!(count_of(&e.classes, Class::Clean), e.executions);
}

#[test]
fn dropping_a_synchronisation_is_caught_as_a_race() {
    let body = || {
        let (v, m) = (var(), Arc::new(Mutex::new(())));
        let (c, m2) = (Arc::clone(&v), Arc::clone(&m));
        let h = go("", move || {
            let _g = m2.lock();
            c.set(1);
        });
        {
            let _g = m.lock();
            v.set(2);
        }
        h.join();
    };
    let objects = maprace_harness::sync_objects(10, body);
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert!(!races("race/mutant-original", body));
    let mutant = Explorer::new("race/mutant")
        .without_sync(objects[0])
        .iterations(500)
        .run(body);
    assert_eq!(mutant.failures[0].failure.kind, FailureKind::DATA_RACE);
}
