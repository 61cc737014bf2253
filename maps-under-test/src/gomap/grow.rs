//! Growing: `hashGrow` (map.go 1041-1082), `growWork` (1128-1137), `evacuate` (1152-1264) and
//! `advanceEvacuationMark` (1266-1288).
//!
//! `hashGrow` only swaps arrays and sets state; the data moves incrementally, one or two old
//! buckets per write (`growWork`), each split into an X half (same index) and a Y half (index
//! plus the old size). Reads and iteration never evacuate.
//!
//! A race can leave a map that never stops growing: `mapassign` starts a grow, helps it to its
//! end and, back at `again`, starts the same grow again ([`GoMap::grows_forever`]).

use super::bucket::Array;
use super::bucket::{
    is_empty, BucketId, BUCKET_CNT, EVACUATED_EMPTY, EVACUATED_X, ITERATOR, MIN_TOP_HASH,
    OLD_ITERATOR, SAME_SIZE_GROW,
};
use super::hmap::{bucket_shift, over_load_factor, Hmap};
use super::points::{
    EVACUATE_BUCKET, EVACUATE_CHECKED, EVACUATE_DONE, EVACUATE_START, GROW_ALLOCATED, GROW_B,
    GROW_DONE, GROW_FLAGS, GROW_OLDBUCKETS, GROW_START,
};
use super::GoMap;
use crate::shared::{MapKey, MapValue};
use maprace_harness::{fail, fatal, FailureKind};

/// The failure kind of a goroutine that spins forever inside the map code: Go prints nothing,
/// the goroutine burns its CPU until the process is killed (or `go test` hits its timeout).
pub(crate) const HANG: &str = "hang";

/// What `mapassign`'s grow trigger (map.go 657-660) and the grow it starts depend on: `B`,
/// `count`, `noverflow` and the live keys the evacuation moves. When a grow started by one
/// `mapassign` call runs to its end and the trigger then sees the same values again, the next
/// grow ends the same way, and so on forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GrowTrigger {
    b: u8,
    count: isize,
    noverflow: u16,
    /// Live cells in the current array (a quiet map's `count`; a race can make them differ).
    live: usize,
}

impl<K: MapKey, V: MapValue> GoMap<K, V> {
    /// Go's endless `goto again` in `mapassign` (map.go 657-661), reached by the caller's
    /// second grow from the same [`GrowTrigger`]. A race lost `count` increments, so `count`
    /// is below the live keys: at B = 0 (or 1) a full bucket plus an overflow bucket then holds
    /// fewer keys than the load factor allows, `tooManyOverflowBuckets` starts a same-size
    /// grow, this call's `growWork` evacuates the whole old array (finishing the grow), the
    /// evacuation needs the overflow bucket again (`noverflow` = 1 = 2^B), and the trigger
    /// fires again. Go spins there for ever with `hashWriting` set.
    ///
    /// The model reports the hang at once (kind `hang`) instead of running into the step bound:
    /// the loop changes nothing another goroutine could observe except through the map, and
    /// any goroutine entering the map meets `hashWriting` and throws. (Only a writer already
    /// past its checks could still change `count` and end the loop in Go; the model does not
    /// wait for one.)
    pub(crate) fn grows_forever(&self, key: &K, t: GrowTrigger) -> ! {
        fail(
            FailureKind::new(HANG).expect("a valid kind id"),
            format!(
                "mapassign(k={key:?}) grows the map forever: B = {}, count = {} with {} live \
                 keys, {} overflow bucket(s); each same-size grow rebuilds the overflow that \
                 triggers the next (Go spins here until the process is killed or the test \
                 times out)",
                t.b, t.count, t.live, t.noverflow
            ),
        )
    }

