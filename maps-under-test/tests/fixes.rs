//! The fixes pass a bounded-exhaustive search (DFS, preemption bound 2) on the workloads that
//! make an unsynchronised GoMap fail, with exact final results and intact invariants.

use maprace_harness::sync::Arc;
use maprace_harness::{fail, go, Engine, Exploration, Explorer, FailureKind, Strategy};
use maprace_maps::{GoMap, MutexMap, RwMutexMap, ShardedMap, SharedMap, SnapshotMap, SyncMap};
use std::collections::BTreeMap;

type Map = Arc<dyn SharedMap<u32, u32>>;
type Make = fn() -> Map;

fn gomap() -> Map {
    Arc::new(GoMap::new())
}
fn mutex() -> Map {
    Arc::new(MutexMap::new())
}
fn rwmutex() -> Map {
    Arc::new(RwMutexMap::new())
}
fn sharded() -> Map {
    Arc::new(ShardedMap::new(2))
}
fn snapshot() -> Map {
    Arc::new(SnapshotMap::new())
}
fn syncmap() -> Map {
    Arc::new(SyncMap::new())
}

const FIXES: [(&str, Make); 5] = [
    ("mutex", mutex),
    ("rwmutex", rwmutex),
    ("sharded", sharded),
    ("snapshot", snapshot),
    ("syncmap", syncmap),
];

fn expect(ok: bool, what: impl FnOnce() -> String) {
    if !ok {
        fail(FailureKind::WRONG_RESULT, what());
    }
}

fn contents(m: &Map) -> BTreeMap<u32, u32> {
    let mut out = BTreeMap::new();
    m.range(&mut |k, v| {
        expect(out.insert(*k, *v).is_none(), || {
            format!("range gave {k} twice")
        });
        true
    });
    out
}

fn finish(m: &Map) {
    if let Err(why) = m.check() {
        fail(FailureKind::MAP_CORRUPTED, why);
    }
}

