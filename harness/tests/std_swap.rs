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

/// Compiles only if the std-shaped types are `Send` and `Sync` where std's are.
#[test]
fn send_and_sync_as_std() {
    use maprace_harness::std_shaped::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64};
    use maprace_harness::std_shaped::sync::{
        Barrier, Condvar, LazyLock, Mutex, MutexGuard, Once, OnceLock, RwLock, RwLockReadGuard,
        RwLockWriteGuard,
    };
    use maprace_harness::std_shaped::thread::{Scope, ScopedJoinHandle};
    fn send_sync<T: Send + Sync>() {}
    fn sync<T: Sync>() {}
    send_sync::<Mutex<u32>>();
    send_sync::<RwLock<u32>>();
    send_sync::<Condvar>();
    send_sync::<Barrier>();
    send_sync::<Once>();
    send_sync::<OnceLock<u32>>();
    send_sync::<LazyLock<u32>>();
    send_sync::<AtomicBool>();
    send_sync::<AtomicU64>();
    send_sync::<AtomicPtr<u32>>();
    send_sync::<Scope<'static, 'static>>();
    send_sync::<ScopedJoinHandle<'static, u32>>();
    sync::<MutexGuard<'static, u32>>();
    sync::<RwLockReadGuard<'static, u32>>();
    sync::<RwLockWriteGuard<'static, u32>>();
}

/// A lock-free stack's push, on `AtomicPtr`: two threads push a node each.
fn push_two(racy: bool) -> Vec<u32> {
    use maprace_harness::std_shaped::sync::atomic::{AtomicPtr, Ordering};
    use maprace_harness::std_shaped::sync::Arc;
    use maprace_harness::std_shaped::thread;
    struct Node {
        value: u32,
        next: *mut Node,
    }
    let head = Arc::new(AtomicPtr::<Node>::new(std::ptr::null_mut()));
    let hs: Vec<_> = (1..=2)
        .map(|value| {
            let head = Arc::clone(&head);
            thread::spawn(move || {
                let node = Box::into_raw(Box::new(Node {
                    value,
                    next: std::ptr::null_mut(),
                }));
                if racy {
                    // The planted bug: a load and a store stand for the compare-exchange.
                    // SAFETY: `node` is ours until it is published.
                    unsafe { (*node).next = head.load(Ordering::Acquire) };
                    head.store(node, Ordering::Release);
                    return;
                }
                let mut next = head.load(Ordering::Relaxed);
                loop {
                    // SAFETY: as above.
                    unsafe { (*node).next = next };
                    match head.compare_exchange_weak(
                        next,
                        node,
                        Ordering::Release,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => break,
                        Err(now) => next = now,
                    }
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    let mut values = Vec::new();
    let mut p = head.swap(std::ptr::null_mut(), Ordering::Acquire);
    while !p.is_null() {
        // SAFETY: every node was made by `Box::into_raw` and is reachable once.
        let node = unsafe { Box::from_raw(p) };
        values.push(node.value);
        p = node.next;
    }
    values.sort();
    values
}

#[test]
fn atomic_ptr_outside_an_exploration_is_std() {
    assert_eq!(push_two(false), [1, 2]);
}

#[test]
fn atomic_ptr_inside_an_exploration_shows_numbers_not_addresses() {
    Check::new()
        .identity("std-swap/ptr")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(300)
        .run(|| assert_eq!(push_two(false), [1, 2]));
    let failure = Check::new()
        .identity("std-swap/ptr-racy")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(2_000)
        .try_run(|| assert_eq!(push_two(true), [1, 2], "a push was lost"))
        .expect_err("the lost push is found");
    let text = failure.to_string();
    assert!(text.contains("a push was lost"), "{text}");
    // Pointers are numbered in the order the execution first stored them.
    assert!(text.contains("atomic: store  1"), "{text}");
    assert!(text.contains("atomic: store  2"), "{text}");
}
