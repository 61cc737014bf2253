//! [`SyncMap`]: a model of Go's `sync.Map` (Go 1.19 `sync/map.go`).
//!
//! A read-only map (an atomically swapped snapshot) serves most loads without the lock; new
//! keys go to a dirty map under the mutex, and `amended` says the dirty map has keys the read
//! map lacks. A load that misses the read map but finds the key in dirty counts a miss; when the
//! misses reach `len(dirty)` the dirty map is promoted to be the read map. Deleted entries are
//! `nil`, and become `expunged` when a new dirty map is built without them. Every atomic access
//! and lock operation is a scheduling point.

use crate::atomic_value::AtomicValue;
use crate::cell::SimCell;
use crate::shared::{MapKey, MapValue, SharedMap};
use maprace_harness::sync::Mutex;
use maprace_harness::{
    preempt_access, preempt_access_with, random_u64, AccessKind, Object, ObjectKind, Op, Point,
    State,
};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

const ENTRY_LOAD: Point = Point::new(Op::Atomic, "entry load");
const ENTRY_CAS: Point = Point::new(Op::Atomic, "entry compare-and-swap");
const ENTRY_STORE: Point = Point::new(Op::Atomic, "entry store");
const MISS: Point = Point::new(Op::User("sync.Map"), "miss");
const PROMOTE: Point = Point::new(Op::User("sync.Map"), "dirty promoted to read");

/// An entry's pointer `p`: nil (deleted), expunged (deleted and absent from dirty), or a
/// pointer to a value (compared by identity, like Go's `CompareAndSwapPointer`).
#[derive(Clone)]
enum P<V> {
    Nil,
    Expunged,
    Value(Arc<V>),
}

