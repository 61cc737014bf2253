//! Mutants (`Explorer::without_sync`): a switched-off lock stops excluding and ordering when
//! it holds no data, keeps excluding when it does, a mutant's token replays the mutant, and a
//! library's objects are no mutants.

use maprace_harness::sync::{Arc, AtomicU32, Mutex, Ordering, RwLock};
use maprace_harness::{
    go, preempt, sync_disabled, sync_objects, Explorer, FailureKind, Object, ObjectKind, Op, Point,
    SharedVar, Strategy,
};

const INSIDE: Point = Point::new(Op::User("critical section"), "inside");

/// Two goroutines in a critical section `enter` guards; a panic if both are inside at once
/// (the counter is an atomic: the race detector sees no data, only the exclusion matters).
fn two_enter<G: Send + Sync + Default + 'static>(enter: fn(&(AtomicU32, G))) {
    let shared = Arc::new((AtomicU32::new(0), G::default()));
    let s = Arc::clone(&shared);
    let h = go("", move || enter(&s));
    enter(&shared);
    h.join();
}

fn mutex_body() {
    two_enter::<Mutex<()>>(|s| {
        let _g = s.1.lock();
        critical(&s.0);
    });
}

fn rwlock_body() {
    two_enter::<RwLock<()>>(|s| {
        let _g = s.1.write();
        critical(&s.0);
    });
}

fn critical(inside: &AtomicU32) {
    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "both inside");
    preempt(INSIDE);
    inside.fetch_sub(1, Ordering::SeqCst);
}

fn dfs(name: &str) -> Explorer {
    Explorer::new(name)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(5_000)
        .race_detection(false)
}

fn first_mutex() -> maprace_harness::ObjectId {
    maprace_harness::ObjectId {
        kind: ObjectKind::Mutex,
        index: 0,
    }
}

#[test]
fn a_disabled_mutex_over_unit_data_stops_excluding() {
    let body = mutex_body;
    assert!(dfs("mutant/mutex").run(body).failures.is_empty());
    let mutant = dfs("mutant/mutex").without_sync(first_mutex()).run(body);
    assert_eq!(mutant.failures[0].failure.kind, FailureKind::PANIC);
    assert!(mutant.failures[0].failure.message.contains("both inside"));
}

#[test]
fn a_disabled_rwlock_stops_excluding_writers() {
    let body = rwlock_body;
    let rwlock = maprace_harness::ObjectId {
        kind: ObjectKind::RwLock,
        index: 0,
    };
    assert!(dfs("mutant/rwlock").run(body).failures.is_empty());
    let mutant = dfs("mutant/rwlock").without_sync(rwlock).run(body);
    assert_eq!(mutant.failures[0].failure.kind, FailureKind::PANIC);
}

#[test]
fn a_disabled_mutex_over_data_keeps_excluding_and_stops_ordering() {
    let body = || {
        let (v, m) = (Arc::new(SharedVar::new(0u32)), Arc::new(Mutex::new(0u32)));
        let (c, m2) = (Arc::clone(&v), Arc::clone(&m));
        let h = go("", move || {
            let mut g = m2.lock();
            *g += 1;
            c.set(1);
        });
        {
            let mut g = m.lock();
            *g += 1;
            v.set(2);
        }
        h.join();
        assert_eq!(*m.lock(), 2, "an increment under the lock was lost");
    };
    let excluding = dfs("mutant/data").without_sync(first_mutex()).run(body);
    assert!(excluding.exhausted);
    assert!(excluding.failures.is_empty(), "{:?}", excluding.failures);
    let ordering = dfs("mutant/data")
        .race_detection(true)
        .without_sync(first_mutex())
        .run(body);
    assert_eq!(ordering.failures[0].failure.kind, FailureKind::DATA_RACE);
}

#[test]
fn a_mutant_token_replays_under_the_same_mutant() {
    let body = mutex_body;
    let explorer = dfs("mutant/replay").without_sync(first_mutex());
    let e = explorer.run(body);
    let found = &e.failures[0];
    let replayed = explorer.replay(&found.token, body).expect("replays");
    assert_eq!(replayed.failure.map(|f| f.kind), Some(FailureKind::PANIC));
    assert_eq!(replayed.trace_hash, found.trace_hash);
}

#[test]
fn nothing_is_disabled_outside_a_mutant() {
    let object = Object::new(ObjectKind::Mutex);
    assert!(!sync_disabled(&object));
    let e = Explorer::new("mutant/none").iterations(20).run(|| {
        let m = Mutex::new(());
        let _g = m.lock();
        assert!(!sync_disabled(&Object::new(ObjectKind::Once)));
    });
    assert!(e.failures.is_empty());
}

#[test]
fn library_objects_are_no_mutants() {
    let objects = sync_objects(5, || {
        let lib = Mutex::library(());
        let own = Mutex::new(());
        drop(lib.lock());
        drop(own.lock());
    });
    assert_eq!(
        objects,
        vec![maprace_harness::ObjectId {
            kind: ObjectKind::Mutex,
            index: 1,
        }]
    );
}

#[cfg(feature = "loom")]
#[test]
fn mutants_run_under_shuttle_only() {
    let err = Explorer::new("mutant/loom")
        .engine(maprace_harness::Engine::Loom {
            preemption_bound: Some(1),
            max_branches: 1_000,
        })
        .without_sync(first_mutex())
        .try_run(|| {})
        .unwrap_err();
    assert!(err.contains("shuttle"), "{err}");
}
