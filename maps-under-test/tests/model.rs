//! Model-based property tests: random operation sequences on a GoMap (sequential, no
//! scheduler) against a `BTreeMap` spec, with the invariant checker after every step.

use maprace_maps::gomap::default_hash;
use maprace_maps::GoMap;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Grows seen across all cases of the property (to check the cases reach them).
static GROWS: AtomicU64 = AtomicU64::new(0);
static SAME_SIZE_GROWS: AtomicU64 = AtomicU64::new(0);

#[derive(Clone, Debug)]
enum Op {
    Assign(u32, u32),
    Delete(u32),
    Get(u32),
    Update(u32),
    Len,
    Iterate,
    /// Insert `n` consecutive keys from `start` (grows the map quickly).
    Fill(u32, u32),
    /// Delete `n` consecutive keys from `start` (leaves overflow buckets behind).
    Drain(u32, u32),
    /// `n` rounds of: insert a new key, delete the oldest; `live` keys stay (Go's same-size
    /// grow recipe).
    Churn {
        start: u32,
        n: u32,
        live: u32,
    },
    Clear,
}

/// Hash functions the cases run under: Go-like spread, or keys crowded into a few buckets
/// (long overflow chains, same-size grows, tophash collisions).
#[derive(Clone, Copy, Debug)]
enum Hashing {
    Spread,
    FourBuckets,
    OneBucketThreeTops,
}

fn four_buckets(k: &u32, seed: u32) -> u64 {
    default_hash(k, seed) & 0xff00_0000_0000_0003
}

fn one_bucket(k: &u32, _seed: u32) -> u64 {
    u64::from(k % 3 + 5) << 56
}

impl Hashing {
    fn map(self) -> GoMap<u32, u32> {
        match self {
            Hashing::Spread => GoMap::new(),
            Hashing::FourBuckets => GoMap::with_hash_fn(four_buckets),
            Hashing::OneBucketThreeTops => GoMap::with_hash_fn(one_bucket),
        }
    }
}

fn op(keys: u32) -> impl Strategy<Value = Op> {
    prop_oneof![
        30 => (0..keys, any::<u32>()).prop_map(|(k, v)| Op::Assign(k, v)),
        15 => (0..keys).prop_map(Op::Delete),
        10 => (0..keys).prop_map(Op::Get),
        10 => (0..keys).prop_map(Op::Update),
        3 => Just(Op::Len),
        3 => Just(Op::Iterate),
        8 => (0..keys, 1..80u32).prop_map(|(s, n)| Op::Fill(s, n)),
        5 => (0..keys, 1..80u32).prop_map(|(s, n)| Op::Drain(s, n)),
        2 => (0..keys, 1..900u32, 20..60u32).prop_map(|(start, n, live)| Op::Churn { start, n, live }),
        1 => Just(Op::Clear),
    ]
}

fn case() -> impl Strategy<Value = (Hashing, Vec<Op>)> {
    (
        prop_oneof![
            3 => Just(Hashing::Spread),
            2 => Just(Hashing::FourBuckets),
            1 => Just(Hashing::OneBucketThreeTops),
        ],
        prop_oneof![Just(64u32), Just(600), Just(5000)],
    )
        .prop_flat_map(|(h, keys)| (Just(h), prop::collection::vec(op(keys), 1..160)))
}

