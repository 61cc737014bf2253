//! [`SnapshotMap`]: copy-on-write behind an atomically swapped pointer (the `atomic.Value`
//! pattern): readers load the current immutable map without a lock; writers, serialised by a
//! mutex, copy it, change the copy and swap it in.

use crate::atomic_value::AtomicValue;
use crate::shared::{MapKey, MapValue, SharedMap};
use maprace_harness::sync::Mutex;
use maprace_harness::State;
use std::collections::BTreeMap;
use std::fmt;

/// Copy-on-write map: `get`, `len` and `range` read one consistent snapshot; every write copies
/// the whole map (so it suits read-mostly data).
pub struct SnapshotMap<K, V> {
    mu: Mutex<()>,
    current: AtomicValue<BTreeMap<K, V>>,
}

impl<K: MapKey, V: MapValue> SnapshotMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        SnapshotMap {
            mu: Mutex::new(()),
            current: AtomicValue::new(BTreeMap::new()),
        }
    }

    /// Copies the current map, applies `change`, publishes the copy; under the writers' lock.
    fn write(&self, change: impl FnOnce(&mut BTreeMap<K, V>)) {
        let _g = self.mu.lock();
        let mut next = (*self.current.load()).clone();
        change(&mut next);
        self.current.store(next);
    }
}

impl<K: MapKey, V: MapValue> Default for SnapshotMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: MapKey, V: MapValue> fmt::Debug for SnapshotMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.current.peek(|m| {
            f.debug_struct("SnapshotMap")
                .field("len", &m.len())
                .finish()
        })
    }
}

impl<K: MapKey, V: MapValue> SharedMap<K, V> for SnapshotMap<K, V> {
    fn assign(&self, key: K, value: V) {
        self.write(|m| {
            m.insert(key, value);
        });
    }
    fn delete(&self, key: &K) {
        self.write(|m| {
            m.remove(key);
        });
    }
    fn get(&self, key: &K) -> Option<V> {
        self.current.load().get(key).cloned()
    }
    fn len(&self) -> usize {
        self.current.load().len()
    }
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool) {
        let snapshot = self.current.load();
        for (k, v) in snapshot.iter() {
            if !f(k, v) {
                break;
            }
        }
    }
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V) {
        self.write(|m| {
            let new = f(m.get(&key));
            m.insert(key, new);
        });
    }
    fn snapshot(&self) -> Option<State> {
        Some(State::new().with("len", self.current.peek(BTreeMap::len)))
    }
}
