//! [`MutexMap`]: a Go map behind a `sync.Mutex`.

use crate::gomap::GoMap;
use crate::shared::{MapKey, MapValue, SharedMap};
use maprace_harness::sync::Mutex;
use maprace_harness::State;

/// `struct { mu sync.Mutex; m map[K]V }`, every operation under `mu` (including `range`, whose
/// callback must not use the map, as in Go).
///
/// ```
/// use maprace_harness::{go, Explorer, Strategy};
/// use maprace_harness::sync::Arc;
/// use maprace_maps::{MutexMap, SharedMap};
/// let e = Explorer::new("doc/mutexmap")
///     .strategy(Strategy::Dfs { preemption_bound: Some(1) })
///     .run(|| {
///         let m = Arc::new(MutexMap::new());
///         let m2 = Arc::clone(&m);
///         let h = go("writer", move || m2.assign(1u32, 1u32));
///         m.assign(2, 2);
///         h.join();
///         assert_eq!(m.len(), 2);
///     });
/// assert!(e.exhausted && e.failures.is_empty());
/// ```
pub struct MutexMap<K, V> {
    mu: Mutex<()>,
    m: GoMap<K, V>,
}

impl<K: MapKey, V: MapValue> MutexMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        MutexMap {
            mu: Mutex::new(()),
            m: GoMap::new(),
        }
    }

    /// The map inside (for checks once the goroutines are done).
    pub fn inner(&self) -> &GoMap<K, V> {
        &self.m
    }
}

impl<K: MapKey, V: MapValue> SharedMap<K, V> for MutexMap<K, V> {
    fn assign(&self, key: K, value: V) {
        let _g = self.mu.lock();
        self.m.assign(key, value);
    }
    fn delete(&self, key: &K) {
        let _g = self.mu.lock();
        self.m.delete(key);
    }
    fn get(&self, key: &K) -> Option<V> {
        let _g = self.mu.lock();
        self.m.get(key)
    }
    fn len(&self) -> usize {
        let _g = self.mu.lock();
        self.m.len()
    }
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool) {
        let _g = self.mu.lock();
        self.m.range(f);
    }
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V) {
        let _g = self.mu.lock();
        self.m.update(key, f);
    }
    fn snapshot(&self) -> Option<State> {
        Some(self.m.state())
    }
    fn check(&self) -> Result<(), String> {
        self.m.check_invariants()
    }
}

impl<K: MapKey, V: MapValue> Default for MutexMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: MapKey, V: MapValue> std::fmt::Debug for MutexMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("MutexMap").field(&self.m).finish()
    }
}
