//! Growth as Go does it: thresholds, incremental evacuation, same-size grows.

use maprace_maps::GoMap;

/// Inserts 0..n, returning the insert numbers (1-based) at which a grow started.
fn grow_starts(n: u32) -> Vec<u32> {
    let m = GoMap::new();
    let mut starts = Vec::new();
    let mut grows = 0;
    for k in 0..n {
        m.assign(k, k);
        let s = m.internals().stats;
        if s.grows + s.same_size_grows != grows {
            grows = s.grows + s.same_size_grows;
            starts.push(k + 1);
        }
        m.check_invariants().unwrap();
    }
    starts
}

#[test]
fn sequential_inserts_grow_at_gos_thresholds() {
    assert_eq!(grow_starts(300), [9, 14, 27, 53, 105, 209]);
}

#[test]
fn many_keys_stay_consistent() {
    let m = GoMap::new();
    for k in 0..3000u32 {
        m.assign(k, k * 2);
    }
    m.check_invariants().unwrap();
    for k in (0..3000u32).step_by(2) {
        m.delete(&k);
    }
    m.check_invariants().unwrap();
    for k in 0..3000u32 {
        assert_eq!(m.get(&k), (k % 2 == 1).then_some(k * 2), "k={k}");
    }
    assert_eq!(m.len(), 1500);
    let mut seen: Vec<u32> = m.iter().map(|(k, _)| k).collect();
    seen.sort();
    assert_eq!(seen, (0..3000).filter(|k| k % 2 == 1).collect::<Vec<_>>());
}