/// Two writers, one key each and one shared key.
fn two_writers(make: Make) {
    let m = make();
    let hs: Vec<_> = [(1u32, 3u32), (2, 3)]
        .into_iter()
        .map(|(own, shared)| {
            let m = Arc::clone(&m);
            go("", move || {
                m.assign(own, own * 10);
                m.assign(shared, own);
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    let c = contents(&m);
    expect(c.get(&1) == Some(&10) && c.get(&2) == Some(&20), || {
        format!("{c:?}")
    });
    expect(matches!(c.get(&3), Some(1 | 2)), || format!("{c:?}"));
    expect(m.len() == 3, || format!("len {}", m.len()));
    finish(&m);
}

/// A writer against a reader of a key that is there throughout.
fn writer_reader(make: Make) {
    let m = make();
    m.assign(1, 10);
    let w = {
        let m = Arc::clone(&m);
        go("writer", move || {
            m.assign(2, 20);
            m.assign(1, 11);
        })
    };
    let r = {
        let m = Arc::clone(&m);
        go("reader", move || (m.get(&1), m.get(&2)))
    };
    w.join();
    let (one, two) = r.join();
    expect(matches!(one, Some(10 | 11)), || format!("read {one:?}"));
    expect(matches!(two, None | Some(20)), || format!("read {two:?}"));
    finish(&m);
}

/// A writer against a goroutine ranging over the map.
fn writer_ranger(make: Make) {
    let m = make();
    m.assign(1, 10);
    m.assign(2, 20);
    let w = {
        let m = Arc::clone(&m);
        go("writer", move || {
            m.assign(3, 30);
            m.delete(&2);
        })
    };
    let r = {
        let m = Arc::clone(&m);
        go("ranger", move || contents(&m))
    };
    w.join();
    let seen = r.join();
    expect(seen.get(&1) == Some(&10), || format!("ranged {seen:?}"));
    finish(&m);
}

/// Two goroutines doing `m[7]++` twice each.
fn counters(make: Make) {
    let m = make();
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let m = Arc::clone(&m);
            go("", move || {
                for _ in 0..2 {
                    m.update(7, &mut |v| v.copied().unwrap_or(0) + 1);
                }
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    let n = m.get(&7);
    expect(n == Some(4), || format!("lost update: m[7] = {n:?}"));
    finish(&m);
}

/// A workload: a program run against a map made by a [`Make`].
type Workload = fn(Make);

const WORKLOADS: [(&str, Workload); 4] = [
    ("two-writers", two_writers),
    ("writer-reader", writer_reader),
    ("writer-ranger", writer_ranger),
    ("counters", counters),
];

fn explore(map: &str, workload: &str, make: Make, body: Workload) -> Exploration {
    explore_on(Engine::Shuttle, map, workload, make, body)
}

/// The bounded-exhaustive search on `engine`: DFS under shuttle, loom's DPOR under loom, both
/// at preemption bound 2.
fn explore_on(
    engine: Engine,
    map: &str,
    workload: &str,
    make: Make,
    body: Workload,
) -> Exploration {
    Explorer::new(format!("fixes/{map}/{workload}"))
        .engine(engine)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(500_000)
        .run(move || body(make))
}

fn summary(e: &Exploration) -> String {
    let f: Vec<String> = e.failures.iter().map(|f| f.failure.to_string()).collect();
    format!(
        "{} executions, exhausted {}, failures {f:?}",
        e.executions, e.exhausted
    )
}

#[test]
fn every_fix_passes_bounded_exhaustive_search() {
    for (map, make) in FIXES {
        for (workload, body) in WORKLOADS {
            if map == "syncmap" && workload == "counters" {
                continue; // sync.Map has no atomic read-modify-write: see below
            }
            let e = explore(map, workload, make, body);
            println!("{map}/{workload}: {}", summary(&e));
            assert!(e.exhausted, "{map}/{workload}: {}", summary(&e));
            assert!(e.failures.is_empty(), "{map}/{workload}: {}", summary(&e));
        }
    }
}

#[test]
fn the_unsynchronised_map_fails_every_workload() {
    for (workload, body) in WORKLOADS {
        let e = explore("gomap", workload, gomap, body);
        println!("gomap/{workload}: {}", summary(&e));
        assert!(!e.failures.is_empty(), "gomap/{workload}: {}", summary(&e));
        let fatal = e
            .failures
            .iter()
            .any(|f| f.failure.message.starts_with("fatal error: concurrent map"));
        assert!(fatal, "gomap/{workload}: {}", summary(&e));
    }
}

#[test]
fn sync_map_load_then_store_loses_updates() {
    let e = explore("syncmap", "counters", syncmap, counters);
    assert!(e.exhausted);
    // Only lost updates (m[7] ends at 2 or 3), never a crash or corruption.
    assert!(!e.failures.is_empty(), "{}", summary(&e));
    for f in &e.failures {
        assert_eq!(f.failure.kind, FailureKind::WRONG_RESULT, "{}", summary(&e));
        assert!(
            f.failure.message.starts_with("lost update"),
            "{}",
            summary(&e)
        );
    }
}

/// The same verification under the loom engine (`just verify-loom`): every fix exhausts loom's
/// DPOR at preemption bound 2 with no failure, and the unsynchronised map fails every workload.
#[cfg(feature = "loom")]
#[test]
fn every_fix_passes_loom_at_bound_2_and_the_go_map_fails() {
    let loom = || Engine::loom(Some(2));
    for (map, make) in FIXES {
        for (workload, body) in WORKLOADS {
            if map == "syncmap" && workload == "counters" {
                continue;
            }
            let e = explore_on(loom(), map, workload, make, body);
            println!("loom {map}/{workload}: {}", summary(&e));
            assert!(e.exhausted, "loom {map}/{workload}: {}", summary(&e));
            assert!(
                e.failures.is_empty(),
                "loom {map}/{workload}: {}",
                summary(&e)
            );
        }
    }
    for (workload, body) in WORKLOADS {
        let e = explore_on(loom(), "gomap", workload, gomap, body);
        println!("loom gomap/{workload}: {}", summary(&e));
        assert!(
            !e.failures.is_empty(),
            "loom gomap/{workload}: {}",
            summary(&e)
        );
    }
}
