//! Iteration: `mapiterinit` (map.go 815-864) and `mapiternext` (866-990).
//!
//! The iterator snapshots `B` and the bucket array, starts at a random bucket and a random
//! offset inside each bucket, and checks `hashWriting` at every step. If a grow started before
//! the iterator (and is still going), it walks the old bucket of each new bucket while that old
//! bucket is not evacuated, keeping only the keys bound for the new bucket; if a grow started
//! after the iterator, keys found evacuated are looked up again in the current map.

use super::bucket::{
    is_empty, Array, BucketId, BUCKET_CNT, EVACUATED_EMPTY, EVACUATED_X, EVACUATED_Y, HASH_WRITING,
    ITERATOR, OLD_ITERATOR,
};
use super::hmap::{bucket_mask, bucket_shift, Hmap};
use super::points::{ITER_BUCKET, ITER_GROWING, ITER_INIT, ITER_NEXT, ITER_SNAPSHOT};
use super::GoMap;
use crate::shared::{MapKey, MapValue};
use maprace_harness::{fatal, random_u64, Point};

/// An iteration over a [`GoMap`] (Go's `hiter`): `for k, v := range m`. Yields
/// `(key, value)`, the value `None` for the zero value.
pub struct Iter<'a, K, V> {
    map: &'a GoMap<K, V>,
    state: Option<Hiter>,
}

/// `hiter`'s fields.
struct Hiter {
    /// `it.B`, `it.buckets`: the header when the iteration started (`None`: a nil array).
    b: u8,
    buckets: Option<Array>,
    start_bucket: usize,
    offset: usize,
    wrapped: bool,
    /// The next bucket index to start.
    bucket: usize,
    /// The bucket being walked (`bptr`), and the next cell in it.
    bptr: Option<BucketId>,
    i: usize,
    /// `checkBucket`: walking an old bucket, keep only keys bound for this new bucket.
    check_bucket: Option<usize>,
    /// Where the walk stands between two of its steps.
    at: Walk,
}

/// The model's position inside `mapiternext` between preemption points.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// Just past the `hashWriting` check, or inside a bucket.
    Walking,
    /// At the end of a bucket chain: the next step picks the next bucket.
    NextBucket,
    /// `h.growing() && it.B == h.B` was true: the next step reads `h.oldbuckets`.
    OldBucket,
}

impl<'a, K: MapKey, V: MapValue> Iter<'a, K, V> {
    /// `mapiterinit` (map.go 815-864): `it.B = h.B` and `it.buckets = h.buckets` are two
    /// loads with a point between them (a grow committed in between gives an iterator with
    /// the old `B` and the new array, or the other way round).
    pub(crate) fn new(map: &'a GoMap<K, V>) -> Self {
        let mut it = Iter { map, state: None };
        if map.nil {
            return it;
        }
        map.at(ITER_INIT, String::new);
        let (count, b) = map.h.with(|h| (h.count, h.b));
        if count == 0 {
            return it;
        }
        map.at(ITER_SNAPSHOT, || format!("it.B={b}"));
        // Go draws 32 random bits unless B > 28.
        let r = if b > 31 - 3 {
            random_u64() as usize
        } else {
            random_u64() as u32 as usize
        };
        let (buckets, start_bucket, offset) = map.h.with_mut(|h| {
            if !h.pointers {
                // createOverflow (pointer-free buckets are kept alive from extra, 849-855).
                h.extra_overflow = true;
            }
            // atomic.Or8(&h.flags, iterator|oldIterator), skipped if both are set.
            if h.flags & (ITERATOR | OLD_ITERATOR) != ITERATOR | OLD_ITERATOR {
                h.flags |= ITERATOR | OLD_ITERATOR;
            }
            // startBucket and offset read h.B again (845-852).
            let hb = h.b.min(63);
            (h.buckets, r & bucket_mask(hb), (r >> hb) & (BUCKET_CNT - 1))
        });
        it.state = Some(Hiter {
            b,
            buckets,
            start_bucket,
            offset,
            wrapped: false,
            bucket: start_bucket,
            bptr: None,
            i: 0,
            check_bucket: None,
            at: Walk::Walking,
        });
        it
    }
}

