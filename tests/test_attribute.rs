//! `#[maprace::test]` (feature `macros`): a `#[test]` whose body `maprace::Check` explores.

use maprace::sync::atomic::{AtomicUsize, Ordering};
use maprace::sync::Arc;
use maprace::thread;

/// Two threads add one each, with `fetch_add` or (with `racy`) a load and a store.
fn count(racy: bool) {
    let n = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let n = Arc::clone(&n);
            thread::spawn(move || {
                if racy {
                    let v = n.load(Ordering::SeqCst);
                    n.store(v + 1, Ordering::SeqCst);
                } else {
                    n.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(n.load(Ordering::SeqCst), 2, "lost update");
}

#[maprace::test]
fn a_correct_counter_passes() {
    count(false);
    // The body runs inside an exploration, not as a plain test.
    assert!(maprace::harness::in_execution());
}

#[maprace::test(iterations = 2_000, seed = 3, max_steps = 10_000, persist = false)]
#[should_panic(expected = "lost update")]
fn a_racy_counter_fails_with_the_check_message() {
    count(true);
}

/// The attribute keeps the function's attributes and visibility.
mod kept {
    #[maprace::test(iterations = 10)]
    #[ignore = "shows that attributes after the check's are kept"]
    pub fn ignored() {
        panic!("an ignored test does not run");
    }
}
