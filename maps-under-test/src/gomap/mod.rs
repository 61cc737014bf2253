//! [`GoMap`]: a model of Go's classic runtime map (`hmap`, Go 1.19-1.23, `runtime/map.go`).
//!
//! The model keeps Go's data structure (buckets of 8 cells with tophash bytes and marks,
//! overflow chains, `B`, `count`, `flags`, `hash0`, `oldbuckets`, `nevacuate`, `noverflow`) and
//! runs Go's algorithms on it step by step: `mapassign`, `mapdelete`, `mapaccess2`, `mapclear`,
//! `mapiterinit`/`mapiternext`, `hashGrow`, `growWork`, `evacuate` and
//! `advanceEvacuationMark`. Between the steps sit labelled preemption points, so under the
//! harness two goroutines interleave exactly where two Go goroutines can, and meet the
//! `hashWriting` checks in Go's order with Go's messages; where both slip past the checks, the
//! map is corrupted the way Go's would be, and [`GoMap::check_invariants`] says how.
//!
//! Flag and counter updates are plain loads and stores in Go, and the model splits them where
//! Go's compiled code is split (line numbers are Go 1.19's `map.go` unless another file is
//! named):
//!
//! - the `flags ^= hashWriting` toggle is a load, a point and a store, so a toggle can be
//!   lost; `count++`/`count--` likewise (682, 797: `INCQ`/`DECQ` without a lock prefix), so an
//!   increment can be lost;
//! - the lazy first allocation is a `buckets == nil` check, a point (the call into the
//!   allocator) and a store (603-605): two first writers both allocate and one's key is lost;
//! - a new cell is stored in the order of the `mapassign` variant Go compiles for the key type:
//!   generic key then tophash (671-681), fast32/64 tophash then key, faststr tophash, then the
//!   string's length, then its pointer (map_faststr.go 283-289); a lookup comparing a key of
//!   the same length with a half-written one faults in `memequal`;
//! - `hashGrow` allocates, then commits `B`, `flags`, `oldbuckets` and `buckets` one store at
//!   a time (1041-1082);
//! - `evacuate` checks `evacuated(b)`, then moves one bucket of the old chain per step
//!   (1152-1264): two writers that slipped past the checks can both pass the check on one old
//!   bucket, and the later one meets the earlier one's marks: `fatal error: bad map state`;
//! - `mapiterinit` reads `B` and `buckets` in two steps (845-847), and `mapiternext` takes a
//!   step per bucket and a point between reading `h.growing()` and loading `h.oldbuckets`
//!   (889-893): an iterator that slipped past its check while another goroutine finished a
//!   grow loads through a nil `oldbuckets` and faults.
//!
//! A load through a nil pointer inside the map code fails the execution with kind `fault` and
//! Go's text (`panic: runtime error: invalid memory address or nil pointer dereference [signal
//! SIGSEGV ...]`). Overflow bookkeeping follows the key and elem
//! types as Go's does: only pointer-free buckets are listed in `extra.overflow` (map.go
//! 262-268), so only maps of scalar keys and elems can throw `oldoverflow is not nil`.
//!
//! What is left out: the clearing of evacuated cells of buckets with pointers (map.go 1251;
//! the model keeps the keys, as Go does for pointer-free types), NaN keys, indirect keys and
//! elems, the preallocated overflow buckets of `makeBucketArray` (they change memory, not
//! behaviour) and the `-race` detector's own reports.

mod bucket;
mod check;
mod grow;
mod hash;
mod hmap;
mod iter;
mod layout;
mod points;
mod read;
mod write;

pub use bucket::{
    describe_flags, tophash, BUCKET_CNT, EMPTY_ONE, EMPTY_REST, EVACUATED_EMPTY, EVACUATED_X,
    EVACUATED_Y, HASH_WRITING, ITERATOR, MIN_TOP_HASH, OLD_ITERATOR, SAME_SIZE_GROW,
};
pub use hash::{default_hash, HashFn};
pub use hmap::{holds_pointers, over_load_factor, too_many_overflow_buckets, Stats};
pub use iter::Iter;

use crate::cell::SimCell;
use crate::shared::{MapKey, MapValue, SharedMap};
use hmap::Hmap;
use maprace_harness::{
    fail, preempt_access_with, preempt_with, random_u64, AccessKind, FailureKind, Object,
    ObjectKind, Point, State,
};
use std::fmt;

/// A model of Go's runtime map, shared between goroutines as `Arc<GoMap<K, V>>`.
///
/// Outside an execution its preemption points do nothing, so it is also a plain sequential map
/// with Go's semantics (and Go's growth), usable in ordinary tests.
///
/// ```
/// use maprace_maps::GoMap;
/// let m = GoMap::new();
/// for k in 0..9u32 {
///     m.assign(k, k);
/// }
/// // Insert 9 went over the load factor of an 8-slot bucket: B is 1 now.
/// assert_eq!(m.internals().b, 1);
/// assert_eq!(m.len(), 9);
/// m.assert_invariants();
/// ```
pub struct GoMap<K, V> {
    h: SimCell<Hmap<K, V>>,
    nil: bool,
    /// The map (its header) in the object/access record: every step of a write operation
    /// (assign, delete, clear, grow, evacuate) writes it, every step of a read (access,
    /// iteration, len) reads it. Go's `-race` build instruments map operations the same way,
    /// on the header (`racewritepc`/`racereadpc` at entry, map.go 585, 400, 700, 823).
    object: Object,
}