/// Runs `ops`, checking against the spec and the invariants after every step.
fn run(hashing: Hashing, ops: &[Op]) -> Result<(), TestCaseError> {
    let m = hashing.map();
    let mut spec = BTreeMap::new();
    for (step, op) in ops.iter().enumerate() {
        let evacuated = m.internals().stats.evacuated;
        match *op {
            Op::Assign(k, v) => {
                m.assign(k, v);
                spec.insert(k, v);
            }
            Op::Delete(k) => {
                m.delete(&k);
                spec.remove(&k);
            }
            Op::Get(k) => {
                prop_assert_eq!(m.get2(&k), (spec.get(&k).copied(), spec.contains_key(&k)))
            }
            Op::Update(k) => {
                m.update(k, |v| v.map_or(1, |v| v.wrapping_add(1)));
                let e = spec.entry(k).or_insert(0);
                *e = e.wrapping_add(1);
            }
            Op::Len => prop_assert_eq!(m.len(), spec.len()),
            Op::Iterate => {
                let mut seen: Vec<(u32, u32)> = m
                    .iter()
                    .map(|(k, v)| (k, v.expect("no zero values")))
                    .collect();
                seen.sort();
                let want: Vec<(u32, u32)> = spec.iter().map(|(k, v)| (*k, *v)).collect();
                prop_assert_eq!(seen, want, "step {}", step);
            }
            Op::Fill(start, n) => {
                for k in start..start + n {
                    m.assign(k, k);
                    spec.insert(k, k);
                }
            }
            Op::Drain(start, n) => {
                for k in start..start + n {
                    m.delete(&k);
                    spec.remove(&k);
                }
            }
            Op::Churn { start, n, live } => {
                for i in start..start + n {
                    m.assign(i + live, i);
                    spec.insert(i + live, i);
                    m.delete(&i);
                    spec.remove(&i);
                }
            }
            Op::Clear => {
                m.clear();
                spec.clear();
            }
        }
        if let Err(why) = m.check_invariants() {
            return Err(TestCaseError::fail(format!("step {step} ({op:?}): {why}")));
        }
        if let Op::Assign(..) | Op::Delete(_) | Op::Update(_) = op {
            let moved = m.internals().stats.evacuated - evacuated;
            prop_assert!(
                moved <= 2,
                "step {} ({:?}) evacuated {} old buckets",
                step,
                op,
                moved
            );
        }
        prop_assert_eq!(m.len(), spec.len(), "step {} ({:?})", step, op);
    }
    for (k, v) in &spec {
        prop_assert_eq!(m.get(k), Some(*v));
    }
    let s = m.internals().stats;
    GROWS.fetch_add(s.grows, Ordering::Relaxed);
    SAME_SIZE_GROWS.fetch_add(s.same_size_grows, Ordering::Relaxed);
    Ok(())
}

/// 64 cases from a fixed seed: the same sequences on every run and machine (shrinking too).
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6d61_7072),
        ..ProptestConfig::with_cases(64)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gomap_behaves_like_a_map((hashing, ops) in case()) {
        run(hashing, &ops)?;
    }
}

#[test]
fn the_property_reaches_grows_of_both_kinds() {
    // Runs the property's own cases (same config, fixed seed) and counts what they reached.
    GROWS.store(0, Ordering::Relaxed);
    SAME_SIZE_GROWS.store(0, Ordering::Relaxed);
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner.run(&case(), |(h, ops)| run(h, &ops)).unwrap();
    let (g, s) = (
        GROWS.load(Ordering::Relaxed),
        SAME_SIZE_GROWS.load(Ordering::Relaxed),
    );
    println!("64 cases: {g} doubling grows, {s} same-size grows");
    assert!(g >= 64 * 3, "{g}");
    assert!(s >= 5, "{s}");
}

/// The property above covers what it claims to: doubling grows, same-size grows and
/// thousands of keys, on one fixed sequence per hashing.
#[test]
fn churn_reaches_doubling_and_same_size_grows() {
    for hashing in [
        Hashing::Spread,
        Hashing::FourBuckets,
        Hashing::OneBucketThreeTops,
    ] {
        // Churn first, while B is 3 (clear keeps B), then grow big and churn in bulk.
        let mut ops = vec![
            Op::Churn {
                start: 0,
                n: 2000,
                live: 40,
            },
            Op::Fill(0, 300),
        ];
        for round in 0..40u32 {
            let base = 1000 + round * 50;
            ops.push(Op::Fill(base, 50));
            ops.push(Op::Drain(base, 50));
            ops.push(Op::Drain(round * 7, 7));
        }
        ops.push(Op::Iterate);
        ops.push(Op::Clear);
        run(hashing, &ops).unwrap();
        let m = hashing.map();
        let mut grows = (0, 0);
        for op in &ops {
            match *op {
                Op::Fill(s, n) => (s..s + n).for_each(|k| m.assign(k, k)),
                Op::Drain(s, n) => (s..s + n).for_each(|k| m.delete(&k)),
                Op::Churn { start, n, live } => (start..start + n).for_each(|i| {
                    m.assign(i + live, i);
                    m.delete(&i);
                }),
                Op::Clear => m.clear(),
                _ => {}
            }
            let s = m.internals().stats;
            grows = (s.grows, s.same_size_grows);
        }
        assert!(grows.0 >= 5, "{hashing:?}: {grows:?}");
        println!("{hashing:?}: {grows:?}");
        assert!(
            grows.1 >= 1 || matches!(hashing, Hashing::OneBucketThreeTops),
            "{hashing:?}: {grows:?}"
        );
    }
}
