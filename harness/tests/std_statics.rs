//! The swap for `static`s: a module with `static` std-shaped primitives (`const fn new`)
//! compiles against std and against maprace, runs outside an exploration like std, starts every
//! execution afresh (under shuttle, and under loom with the `loom` feature), and a planted bug
//! between its statics is found.

use maprace_harness::check::Check;
use maprace_harness::Strategy;

/// Code with `static` primitives, written once against whatever `sync` and `thread` are in
/// scope (each expansion has its own statics, so tests running in parallel share none).
macro_rules! statics_under_test {
    () => {
        use std::ptr;
        use sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
        use sync::{Barrier, Condvar, LazyLock, Mutex, Once, OnceLock, RwLock};

        static NEXT_ID: AtomicUsize = AtomicUsize::new(1);
        static STARTED: Once = Once::new();
        static STARTS: AtomicUsize = AtomicUsize::new(0);
        static STEP: OnceLock<usize> = OnceLock::new();
        static ISSUED: LazyLock<Mutex<Vec<usize>>> = LazyLock::new(|| Mutex::new(Vec::new()));
        static LAST: AtomicPtr<usize> = AtomicPtr::new(ptr::null_mut());
        static TOTAL: RwLock<usize> = RwLock::new(0);
        static DONE: Mutex<usize> = Mutex::new(0);
        static ALL_DONE: Condvar = Condvar::new();
        static BOTH: Barrier = Barrier::new(2);

        /// Issues an id; with `racy`, a load and a store stand for the increment (the planted
        /// bug: two threads can be issued the same id).
        fn issue(racy: bool) {
            STARTED.call_once(|| {
                STARTS.fetch_add(1, Ordering::SeqCst);
            });
            let step = *STEP.get_or_init(|| 1);
            let id = if racy {
                let id = NEXT_ID.load(Ordering::SeqCst);
                thread::yield_now();
                NEXT_ID.store(id + step, Ordering::SeqCst);
                id
            } else {
                NEXT_ID.fetch_add(step, Ordering::SeqCst)
            };
            ISSUED.lock().unwrap().push(id);
            *TOTAL.write().unwrap() += id;
            let old = LAST.swap(Box::into_raw(Box::new(id)), Ordering::SeqCst);
            if !old.is_null() {
                // SAFETY: every pointer stored in LAST came from `Box::into_raw`, once.
                drop(unsafe { Box::from_raw(old) });
            }
            BOTH.wait();
            *DONE.lock().unwrap() += 1;
            ALL_DONE.notify_all();
        }

        /// Two threads are issued an id each. Every static but the locks' data must be as it
        /// was made: outside, because this runs once per expansion; inside an exploration,
        /// because every execution starts afresh.
        pub fn run(racy: bool) -> Vec<usize> {
            // A lock's data lives across executions, as any static's across tests: reset it.
            *DONE.lock().unwrap() = 0;
            *TOTAL.write().unwrap() = 0;
            assert_eq!(NEXT_ID.load(Ordering::SeqCst), 1, "NEXT_ID carried over");
            assert!(!STARTED.is_completed(), "STARTED carried over");
            assert_eq!(STEP.get(), None, "STEP carried over");
            assert!(ISSUED.lock().unwrap().is_empty(), "ISSUED carried over");
            assert!(LAST.load(Ordering::SeqCst).is_null(), "LAST carried over");
            let hs: Vec<_> = (0..2).map(|_| thread::spawn(move || issue(racy))).collect();
            let done = ALL_DONE
                .wait_while(DONE.lock().unwrap(), |d| *d < 2)
                .unwrap();
            drop(done);
            for h in hs {
                h.join().unwrap();
            }
            let mut ids = ISSUED.lock().unwrap().clone();
            ids.sort();
            assert_eq!(ids, [1, 2], "two threads were issued the same id");
            assert_eq!(*TOTAL.read().unwrap(), 3);
            assert_eq!(STARTS.load(Ordering::SeqCst), 1);
            // SAFETY: both threads are done; the last box stored is still live.
            assert!(matches!(unsafe { *LAST.load(Ordering::SeqCst) }, 1 | 2));
            ids
        }
    };
}

mod statics_on_std {
    use std::sync;
    use std::thread;
    statics_under_test!();
}

mod statics_outside {
    use maprace_harness::std_shaped::sync;
    use maprace_harness::std_shaped::thread;
    statics_under_test!();
}

mod statics_inside {
    use maprace_harness::std_shaped::sync;
    use maprace_harness::std_shaped::thread;
    statics_under_test!();
}