/// A view of a [`GoMap`]'s header, for tests and reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Internals {
    /// `B`: the map has 2^B buckets.
    pub b: u8,
    /// `count` (an `int` in Go: racing deletes can make it negative).
    pub count: isize,
    /// `flags`.
    pub flags: u8,
    /// `hash0`.
    pub hash0: u32,
    /// `noverflow`.
    pub noverflow: u16,
    /// Whether a grow is in progress (`oldbuckets != nil`).
    pub growing: bool,
    /// The size of the old bucket array during a grow.
    pub old_buckets: Option<usize>,
    /// `nevacuate`.
    pub nevacuate: usize,
    /// Whether the buckets are allocated yet.
    pub allocated: bool,
    /// What the model counted so far.
    pub stats: Stats,
}

impl<K: MapKey, V: MapValue> GoMap<K, V> {
    /// `make(map[K]V)`: B = 0, buckets allocated by the first assign, `hash0` from
    /// [`random_u64`] (the exploration's seed inside an execution).
    pub fn new() -> Self {
        Self::with_hint(0)
    }

    /// `make(map[K]V, hint)`: the smallest B that holds `hint` entries without a grow
    /// (map.go 318-322).
    pub fn with_hint(hint: usize) -> Self {
        Self::with_hint_and_hash_fn(hint, default_hash::<K>)
    }

    /// `make(map[K]V)` with `hash` instead of [`default_hash`]: tests use it to put keys in
    /// chosen buckets (the low B bits pick the bucket, the top byte is the tophash).
    ///
    /// ```
    /// use maprace_maps::GoMap;
    /// // Every key in bucket 0: the ninth insert needs an overflow bucket.
    /// let m: GoMap<u32, u32> = GoMap::with_hash_fn(|k, _| u64::from(*k) << 56);
    /// for k in 0..8 {
    ///     m.assign(k + 10, k);
    /// }
    /// assert_eq!(m.internals().noverflow, 0);
    /// m.assign(99, 0); // ninth key: grow to B = 1, still all in bucket 0 -> overflow
    /// assert_eq!(m.internals().b, 1);
    /// assert_eq!(m.internals().noverflow, 1);
    /// ```
    pub fn with_hash_fn(hash: HashFn<K>) -> Self {
        Self::with_hint_and_hash_fn(0, hash)
    }

    /// `make(map[K]V, hint)` with a custom hash function.
    pub fn with_hint_and_hash_fn(hint: usize, hash: HashFn<K>) -> Self {
        let hint = isize::try_from(hint).unwrap_or(isize::MAX);
        let mut b = 0u8;
        while over_load_factor(hint, b) {
            b += 1;
        }
        let hash0 = random_u64() as u32;
        GoMap {
            h: SimCell::new(Hmap::new(hash, hash0, b, Self::pointers())),
            nil: false,
            object: Object::new(ObjectKind::Map),
        }
    }

    /// `var m map[K]V`: reads, deletes, `len` and `range` see an empty map; assigning panics
    /// with `assignment to entry in nil map` (a plain, recoverable panic in Go).
    pub fn nil() -> Self {
        GoMap {
            h: SimCell::new(Hmap::new(default_hash::<K>, 0, 0, Self::pointers())),
            nil: true,
            object: Object::new(ObjectKind::Map),
        }
    }

    /// Whether the map's buckets hold pointers (`t.bucket.ptrdata != 0`): the key or the elem
    /// type is not a scalar (see [`holds_pointers`]).
    pub fn pointers() -> bool {
        holds_pointers::<K>() || holds_pointers::<V>()
    }

    /// Which `mapassign` variant Go compiles for `K`, and so the order of its stores.
    fn insert_order() -> layout::InsertOrder {
        layout::InsertOrder::of::<K>()
    }

    /// Whether this is a nil map.
    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// `m[k] = v`: `mapassign`, then the value store the compiled code does after it returns
    /// (outside the `hashWriting` window).
    pub fn assign(&self, key: K, value: V) {
        let slot = self.mapassign(&key);
        self.store_elem(slot, Some(value));
    }

    /// `m[k] = f(m[k])` as Go compiles `m[k] op= v`: `mapassign`, then a load of the value
    /// (`None` for the zero value), a preemption point, and the store. Two goroutines doing
    /// this on one key can lose an update without any runtime check noticing.
    pub fn update(&self, key: K, f: impl FnOnce(Option<&V>) -> V) {
        let slot = self.mapassign(&key);
        let old = self.load_elem(slot);
        let new = f(old.as_ref());
        self.at(points::VALUE_LOADED, || format!("k={key:?}"));
        self.store_elem(slot, Some(new));
    }

    /// `delete(m, k)`.
    pub fn delete(&self, key: &K) {
        self.mapdelete(key);
    }