    /// `hashGrow` (map.go 1041-1082), called by `mapassign` for `key`: the new array is
    /// allocated (a call into the allocator), then the header is committed one plain store at
    /// a time (`B`, `flags`, `oldbuckets`, then `buckets`, `nevacuate`, `noverflow`, `extra`),
    /// with a point after each, so a goroutine reading the header in between (an iterator
    /// that slipped past its check) sees a half-committed grow.
    pub(crate) fn hash_grow(&self, key: &K) {
        self.at(GROW_START, || format!("k={key:?}"));
        let (bigger, oldbuckets, newbuckets) = self.h.with_mut(|h| h.grow_allocate());
        self.at(GROW_ALLOCATED, || format!("k={key:?} bigger={bigger}"));
        // flags := h.flags &^ (iterator|oldIterator), computed from the flags now and stored
        // after B (1053-1060): a toggle by another writer in between is lost.
        let flags = self.h.with_mut(|h| {
            let mut flags = h.flags & !(ITERATOR | OLD_ITERATOR);
            if h.flags & ITERATOR != 0 {
                // Iterators on the current array now iterate what becomes the old one.
                flags |= OLD_ITERATOR;
            }
            h.b += bigger;
            flags
        });
        self.at(GROW_B, || format!("k={key:?}"));
        self.h.with_mut(|h| h.flags = flags);
        self.at(GROW_FLAGS, || format!("k={key:?}"));
        self.h.with_mut(|h| h.oldbuckets = oldbuckets);
        self.at(GROW_OLDBUCKETS, || format!("k={key:?}"));
        self.h.with_mut(|h| h.grow_commit(newbuckets, bigger));
        self.at(GROW_DONE, || format!("k={key:?}"));
    }

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

    /// `evacuate(t, h, oldbucket)` (map.go 1152-1264), one step per bucket of the old chain:
    /// the `evacuated(b)` check, then each bucket's cells marked and copied, then
    /// `advanceEvacuationMark`. Two writers that both slipped past the `hashWriting` checks can
    /// both pass the check on the same old bucket; the later one then meets the marks the
    /// earlier one wrote and throws `bad map state` (1185).
    fn evacuate(&self, oldbucket: usize) {
        self.at(EVACUATE_START, || format!("oldbucket={oldbucket}"));
        let (newbit, evac) = self.h.with_mut(|h| h.evacuate_begin(oldbucket));
        if let Some(mut evac) = evac {
            self.at(EVACUATE_CHECKED, || format!("oldbucket={oldbucket}"));
            while evac.cur.is_some() {
                self.h.with_mut(|h| h.evacuate_bucket(&mut evac));
                self.at(EVACUATE_BUCKET, || format!("oldbucket={oldbucket}"));
            }
        }
        self.h.with_mut(|h| h.evacuate_end(oldbucket, newbit));
        self.at(EVACUATE_DONE, || format!("oldbucket={oldbucket}"));
    }
}

/// An evacuation in progress: its destinations and the next bucket of the old chain.
pub(crate) struct Evacuation {
    same_size: bool,
    newbit: usize,
    xy: [Dst; 2],
    /// The next old bucket of the chain to move (`None` when done).
    pub cur: Option<BucketId>,
}

/// An evacuation destination (`evacDst`): a bucket and the next free cell in it.
struct Dst {
    b: BucketId,
    i: usize,
}

impl<K: MapKey, V: MapValue> Hmap<K, V> {
    /// The values `mapassign`'s grow trigger and the grow it starts depend on, read when no
    /// grow is in progress.
    pub(crate) fn grow_trigger(&self) -> GrowTrigger {
        let live = self.buckets.map_or(0, |array| {
            (0..array.len)
                .filter_map(|i| array.at(i))
                .flat_map(|b| self.chain(b))
                .map(|b| {
                    let tophash = &self.arena[b].tophash;
                    tophash.iter().filter(|&&t| t >= MIN_TOP_HASH).count()
                })
                .sum()
        });
        GrowTrigger {
            b: self.b,
            count: self.count,
            noverflow: self.noverflow,
            live,
        }
    }

    /// `hashGrow`'s first half (map.go 1042-1050): `bigger`, `sameSizeGrow`, the old array
    /// and the newly allocated one.
    pub(crate) fn grow_allocate(&mut self) -> (u8, Option<Array>, Array) {
        let mut bigger = 1u8;
        if !over_load_factor(self.count + 1, self.b) {
            bigger = 0;
            self.flags |= SAME_SIZE_GROW;
        }
        let oldbuckets = self.buckets;
        let newbuckets = self.alloc_array(bucket_shift(self.b.wrapping_add(bigger) & 63));
        (bigger, oldbuckets, newbuckets)
    }