mod statics_racy {
    use maprace_harness::std_shaped::sync;
    use maprace_harness::std_shaped::thread;
    statics_under_test!();
}

#[test]
fn statics_run_on_std() {
    assert_eq!(statics_on_std::run(false), [1, 2]);
}

#[test]
fn statics_outside_an_exploration_are_std() {
    assert_eq!(statics_outside::run(false), [1, 2]);
}

#[test]
fn statics_start_every_execution_afresh() {
    // Each execution asserts that the statics are as made; the second would fail if the first
    // left anything behind (and shuttle's objects of an ended execution would panic).
    let exploration = Check::new()
        .identity("std-swap/statics")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(300)
        .try_run(|| {
            statics_inside::run(false);
        })
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(exploration.executions, 300);
}

#[test]
fn a_bug_between_statics_is_found() {
    let failure = Check::new()
        .identity("std-swap/statics-racy")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(2_000)
        .try_run(|| {
            statics_racy::run(true);
        })
        .expect_err("the lost increment is found");
    let text = failure.to_string();
    assert!(
        text.contains("two threads were issued the same id"),
        "{text}"
    );
}

#[cfg(feature = "loom")]
mod under_loom {
    use maprace_harness::{Engine, Explorer};

    mod statics_inside {
        use maprace_harness::std_shaped::sync;
        use maprace_harness::std_shaped::thread;
        statics_under_test!();
    }

    mod statics_racy {
        use maprace_harness::std_shaped::sync;
        use maprace_harness::std_shaped::thread;
        statics_under_test!();
    }

    #[test]
    fn statics_start_every_loom_execution_afresh() {
        let e = Explorer::new("std-swap/statics-loom")
            .engine(Engine::loom(None))
            .iterations(200)
            .run(|| {
                statics_inside::run(false);
            });
        assert!(e.failures.is_empty(), "{:?}", e.failures);
        assert!(e.executions > 1, "loom ran {} executions", e.executions);
    }

    #[test]
    fn a_bug_between_statics_is_found_under_loom() {
        let e = Explorer::new("std-swap/statics-racy-loom")
            .engine(Engine::loom(None))
            .iterations(2_000)
            .run(|| {
                statics_racy::run(true);
            });
        let messages: Vec<_> = e.failures.iter().map(|f| &f.failure.message).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("two threads were issued the same id")),
            "{messages:?}"
        );
    }
}

/// Statics with no lock data, so explorations on several threads may share them.
mod shared_by_threads {
    use maprace_harness::std_shaped::sync::atomic::{AtomicUsize, Ordering};
    use maprace_harness::std_shaped::sync::{Arc, Once, OnceLock};
    use maprace_harness::std_shaped::thread;

    static HITS: AtomicUsize = AtomicUsize::new(0);
    static INIT: Once = Once::new();
    static INITS: AtomicUsize = AtomicUsize::new(0);
    static LIMIT: OnceLock<usize> = OnceLock::new();

    pub fn run() {
        assert_eq!(HITS.load(Ordering::SeqCst), 0, "HITS carried over");
        let done = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let done = Arc::clone(&done);
                thread::spawn(move || {
                    INIT.call_once(|| {
                        INITS.fetch_add(1, Ordering::SeqCst);
                    });
                    let limit = *LIMIT.get_or_init(|| 2);
                    assert!(HITS.fetch_add(1, Ordering::SeqCst) < limit);
                    done.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(HITS.load(Ordering::SeqCst), 2);
        assert_eq!(INITS.load(Ordering::SeqCst), 1, "INIT ran twice");
        assert_eq!(done.load(Ordering::SeqCst), 2);
    }
}

#[test]
#[ignore = "hangs in about one run of six (two explorations on two threads sharing Once/OnceLock statics); cause not yet found, see docs/dev-dependency.md"]
fn explorations_on_several_threads_share_statics() {
    // Each thread's executions overwrite the statics' tags; the others find their twins again
    // by address. Any leak between executions or threads fails an assertion in `run`.
    let explore = |name: &'static str| {
        std::thread::spawn(move || {
            Check::new()
                .identity(name)
                .persist(false)
                .strategy(Strategy::Random)
                .iterations(500)
                .try_run(shared_by_threads::run)
                .map(|e| e.executions)
                .map_err(|f| f.to_string())
        })
    };
    let hs = [explore("std-statics/a"), explore("std-statics/b")];
    for h in hs {
        assert_eq!(h.join().unwrap(), Ok(500));
    }
}
