//! The swap for scoped threads: code using `thread::scope` compiles against std and against
//! maprace, runs outside an exploration like std, and inside one its scoped threads are
//! goroutines (a planted bug between them is found, under shuttle and under loom).

use maprace_harness::check::Check;
use maprace_harness::Strategy;

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

#[test]
fn a_scope_whose_function_panics_fails_the_execution() {
    use maprace_harness::std_shaped::sync::Mutex;
    use maprace_harness::std_shaped::thread;
    let failure = Check::new()
        .identity("std-swap/scope-panics")
        .persist(false)
        .strategy(Strategy::Random)
        .iterations(200)
        .try_run(|| {
            let log = Mutex::new(Vec::new());
            thread::scope(|s| {
                s.spawn(|| log.lock().unwrap().push("worker"));
                panic!("the scope's function failed");
            });
        })
        .expect_err("the panic is the failure");
    assert!(
        failure.to_string().contains("the scope's function failed"),
        "{failure}"
    );
}

#[cfg(feature = "loom")]
mod under_loom {
    use maprace_harness::{Engine, Explorer};

    #[test]
    fn scoped_threads_under_loom() {
        let e = Explorer::new("std-swap/scoped-loom")
            .engine(Engine::loom(None))
            .iterations(500)
            .run(|| {
                let parts = vec![1, 2, 3, 4];
                super::scoped_on_maprace::sum(&parts, true);
            });
        let messages: Vec<_> = e.failures.iter().map(|f| &f.failure.message).collect();
        assert!(
            messages.iter().any(|m| m.contains("a half was lost")),
            "{messages:?}"
        );
    }
}
