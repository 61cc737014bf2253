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
use super::points::{ITER_INIT, ITER_NEXT};
use super::GoMap;
use crate::shared::{MapKey, MapValue};
use maprace_harness::{fatal, random_u64};

/// An iteration over a [`GoMap`] (Go's `hiter`): `for k, v := range m`. Yields
/// `(key, value)`, the value `None` for the zero value.
pub struct Iter<'a, K, V> {
    map: &'a GoMap<K, V>,
    state: Option<Hiter>,
}

/// `hiter`'s fields.
struct Hiter {
    /// `it.B`, `it.buckets`: the array when the iteration started.
    b: u8,
    buckets: Array,
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
}

impl<'a, K: MapKey, V: MapValue> Iter<'a, K, V> {
    /// `mapiterinit`.
    pub(crate) fn new(map: &'a GoMap<K, V>) -> Self {
        let mut it = Iter { map, state: None };
        if map.nil {
            return it;
        }
        map.at(ITER_INIT, String::new);
        let (count, b, buckets) = map.h.with(|h| (h.count, h.b, h.buckets));
        let (true, Some(buckets)) = (count != 0, buckets) else {
            return it;
        };
        // Go draws 32 random bits unless B > 28.
        let r = if b > 31 - 3 {
            random_u64() as usize
        } else {
            random_u64() as u32 as usize
        };
        let start_bucket = r & bucket_mask(b);
        map.h.with_mut(|h| {
            // createOverflow (pointer-free buckets are kept alive from extra).
            h.extra_overflow = true;
            // atomic.Or8(&h.flags, iterator|oldIterator), skipped if both are set.
            if h.flags & (ITERATOR | OLD_ITERATOR) != ITERATOR | OLD_ITERATOR {
                h.flags |= ITERATOR | OLD_ITERATOR;
            }
        });
        it.state = Some(Hiter {
            b,
            buckets,
            start_bucket,
            offset: (r >> b) & (BUCKET_CNT - 1),
            wrapped: false,
            bucket: start_bucket,
            bptr: None,
            i: 0,
            check_bucket: None,
        });
        it
    }
}

impl<K: MapKey, V: MapValue> Iterator for Iter<'_, K, V> {
    type Item = (K, Option<V>);

    /// `mapiternext`.
    fn next(&mut self) -> Option<Self::Item> {
        let state = self.state.as_mut()?;
        self.map.at(ITER_NEXT, String::new);
        let item = self.map.h.with(|h| {
            if h.flags & HASH_WRITING != 0 {
                fatal("concurrent map iteration and map write");
            }
            advance(h, state)
        });
        if item.is_none() {
            self.state = None;
        }
        item
    }
}

/// The walk of `mapiternext` from where the iterator stopped to the next key, or the end.
fn advance<K: MapKey, V: MapValue>(h: &Hmap<K, V>, it: &mut Hiter) -> Option<(K, Option<V>)> {
    let mut bucket = it.bucket;
    let mut b = it.bptr;
    let mut i = it.i;
    let mut check_bucket = it.check_bucket;
    loop {
        let cur = match b {
            Some(cur) => cur,
            None => {
                if bucket == it.start_bucket && it.wrapped {
                    return None;
                }
                let cur;
                if h.growing() && it.b == h.b {
                    // The iterator started during this grow: walk the old bucket while it
                    // is not evacuated, keeping only the keys bound for `bucket`.
                    let oldbucket = bucket & h.oldbucketmask();
                    let old = Hmap::<K, V>::bucket_in(h.oldbuckets, oldbucket, "old");
                    if !h.arena[old].evacuated() {
                        check_bucket = Some(bucket);
                        cur = old;
                    } else {
                        check_bucket = None;
                        cur = Hmap::<K, V>::bucket_in(Some(it.buckets), bucket, "iterator");
                    }
                } else {
                    check_bucket = None;
                    cur = Hmap::<K, V>::bucket_in(Some(it.buckets), bucket, "iterator");
                }
                bucket += 1;
                if bucket == bucket_shift(it.b) {
                    bucket = 0;
                    it.wrapped = true;
                }
                i = 0;
                cur
            }
        };
        while i < BUCKET_CNT {
            let offi = (i + it.offset) & (BUCKET_CNT - 1);
            let cell = &h.arena[cur];
            let top = cell.tophash[offi];
            i += 1;
            if is_empty(top) || top == EVACUATED_EMPTY {
                continue;
            }
            let Some(key) = cell.keys[offi].as_ref() else {
                continue;
            };
            if let Some(check) = check_bucket {
                if !h.same_size_grow() {
                    let hash = (h.hash)(key, h.hash0);
                    if hash as usize & bucket_mask(it.b) != check {
                        continue;
                    }
                }
            }
            let item = if top != EVACUATED_X && top != EVACUATED_Y {
                // The golden data.
                (key.clone(), cell.elems[offi].clone())
            } else {
                // The map grew since the iterator started: the key's current value (or its
                // deletion) is in the current map.
                match h.access_k(key) {
                    Some(found) => found,
                    None => continue,
                }
            };
            it.bucket = bucket;
            it.bptr = Some(cur);
            it.i = i;
            it.check_bucket = check_bucket;
            return Some(item);
        }
        b = h.arena[cur].overflow;
        i = 0;
    }
}
