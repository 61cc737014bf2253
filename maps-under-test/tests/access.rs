//! The map models in the object/access record: Go map operations write or read the map,
//! `sync.Map`'s entry operations are atomic accesses (so they synchronise, as in Go).

use maprace_harness::sync::Arc;
use maprace_harness::{go, AccessKind, Explorer, ObjectKind, Replayed, Strategy};
use maprace_maps::{GoMap, SyncMap};

fn first_execution(identity: &str, body: impl Fn() + Send + Sync + Clone + 'static) -> Replayed {
    let ends = move || {
        body();
        panic!("end of the first execution");
    };
    let e = Explorer::new(identity)
        .strategy(Strategy::Dfs {
            preemption_bound: Some(0),
        })
        .iterations(1)
        .run(ends.clone());
    Explorer::new(identity)
        .replay(&e.failures[0].token, ends)
        .expect("the token replays")
}

#[test]
fn go_map_writes_write_and_reads_read_the_map() {
    let r = first_execution("access/gomap", || {
        let m = Arc::new(GoMap::new());
        let m2 = Arc::clone(&m);
        let h = go("reader", move || m2.get(&1u32));
        m.assign(1u32, 1u32);
        h.join();
    });
    let on_map: Vec<(u32, AccessKind)> = r
        .accesses
        .iter()
        .filter(|a| a.access.object.kind == ObjectKind::Map)
        .map(|a| (a.goroutine, a.access.kind))
        .collect();
    assert!(on_map.contains(&(0, AccessKind::Write)), "{on_map:?}");
    assert!(
        !on_map.contains(&(0, AccessKind::Read)),
        "the writer only writes"
    );
    assert!(on_map.contains(&(1, AccessKind::Read)), "{on_map:?}");
    assert!(
        !on_map.contains(&(1, AccessKind::Write)),
        "the reader only reads"
    );
    // One map, one id.
    assert!(r
        .accesses
        .iter()
        .filter(|a| a.access.object.kind == ObjectKind::Map)
        .all(|a| a.access.object.index == 0));
}

#[test]
fn sync_map_touches_no_plain_data_outside_its_mutex() {
    let r = first_execution("access/syncmap", || {
        let m = Arc::new(SyncMap::new());
        let m2 = Arc::clone(&m);
        let h = go("storer", move || m2.store(1u32, 1u32));
        m.store(1u32, 2u32);
        let _ = m.load(&1);
        h.join();
    });
    assert!(r
        .accesses
        .iter()
        .any(|a| a.access.object.kind == ObjectKind::Atomic));
    assert!(r
        .accesses
        .iter()
        .all(|a| a.access.object.kind != ObjectKind::Map));
}