/// What one step of `mapiternext` ended with.
enum Step<K, V> {
    Item(K, Option<V>),
    Done,
    /// A preemption point, then the walk goes on.
    Pause(Point),
}

impl<K: MapKey, V: MapValue> Iterator for Iter<'_, K, V> {
    type Item = (K, Option<V>);

    /// `mapiternext` (map.go 866-990): the `hashWriting` check at entry, then the walk, with a
    /// point before each new bucket and between reading `h.growing()` and `h.oldbuckets`.
    fn next(&mut self) -> Option<Self::Item> {
        let state = self.state.as_mut()?;
        self.map.at(ITER_NEXT, String::new);
        let mut step = self.map.h.with(|h| {
            if h.flags & HASH_WRITING != 0 {
                fatal("concurrent map iteration and map write");
            }
            advance(h, state)
        });
        loop {
            match step {
                Step::Item(k, v) => return Some((k, v)),
                Step::Done => {
                    self.state = None;
                    return None;
                }
                Step::Pause(point) => {
                    let bucket = state.bucket;
                    self.map.at(point, || format!("bucket={bucket}"));
                    step = self.map.h.with(|h| advance(h, state));
                }
            }
        }
    }
}

/// The walk of `mapiternext` from where the iterator stopped to the next key, the end, or the
/// next preemption point.
fn advance<K: MapKey, V: MapValue>(h: &Hmap<K, V>, it: &mut Hiter) -> Step<K, V> {
    loop {
        let cur = match it.bptr {
            Some(cur) => cur,
            None => {
                match it.at {
                    Walk::Walking => {
                        // A bucket chain is done (or none was started): the next bucket is
                        // another step.
                        it.at = Walk::NextBucket;
                        return Step::Pause(ITER_BUCKET);
                    }
                    Walk::NextBucket => {
                        if it.bucket == it.start_bucket && it.wrapped {
                            return Step::Done;
                        }
                        if h.growing() && it.b == h.b {
                            it.at = Walk::OldBucket;
                            return Step::Pause(ITER_GROWING);
                        }
                        it.check_bucket = None;
                    }
                    Walk::OldBucket => {
                        // The iterator started during this grow: walk the old bucket while
                        // it is not evacuated, keeping only the keys bound for `bucket`. A
                        // writer that finished the grow since the check above left
                        // h.oldbuckets nil: the load faults (map.go 892-893).
                        let oldbucket = it.bucket & h.oldbucketmask();
                        let old = Hmap::<K, V>::bucket_in(h.oldbuckets, oldbucket, "old");
                        if !h.arena[old].evacuated() {
                            it.check_bucket = Some(it.bucket);
                            it.bptr = Some(old);
                        } else {
                            it.check_bucket = None;
                        }
                    }
                }
                let cur = match it.bptr {
                    Some(old) => old,
                    None => Hmap::<K, V>::bucket_in(it.buckets, it.bucket, "iterator"),
                };
                it.at = Walk::Walking;
                it.bucket += 1;
                if it.bucket == bucket_shift(it.b) {
                    it.bucket = 0;
                    it.wrapped = true;
                }
                it.i = 0;
                it.bptr = Some(cur);
                cur
            }
        };
        while it.i < BUCKET_CNT {
            let offi = (it.i + it.offset) & (BUCKET_CNT - 1);
            let cell = &h.arena[cur];
            let top = cell.tophash[offi];
            it.i += 1;
            if is_empty(top) || top == EVACUATED_EMPTY {
                continue;
            }
            let Some(key) = cell.keys[offi].as_ref() else {
                continue;
            };
            if let Some(check) = it.check_bucket {
                if !h.same_size_grow() {
                    let hash = (h.hash)(key, h.hash0);
                    if hash as usize & bucket_mask(it.b) != check {
                        continue;
                    }
                }
            }
            if top != EVACUATED_X && top != EVACUATED_Y {
                // The golden data.
                return Step::Item(key.clone(), cell.elems[offi].clone());
            }
            // The map grew since the iterator started: the key's current value (or its
            // deletion) is in the current map.
            if let Some((k, v)) = h.access_k(key) {
                return Step::Item(k, v);
            }
        }
        it.bptr = h.arena[cur].overflow;
        it.i = 0;
    }
}
