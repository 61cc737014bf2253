//! Go's sync.Map model: sequential semantics against a spec, promotion of the dirty map after
//! enough misses, expunged entries, and concurrent use under the harness.

use maprace_harness::sync::Arc;
use maprace_harness::{fail, go, Explorer, FailureKind, Strategy as Schedule};
use maprace_maps::SyncMap;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Runs `body` once as the main goroutine of an execution (SyncMap needs the harness's
/// mutex), returning its failure message if it failed.
fn once(body: impl Fn() + Send + Sync + 'static) -> Result<(), String> {
    let e = Explorer::new("syncmap/once").iterations(1).run(body);
    match e.failures.first() {
        None => Ok(()),
        Some(f) => Err(f.failure.to_string()),
    }
}

fn check(ok: bool, what: impl FnOnce() -> String) {
    if !ok {
        fail(FailureKind::WRONG_RESULT, what());
    }
}

#[derive(Clone, Debug)]
enum Op {
    Store(u8, u32),
    Load(u8),
    LoadOrStore(u8, u32),
    LoadAndDelete(u8),
    Delete(u8),
    Range,
    RangeFirst(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let k = 0..24u8;
    prop_oneof![
        4 => (k.clone(), any::<u32>()).prop_map(|(k, v)| Op::Store(k, v)),
        4 => k.clone().prop_map(Op::Load),
        2 => (k.clone(), any::<u32>()).prop_map(|(k, v)| Op::LoadOrStore(k, v)),
        2 => k.clone().prop_map(Op::LoadAndDelete),
        2 => k.prop_map(Op::Delete),
        1 => Just(Op::Range),
        1 => (0..6usize).prop_map(Op::RangeFirst),
    ]
}

fn run(ops: &[Op]) {
    let m = SyncMap::new();
    let mut spec = BTreeMap::new();
    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Store(k, v) => {
                m.store(k, v);
                spec.insert(k, v);
            }
            Op::Load(k) => {
                let got = m.load(&k);
                check(got == spec.get(&k).copied(), || {
                    format!("step {step}: load {k} = {got:?}")
                });
            }
            Op::LoadOrStore(k, v) => {
                let got = m.load_or_store(k, v);
                let want = match spec.get(&k) {
                    Some(old) => (*old, true),
                    None => {
                        spec.insert(k, v);
                        (v, false)
                    }
                };
                check(got == want, || {
                    format!("step {step}: load_or_store {k} = {got:?}")
                });
            }
            Op::LoadAndDelete(k) => {
                let got = m.load_and_delete(&k);
                let want = spec.remove(&k);
                check(got == want, || {
                    format!("step {step}: load_and_delete {k} = {got:?}")
                });
            }
            Op::Delete(k) => {
                m.delete(&k);
                spec.remove(&k);
            }
            Op::Range => {
                let mut seen = BTreeMap::new();
                m.range(|k, v| {
                    check(seen.insert(*k, *v).is_none(), || {
                        format!("range gave {k} twice")
                    });
                    true
                });
                check(seen == spec, || format!("step {step}: range {seen:?}"));
            }
            Op::RangeFirst(n) => {
                let mut calls = 0;
                m.range(|k, v| {
                    check(spec.get(k) == Some(v), || format!("range gave {k}={v}"));
                    calls += 1;
                    calls < n
                });
                check(
                    calls
                        == n.min(spec.len())
                            .max(usize::from(n == 0 && !spec.is_empty())),
                    || format!("step {step}: range stopped after {calls}"),
                );
            }
        }
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7379_6e63),
        ..ProptestConfig::with_cases(64)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sync_map_behaves_like_a_map(ops in prop::collection::vec(op(), 1..120)) {
        let ops = Arc::new(ops);
        let r = once(move || run(&ops));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

#[test]
fn misses_promote_the_dirty_map() {
    once(|| {
        let m = SyncMap::new();
        for k in 1..=3u32 {
            m.store(k, k);
        }
        // New keys live in dirty; the read map is empty and amended.
        check(m.read_len() == (0, true), || format!("{:?}", m.read_len()));
        // Each load of a key only dirty has is a miss; at len(dirty) = 3 misses, promotion.
        for miss in 1..=2 {
            check(m.load(&1) == Some(1), || "load".into());
            check(m.read_len() == (0, true), || format!("after {miss} misses"));
        }
        check(m.load(&2) == Some(2), || "load".into());
        check(m.read_len() == (3, false), || {
            format!("after 3 misses: {:?}", m.read_len())
        });
        // Loads now hit the read map; a new key builds dirty again (amended).
        check(m.load(&3) == Some(3), || "load".into());
        m.store(4, 4);
        check(m.read_len() == (3, true), || format!("{:?}", m.read_len()));
    })
    .unwrap();
}

#[test]
fn deleted_entries_are_expunged_and_come_back() {
    once(|| {
        let m = SyncMap::new();
        m.store(1u32, 1u32);
        m.range(|_, _| true); // Range promotes dirty: key 1 is in the read map
        check(m.read_len() == (1, false), || format!("{:?}", m.read_len()));
        m.delete(&1); // entry p = nil, still in read
        m.store(2, 2); // new key: dirty rebuilt from read, key 1 expunged (left out)
        check(m.load(&1).is_none(), || "deleted".into());
        m.store(1, 10); // expunged: unexpunged under the lock and put back into dirty
        check(m.load(&1) == Some(10), || "stored again".into());
        let mut keys = Vec::new();
        m.range(|k, v| {
            keys.push((*k, *v));
            true
        });
        keys.sort();
        check(keys == [(1, 10), (2, 2)], || format!("{keys:?}"));
        check(m.read_len() == (2, false), || format!("{:?}", m.read_len()));
    })
    .unwrap();
}

#[test]
fn range_under_concurrent_store_never_panics() {
    let e = Explorer::new("syncmap/range-vs-store")
        .strategy(Schedule::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(200_000)
        .run(|| {
            let m = Arc::new(SyncMap::new());
            m.store(1u32, 10u32);
            m.store(2, 20);
            let w = {
                let m = Arc::clone(&m);
                go("storer", move || {
                    m.store(3, 30);
                    m.store(1, 11);
                    m.delete(&2);
                })
            };
            let r = {
                let m = Arc::clone(&m);
                go("ranger", move || {
                    let mut seen = BTreeMap::new();
                    m.range(|k, v| {
                        check(seen.insert(*k, *v).is_none(), || format!("{k} twice"));
                        true
                    });
                    seen
                })
            };
            w.join();
            let seen = r.join();
            // Key 1 is there throughout (with either value); nothing else is invented.
            check(matches!(seen.get(&1), Some(10 | 11)), || {
                format!("{seen:?}")
            });
            check(
                seen.iter()
                    .all(|(k, v)| matches!((k, v), (1, 10 | 11) | (2, 20) | (3, 30))),
                || format!("{seen:?}"),
            );
        });
    assert!(e.exhausted, "{} executions", e.executions);
    assert!(
        e.failures.is_empty(),
        "{:?}",
        e.failures.first().map(|f| &f.failure)
    );
}

#[test]
fn concurrent_load_or_store_agrees_on_one_value() {
    let e = Explorer::new("syncmap/load-or-store")
        .strategy(Schedule::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(200_000)
        .run(|| {
            let m = Arc::new(SyncMap::new());
            let hs: Vec<_> = [1u32, 2]
                .into_iter()
                .map(|v| {
                    let m = Arc::clone(&m);
                    go("", move || m.load_or_store(7u32, v))
                })
                .collect();
            let rs: Vec<(u32, bool)> = hs.into_iter().map(|h| h.join()).collect();
            let stored = rs.iter().filter(|(_, loaded)| !loaded).count();
            check(stored == 1, || format!("{rs:?}"));
            check(rs[0].0 == rs[1].0, || format!("{rs:?}"));
            check(m.load(&7) == Some(rs[0].0), || format!("{rs:?}"));
        });
    assert!(e.exhausted);
    assert!(
        e.failures.is_empty(),
        "{:?}",
        e.failures.first().map(|f| &f.failure)
    );
}
