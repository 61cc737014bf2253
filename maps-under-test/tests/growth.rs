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

#[test]
fn make_with_hint_picks_gos_b() {
    for (hint, b) in [
        (0, 0),
        (8, 0),
        (9, 1),
        (13, 1),
        (14, 2),
        (26, 2),
        (27, 3),
        (52, 3),
        (53, 4),
    ] {
        let m: GoMap<u32, u32> = GoMap::with_hint(hint);
        let i = m.internals();
        assert_eq!(i.b, b, "hint {hint}");
        // B = 0 allocates lazily, on the first assign.
        assert_eq!(i.allocated, b != 0, "hint {hint}");
    }
    let m: GoMap<u32, u32> = GoMap::new();
    assert!(!m.internals().allocated);
    m.assign(1, 1);
    assert!(m.internals().allocated);
}

#[test]
fn no_write_evacuates_more_than_two_old_buckets() {
    let m = GoMap::new();
    let mut max_per_write = 0;
    let mut writes_during_grows = 0;
    let mut last = m.internals().stats.evacuated;
    for k in 0..2000u32 {
        let growing = m.internals().growing;
        if k % 3 == 2 {
            m.delete(&(k - 1));
        } else {
            m.assign(k, k);
        }
        let now = m.internals().stats.evacuated;
        max_per_write = max_per_write.max(now - last);
        if growing && now > last {
            writes_during_grows += 1;
        }
        last = now;
        m.check_invariants().unwrap();
    }
    assert_eq!(
        max_per_write, 2,
        "writes during a grow evacuate up to 2 old buckets"
    );
    assert!(writes_during_grows > 20, "{writes_during_grows}");
}

#[test]
fn reads_and_iteration_never_evacuate() {
    let m = GoMap::new();
    for k in 0..27u32 {
        m.assign(k, k); // insert 27 starts the B=2 -> 3 grow
    }
    let before = m.internals();
    assert!(before.growing, "{before:?}");
    for k in 0..100u32 {
        m.get(&k);
    }
    assert_eq!(m.iter().count(), 27);
    let after = m.internals();
    assert_eq!(after.stats.evacuated, before.stats.evacuated);
    assert_eq!(after.nevacuate, before.nevacuate);
    assert!(after.growing);
    m.check_invariants().unwrap();
}

#[test]
fn hash_grow_moves_no_data_and_the_grow_ends() {
    let m = GoMap::new();
    for k in 0..52u32 {
        m.assign(k, k);
    }
    let before = m.internals();
    assert_eq!((before.b, before.growing), (3, false));
    m.assign(52, 52); // insert 53: over the load factor of B=3
    let i = m.internals();
    assert_eq!(i.b, 4);
    assert!(i.growing);
    assert_eq!(i.old_buckets, Some(8));
    assert_eq!(i.stats.grows, before.stats.grows + 1);
    // The inserting write itself ran growWork: at most 2 buckets moved.
    assert!(i.stats.evacuated - before.stats.evacuated <= 2);
    let mut writes = 0;
    while m.internals().growing {
        m.assign(1000 + writes, 0);
        writes += 1;
        m.check_invariants().unwrap();
    }
    assert!(writes <= 4, "8 old buckets at 2 per write: {writes}");
    assert_eq!(m.internals().old_buckets, None);
}

#[test]
fn overflow_churn_starts_a_same_size_grow() {
    // Go's measured case: 40 live keys in B=3, one insert of a new key and one delete per
    // round, until overflow buckets pile up (go-map-facts.md section 4).
    let m = GoMap::new();
    for k in 0..40u32 {
        m.assign(k, k);
    }
    assert_eq!(m.internals().b, 3);
    let doubling = m.internals().stats.grows;
    let mut found = None;
    for round in 0..20_000u32 {
        let noverflow = m.internals().noverflow;
        m.assign(40 + round, 0);
        m.delete(&round);
        let i = m.internals();
        if i.stats.same_size_grows > 0 {
            found = Some((round, noverflow, i));
            break;
        }
    }
    let (round, noverflow_before, i) = found.expect("a same-size grow starts");
    assert!(
        noverflow_before >= 8,
        "tooManyOverflowBuckets(noverflow, 3) needs 8"
    );
    assert_eq!(i.b, 3, "same size");
    assert_eq!(i.stats.grows, doubling, "no doubling grow: 40 keys fit B=3");
    // The grow started at the insert and the delete ran growWork as well: up to 4 buckets of
    // 8, so it is still on, flagged sameSizeGrow.
    if i.growing {
        assert_ne!(i.flags & maprace_maps::gomap::SAME_SIZE_GROW, 0);
    }
    m.check_invariants().unwrap();
    let mut writes = 0;
    while m.internals().growing {
        m.assign(100_000 + writes, 0);
        writes += 1;
    }
    assert!(writes <= 4, "{writes}");
    let done = m.internals();
    assert_eq!(done.flags & maprace_maps::gomap::SAME_SIZE_GROW, 0);
    assert_eq!(done.b, 3);
    m.check_invariants().unwrap();
    println!("same-size grow after {round} rounds");
}