    /// `hashGrow`'s last stores (map.go 1062-1081): the new array, `nevacuate`, `noverflow`,
    /// and the overflow list promoted to the old generation.
    pub(crate) fn grow_commit(&mut self, newbuckets: Array, bigger: u8) {
        self.buckets = Some(newbuckets);
        self.nevacuate = 0;
        self.noverflow = 0;
        if self.extra_overflow {
            // Promote the overflow list to the old generation (map.go 1064-1071). Only
            // pointer-free maps keep one (see `Hmap::pointers`).
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

    /// `evacuate`'s start: `newbit`, and unless the old bucket is evacuated already, its
    /// destinations (map.go 1153-1176).
    pub(crate) fn evacuate_begin(&mut self, oldbucket: usize) -> (usize, Option<Evacuation>) {
        let first = Self::bucket_in(self.oldbuckets, oldbucket, "old");
        let newbit = self.noldbuckets();
        if self.arena[first].evacuated() {
            return (newbit, None);
        }
        self.stats.evacuated += 1;
        let same_size = self.same_size_grow();
        let x = Self::bucket_in(self.buckets, oldbucket, "new X");
        let mut xy = [Dst { b: x, i: 0 }, Dst { b: x, i: 0 }];
        if !same_size {
            xy[1].b = Self::bucket_in(self.buckets, oldbucket + newbit, "new Y");
        }
        let evac = Evacuation {
            same_size,
            newbit,
            xy,
            cur: Some(first),
        };
        (newbit, Some(evac))
    }

    /// One bucket of the old chain (map.go 1178-1249): every cell marked `evacuatedEmpty` or
    /// `evacuatedX/Y` and its key and elem copied to the destination. A cell that already
    /// carries a mark (another writer is evacuating the same bucket) throws `bad map state`.
    pub(crate) fn evacuate_bucket(&mut self, e: &mut Evacuation) {
        let Some(cur) = e.cur else { return };
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
            if !e.same_size && (self.hash)(&key, self.hash0) as usize & e.newbit != 0 {
                use_y = 1;
            }
            self.arena[cur].tophash[i] = EVACUATED_X + use_y as u8;
            if e.xy[use_y].i == BUCKET_CNT {
                e.xy[use_y].b = self.newoverflow(e.xy[use_y].b);
                e.xy[use_y].i = 0;
            }
            let dst = &e.xy[use_y];
            let elem = self.arena[cur].elems[i].clone();
            let d = &mut self.arena[dst.b];
            d.tophash[dst.i] = top;
            d.keys[dst.i] = Some(key);
            d.elems[dst.i] = elem;
            e.xy[use_y].i += 1;
        }
        // Keys and elems stay in the old cells (map.go 1251 clears them only for buckets
        // with pointers and no old iterator; the model keeps them), which is what lets an old
        // iterator still read them.
        e.cur = self.arena[cur].overflow;
    }

    /// `evacuate`'s end (map.go 1261-1263): advance `nevacuate` if this was the lowest old
    /// bucket left.
    pub(crate) fn evacuate_end(&mut self, oldbucket: usize, newbit: usize) {
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

#[cfg(test)]
mod tests {
    use crate::GoMap;
    use maprace_harness::Raised;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    /// Every key in bucket 0 (tophash = key + 10), so overflow buckets come early.
    fn one_bucket(keys: u32) -> GoMap<u32, u32> {
        let m = GoMap::with_hash_fn(|k, _| u64::from(*k + 10) << 56);
        for k in 0..keys {
            m.assign(k, k);
        }
        m
    }

    fn raised(f: impl FnOnce()) -> Option<Raised> {
        let payload = catch_unwind(AssertUnwindSafe(f)).err()?;
        payload.downcast::<Raised>().ok().map(|r| *r)
    }

    /// Two lost `count++` leave a full bucket counted as 6: the next key goes to an overflow
    /// bucket without a grow, and the key after it sends `mapassign` round Go's endless
    /// same-size grow, which the model reports as a hang.
    #[test]
    fn a_count_below_the_live_keys_at_b0_hangs_mapassign() {
        let m = one_bucket(8);
        m.h.with_mut(|h| h.count -= 2);
        m.assign(8, 8);
        let i = m.internals();
        assert_eq!((i.b, i.count, i.noverflow), (0, 7, 1), "{i:?}");
        let r = raised(|| m.assign(9, 9)).expect("mapassign hangs");
        assert_eq!(r.kind.as_str(), super::HANG);
        assert!(
            r.message.contains("B = 0, count = 7 with 9 live keys"),
            "{}",
            r.message
        );
    }

    /// With `count` right, the same keys grow the map by doubling and every assign returns.
    #[test]
    fn the_same_keys_with_a_true_count_grow_normally() {
        let m = one_bucket(10);
        assert!(m.internals().b >= 1);
        m.check_invariants().unwrap();
    }
}
