//! [`SharedMap`]: the trait every map under test implements, and that a user's own concurrent
//! map implements to be put under test.

use maprace_harness::State;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

/// What the maps of this crate need of a key: hashable (for [`crate::GoMap`]'s buckets),
/// ordered (for deterministic iteration in specs and checkers), printable (for traces) and
/// shareable between goroutines. Implemented for every such type.
pub trait MapKey: Hash + Eq + Ord + Clone + Debug + Send + Sync + 'static {}
impl<T: Hash + Eq + Ord + Clone + Debug + Send + Sync + 'static> MapKey for T {}

/// What the maps of this crate need of a value. Implemented for every such type.
pub trait MapValue: Clone + Debug + Send + Sync + 'static {}
impl<T: Clone + Debug + Send + Sync + 'static> MapValue for T {}

/// A map shared between goroutines, as a Go program uses one.
///
/// Each method is the Go statement in its comment. A map is shared as `Arc<M>`; any map can be
/// put under test by implementing this trait with the harness's primitives
/// ([`maprace_harness::sync`], [`maprace_harness::preempt_with`]) so the scheduler sees its
/// synchronisation.
///
/// ```
/// use maprace_maps::{GoMap, SharedMap};
/// fn fill(m: &dyn SharedMap<u32, u32>) {
///     for k in 0..3 {
///         m.assign(k, k * 10);
///     }
///     m.update(1, &mut |v| v.copied().unwrap_or(0) + 1); // m[1]++
///     m.delete(&2);
/// }
/// let m: GoMap<u32, u32> = GoMap::new();
/// fill(&m);
/// let mut seen = Vec::new();
/// m.range(|k, v| {
///     seen.push((*k, *v));
///     true
/// });
/// seen.sort();
/// assert_eq!(seen, [(0, 0), (1, 11)]);
/// assert!(SharedMap::check(&m).is_ok());
/// ```
pub trait SharedMap<K, V>: Send + Sync {
    /// `m[k] = v`
    fn assign(&self, key: K, value: V);

    /// `delete(m, k)`
    fn delete(&self, key: &K);

    /// `v, ok := m[k]`: `None` when the key is absent.
    fn get(&self, key: &K) -> Option<V>;

    /// `len(m)`
    fn len(&self) -> usize;

    /// `len(m) == 0`
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `for k, v := range m { if !f(k, v) { break } }`
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool);

    /// `m[k] = f(m[k])`, as Go compiles `m[k] op= v`. `f` gets `None` when the key holds the
    /// zero value (it was absent). Whether this is atomic depends on the map: for
    /// [`crate::GoMap`] it is `mapassign` followed by a separate load and store of the value,
    /// outside the runtime's write check.
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V);

    /// A snapshot of the map's internal state for traces, if the map has one worth showing.
    fn snapshot(&self) -> Option<State> {
        None
    }

    /// Checks the map's internal invariants (for use once the goroutines are done).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

impl<K, V, M: SharedMap<K, V> + ?Sized> SharedMap<K, V> for Arc<M> {
    fn assign(&self, key: K, value: V) {
        (**self).assign(key, value)
    }
    fn delete(&self, key: &K) {
        (**self).delete(key)
    }
    fn get(&self, key: &K) -> Option<V> {
        (**self).get(key)
    }
    fn len(&self) -> usize {
        (**self).len()
    }
    fn is_empty(&self) -> bool {
        (**self).is_empty()
    }
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool) {
        (**self).range(f)
    }
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V) {
        (**self).update(key, f)
    }
    fn snapshot(&self) -> Option<State> {
        (**self).snapshot()
    }
    fn check(&self) -> Result<(), String> {
        (**self).check()
    }
}
