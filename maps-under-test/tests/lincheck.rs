//! Linearizability of every map under test, with generated scenarios and no hand-written
//! assertion: the fixes pass, the raw Go map dies of its runtime check, and the documented
//! non-atomic operations (sync.Map's load-then-store update, ShardedMap's shard-by-shard len)
//! are caught.

use maprace_harness::lincheck::{Lincheck, Operations, Scenario};
use maprace_harness::Strategy;
use maprace_maps::lincheck::{MapOp, MapOpKind, MapSpec};
use maprace_maps::{GoMap, MutexMap, RwMutexMap, ShardedMap, SnapshotMap, SyncMap};

/// The default settings, with fewer scenarios: CI runs these on two cores.
fn quick<S: Operations>(spec: S) -> Lincheck<S> {
    Lincheck::new(spec).scenarios(25).iterations(200)
}

#[test]
fn mutex_map_is_linearizable() {
    quick(MapSpec::new("mutex-map", MutexMap::<u8, u8>::new)).check();
}

#[test]
fn rwmutex_map_is_linearizable() {
    quick(MapSpec::new("rwmutex-map", RwMutexMap::<u8, u8>::new)).check();
}

#[test]
fn snapshot_map_is_linearizable() {
    quick(MapSpec::new("snapshot-map", SnapshotMap::<u8, u8>::new)).check();
}

/// Per-key operations only: `len` and `range` visit the shards one at a time, each under its own
/// lock, so they are no snapshot (see `sharded_len_is_not_a_snapshot`).
#[test]
fn sharded_map_is_linearizable_per_key() {
    quick(MapSpec::new("sharded-map", || ShardedMap::<u8, u8>::new(2)).kinds(&MapOpKind::PER_KEY))
        .check();
}

/// `sync.Map` promises linearizable Load, Store and Delete. Its Range "does not necessarily
/// correspond to any consistent snapshot" (and `len` counts a Range), and `update` is a Load
/// then a Store, so those are left out here.
#[test]
fn sync_map_is_linearizable_for_load_store_delete() {
    quick(MapSpec::new("sync-map", SyncMap::<u8, u8>::new).kinds(&[
        MapOpKind::Assign,
        MapOpKind::Delete,
        MapOpKind::Get,
    ]))
    .check();
}

#[test]
fn sync_map_update_is_not_atomic() {
    let failure = quick(
        MapSpec::new("sync-map-swap", SyncMap::<u8, u8>::new)
            .kinds(&[MapOpKind::Swap, MapOpKind::Get]),
    )
    .run()
    .expect_err("two load-then-store swaps can both see the old value");
    assert_eq!(
        failure.failure.kind.as_str(),
        "not-linearizable",
        "{failure}"
    );
    assert!(failure.scenario.len() <= 3, "{failure}");
}

#[test]
fn sharded_len_is_not_a_snapshot() {
    // len() reads shard 0, then shard 1 (keys 0 and 1 live in different shards): an assign
    // into shard 0 and a delete from shard 1 in between make it count a size the map never
    // had. Random scenarios rarely contain this exact one (about one in a thousand), so it is
    // given here and explored exhaustively.
    let spec = MapSpec::new("sharded-map-len", || ShardedMap::<u8, u8>::new(2));
    let scenario = Scenario {
        init: vec![MapOp::Assign(1, 7)],
        parallel: vec![
            vec![MapOp::Len],
            vec![MapOp::Assign(0, 7), MapOp::Delete(1)],
        ],
        post: vec![],
    };
    let check = Lincheck::new(spec)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(100_000);
    let (found, _) = check.explore(&scenario);
    let failure = found
        .and_then(|f| f.failure)
        .expect("a shard-by-shard len is not linearizable");
    assert_eq!(failure.kind.as_str(), "not-linearizable", "{failure}");
    assert!(
        failure
            .message
            .starts_with("len() in G1 returned 0 after assign(1, 7) in main completed"),
        "{failure}"
    );
}

#[test]
fn the_raw_go_map_dies_before_any_history_is_judged() {
    let failure = quick(MapSpec::new("go-map", GoMap::<u8, u8>::new))
        .run()
        .expect_err("Go's runtime check fires");
    assert!(
        failure.failure.kind.as_str().starts_with("concurrent-map-"),
        "{failure}"
    );
    assert!(failure.history.is_none());
    assert_eq!(failure.scenario.parallel.len(), 2, "{failure}");
}
