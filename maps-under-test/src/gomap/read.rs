//! The readers: `mapaccess2` (map.go 456-515) with its single entry check, and `mapaccessK`
//! (518-559), the check-free lookup the iterator uses for keys that moved.

use super::bucket::{is_empty, tophash, BucketId, BUCKET_CNT, EMPTY_REST, HASH_WRITING};
use super::hmap::{bucket_mask, nil_deref_at, Hmap};
use super::layout::str_len;
use super::points::{ACCESS_ENTRY, ACCESS_HASHED, ACCESS_SCAN};
use super::GoMap;
use crate::shared::{MapKey, MapValue};
use maprace_harness::fatal;

/// What scanning one bucket for a key found.
enum Probe {
    Found(usize),
    Next(Option<BucketId>),
}

fn probe<K: MapKey, V>(h: &Hmap<K, V>, b: BucketId, top: u8, key: &K) -> Probe {
    let bucket = &h.arena[b];
    for i in 0..BUCKET_CNT {
        if bucket.tophash[i] != top {
            if bucket.tophash[i] == EMPTY_REST {
                return Probe::Next(None);
            }
            // With one bucket, mapaccess*_faststr compares every non-empty cell's key
            // length without looking at the tophash (map_faststr.go 25-49).
            if h.b == 0 && !is_empty(bucket.tophash[i]) {
                compare_torn(h, b, i, key);
            }
            continue;
        }
        compare_torn(h, b, i, key);
        if bucket.keys[i].as_ref() == Some(key) {
            return Probe::Found(i);
        }
    }
    Probe::Next(bucket.overflow)
}

/// Comparing `key` with the string key of cell `i` of bucket `b` while a writer has stored its
/// length but not its data pointer: equal lengths send the comparison to `memequal` on the nil
/// pointer (map_faststr.go 35-43, 79-83), a fault in `memeqbody`.
fn compare_torn<K: MapKey, V>(h: &Hmap<K, V>, b: BucketId, i: usize, key: &K) {
    if h.torn.is_empty() || !h.torn.contains(&(b, i)) {
        return;
    }
    let stored = h.arena[b].keys[i].as_ref().and_then(str_len);
    if let (Some(n), Some(m)) = (stored, str_len(key)) {
        if n == m && n > 0 {
            nil_deref_at(0);
        }
    }
}

impl<K: MapKey, V: MapValue> Hmap<K, V> {
    /// The bucket a lookup starts at: the new one, or during a grow the old one if that is not
    /// evacuated yet (map.go 478-490).
    pub(crate) fn lookup_bucket(&self, hash: u64) -> BucketId {
        let mut m = bucket_mask(self.b);
        let mut b = Self::bucket_in(self.buckets, hash as usize & m, "current");
        if let Some(old) = self.oldbuckets {
            if !self.same_size_grow() {
                // There used to be half as many buckets.
                m >>= 1;
            }
            let oldb = Self::bucket_in(Some(old), hash as usize & m, "old");
            if !self.arena[oldb].evacuated() {
                b = oldb;
            }
        }
        b
    }

    /// `mapaccessK` with no check: the cell holding `key`, if any.
    pub(crate) fn find(&self, key: &K) -> Option<(BucketId, usize)> {
        if self.count == 0 || self.buckets.is_none() {
            return None;
        }
        let hash = (self.hash)(key, self.hash0);
        let top = tophash(hash);
        let mut b = Some(self.lookup_bucket(hash));
        while let Some(cur) = b {
            match probe(self, cur, top, key) {
                Probe::Found(i) => return Some((cur, i)),
                Probe::Next(next) => b = next,
            }
        }
        None
    }

    /// `mapaccessK`: the key and value as the map holds them now.
    pub(crate) fn access_k(&self, key: &K) -> Option<(K, Option<V>)> {
        let (b, i) = self.find(key)?;
        let bucket = &self.arena[b];
        Some((bucket.keys[i].clone()?, bucket.elems[i].clone()))
    }
}

impl<K: MapKey, V: MapValue> GoMap<K, V> {
    /// `mapaccess2`: one `hashWriting` check at entry, after the empty-map early return.
    pub(crate) fn mapaccess2(&self, key: &K) -> (Option<V>, bool) {
        if self.nil {
            return (None, false);
        }
        self.at(ACCESS_ENTRY, || format!("k={key:?}"));
        let entry = self.h.with(|h| {
            if h.count == 0 {
                return None;
            }
            if h.flags & HASH_WRITING != 0 {
                fatal("concurrent map read and map write");
            }
            Some((h.hash)(key, h.hash0))
        });
        let Some(hash) = entry else {
            return (None, false);
        };
        self.at(ACCESS_HASHED, || format!("k={key:?}"));
        let top = tophash(hash);
        let mut b = Some(self.h.with(|h| h.lookup_bucket(hash)));
        while let Some(cur) = b {
            self.at(ACCESS_SCAN, || format!("k={key:?}"));
            match self.h.with(|h| probe(h, cur, top, key)) {
                Probe::Found(i) => {
                    return (self.h.with(|h| h.arena[cur].elems[i].clone()), true);
                }
                Probe::Next(next) => b = next,
            }
        }
        (None, false)
    }
}
