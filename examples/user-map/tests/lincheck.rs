//! Linearizability checking of a user's own map, with no workload and no assertion written by
//! hand: describe the map's operations once (`MapSpec` does it for any `SharedMap`) and let
//! `Lincheck` generate, explore, check and shrink.

mod counted_map;

use counted_map::CountedMap;
use maprace::harness::lincheck::Lincheck;
use maprace::maps::lincheck::{MapOpKind, MapSpec};

/// Everything but `range`, which visits the stripes one at a time and promises no snapshot.
const KINDS: [MapOpKind; 5] = [
    MapOpKind::Assign,
    MapOpKind::Delete,
    MapOpKind::Get,
    MapOpKind::Swap,
    MapOpKind::Len,
];

#[test]
fn a_size_counter_updated_outside_the_lock_is_not_linearizable() {
    let failure = Lincheck::new(MapSpec::new("user-map/counted", CountedMap::new).kinds(&KINDS))
        .run()
        .expect_err("the checker finds the uncounted window");
    assert_eq!(
        failure.failure.kind.as_str(),
        "not-linearizable",
        "{failure}"
    );
    // The smallest scenario: one goroutine writes, the other sees the entry and then a len()
    // that does not count it. The report says so in its first line.
    assert_eq!(failure.scenario.parallel.len(), 2, "{failure}");
    assert!(failure.scenario.len() <= 4, "{failure}");
    assert!(failure.failure.message.contains("len() in G"), "{failure}");
    // The token replays the same history.
    let check = Lincheck::new(MapSpec::new("user-map/counted", CountedMap::new).kinds(&KINDS));
    let replayed = check.replay(&failure.scenario, &failure.token).unwrap();
    assert_eq!(replayed.history, failure.history);
}

#[test]
fn the_same_map_counting_inside_the_lock_is_linearizable() {
    Lincheck::new(MapSpec::new("user-map/counted-fixed", CountedMap::fixed).kinds(&KINDS))
        .scenarios(25)
        .iterations(200)
        .check();
}
