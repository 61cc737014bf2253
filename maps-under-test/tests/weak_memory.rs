//! Weak memory, demonstrated on a map: a lock-free, single-writer, append-only map that
//! publishes each entry by bumping a length. With a `Relaxed` publish, a reader on ARM can see
//! the new length before the entry's key and value; shuttle's executions are sequentially
//! consistent, so every shuttle strategy passes it, and loom's C11 model finds the stale read.
//! The `Release`/`Acquire` fix passes loom exhaustively.
#![cfg(feature = "loom")]

use maprace_harness::sync::{Arc, AtomicUsize, Ordering};
use maprace_harness::{fail, go, Engine, Explorer, FailureKind, Strategy};

const CAPACITY: usize = 2;

/// Keys and values are non-zero; a slot below `len` is published and must hold both.
struct PublishedMap {
    keys: [AtomicUsize; CAPACITY],
    values: [AtomicUsize; CAPACITY],
    len: AtomicUsize,
    /// The ordering of the store that publishes an entry and of the load that reads `len`.
    publish: Ordering,
    observe: Ordering,
}

impl PublishedMap {
    fn new(publish: Ordering, observe: Ordering) -> Self {
        PublishedMap {
            keys: std::array::from_fn(|_| AtomicUsize::new(0)),
            values: std::array::from_fn(|_| AtomicUsize::new(0)),
            len: AtomicUsize::new(0),
            publish,
            observe,
        }
    }

    /// The single writer's insert of a new key.
    fn insert(&self, key: usize, value: usize) {
        let n = self.len.load(Ordering::Relaxed);
        self.keys[n].store(key, Ordering::Relaxed);
        self.values[n].store(value, Ordering::Relaxed);
        self.len.store(n + 1, self.publish);
    }

    /// Any reader's lookup: scans the published entries.
    fn get(&self, key: usize) -> Option<usize> {
        let n = self.len.load(self.observe);
        (0..n).find_map(|i| {
            let k = self.keys[i].load(Ordering::Relaxed);
            if k == 0 {
                fail(
                    FailureKind::WRONG_RESULT,
                    format!("entry {i} is published (len = {n}) but its key is not there yet"),
                );
            }
            (k == key).then(|| self.values[i].load(Ordering::Relaxed))
        })
    }
}

fn body(publish: Ordering, observe: Ordering) -> impl Fn() + Send + Sync + 'static {
    move || {
        let m = Arc::new(PublishedMap::new(publish, observe));
        let w = Arc::clone(&m);
        let writer = go("writer", move || {
            w.insert(7, 70);
            w.insert(8, 80);
        });
        if let Some(v) = m.get(8) {
            assert_eq!(v, 80, "get(8) saw a published entry with a stale value");
        }
        writer.join();
        assert_eq!(m.get(7), Some(70));
    }
}

#[test]
fn a_relaxed_publish_passes_every_shuttle_strategy_and_fails_under_loom() {
    for strategy in [
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Dfs {
            preemption_bound: None,
        },
    ] {
        let e = Explorer::new("weak/relaxed-publish")
            .strategy(strategy.clone())
            .iterations(5_000)
            .run(body(Ordering::Relaxed, Ordering::Relaxed));
        assert!(e.failures.is_empty(), "{strategy}: {:?}", e.failures);
    }
    let e = Explorer::new("weak/relaxed-publish")
        .engine(Engine::loom(None))
        .run(body(Ordering::Relaxed, Ordering::Relaxed));
    let f = e.failures.first().unwrap_or_else(|| {
        panic!(
            "loom sees the stale entry: {} executions, {}",
            e.executions, e.coverage
        )
    });
    assert_eq!(
        f.failure.kind,
        FailureKind::WRONG_RESULT,
        "{}",
        f.failure.message
    );
    assert!(
        f.failure.message.contains("published"),
        "{}",
        f.failure.message
    );
    // Readable: the trace shows the atomics each goroutine touched, ending at the stale read.
    assert!(f
        .trace
        .events
        .iter()
        .any(|e| e.goroutine == "writer" && e.kind == "atomic"));
    assert!(
        !f.shuttle_replays,
        "no sequentially consistent schedule shows it"
    );
    assert!(f.loom_checkpoint.is_some());
}

#[test]
fn the_release_acquire_publish_passes_loom_exhaustively() {
    let e = Explorer::new("weak/release-acquire-publish")
        .engine(Engine::loom(None))
        .run(body(Ordering::Release, Ordering::Acquire));
    assert!(e.failures.is_empty(), "{:?}", e.failures);
    assert!(e.exhausted && e.coverage.is_complete(), "{}", e.coverage);
}
