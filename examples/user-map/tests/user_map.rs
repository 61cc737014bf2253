//! A user's own concurrent maps, tested with maprace from ordinary `#[test]`s.

use maprace::harness::sync::{Arc, Mutex};
use maprace::harness::{
    fail, go, preempt_with, Explorer, FailureKind, Op, Point, State, Strategy, Token,
};
use maprace::maps::SharedMap;
use std::collections::BTreeMap;

/// A point between the two halves of `SplitLockMap::update`: where another goroutine can get in.
const BETWEEN: Point = Point::new(Op::User("split-lock map"), "read done, before write");

/// A map where every method takes the lock, so each method is safe on its own, but
/// `update` reads under one critical section and writes under another: a read-modify-write
/// from two goroutines can lose an update (check-then-act).
struct SplitLockMap {
    m: Mutex<BTreeMap<u32, u64>>,
}

impl SplitLockMap {
    fn new() -> Self {
        SplitLockMap {
            m: Mutex::new(BTreeMap::new()),
        }
    }
}

impl SharedMap<u32, u64> for SplitLockMap {
    fn assign(&self, key: u32, value: u64) {
        self.m.lock().insert(key, value);
    }
    fn delete(&self, key: &u32) {
        self.m.lock().remove(key);
    }
    fn get(&self, key: &u32) -> Option<u64> {
        self.m.lock().get(key).copied()
    }
    fn len(&self) -> usize {
        self.m.lock().len()
    }
    fn range(&self, f: &mut dyn FnMut(&u32, &u64) -> bool) {
        for (k, v) in self.m.lock().iter() {
            if !f(k, v) {
                break;
            }
        }
    }
    fn update(&self, key: u32, f: &mut dyn FnMut(Option<&u64>) -> u64) {
        let old = self.get(&key); // BUG: the lock is released between the read...
        preempt_with(BETWEEN, |n| {
            n.detail(format!("k={key} read={old:?}"));
        });
        self.assign(key, f(old.as_ref())); // ...and the write.
    }
    fn snapshot(&self) -> Option<State> {
        None
    }
}

/// The same map done right: `update` holds the lock for the read and the write.
struct LockedMap {
    m: Mutex<BTreeMap<u32, u64>>,
}

impl LockedMap {
    fn new() -> Self {
        LockedMap {
            m: Mutex::new(BTreeMap::new()),
        }
    }
}

impl SharedMap<u32, u64> for LockedMap {
    fn assign(&self, key: u32, value: u64) {
        self.m.lock().insert(key, value);
    }
    fn delete(&self, key: &u32) {
        self.m.lock().remove(key);
    }
    fn get(&self, key: &u32) -> Option<u64> {
        self.m.lock().get(key).copied()
    }
    fn len(&self) -> usize {
        self.m.lock().len()
    }
    fn range(&self, f: &mut dyn FnMut(&u32, &u64) -> bool) {
        for (k, v) in self.m.lock().iter() {
            if !f(k, v) {
                break;
            }
        }
    }
    fn update(&self, key: u32, f: &mut dyn FnMut(Option<&u64>) -> u64) {
        let mut m = self.m.lock();
        let new = f(m.get(&key));
        m.insert(key, new);
    }
    fn snapshot(&self) -> Option<State> {
        Some(State::new().with("len", self.m.lock().len()))
    }
}

/// The workload: two goroutines each count two hits on key 1 and write their own key; main
/// checks the totals. Generic over the map, so every map runs the same program.
fn hits<M: SharedMap<u32, u64> + 'static>(m: Arc<M>) {
    let workers: Vec<_> = (0..2u32)
        .map(|w| {
            let m = Arc::clone(&m);
            go(format!("worker{w}"), move || {
                for _ in 0..2 {
                    m.update(1, &mut |v| v.copied().unwrap_or(0) + 1);
                }
                m.assign(10 + w, u64::from(w));
            })
        })
        .collect();
    for w in workers {
        w.join();
    }
    let total = m.get(&1);
    if total != Some(4) || m.len() != 3 {
        fail(
            FailureKind::WRONG_RESULT,
            format!("lost update: hits = {total:?}, len = {}", m.len()),
        );
    }
}

fn explorer() -> Explorer {
    Explorer::new("user-map/hits")
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(100_000)
}

#[test]
fn the_split_lock_map_loses_updates_and_the_token_replays_it() {
    let e = explorer().run(|| hits(Arc::new(SplitLockMap::new())));
    assert!(e.exhausted, "{} executions", e.executions);
    let found = e.first_failure().expect("the lost update is found");
    assert_eq!(found.failure.kind, FailureKind::WRONG_RESULT);
    assert!(
        found
            .failure
            .message
            .starts_with("lost update: hits = Some("),
        "{}",
        found.failure
    );

    // The token is plain text: print it in a bug report, paste it back to replay.
    let text = found.token.to_string();
    let token = Token::parse(&text).expect("a token parses back");
    let replayed = explorer()
        .replay(&token, || hits(Arc::new(SplitLockMap::new())))
        .expect("the schedule replays");
    assert_eq!(replayed.failure.as_ref(), Some(&found.failure));
    assert_eq!(replayed.trace_hash, found.trace_hash);
    // The trace shows both workers passing the point between read and write.
    let between: Vec<_> = replayed
        .trace
        .events
        .iter()
        .filter(|ev| ev.label == BETWEEN.step)
        .map(|ev| ev.goroutine.as_str())
        .collect();
    assert!(
        between.contains(&"worker0") && between.contains(&"worker1"),
        "{between:?}"
    );
}

#[test]
fn the_locked_map_passes_a_bounded_exhaustive_search() {
    let e = explorer().run(|| hits(Arc::new(LockedMap::new())));
    assert!(e.exhausted, "{} executions", e.executions);
    assert!(
        e.failures.is_empty(),
        "{:?}",
        e.first_failure().map(|f| &f.failure)
    );
    // DPOR (the default reduction) runs one schedule per equivalence class: far fewer than
    // plain DFS's every interleaving, but more than one.
    assert!(
        e.executions > 10,
        "the search explored interleavings: {}",
        e.executions
    );
    assert_eq!(
        e.coverage.to_string(),
        "every schedule with ≤ 2 preemptions up to equivalence"
    );
}

#[test]
fn maprace_s_own_fix_runs_the_same_workload() {
    // The maps shipped with maprace implement the same trait: compare against MutexMap.
    let e = explorer().run(|| hits(Arc::new(maprace::maps::MutexMap::<u32, u64>::new())));
    assert!(e.exhausted, "{} executions", e.executions);
    assert!(
        e.failures.is_empty(),
        "{:?}",
        e.first_failure().map(|f| &f.failure)
    );
    let e = explorer().run(|| hits(Arc::new(maprace::maps::GoMap::<u32, u64>::new())));
    let kinds: Vec<_> = e
        .failures
        .iter()
        .map(|f| f.failure.kind.as_str().to_string())
        .collect();
    assert!(
        kinds.iter().any(|k| k == "concurrent-map-writes"),
        "{kinds:?}"
    );
}
