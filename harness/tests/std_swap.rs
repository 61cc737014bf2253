//! The std-shaped surface: one module written against `std::sync`/`std::thread` compiles
//! unchanged against `maprace_harness::std_shaped`, runs outside an exploration like std, and
//! inside one is explored (a planted bug is found).

/// The code under test, written once against whatever `sync` and `thread` are in scope.
macro_rules! code_under_test {
    () => {
        use sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
        use sync::mpsc;
        use sync::{Arc, Barrier, Condvar, Mutex, Once, OnceLock, RwLock};

        pub struct Cache {
            slots: RwLock<Vec<Option<i32>>>,
            hits: AtomicUsize,
            filled: Mutex<usize>,
            changed: Condvar,
            ready: OnceLock<i32>,
            once: Once,
        }

        impl Cache {
            pub fn new(n: usize) -> Self {
                Cache {
                    slots: RwLock::new(vec![None; n]),
                    hits: AtomicUsize::new(0),
                    filled: Mutex::new(0),
                    changed: Condvar::new(),
                    ready: OnceLock::new(),
                    once: Once::new(),
                }
            }

            pub fn fill(&self, i: usize, v: i32) {
                self.once.call_once(|| {
                    let _ = self.ready.set(v);
                });
                self.slots.write().unwrap()[i] = Some(v);
                *self.filled.lock().unwrap() += 1;
                self.changed.notify_all();
            }

            pub fn get(&self, i: usize) -> Option<i32> {
                let v = self.slots.read().unwrap()[i];
                if v.is_some() {
                    self.hits.fetch_add(1, Ordering::SeqCst);
                }
                v
            }

            pub fn wait_filled(&self, n: usize) {
                let g = self.filled.lock().unwrap();
                let g = self.changed.wait_while(g, |f| *f < n).unwrap();
                drop(g);
            }
        }

        /// Fills a cache from two threads and reads it back; with `racy`, a check-then-act
        /// flag lets both threads claim the same slot (the planted bug).
        pub fn workload(racy: bool) -> usize {
            let cache = Arc::new(Cache::new(2));
            let claimed = Arc::new(AtomicBool::new(false));
            let barrier = Arc::new(Barrier::new(2));
            let (tx, rx) = mpsc::channel();
            let counter = Arc::new(AtomicI32::new(0));
            let hs: Vec<_> = (0..2)
                .map(|t| {
                    let (cache, claimed, barrier, tx, counter) = (
                        Arc::clone(&cache),
                        Arc::clone(&claimed),
                        Arc::clone(&barrier),
                        tx.clone(),
                        Arc::clone(&counter),
                    );
                    thread::Builder::new()
                        .name(format!("filler{t}"))
                        .spawn(move || {
                            let slot = if racy {
                                let free = !claimed.load(Ordering::SeqCst);
                                thread::yield_now();
                                claimed.store(true, Ordering::SeqCst);
                                if free {
                                    0
                                } else {
                                    1
                                }
                            } else if claimed
                                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                                .is_ok()
                            {
                                0
                            } else {
                                1
                            };
                            cache.fill(slot, t);
                            counter
                                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |c| Some(c + 1))
                                .unwrap();
                            barrier.wait();
                            tx.send(slot).unwrap();
                        })
                        .unwrap()
                })
                .collect();
            drop(tx);
            cache.wait_filled(2);
            let mut slots: Vec<usize> = rx.iter().collect();
            for h in hs {
                h.join().unwrap();
            }
            slots.sort();
            assert_eq!(slots, [0, 1], "two threads claimed one slot");
            assert_eq!(counter.load(Ordering::SeqCst), 2);
            assert!(cache.get(0).is_some() && cache.get(1).is_some());
            cache.hits.load(Ordering::SeqCst)
        }
    };
}

mod on_std {
    use std::sync;
    use std::thread;
    code_under_test!();
}

mod on_maprace {
    use maprace_harness::std_shaped::sync;
    use maprace_harness::std_shaped::thread;
    code_under_test!();
}

use maprace_harness::check::Check;
use maprace_harness::Strategy;

#[test]
fn the_same_code_runs_on_std() {
    assert_eq!(on_std::workload(false), 2);
}

#[test]
fn outside_an_exploration_the_primitives_are_std() {
    // No exploration is running: every value takes std's backend.
    assert_eq!(on_maprace::workload(false), 2);
}

#[test]
fn inside_an_exploration_the_correct_version_passes_every_schedule_tried() {
    Check::new()
        .identity("std-swap/correct")
        .persist(false)
        .iterations(300)
        .run(|| {
            on_maprace::workload(false);
        });
}