    /// `v := m[k]`: `None` for an absent key (or a present key still holding the zero value,
    /// which only a racing writer can leave; [`GoMap::get2`] tells them apart).
    pub fn get(&self, key: &K) -> Option<V> {
        self.get2(key).0
    }

    /// `v, ok := m[k]` exactly: the value (`None` = the zero value) and whether the key is
    /// present.
    pub fn get2(&self, key: &K) -> (Option<V>, bool) {
        self.mapaccess2(key)
    }

    /// `len(m)`: reads `count` with no check (never negative here; see
    /// [`GoMap::internals`] for the raw count).
    pub fn len(&self) -> usize {
        if self.nil {
            return 0;
        }
        self.at(points::LEN_READ, String::new);
        self.h.with(|h| h.count.max(0) as usize)
    }

    /// `len(m) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `clear(m)` (and `for k := range m { delete(m, k) }`, which compiles to it): `mapclear`.
    pub fn clear(&self) {
        self.mapclear();
    }

    /// `for k, v := range m`: an iterator doing `mapiterinit` now and `mapiternext` at every
    /// [`Iterator::next`], with Go's random start and its rules for a map that grows or changes
    /// during the iteration (the same goroutine may write to the map between steps, as Go
    /// allows). Items are `(key, value)`, the value `None` for the zero value.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter::new(self)
    }

    /// `for k, v := range m { if !f(k, v) { break } }`. A key still holding the zero value
    /// (left so by a racing writer) is skipped; use [`GoMap::iter`] to see it.
    pub fn range(&self, mut f: impl FnMut(&K, &V) -> bool) {
        for (k, v) in self.iter() {
            if let Some(v) = v {
                if !f(&k, &v) {
                    break;
                }
            }
        }
    }

    /// The state snapshot the model's preemption points carry: `B`, `count`, `flags`,
    /// `growing`, `nevacuate`, `noverflow`.
    pub fn state(&self) -> State {
        if self.nil {
            return State::new().with("nil", true);
        }
        self.h.with(points::snapshot)
    }

    /// The header, for tests and reports.
    pub fn internals(&self) -> Internals {
        self.h.with(|h| Internals {
            b: h.b,
            count: h.count,
            flags: h.flags,
            hash0: h.hash0,
            noverflow: h.noverflow,
            growing: h.growing(),
            old_buckets: h.oldbuckets.map(|a| a.len),
            nevacuate: h.nevacuate,
            allocated: h.buckets.is_some(),
            stats: h.stats,
        })
    }

    /// The hash the map gives `key` with its current `hash0`.
    pub fn hash_of(&self, key: &K) -> u64 {
        self.h.with(|h| (h.hash)(key, h.hash0))
    }

    /// Checks the map's invariants; meant for a quiescent map (no operation in progress):
    /// no write in progress, every live key reachable by a lookup and present exactly once,
    /// `count` equal to the live cells, tophash and bucket placement consistent with the hash,
    /// evacuation marks and `nevacuate` consistent with the grow state.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.nil {
            return Ok(());
        }
        self.h.with(check::check)
    }

    /// [`GoMap::check_invariants`], failing the execution with kind `map-corrupted` when it
    /// finds a problem (a plain panic with the same payload outside an execution).
    pub fn assert_invariants(&self) {
        if let Err(why) = self.check_invariants() {
            fail(FailureKind::MAP_CORRUPTED, format!("map corrupted: {why}"));
        }
    }

    /// A preemption point with a detail and the state snapshot.
    fn at(&self, point: Point, detail: impl FnOnce() -> String) {
        let note = |n: &mut maprace_harness::EventNote| {
            let d = detail();
            if !d.is_empty() {
                n.detail(d);
            }
            if self.nil {
                n.state(self.state());
            } else {
                self.h.with(|h| points::describe(h, n));
            }
        };
        if self.nil {
            // A nil map has no header: Go's race instrumentation skips it (`h != nil`).
            preempt_with(point, note);
        } else {
            let kind = if point.op.is_map_write() {
                AccessKind::Write
            } else {
                AccessKind::Read
            };
            preempt_access_with(point, &self.object, kind, note);
        }
    }
}

impl<K: MapKey, V: MapValue> Default for GoMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: MapKey, V: MapValue> fmt::Debug for GoMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GoMap {{{}}}", self.state())
    }
}

impl<K: MapKey, V: MapValue> SharedMap<K, V> for GoMap<K, V> {
    fn assign(&self, key: K, value: V) {
        GoMap::assign(self, key, value)
    }
    fn delete(&self, key: &K) {
        GoMap::delete(self, key)
    }
    fn get(&self, key: &K) -> Option<V> {
        GoMap::get(self, key)
    }
    fn len(&self) -> usize {
        GoMap::len(self)
    }
    fn range(&self, f: &mut dyn FnMut(&K, &V) -> bool) {
        GoMap::range(self, f)
    }
    fn update(&self, key: K, f: &mut dyn FnMut(Option<&V>) -> V) {
        GoMap::update(self, key, f)
    }
    fn snapshot(&self) -> Option<State> {
        Some(self.state())
    }
    fn check(&self) -> Result<(), String> {
        self.check_invariants()
    }
}
