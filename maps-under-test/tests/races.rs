//! The Go map model under the harness: the races Go's runtime reports are found with Go's
//! messages, the ones it misses corrupt the map, and replaying a token gives the same failure.

use maprace_harness::sync::Arc;
use maprace_harness::{go, Exploration, Explorer, FailureKind, Strategy};
use maprace_maps::{GoMap, SharedMap};

/// These tests are about what Go's runtime checks report on their own, so the race detector
/// (which would report every one of these races first, as `go test -race` does) is off.
fn dfs(name: &str, bound: u32) -> Explorer {
    Explorer::new(name)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(bound),
        })
        .iterations(200_000)
        .race_detection(false)
}

fn kinds(e: &Exploration) -> Vec<String> {
    e.failures
        .iter()
        .map(|f| f.failure.kind.as_str().to_string())
        .collect()
}

fn has(e: &Exploration, kind: &FailureKind) -> bool {
    e.failures.iter().any(|f| &f.failure.kind == kind)
}

/// Two goroutines each `m[k] = v` on a shared map; main checks both keys after the joins.
fn two_writers() {
    let m = Arc::new(GoMap::<u32, u32>::new());
    let hs: Vec<_> = (1..=2u32)
        .map(|k| {
            let m = Arc::clone(&m);
            go("", move || m.assign(k, k * 10))
        })
        .collect();
    for h in hs {
        h.join();
    }
    m.assert_invariants();
}

#[test]
fn two_writers_fail_with_concurrent_map_writes() {
    let e = dfs("maps/two-writers", 2).run(two_writers);
    assert!(e.exhausted, "{} executions", e.executions);
    let f = e
        .failures
        .iter()
        .find(|f| f.failure.kind == FailureKind::CONCURRENT_MAP_WRITES)
        .unwrap_or_else(|| panic!("not found; failures: {:?}", kinds(&e)));
    assert_eq!(f.failure.message, "fatal error: concurrent map writes");
    // The trace shows the map's state at the model's points.
    let ev = f
        .trace
        .events
        .iter()
        .find(|ev| ev.kind == "assign" && ev.label == "hashWriting toggled")
        .expect("the trace has the flag toggle");
    let state = ev.state.as_ref().expect("map points carry a state");
    assert!(state.get("flags").unwrap().contains("hashWriting"));
    assert!(state.get("B").is_some() && state.get("noverflow").is_some());
    // The token replays the same failure, with the same trace.
    let r = dfs("maps/two-writers", 2)
        .replay(&f.token, two_writers)
        .expect("token replays");
    assert_eq!(r.failure.as_ref(), Some(&f.failure));
    assert_eq!(r.trace_hash, f.trace_hash);
}

#[test]
fn writer_against_reader_fails_with_read_and_write() {
    let e = dfs("maps/writer-reader", 2).run(|| {
        let m = Arc::new(GoMap::<u32, u32>::new());
        m.assign(1, 10); // a reader of an empty map returns before its check
        let w = {
            let m = Arc::clone(&m);
            go("writer", move || m.assign(2, 20))
        };
        let r = {
            let m = Arc::clone(&m);
            go("reader", move || m.get(&1))
        };
        w.join();
        assert_eq!(r.join(), Some(10));
    });
    assert!(e.exhausted);
    assert!(
        has(&e, &FailureKind::CONCURRENT_MAP_READ_AND_WRITE),
        "{:?}",
        kinds(&e)
    );
    let f = &e.failures[0];
    assert_eq!(
        f.failure.goroutine, "reader",
        "only readers check for a writer"
    );
    assert_eq!(
        f.failure.message,
        "fatal error: concurrent map read and map write"
    );
}

fn empty_reader() {
    let m = Arc::new(GoMap::<u32, u32>::new());
    let w = {
        let m = Arc::clone(&m);
        go("writer", move || m.delete(&1))
    };
    let r = {
        let m = Arc::clone(&m);
        go("reader", move || m.get(&1))
    };
    w.join();
    assert_eq!(r.join(), None);
}

#[test]
fn reader_of_an_empty_map_never_checks() {
    let e = dfs("maps/empty-reader", 2).run(empty_reader);
    assert!(e.exhausted && e.failures.is_empty(), "{:?}", kinds(&e));
    // Go's `-race` instruments `mapaccess` before its empty-map return: the race is reported.
    let raced = dfs("maps/empty-reader", 2)
        .race_detection(true)
        .run(empty_reader);
    assert_eq!(kinds(&raced), ["data-race"]);
}