#[test]
fn inside_an_exploration_the_planted_bug_is_found() {
    let failure = Check::new()
        .identity("std-swap/racy")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(2_000)
        .try_run(|| {
            on_maprace::workload(true);
        })
        .expect_err("the check-then-act race is found");
    assert!(
        failure.to_string().contains("two threads claimed one slot"),
        "{failure}"
    );
    // Thread names given to the builder are goroutine names.
    assert!(failure
        .found
        .trace
        .goroutines
        .iter()
        .any(|g| g == "filler0"));
}

#[test]
fn named_mutexes_say_which_in_traces() {
    use maprace_harness::std_shaped::sync::Mutex;
    let failure = Check::new()
        .identity("std-swap/named")
        .persist(false)
        .iterations(1)
        .try_run(|| {
            let m = Mutex::named("stripe[2]", 0);
            *m.lock().unwrap() += 1;
            panic!("stop");
        })
        .expect_err("the body panics");
    let text = failure.to_string();
    assert!(text.contains("mutex: lock  \"stripe[2]\""), "{text}");
}

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
        static ALONE: Barrier = Barrier::new(1);

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
            ALONE.wait();
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
            let hs: Vec<_> = (0..2)
                .map(|_| thread::spawn(move || issue(racy)))
                .collect();
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
    assert!(text.contains("two threads were issued the same id"), "{text}");
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

/// Scoped threads that borrow from the caller, written once against whatever `sync` and
/// `thread` are in scope.
macro_rules! scoped_under_test {
    () => {
        use sync::atomic::{AtomicUsize, Ordering};
        use sync::Mutex;

        /// Sums `parts` in two scoped threads that borrow them; with `racy`, each adds its half
        /// to the total with a load and a store (the planted bug: a half can be lost).
        pub fn sum(parts: &[usize], racy: bool) -> usize {
            let total = AtomicUsize::new(0);
            let finished = Mutex::new(Vec::new());
            let (a, b) = parts.split_at(parts.len() / 2);
            let first = thread::scope(|s| {
                let mut hs = [a, b].into_iter().enumerate().map(|(i, half)| {
                    let (total, finished) = (&total, &finished);
                    thread::Builder::new()
                        .name(format!("half{i}"))
                        .spawn_scoped(s, move || {
                            let part: usize = half.iter().sum();
                            if racy {
                                let t = total.load(Ordering::SeqCst);
                                thread::yield_now();
                                total.store(t + part, Ordering::SeqCst);
                            } else {
                                total.fetch_add(part, Ordering::SeqCst);
                            }
                            finished.lock().unwrap().push(i);
                            part
                        })
                        .unwrap()
                });
                let first = hs.next().unwrap();
                // The second thread is spawned, and its handle dropped: the scope joins it.
                drop(hs.next());
                first.join().unwrap()
            });
            assert_eq!(first, a.iter().sum::<usize>());
            assert_eq!(
                finished.into_inner().unwrap().len(),
                2,
                "the scope returned before its threads finished"
            );
            let sum = total.load(Ordering::SeqCst);
            assert_eq!(sum, parts.iter().sum::<usize>(), "a half was lost");
            sum
        }
    };
}

mod scoped_on_std {
    use std::sync;
    use std::thread;
    scoped_under_test!();
}

mod scoped_on_maprace {
    use maprace_harness::std_shaped::sync;
    use maprace_harness::std_shaped::thread;
    scoped_under_test!();
}

#[test]
fn scoped_threads_run_on_std() {
    assert_eq!(scoped_on_std::sum(&[1, 2, 3, 4], false), 10);
}

#[test]
fn scoped_threads_outside_an_exploration_are_std() {
    assert_eq!(scoped_on_maprace::sum(&[1, 2, 3, 4], false), 10);
}

#[test]
fn scoped_threads_inside_an_exploration_are_goroutines() {
    let exploration = Check::new()
        .identity("std-swap/scoped")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(300)
        .try_run(|| {
            // Borrowed from this execution's stack.
            let parts = vec![1, 2, 3, 4];
            scoped_on_maprace::sum(&parts, false);
        })
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(exploration.executions, 300);
}

#[test]
fn a_bug_between_scoped_threads_is_found() {
    let failure = Check::new()
        .identity("std-swap/scoped-racy")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(2_000)
        .try_run(|| {
            let parts = vec![1, 2, 3, 4];
            scoped_on_maprace::sum(&parts, true);
        })
        .expect_err("the lost update is found");
    let text = failure.to_string();
    assert!(text.contains("a half was lost"), "{text}");
    // Builder names are goroutine names for scoped threads too.
    assert!(failure.found.trace.goroutines.iter().any(|g| g == "half1"));
}
