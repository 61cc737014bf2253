//! A deadlock the sentinel cannot see (goroutines blocked in a shuttle primitive used directly)
//! is still reported as a deadlock, and counted. (Its own test binary: the counter is
//! process-wide, and the sentinel tests require it to stay zero.)

use maprace_harness::sync::Arc;
use maprace_harness::*;

#[test]
fn a_deadlock_in_a_raw_shuttle_lock_is_still_a_deadlock() {
    let e = Explorer::new("t/raw-lock")
        .strategy(Strategy::Dfs {
            preemption_bound: None,
        })
        .iterations(1_000)
        .run(|| {
            let m = Arc::new(shuttle::sync::Mutex::new(()));
            let held = m.lock().unwrap();
            let m2 = Arc::clone(&m);
            let h = go("waiter", move || {
                let _g = m2.lock();
            });
            h.join();
            drop(held);
        });
    let f = &e.failures[0];
    assert_eq!(f.failure.kind, FailureKind::DEADLOCK);
    assert!(e.exhausted);
    // Every schedule deadlocks; in those where main joins while the waiter has yet to block,
    // the sentinel check sees the waiter able to go on, and shuttle finds the deadlock itself.
    assert_eq!(f.count, e.executions);
    assert!(shuttle_deadlocks() >= 1, "{:?}", f.failure);
}