#[test]
fn writer_against_iterator_fails_with_iteration_and_write() {
    let e = dfs("maps/writer-iterator", 2).run(|| {
        let m = Arc::new(GoMap::<u32, u32>::new());
        m.assign(1, 10);
        m.assign(2, 20);
        let w = {
            let m = Arc::clone(&m);
            go("writer", move || m.assign(3, 30))
        };
        let it = {
            let m = Arc::clone(&m);
            go("ranger", move || m.iter().count())
        };
        w.join();
        let n = it.join();
        assert!((2..=3).contains(&n), "saw {n} keys");
    });
    assert!(e.exhausted);
    let f = e
        .failures
        .iter()
        .find(|f| f.failure.kind == FailureKind::CONCURRENT_MAP_ITERATION_AND_WRITE)
        .unwrap_or_else(|| panic!("{:?}", kinds(&e)));
    assert_eq!(f.failure.goroutine, "ranger");
}

/// Two writers of distinct keys that land in the same bucket.
fn same_bucket_writers() {
    let m = Arc::new(GoMap::<u32, u32>::with_hash_fn(|k, _| u64::from(*k) << 56));
    let hs: Vec<_> = (1..=2u32)
        .map(|k| {
            let m = Arc::clone(&m);
            go("", move || m.assign(k + 10, k))
        })
        .collect();
    for h in hs {
        h.join();
    }
    m.assert_invariants();
}

#[test]
fn writers_that_slip_past_the_checks_corrupt_the_map() {
    // Both writers load the flags before either stores its toggle, both scan the bucket
    // before either inserts, and both pass the exit check before either clears the bit: three
    // preemptions. Go prints nothing; the map has lost a key or an increment of its count.
    let e = dfs("maps/silent-corruption", 3).run(same_bucket_writers);
    assert!(e.exhausted);
    assert!(
        has(&e, &FailureKind::CONCURRENT_MAP_WRITES),
        "{:?}",
        kinds(&e)
    );
    // The first corruption found (the exploration keeps one failure per kind): a lost key
    // (both inserted into one cell) or a lost `count++` (both loaded the same count, map.go
    // 682 is a plain load and store).
    let f = e
        .failures
        .iter()
        .find(|f| f.failure.kind == FailureKind::MAP_CORRUPTED)
        .unwrap_or_else(|| panic!("no corruption found: {:?}", kinds(&e)));
    assert!(
        [
            "count is 2 but 1 cells are live",
            "count is 1 but 2 cells are live"
        ]
        .iter()
        .any(|m| f.failure.message.contains(m)),
        "{}",
        f.failure.message
    );
    // Both writers got through the whole protocol: each passed its exit check.
    let mut passed: Vec<&str> = f
        .trace
        .events
        .iter()
        .filter(|ev| ev.kind == "assign" && ev.label == "exit check passed")
        .map(|ev| ev.goroutine.as_str())
        .collect();
    passed.sort();
    assert_eq!(passed, ["G1", "G2"], "{}", f.trace.canonical_text());
    // Replaying the token corrupts the map again.
    let r = dfs("maps/silent-corruption", 3)
        .replay(&f.token, same_bucket_writers)
        .unwrap();
    assert_eq!(r.failure.unwrap().kind, FailureKind::MAP_CORRUPTED);
}

#[test]
fn lost_update_on_an_existing_key_is_never_detected() {
    // `m[k]++` from two goroutines: the value is loaded and stored after mapassign returns,
    // outside the window, so Go never reports it; the count comes out wrong instead.
    let e = dfs("maps/lost-update", 2).run(|| {
        let m = Arc::new(GoMap::<u32, u32>::new());
        m.assign(7, 0);
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let m = Arc::clone(&m);
                go("", move || {
                    SharedMap::update(&*m, 7, &mut |v| v.copied().unwrap_or(0) + 1)
                })
            })
            .collect();
        for h in hs {
            h.join();
        }
        m.assert_invariants();
        if m.get(&7) != Some(2) {
            maprace_harness::fail(FailureKind::WRONG_RESULT, "lost update");
        }
    });
    assert!(e.exhausted);
    assert!(has(&e, &FailureKind::WRONG_RESULT), "{:?}", kinds(&e));
    assert!(
        has(&e, &FailureKind::CONCURRENT_MAP_WRITES),
        "{:?}",
        kinds(&e)
    );
}
