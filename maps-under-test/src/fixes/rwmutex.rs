//! [`RwMutexMap`]: a Go map behind a `sync.RWMutex`.

use crate::gomap::GoMap;
use crate::shared::{MapKey, MapValue, SharedMap};
use maprace_harness::sync::RwLock;
use maprace_harness::State;

/// `struct { mu sync.RWMutex; m map[K]V }`: `get`, `len` and `range` under `RLock` (readers run
/// together, which Go's map allows), writes under `Lock`.
pub struct RwMutexMap<K, V> {
    mu: RwLock<()>,
    m: GoMap<K, V>,
}

impl<K: MapKey, V: MapValue> RwMutexMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        RwMutexMap {
            mu: RwLock::new(()),
            m: GoMap::new(),
        }
    }

    /// The map inside (for checks once the goroutines are done).
    pub fn inner(&self) -> &GoMap<K, V> {
        &self.m
    }
}

impl<K: MapKey, V: MapValue> SharedMap<K, V> for RwMutexMap<K, V> {
    fn assign(&self, key: K, value: V) {
        let _g = self.mu.write();
        self.m.assign(key, value);
    }
    fn delete(&self, key: &K) {
        let _g = self.mu.write();
        self.m.delete(key);
    }
    fn get(&self, key: &K) -> Option<V> {
        let _g = self.mu.read();
        self.m.get(key)
    }
    fn len(&self) -> usize {
        let _g = self.mu.read();
        self.m.len()
    }
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool) {
        let _g = self.mu.read();
        self.m.range(f);
    }
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V) {
        let _g = self.mu.write();
        self.m.update(key, f);
    }
    fn snapshot(&self) -> Option<State> {
        Some(self.m.state())
    }
    fn check(&self) -> Result<(), String> {
        self.m.check_invariants()
    }
}

impl<K: MapKey, V: MapValue> Default for RwMutexMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: MapKey, V: MapValue> std::fmt::Debug for RwMutexMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RwMutexMap").field(&self.m).finish()
    }
}
