//! The model's finer steps (issue 14) reach the crashes Go 1.19 prints, and only where Go can
//! print them: two writers inside a grow throw `bad map state` or fault; a lookup racing a
//! string insert faults in `memeqbody`; a lone writer never gives `concurrent map writes`,
//! `bad map state` or `oldoverflow is not nil`; a correctly locked map never fails at all.

use maprace_harness::sync::{Arc, Mutex};
use maprace_harness::{go, Exploration, Explorer, Strategy};
use maprace_maps::GoMap;
use std::collections::BTreeSet;

fn random(name: &str, iterations: u64) -> Explorer {
    Explorer::new(name)
        .strategy(Strategy::Random)
        .iterations(iterations)
}

fn kinds(e: &Exploration) -> BTreeSet<String> {
    e.failures
        .iter()
        .map(|f| f.failure.kind.as_str().to_string())
        .collect()
}

/// 26 keys (B = 2, one insert below the grow), then two writers insert two keys each: the
/// grow and its evacuation happen inside their windows.
fn writers_in_a_grow() {
    let m = Arc::new(GoMap::<u64, u64>::new());
    for k in 0..26 {
        m.assign(k, k);
    }
    let hs: Vec<_> = (0..2u64)
        .map(|w| {
            let m = Arc::clone(&m);
            go("writer", move || {
                for i in 0..2 {
                    m.assign(100 + w * 10 + i, i);
                }
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    m.assert_invariants();
}

#[test]
fn two_writers_evacuating_one_bucket_throw_bad_map_state() {
    let e = random("maps/bad-map-state", 3_000).run(writers_in_a_grow);
    let found = kinds(&e);
    assert!(found.contains("bad-map-state"), "{found:?}");
    let f = e
        .failures
        .iter()
        .find(|f| f.failure.kind.as_str() == "bad-map-state")
        .unwrap();
    assert_eq!(f.failure.message, "fatal error: bad map state");
    // The thrower met marks written by the other writer's evacuation of the same bucket.
    let evacuating: BTreeSet<&str> = f
        .trace
        .events
        .iter()
        .filter(|ev| ev.kind == "evacuate" && ev.label == "old bucket not evacuated yet")
        .map(|ev| ev.goroutine.as_str())
        .filter(|g| *g != "main")
        .collect();
    assert_eq!(evacuating.len(), 2, "{}", f.trace.canonical_text());
}

/// A writer inserting string keys of the same length as the key a reader looks up.
fn lookup_against_string_insert() {
    let m = Arc::new(GoMap::<String, u64>::new());
    m.assign("k0".to_string(), 0);
    let w = {
        let m = Arc::clone(&m);
        go("writer", move || m.assign("k1".to_string(), 1))
    };
    let r = {
        let m = Arc::clone(&m);
        go("reader", move || m.get(&"k2".to_string()))
    };
    w.join();
    let _ = r.join();
}

#[test]
fn a_lookup_meeting_a_half_written_string_key_faults() {
    let e = Explorer::new("maps/torn-key")
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(100_000)
        .run(lookup_against_string_insert);
    assert!(e.exhausted);
    let f = e
        .failures
        .iter()
        .find(|f| f.failure.kind.as_str() == "fault")
        .unwrap_or_else(|| panic!("{:?}", kinds(&e)));
    assert_eq!(f.failure.goroutine, "reader");
    assert!(f
        .failure
        .message
        .starts_with("panic: runtime error: invalid memory address or nil pointer dereference"));
}

/// One writer growing a map through several grows while a reader looks keys up and an
/// iterator ranges.
fn lone_writer(locked: bool) {
    let m = Arc::new(GoMap::<u64, u64>::new());
    let mu = Arc::new(Mutex::new(()));
    let w = {
        let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
        go("writer", move || {
            for k in 0..30 {
                let _g = locked.then(|| mu.lock());
                m.assign(k, k);
            }
        })
    };
    let r = {
        let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
        go("reader", move || {
            for k in [3, 13, 29] {
                let _g = locked.then(|| mu.lock());
                let _ = m.get(&k);
            }
        })
    };
    let it = {
        let (m, mu) = (Arc::clone(&m), Arc::clone(&mu));
        go("ranger", move || {
            let _g = locked.then(|| mu.lock());
            m.iter().count()
        })
    };
    w.join();
    r.join();
    let _ = it.join();
    m.assert_invariants();
}

#[test]
fn a_lone_writer_never_gives_concurrent_map_writes_or_bad_map_state() {
    let e = random("maps/lone-writer", 3_000).run(|| lone_writer(false));
    let found = kinds(&e);
    assert!(
        !found.is_empty(),
        "the reader and the iterator race the writer"
    );
    for never in [
        "concurrent-map-writes",
        "bad-map-state",
        "oldoverflow-is-not-nil",
        "map-corrupted",
    ] {
        assert!(!found.contains(never), "{never} in {found:?}");
    }
}

#[test]
fn a_correctly_locked_map_never_fails() {
    let e = random("maps/locked", 3_000).run(|| lone_writer(true));
    assert!(e.failures.is_empty(), "{:?}", kinds(&e));
}

/// 27 keys: insert 27 started the B = 2 -> 3 grow and left it running. One goroutine ranges
/// (its iterator starts during the grow, so it walks old buckets) while a lone writer inserts
/// more keys, which finish the grow.
fn iterator_during_a_grow() {
    let m = Arc::new(GoMap::<u64, u64>::new());
    for k in 0..27 {
        m.assign(k, k);
    }
    assert!(m.internals().growing);
    let it = {
        let m = Arc::clone(&m);
        go("ranger", move || m.iter().count())
    };
    let w = {
        let m = Arc::clone(&m);
        go("writer", move || {
            for k in 27..40 {
                m.assign(k, k);
            }
        })
    };
    let _ = it.join();
    w.join();
}

#[test]
fn an_iterator_racing_the_end_of_a_grow_faults() {
    let e = Explorer::new("maps/iterator-fault")
        .strategy(Strategy::Dfs {
            preemption_bound: Some(1),
        })
        .iterations(100_000)
        .run(iterator_during_a_grow);
    let f = e
        .failures
        .iter()
        .find(|f| f.failure.kind.as_str() == "fault")
        .unwrap_or_else(|| panic!("{:?}", kinds(&e)));
    assert_eq!(f.failure.goroutine, "ranger");
    // The ranger read `growing` before the writer finished the grow, and loaded
    // `oldbuckets` after.
    let texts = f.trace.canonical_text();
    assert!(texts.contains("growing read, before oldbuckets"), "{texts}");
}
