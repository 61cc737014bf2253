//! A striped compute-once cache: the library code, written against `std::sync` and swapped to
//! maprace's std-shaped primitives in tests with one `use`.

use std::collections::BTreeMap;

#[cfg(test)]
use maprace::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, RwLock,
};
#[cfg(not(test))]
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, RwLock,
};

/// A map from keys to values computed once per key, split into stripes so that lookups of
/// different keys rarely contend.
pub struct Cache<K, V> {
    stripes: Vec<RwLock<BTreeMap<K, Arc<V>>>>,
    computed: AtomicUsize,
}

impl<K: Ord + Clone + Into<u64>, V> Cache<K, V> {
    /// A cache with `stripes` stripes (at least one).
    pub fn new(stripes: usize) -> Self {
        Cache {
            stripes: (0..stripes.max(1))
                .map(|_| RwLock::new(BTreeMap::new()))
                .collect(),
            computed: AtomicUsize::new(0),
        }
    }

    fn stripe(&self, key: &K) -> &RwLock<BTreeMap<K, Arc<V>>> {
        let i = (key.clone().into() % self.stripes.len() as u64) as usize;
        &self.stripes[i]
    }

    /// The value for `key`, computing it with `f` if no thread has yet. `f` runs at most once
    /// per key: a thread that finds the key missing under the read lock checks again under the
    /// write lock before computing (the double check the first version lacked).
    pub fn get_or_insert_with(&self, key: K, f: impl FnOnce() -> V) -> Arc<V> {
        let stripe = self.stripe(&key);
        if let Some(v) = stripe.read().unwrap().get(&key) {
            return Arc::clone(v);
        }
        let mut w = stripe.write().unwrap();
        if let Some(v) = w.get(&key) {
            return Arc::clone(v);
        }
        self.computed.fetch_add(1, Ordering::SeqCst);
        let v = Arc::new(f());
        w.insert(key, Arc::clone(&v));
        v
    }

    /// How many values were computed so far.
    pub fn computed(&self) -> usize {
        self.computed.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maprace::harness::go;
    use maprace::Check;

    /// Two threads asking for the same key.
    fn two_askers(cache: Arc<Cache<u32, u32>>) {
        let c = Arc::clone(&cache);
        let h = go("asker", move || *c.get_or_insert_with(7, || 49));
        let mine = *cache.get_or_insert_with(7, || 49);
        assert_eq!(h.join(), mine);
        assert_eq!(cache.computed(), 1, "the value was computed twice");
    }

    #[test]
    fn works_as_plain_code_outside_an_exploration() {
        // No exploration runs here: the cache's locks and atomics are std's.
        let cache = Cache::new(4);
        assert_eq!(*cache.get_or_insert_with(3u32, || 9), 9);
        assert_eq!(*cache.get_or_insert_with(3u32, || 0), 9);
        assert_eq!(cache.computed(), 1);
    }

    #[test]
    fn computes_once_in_every_schedule() {
        // Created inside each execution, the cache runs on maprace's primitives.
        let exploration = Check::new()
            .persist(false)
            .strategy(maprace::Strategy::Dfs {
                preemption_bound: None,
            })
            .iterations(200_000)
            .try_run(|| two_askers(Arc::new(Cache::new(2))))
            .unwrap_or_else(|failure| panic!("{failure}"));
        assert!(exploration.exhausted, "{exploration}");
    }

    /// The first version, before the fix: no second check under the write lock.
    fn unchecked_get_or_insert(cache: &Cache<u32, u32>, key: u32, f: impl FnOnce() -> u32) {
        let stripe = cache.stripe(&key);
        if stripe.read().unwrap().contains_key(&key) {
            return;
        }
        let mut w = stripe.write().unwrap();
        cache.computed.fetch_add(1, Ordering::SeqCst);
        w.insert(key, Arc::new(f()));
    }

    #[test]
    fn the_first_version_computed_twice() {
        let failure = Check::new()
            .persist(false)
            .try_run(|| {
                let cache = Arc::new(Cache::new(2));
                let c = Arc::clone(&cache);
                let h = go("asker", move || unchecked_get_or_insert(&c, 7, || 49));
                unchecked_get_or_insert(&cache, 7, || 49);
                h.join();
                assert_eq!(cache.computed(), 1, "the value was computed twice");
            })
            .expect_err("maprace finds the double computation");
        assert!(failure.to_string().contains("computed twice"), "{failure}");
    }
}
