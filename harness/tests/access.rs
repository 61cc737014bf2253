//! The object/access record as replays report it: what each harness primitive records, with
//! which object, at which step.

use maprace_harness::sync::{Arc, AtomicU32, Condvar, Mutex, Ordering, RwLock};
use maprace_harness::{
    go, Access, AccessKind, Explorer, ObjectId, ObjectKind, Replayed, StepAccess, Strategy,
};

/// The first execution of `body` (DFS's first schedule), replayed with its accesses.
fn first_execution(identity: &str, body: impl Fn() + Send + Sync + Clone + 'static) -> Replayed {
    // A failing body gives its token directly; a passing one is replayed from a one-execution
    // DFS, which always takes the lowest-numbered choice first.
    let e = Explorer::new(identity)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(0),
        })
        .iterations(1)
        .run({
            let body = body.clone();
            move || {
                body();
                panic!("end of the first execution");
            }
        });
    let token = e.failures[0].token.clone();
    Explorer::new(identity)
        .replay(&token, move || {
            body();
            panic!("end of the first execution");
        })
        .expect("the token replays")
}

fn id(kind: ObjectKind, index: u32) -> ObjectId {
    ObjectId { kind, index }
}

fn kinds_on(log: &[StepAccess], object: ObjectId) -> Vec<(u32, AccessKind)> {
    log.iter()
        .filter(|a| a.access.object == object)
        .map(|a| (a.goroutine, a.access.kind))
        .collect()
}

#[test]
fn a_mutex_records_lock_and_unlock_by_each_goroutine_in_order() {
    let r = first_execution("access/mutex", || {
        let m = Arc::new(Mutex::new(0));
        let m2 = Arc::clone(&m);
        let h = go("other", move || *m2.lock() += 1);
        *m.lock() += 1;
        h.join();
    });
    let on_mutex = kinds_on(&r.accesses, id(ObjectKind::Mutex, 0));
    use AccessKind::{Lock, Unlock};
    assert_eq!(on_mutex.len(), 4, "{on_mutex:?}");
    // Every lock is followed by the same goroutine's unlock: no other lock in between.
    for pair in on_mutex.chunks(2) {
        assert_eq!(pair[0].1, Lock);
        assert_eq!(pair[1], (pair[0].0, Unlock));
    }
    let goroutines: Vec<u32> = on_mutex.iter().map(|(g, _)| *g).collect();
    assert!(goroutines.contains(&0) && goroutines.contains(&1));
}

#[test]
fn access_steps_are_the_steps_of_the_trace_events_they_belong_to() {
    let r = first_execution("access/steps", || {
        let m = Arc::new(Mutex::new(0));
        *m.lock() += 1;
    });
    let lock = r
        .accesses
        .iter()
        .find(|a| a.access.kind == AccessKind::Lock)
        .expect("the lock is recorded");
    let locked = r
        .trace
        .events
        .iter()
        .find(|e| e.kind == "mutex" && e.label == "locked")
        .expect("the trace shows the lock taken");
    assert_eq!(lock.step, locked.step);
}

#[test]
fn rwlock_readers_share_and_atomics_read_or_update() {
    let r = first_execution("access/rwlock-atomic", || {
        let l = RwLock::new(0);
        drop(l.read());
        drop(l.write());
        let a = AtomicU32::new(0);
        a.load(Ordering::SeqCst);
        a.fetch_add(1, Ordering::SeqCst);
        let _ = a.compare_exchange(7, 8, Ordering::SeqCst, Ordering::SeqCst);
        let _ = a.compare_exchange(1, 2, Ordering::SeqCst, Ordering::SeqCst);
    });
    use AccessKind::*;
    assert_eq!(
        kinds_on(&r.accesses, id(ObjectKind::RwLock, 0)),
        [(0, ReadLock), (0, ReadUnlock), (0, Lock), (0, Unlock)]
    );
    assert_eq!(
        kinds_on(&r.accesses, id(ObjectKind::Atomic, 0)),
        // The failed compare-exchange only read.
        [(0, Read), (0, Update), (0, Read), (0, Update)]
    );
}

#[test]
fn a_condvar_wait_releases_and_retakes_its_mutex() {
    let r = first_execution("access/condvar", || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let h = go("notifier", move || {
            *p2.0.lock() = true;
            p2.1.notify_all();
        });
        let g = pair.0.lock();
        drop(pair.1.wait_while(g, |ready| !*ready));
        h.join();
    });
    let cv = kinds_on(&r.accesses, id(ObjectKind::Condvar, 0));
    assert!(cv.contains(&(1, AccessKind::Notify)), "{cv:?}");
    let mutex = id(ObjectKind::Mutex, 0);
    // Locks and unlocks of the mutex alternate, whoever takes it, waits included.
    let on_mutex = kinds_on(&r.accesses, mutex);
    for (i, (_, kind)) in on_mutex.iter().enumerate() {
        let want = if i % 2 == 0 {
            AccessKind::Lock
        } else {
            AccessKind::Unlock
        };
        assert_eq!(*kind, want, "{on_mutex:?}");
    }
}

#[test]
fn replays_give_the_same_record() {
    let body = || {
        let m = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let m = Arc::clone(&m);
                go("", move || *m.lock() += 1)
            })
            .collect();
        for h in hs {
            h.join();
        }
    };
    let a = first_execution("access/replay", body);
    let b = first_execution("access/replay", body);
    assert_eq!(a.accesses, b.accesses);
    assert!(a.accesses.contains(&StepAccess {
        step: a.accesses[0].step,
        goroutine: 0,
        access: Access {
            object: id(ObjectKind::Goroutine, 0),
            kind: AccessKind::Start,
        },
    }));
}
