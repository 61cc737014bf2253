//! [`ShardedMap`]: N Go maps, each behind its own mutex, a key's shard chosen by its hash.

use super::MutexMap;
use crate::gomap::default_hash;
use crate::shared::{MapKey, MapValue, SharedMap};
use maprace_harness::State;

/// N [`MutexMap`] shards. Operations on different shards do not contend; `len` and `range`
/// visit the shards one after another, so they are not a snapshot of the whole map (as in Go).
pub struct ShardedMap<K, V> {
    shards: Vec<MutexMap<K, V>>,
}

impl<K: MapKey, V: MapValue> ShardedMap<K, V> {
    /// A map of `shards` shards (at least 1).
    pub fn new(shards: usize) -> Self {
        ShardedMap {
            shards: (0..shards.max(1)).map(|_| MutexMap::new()).collect(),
        }
    }

    /// The shard `key` lives in (a fixed hash: the same on every run and platform).
    pub fn shard_of(&self, key: &K) -> usize {
        (default_hash(key, 0) % self.shards.len() as u64) as usize
    }

    /// The shards.
    pub fn shards(&self) -> &[MutexMap<K, V>] {
        &self.shards
    }

    fn shard(&self, key: &K) -> &MutexMap<K, V> {
        &self.shards[self.shard_of(key)]
    }
}

impl<K: MapKey, V: MapValue> SharedMap<K, V> for ShardedMap<K, V> {
    fn assign(&self, key: K, value: V) {
        self.shard(&key).assign(key, value);
    }
    fn delete(&self, key: &K) {
        self.shard(key).delete(key);
    }
    fn get(&self, key: &K) -> Option<V> {
        self.shard(key).get(key)
    }
    fn len(&self) -> usize {
        self.shards.iter().map(SharedMap::len).sum()
    }
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool) {
        let mut go_on = true;
        for shard in &self.shards {
            shard.range(&mut |k, v| {
                go_on = f(k, v);
                go_on
            });
            if !go_on {
                break;
            }
        }
    }
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V) {
        self.shard(&key).update(key, f);
    }
    fn snapshot(&self) -> Option<State> {
        let mut s = State::new().with("shards", self.shards.len());
        for shard in &self.shards {
            let st = shard.inner().state();
            s.push("count", st.get("count").unwrap_or("?"));
        }
        Some(s)
    }
    fn check(&self) -> Result<(), String> {
        for (i, shard) in self.shards.iter().enumerate() {
            shard.check().map_err(|e| format!("shard {i}: {e}"))?;
            let mut misplaced = None;
            shard.inner().range(|k, _| {
                if self.shard_of(k) != i {
                    misplaced = Some(format!(
                        "key {k:?} is in shard {i}, belongs in {}",
                        self.shard_of(k)
                    ));
                    return false;
                }
                true
            });
            if let Some(m) = misplaced {
                return Err(m);
            }
        }
        Ok(())
    }
}

impl<K: MapKey, V: MapValue> std::fmt::Debug for ShardedMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.shards).finish()
    }
}