impl<V> P<V> {
    fn same(&self, other: &P<V>) -> bool {
        match (self, other) {
            (P::Nil, P::Nil) | (P::Expunged, P::Expunged) => true,
            (P::Value(a), P::Value(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// `entry`: a slot shared by the read and dirty maps.
struct Entry<V> {
    /// `p` is an `atomic.Pointer` in Go: its accesses synchronise.
    object: Object,
    p: SimCell<P<V>>,
}

type Entries<K, V> = BTreeMap<K, Arc<Entry<V>>>;

/// `readOnly`.
struct ReadOnly<K, V> {
    m: Entries<K, V>,
    amended: bool,
}

impl<V: MapValue> Entry<V> {
    fn new(v: V) -> Arc<Self> {
        Arc::new(Entry {
            // Go's `sync` package, not the program: not a mutant (see `Object::library`).
            object: Object::library(ObjectKind::Atomic),
            p: SimCell::new(P::Value(Arc::new(v))),
        })
    }

    fn atomic_load(&self) -> P<V> {
        preempt_access(ENTRY_LOAD, &self.object, AccessKind::Read);
        self.p.with(P::clone)
    }

    fn cas(&self, old: &P<V>, new: P<V>) -> bool {
        preempt_access(ENTRY_CAS, &self.object, AccessKind::Update);
        self.p.with_mut(|p| {
            if p.same(old) {
                *p = new;
                true
            } else {
                false
            }
        })
    }

    /// `e.load()`.
    fn load(&self) -> Option<V> {
        match self.atomic_load() {
            P::Value(v) => Some((*v).clone()),
            P::Nil | P::Expunged => None,
        }
    }

    /// `e.tryStore(&v)`: stores unless the entry is expunged.
    fn try_store(&self, v: &Arc<V>) -> bool {
        loop {
            let p = self.atomic_load();
            if let P::Expunged = p {
                return false;
            }
            if self.cas(&p, P::Value(Arc::clone(v))) {
                return true;
            }
        }
    }

    /// `e.unexpungeLocked()`: true if the entry was expunged (and is now nil).
    fn unexpunge_locked(&self) -> bool {
        self.cas(&P::Expunged, P::Nil)
    }

    /// `e.storeLocked(&v)`.
    fn store_locked(&self, v: Arc<V>) {
        preempt_access(ENTRY_STORE, &self.object, AccessKind::Write);
        self.p.with_mut(|p| *p = P::Value(v));
    }

    /// `e.tryLoadOrStore(v)`: `None` if expunged, else `(actual, loaded)`.
    fn try_load_or_store(&self, v: &V) -> Option<(V, bool)> {
        let mut p = self.atomic_load();
        let ic = Arc::new(v.clone());
        loop {
            match p {
                P::Expunged => return None,
                P::Value(cur) => return Some(((*cur).clone(), true)),
                P::Nil => {
                    if self.cas(&P::Nil, P::Value(Arc::clone(&ic))) {
                        return Some((v.clone(), false));
                    }
                    p = self.atomic_load();
                }
            }
        }
    }

    /// `e.delete()`: the value it held, if any.
    fn delete(&self) -> Option<V> {
        loop {
            let p = self.atomic_load();
            let P::Value(v) = &p else {
                return None;
            };
            let v = Arc::clone(v);
            if self.cas(&p, P::Nil) {
                return Some((*v).clone());
            }
        }
    }

    /// `e.tryExpungeLocked()`: true if the entry is (now) expunged.
    fn try_expunge_locked(&self) -> bool {
        let mut p = self.atomic_load();
        while let P::Nil = p {
            if self.cas(&P::Nil, P::Expunged) {
                return true;
            }
            p = self.atomic_load();
        }
        matches!(p, P::Expunged)
    }
}

/// Go's `sync.Map`, shared between goroutines as `Arc<SyncMap<K, V>>`.
///
/// It uses the harness's mutex, so it only runs inside an execution.
///
/// ```
/// use maprace_harness::Explorer;
/// use maprace_maps::SyncMap;
/// let e = Explorer::new("doc/syncmap").iterations(1).run(|| {
///     let m = SyncMap::new();
///     m.store(1, "a");
///     assert_eq!(m.load_or_store(1, "b"), ("a", true));
///     assert_eq!(m.load_and_delete(&1), Some("a"));
///     assert_eq!(m.load(&1), None);
/// });
/// assert!(e.failures.is_empty());
/// ```
pub struct SyncMap<K, V> {
    mu: Mutex<()>,
    /// The fields `mu` guards (`dirty`, `misses`), as one object of the access record.
    locked: Object,
    read: AtomicValue<ReadOnly<K, V>>,
    /// Guarded by `mu`.
    dirty: SimCell<Option<Entries<K, V>>>,
    /// Guarded by `mu`.
    misses: SimCell<usize>,
}

impl<K: MapKey, V: MapValue> SyncMap<K, V> {
    /// An empty map (`var m sync.Map`).
    pub fn new() -> Self {
        SyncMap {
            // `sync.Map`'s own synchronisation orders as Go's does but is no mutant of the
            // program that uses it (see `Object::library`).
            mu: Mutex::library(()),
            locked: Object::new(ObjectKind::Cell),
            read: AtomicValue::library(ReadOnly {
                m: BTreeMap::new(),
                amended: false,
            }),
            dirty: SimCell::new(None),
            misses: SimCell::new(0),
        }
    }

    fn at(&self, point: Point, key: Option<&K>) {
        // Only `missLocked` has points of its own: it runs under `mu` and changes `dirty` and
        // `misses`, plain fields that the mutex protects.
        preempt_access_with(point, &self.locked, AccessKind::Write, |n| {
            if let Some(k) = key {
                n.detail(format!("k={k:?}"));
            }
            n.state(self.state());
        });
    }

    /// `m.Load(k)`.
    pub fn load(&self, key: &K) -> Option<V> {
        let read = self.read.load();
        let mut e = read.m.get(key).cloned();
        if e.is_none() && read.amended {
            let _g = self.mu.lock();
            // Check again: dirty may have been promoted while we waited for the lock.
            let read = self.read.load();
            e = read.m.get(key).cloned();
            if e.is_none() && read.amended {
                e = self
                    .dirty
                    .with(|d| d.as_ref().and_then(|d| d.get(key).cloned()));
                self.miss_locked(key);
            }
        }
        e?.load()
    }

    /// `m.Store(k, v)`.
    pub fn store(&self, key: K, value: V) {
        let value = Arc::new(value);
        let read = self.read.load();
        if let Some(e) = read.m.get(&key) {
            if e.try_store(&value) {
                return;
            }
        }
        let _g = self.mu.lock();
        let read = self.read.load();
        if let Some(e) = read.m.get(&key) {
            if e.unexpunge_locked() {
                // The entry was expunged: dirty lacks it, add it back.
                self.dirty_insert(key, Arc::clone(e));
            }
            e.store_locked(value);
        } else if let Some(e) = self.dirty_get(&key) {
            e.store_locked(value);
        } else {
            if !read.amended {
                // The first new key since the last promotion: build dirty, mark read amended.
                self.dirty_locked();
                self.read.store(ReadOnly {
                    m: read.m.clone(),
                    amended: true,
                });
            }
            let e = Arc::new(Entry {
                // Go's `sync` package, not the program: not a mutant (see `Object::library`).
                object: Object::library(ObjectKind::Atomic),
                p: SimCell::new(P::Value(value)),
            });
            self.dirty_insert(key, e);
        }
    }

    /// `m.LoadOrStore(k, v)`: the value present (and `true`), or `v` once stored (and `false`).
    pub fn load_or_store(&self, key: K, value: V) -> (V, bool) {
        let read = self.read.load();
        if let Some(e) = read.m.get(&key) {
            if let Some(r) = e.try_load_or_store(&value) {
                return r;
            }
        }
        let _g = self.mu.lock();
        let read = self.read.load();
        if let Some(e) = read.m.get(&key) {
            if e.unexpunge_locked() {
                self.dirty_insert(key, Arc::clone(e));
            }
            e.try_load_or_store(&value).unwrap_or((value, false))
        } else if let Some(e) = self.dirty_get(&key) {
            let r = e.try_load_or_store(&value).unwrap_or((value, false));
            self.miss_locked(&key);
            r
        } else {
            if !read.amended {
                self.dirty_locked();
                self.read.store(ReadOnly {
                    m: read.m.clone(),
                    amended: true,
                });
            }
            self.dirty_insert(key, Entry::new(value.clone()));
            (value, false)
        }
    }

    /// `m.LoadAndDelete(k)`: the value that was present.
    pub fn load_and_delete(&self, key: &K) -> Option<V> {
        let read = self.read.load();
        let mut e = read.m.get(key).cloned();
        if e.is_none() && read.amended {
            let _g = self.mu.lock();
            let read = self.read.load();
            e = read.m.get(key).cloned();
            if e.is_none() && read.amended {
                e = self
                    .dirty
                    .with_mut(|d| d.as_mut().and_then(|d| d.remove(key)));
                // Whether or not the key was there, it takes the slow path until promotion.
                self.miss_locked(key);
            }
        }
        e?.delete()
    }

    /// `m.Delete(k)`.
    pub fn delete(&self, key: &K) {
        self.load_and_delete(key);
    }

    /// `m.Range(f)`: promotes dirty first if amended, then walks the read map it loaded, in
    /// a random rotation of key order (Go's map order is random). Not a consistent snapshot:
    /// each value is loaded when its turn comes.
    pub fn range(&self, mut f: impl FnMut(&K, &V) -> bool) {
        let mut read = self.read.load();
        if read.amended {
            let _g = self.mu.lock();
            read = self.read.load();
            if read.amended {
                let dirty = self.dirty.with_mut(Option::take).unwrap_or_default();
                let promoted = Arc::new(ReadOnly {
                    m: dirty,
                    amended: false,
                });
                self.read.store_arc(Arc::clone(&promoted));
                self.misses.with_mut(|m| *m = 0);
                read = promoted;
            }
        }
        let entries: Vec<(&K, &Arc<Entry<V>>)> = read.m.iter().collect();
        if entries.is_empty() {
            return;
        }
        let start = (random_u64() % entries.len() as u64) as usize;
        for n in 0..entries.len() {
            let (k, e) = entries[(start + n) % entries.len()];
            let Some(v) = e.load() else {
                continue;
            };
            if !f(k, &v) {
                break;
            }
        }
    }

    /// `missLocked`: counts a miss and promotes dirty once misses reach `len(dirty)`.
    fn miss_locked(&self, key: &K) {
        let promote = {
            let misses = self.misses.with_mut(|m| {
                *m += 1;
                *m
            });
            let dirty_len = self.dirty.with(|d| d.as_ref().map_or(0, BTreeMap::len));
            misses >= dirty_len
        };
        self.at(MISS, Some(key));
        if !promote {
            return;
        }
        let dirty = self.dirty.with_mut(Option::take).unwrap_or_default();
        self.read.store(ReadOnly {
            m: dirty,
            amended: false,
        });
        self.misses.with_mut(|m| *m = 0);
        self.at(PROMOTE, None);
    }

    /// `dirtyLocked`: builds dirty from the read map, expunging deleted entries.
    fn dirty_locked(&self) {
        if self.dirty.with(Option::is_some) {
            return;
        }
        let read = self.read.load();
        let mut dirty = BTreeMap::new();
        for (k, e) in &read.m {
            if !e.try_expunge_locked() {
                dirty.insert(k.clone(), Arc::clone(e));
            }
        }
        self.dirty.with_mut(|d| *d = Some(dirty));
    }

    fn dirty_get(&self, key: &K) -> Option<Arc<Entry<V>>> {
        self.dirty
            .with(|d| d.as_ref().and_then(|d| d.get(key).cloned()))
    }

    fn dirty_insert(&self, key: K, e: Arc<Entry<V>>) {
        self.dirty
            .with_mut(|d| d.get_or_insert_with(BTreeMap::new).insert(key, e));
    }

    /// The internal state for traces: read map size, `amended`, dirty map size, `misses`.
    pub fn state(&self) -> State {
        // Peek without scheduling points: this runs inside a trace note.
        let (read_len, amended) = self.read.peek(|r| (r.m.len(), r.amended));
        let dirty = self.dirty.with(|d| {
            d.as_ref()
                .map_or("nil".to_string(), |d| d.len().to_string())
        });
        State::new()
            .with("read", read_len)
            .with("amended", amended)
            .with("dirty", dirty)
            .with("misses", self.misses.with(|m| *m))
    }

    /// How many keys the read map holds and whether dirty holds more: for tests of promotion.
    pub fn read_len(&self) -> (usize, bool) {
        self.read.peek(|r| (r.m.len(), r.amended))
    }
}

impl<K: MapKey, V: MapValue> Default for SyncMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: MapKey, V: MapValue> fmt::Debug for SyncMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SyncMap {{{}}}", self.state())
    }
}

impl<K: MapKey, V: MapValue> SharedMap<K, V> for SyncMap<K, V> {
    fn assign(&self, key: K, value: V) {
        self.store(key, value);
    }
    fn delete(&self, key: &K) {
        SyncMap::delete(self, key);
    }
    fn get(&self, key: &K) -> Option<V> {
        self.load(key)
    }
    /// `sync.Map` has no `Len`: this counts a [`SyncMap::range`], which is not a snapshot.
    fn len(&self) -> usize {
        let mut n = 0;
        SyncMap::range(self, |_, _| {
            n += 1;
            true
        });
        n
    }
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool) {
        SyncMap::range(self, f);
    }
    /// `m.Store(k, f(m.Load(k)))`: a load then a store, not atomic (sync.Map offers no
    /// read-modify-write but CompareAndSwap).
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V) {
        let old = self.load(&key);
        let new = f(old.as_ref());
        self.store(key, new);
    }
    fn snapshot(&self) -> Option<State> {
        Some(self.state())
    }
}
