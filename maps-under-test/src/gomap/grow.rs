//! Growing: `hashGrow` (map.go 1041-1082), `growWork` (1128-1137), `evacuate` (1152-1264) and
//! `advanceEvacuationMark` (1266-1288).
//!
//! `hashGrow` only swaps arrays and sets state; the data moves incrementally, one or two old
//! buckets per write (`growWork`), each split into an X half (same index) and a Y half (index
//! plus the old size). Reads and iteration never evacuate.

use super::bucket::{
    is_empty, BucketId, BUCKET_CNT, EVACUATED_EMPTY, EVACUATED_X, ITERATOR, MIN_TOP_HASH,
    OLD_ITERATOR, SAME_SIZE_GROW,
};
use super::hmap::{bucket_shift, over_load_factor, Hmap};
use super::points::{EVACUATE_DONE, EVACUATE_START};
use super::GoMap;
use crate::shared::{MapKey, MapValue};
use maprace_harness::{fail, fatal, FailureKind};

impl<K: MapKey, V: MapValue> GoMap<K, V> {
    /// `growWork(t, h, bucket)`: evacuate the old bucket `bucket` maps to, then (if the grow is
    /// still on) the lowest one not yet evacuated.
    pub(crate) fn grow_work(&self, bucket: usize) {
        let old = self.h.with(|h| bucket & h.oldbucketmask());
        self.evacuate(old);
        let next = self.h.with(|h| h.growing().then_some(h.nevacuate));
        if let Some(next) = next {
            self.evacuate(next);
        }
    }

    fn evacuate(&self, oldbucket: usize) {
        self.at(EVACUATE_START, || format!("oldbucket={oldbucket}"));
        self.h.with_mut(|h| h.evacuate(oldbucket));
        self.at(EVACUATE_DONE, || format!("oldbucket={oldbucket}"));
    }
}

/// An evacuation destination (`evacDst`): a bucket and the next free cell in it.
struct Dst {
    b: BucketId,
    i: usize,
}

impl<K: MapKey, V: MapValue> Hmap<K, V> {
    /// `hashGrow`: a bigger array if over the load factor, else a same-size one (the grow was
    /// started for too many overflow buckets). Moves no data.
    pub(crate) fn hash_grow(&mut self) {
        let mut bigger = 1u8;
        if !over_load_factor(self.count + 1, self.b) {
            bigger = 0;
            self.flags |= SAME_SIZE_GROW;
        }
        let oldbuckets = self.buckets;
        let newbuckets = self.alloc_array(bucket_shift(self.b + bigger));
        let mut flags = self.flags & !(ITERATOR | OLD_ITERATOR);
        if self.flags & ITERATOR != 0 {
            // Iterators on the current array now iterate what becomes the old one.
            flags |= OLD_ITERATOR;
        }
        // Commit the grow.
        self.b += bigger;
        self.flags = flags;
        self.oldbuckets = oldbuckets;
        self.buckets = Some(newbuckets);
        self.nevacuate = 0;
        self.noverflow = 0;
        if self.extra_overflow {
            // Promote the overflow list to the old generation (map.go 1064-1071).
            if self.extra_oldoverflow {
                fatal("oldoverflow is not nil");
            }
            self.extra_oldoverflow = true;
            self.extra_overflow = false;
        }
        if bigger == 1 {
            self.stats.grows += 1;
        } else {
            self.stats.same_size_grows += 1;
        }
    }

    /// `evacuate(t, h, oldbucket)`: moves an old bucket's chain to its X/Y destinations (or
    /// does nothing if already evacuated), then advances `nevacuate` if it was the lowest.
    pub(crate) fn evacuate(&mut self, oldbucket: usize) {
        let first = Self::bucket_in(self.oldbuckets, oldbucket, "old");
        let newbit = self.noldbuckets();
        if !self.arena[first].evacuated() {
            self.stats.evacuated += 1;
            let same_size = self.same_size_grow();
            let x = Self::bucket_in(self.buckets, oldbucket, "new X");
            let mut xy = [Dst { b: x, i: 0 }, Dst { b: x, i: 0 }];
            if !same_size {
                xy[1].b = Self::bucket_in(self.buckets, oldbucket + newbit, "new Y");
            }
            let mut b = Some(first);
            while let Some(cur) = b {
                for i in 0..BUCKET_CNT {
                    let top = self.arena[cur].tophash[i];
                    if is_empty(top) {
                        self.arena[cur].tophash[i] = EVACUATED_EMPTY;
                        continue;
                    }
                    if top < MIN_TOP_HASH {
                        fatal("bad map state");
                    }
                    let Some(key) = self.arena[cur].keys[i].clone() else {
                        fail(
                            FailureKind::MAP_CORRUPTED,
                            "map corrupted: a live cell holds no key",
                        );
                    };
                    let mut use_y = 0;
                    if !same_size && (self.hash)(&key, self.hash0) as usize & newbit != 0 {
                        use_y = 1;
                    }
                    self.arena[cur].tophash[i] = EVACUATED_X + use_y as u8;
                    if xy[use_y].i == BUCKET_CNT {
                        xy[use_y].b = self.newoverflow(xy[use_y].b);
                        xy[use_y].i = 0;
                    }
                    let dst = &xy[use_y];
                    let elem = self.arena[cur].elems[i].clone();
                    let d = &mut self.arena[dst.b];
                    d.tophash[dst.i] = top;
                    d.keys[dst.i] = Some(key);
                    d.elems[dst.i] = elem;
                    xy[use_y].i += 1;
                }
                b = self.arena[cur].overflow;
            }
            // Keys and elems stay in the old cells: buckets without pointers are not cleared
            // (map.go 1251), which is what lets an old iterator still read them.
        }
        if oldbucket == self.nevacuate {
            self.advance_evacuation_mark(newbit);
        }
    }

    /// `advanceEvacuationMark`: moves `nevacuate` past evacuated buckets (at most 1024 at a
    /// time) and ends the grow when every old bucket is done.
    fn advance_evacuation_mark(&mut self, newbit: usize) {
        self.nevacuate += 1;
        let stop = (self.nevacuate + 1024).min(newbit);
        while self.nevacuate != stop {
            let b = Self::bucket_in(self.oldbuckets, self.nevacuate, "old");
            if !self.arena[b].evacuated() {
                break;
            }
            self.nevacuate += 1;
        }
        if self.nevacuate == newbit {
            self.oldbuckets = None;
            self.extra_oldoverflow = false;
            self.flags &= !SAME_SIZE_GROW;
        }
    }
}
