//! The writers: `mapassign` (map.go 578-693), `mapdelete` (695-809), `mapclear` (993-1039),
//! and the value load/store compiled code does around `mapassign`.
//!
//! Each follows Go's protocol: check `hashWriting` (fatal `concurrent map writes`), hash,
//! toggle the bit with a plain load and store, do the work (helping a grow in progress first),
//! check the bit is still set (fatal `concurrent map writes`), clear it. Locals (the bucket
//! being scanned, the cell chosen for the insert) live across preemption points as they do in
//! Go's registers; shared header fields are read again at the step where Go reads them.

use super::bucket::{
    is_empty, tophash, BucketId, BUCKET_CNT, EMPTY_ONE, EMPTY_REST, HASH_WRITING, SAME_SIZE_GROW,
};
use super::hmap::{bucket_mask, nil_deref, over_load_factor, too_many_overflow_buckets, Hmap};
use super::layout::InsertOrder;
use super::points::*;
use super::GoMap;
use crate::shared::{MapKey, MapValue};
use maprace_harness::{fail, fatal, random_u64, FailureKind, Point};

/// Where a value lives: Go's `elem` pointer, returned by `mapassign`.
pub(crate) type Slot = (BucketId, usize);

/// The points one writer uses for the common steps of the protocol.
struct WritePoints {
    hashed: Option<Point>,
    flag_loaded: Point,
    flag_set: Point,
    exit_passed: Point,
    cleared: Point,
}

const ASSIGN: WritePoints = WritePoints {
    hashed: Some(ASSIGN_HASHED),
    flag_loaded: ASSIGN_FLAG_LOADED,
    flag_set: ASSIGN_FLAG_SET,
    exit_passed: ASSIGN_EXIT_PASSED,
    cleared: ASSIGN_CLEARED,
};

const DELETE: WritePoints = WritePoints {
    hashed: Some(DELETE_HASHED),
    flag_loaded: DELETE_FLAG_LOADED,
    flag_set: DELETE_FLAG_SET,
    exit_passed: DELETE_EXIT_PASSED,
    cleared: DELETE_CLEARED,
};

const CLEAR: WritePoints = WritePoints {
    hashed: None,
    flag_loaded: CLEAR_FLAG_LOADED,
    flag_set: CLEAR_FLAG_SET,
    exit_passed: CLEAR_EXIT_PASSED,
    cleared: CLEAR_CLEARED,
};

/// What one step of a bucket-chain scan saw in one bucket.
struct Scanned {
    /// The first empty cell, if the caller still looks for one.
    first_empty: Option<usize>,
    /// The cell holding the key.
    found: Option<usize>,
    /// An `emptyRest` cell ended the search.
    stop: bool,
    /// The next bucket in the chain.
    overflow: Option<BucketId>,
}

fn scan<K: MapKey, V>(h: &Hmap<K, V>, b: BucketId, top: u8, key: &K, want_empty: bool) -> Scanned {
    let bucket = &h.arena[b];
    let mut out = Scanned {
        first_empty: None,
        found: None,
        stop: false,
        overflow: bucket.overflow,
    };
    for i in 0..BUCKET_CNT {
        if bucket.tophash[i] != top {
            if want_empty && out.first_empty.is_none() && is_empty(bucket.tophash[i]) {
                out.first_empty = Some(i);
            }
            if bucket.tophash[i] == EMPTY_REST {
                out.stop = true;
                return out;
            }
            continue;
        }
        if bucket.keys[i].as_ref() == Some(key) {
            out.found = Some(i);
            return out;
        }
    }
    out
}

/// The detail of a scan point: the key, the bucket, and what the scan found.
fn scan_detail<K: MapKey>(key: &K, bucket: usize, s: &Scanned, insert: Option<Slot>) -> String {
    let mut d = format!("k={key:?} bucket={bucket}");
    if let Some(i) = s.found {
        d.push_str(&format!(" found at slot {i}"));
    } else if let Some((_, i)) = insert {
        d.push_str(&format!(" free slot {i}"));
    }
    d
}

impl<K: MapKey, V: MapValue> GoMap<K, V> {
    fn key_detail(key: &K) -> impl FnOnce() -> String + '_ {
        move || format!("k={key:?}")
    }

    /// Entry check (after `ENTRY`) and, for hashing writers, the hash.
    fn enter(&self, p: &WritePoints, key: Option<&K>) -> u64 {
        if self.h.with(|h| h.flags & HASH_WRITING != 0) {
            fatal("concurrent map writes");
        }
        let hash = match key {
            Some(key) => self.h.with(|h| (h.hash)(key, h.hash0)),
            None => 0,
        };
        if let (Some(point), Some(key)) = (p.hashed, key) {
            self.at(point, Self::key_detail(key));
        }
        // h.flags ^= hashWriting: a plain load, then a store of the computed byte. A write by
        // another goroutine in between is lost, and two toggles cancel each other out.
        let loaded = self.h.with(|h| h.flags);
        self.at(p.flag_loaded, || {
            let flags = super::describe_flags(loaded);
            key.map_or(format!("loaded={flags}"), |k| {
                format!("k={k:?} loaded={flags}")
            })
        });
        self.h.with_mut(|h| h.flags = loaded ^ HASH_WRITING);
        let detail = || key.map(|k| format!("k={k:?}")).unwrap_or_default();
        self.at(p.flag_set, detail);
        hash
    }

    /// Exit check and clear (after the caller's last work point).
    fn leave(&self, p: &WritePoints, key: Option<&K>) {
        if self.h.with(|h| h.flags & HASH_WRITING == 0) {
            fatal("concurrent map writes");
        }
        let detail = || key.map(|k| format!("k={k:?}")).unwrap_or_default();
        self.at(p.exit_passed, detail);
        self.h.with_mut(|h| h.flags &= !HASH_WRITING);
        self.at(p.cleared, detail);
    }

    /// `mapassign`: finds or inserts `key`'s cell and returns where its value lives.
    pub(crate) fn mapassign(&self, key: &K) -> Slot {
        if self.nil {
            panic!("assignment to entry in nil map");
        }
        self.at(ASSIGN_ENTRY, Self::key_detail(key));
        let hash = self.enter(&ASSIGN, Some(key));
        // Lazily allocated on the first assign (map.go 603-605): the nil check, `newobject`
        // (a call into the allocator, where the goroutine can be preempted) and the store are
        // separate steps, so two first writers can both allocate and the later store drops
        // the earlier writer's bucket with its key.
        if self.h.with(|h| h.buckets.is_none()) {
            self.at(ASSIGN_BUCKETS_NIL, Self::key_detail(key));
            self.h.with_mut(|h| {
                let array = h.alloc_array(1);
                h.buckets = Some(array);
            });
        }
        let top = tophash(hash);
        // The trigger of the grow this call started last: a second grow from the same values
        // is Go's endless loop (see `GoMap::grows_forever`).
        let mut grown_from = None;
        let slot = 'again: loop {
            let (bucket, growing) = self
                .h
                .with(|h| (hash as usize & bucket_mask(h.b), h.growing()));
            if growing {
                self.grow_work(bucket);
            }
            let mut b = self
                .h
                .with(|h| Hmap::<K, V>::bucket_in(h.buckets, bucket, "current"));
            let mut insert: Option<Slot> = None;
            let found = loop {
                // One step per bucket of the chain, with a point after it: the cell chosen
                // for the insert can be taken by another writer before this one writes it.
                let s = self.h.with(|h| scan(h, b, top, key, insert.is_none()));
                if let Some(i) = s.first_empty {
                    insert = Some((b, i));
                }
                self.at(ASSIGN_SCAN, || scan_detail(key, bucket, &s, insert));
                if let Some(i) = s.found {
                    break Some((b, i));
                }
                match s.overflow {
                    Some(next) if !s.stop => b = next,
                    _ => break None,
                }
            };
            if let Some(slot) = found {
                // Existing key: nothing to insert (needkeyupdate is false for these keys);
                // straight to the exit check.
                break 'again slot;
            }
            // A new key: start growing if over the load factor or with too many overflow
            // buckets, unless a grow is already in progress (map.go 657-660).
            let grow = self.h.with(|h| {
                !h.growing()
                    && (over_load_factor(h.count + 1, h.b)
                        || too_many_overflow_buckets(h.noverflow, h.b))
            });
            if grow {
                let from = self.h.with(|h| h.grow_trigger());
                if grown_from == Some(from) {
                    self.grows_forever(key, from);
                }
                grown_from = Some(from);
                self.hash_grow(key);
                continue 'again;
            }
            let slot = self.h.with_mut(|h| match insert {
                Some(slot) => slot,
                // Chain full: a new overflow bucket after the last one (map.go 662-668).
                None => (h.newoverflow(b), 0),
            });
            self.insert_key(key, top, bucket, slot);
            // h.count++ (map.go 682): a plain load and store (INCQ without a lock prefix), so
            // two writers past the checks can lose an increment.
            let count = self.h.with(|h| h.count);
            self.at(ASSIGN_COUNT_LOADED, || format!("k={key:?} count={count}"));
            self.h.with_mut(|h| h.count = count + 1);
            self.at(ASSIGN_COUNTED, Self::key_detail(key));
            break 'again slot;
        };
        self.leave(&ASSIGN, Some(key));
        slot
    }

    /// Stores the new key and its tophash in `slot`, in the order of the `mapassign` variant
    /// Go compiles for the key type (see [`InsertOrder`]), with a point between the stores.
    fn insert_key(&self, key: &K, top: u8, bucket: usize, (ib, ii): Slot) {
        match Self::insert_order() {
            InsertOrder::KeyThenTophash => {
                self.h.with_mut(|h| {
                    h.arena[ib].keys[ii] = Some(key.clone());
                    h.arena[ib].tophash[ii] = top;
                });
            }
            InsertOrder::TophashThenKey => {
                self.h.with_mut(|h| h.arena[ib].tophash[ii] = top);
                self.at(ASSIGN_TOPHASH, || format!("k={key:?} slot={ii}"));
                self.h
                    .with_mut(|h| h.arena[ib].keys[ii] = Some(key.clone()));
            }
            InsertOrder::TophashLenPointer => {
                self.h.with_mut(|h| h.arena[ib].tophash[ii] = top);
                self.at(ASSIGN_TOPHASH, || format!("k={key:?} slot={ii}"));
                // The string header's length is stored, its data pointer still nil: a lookup
                // comparing a key of the same length reads through the nil pointer.
                self.h.with_mut(|h| {
                    h.arena[ib].keys[ii] = Some(key.clone());
                    h.torn.push((ib, ii));
                });
                self.at(ASSIGN_KEY_LEN, || format!("k={key:?} slot={ii}"));
                self.h.with_mut(|h| h.torn.retain(|&c| c != (ib, ii)));
            }
        }
        self.at(ASSIGN_INSERTED, || {
            format!("k={key:?} bucket={bucket} slot={ii}")
        });
    }

    /// The value store compiled code does after `mapassign` returns.
    pub(crate) fn store_elem(&self, (b, i): Slot, value: Option<V>) {
        self.h.with_mut(|h| h.arena[b].elems[i] = value);
    }

    /// The value load of `m[k] op= v`, after `mapassign` returns.
    pub(crate) fn load_elem(&self, (b, i): Slot) -> Option<V> {
        self.h.with(|h| h.arena[b].elems[i].clone())
    }

    /// `mapdelete`.
    pub(crate) fn mapdelete(&self, key: &K) {
        if self.nil {
            return;
        }
        self.at(DELETE_ENTRY, Self::key_detail(key));
        // An empty map returns before the check (map.go 708-713).
        if self.h.with(|h| h.count == 0) {
            return;
        }
        let hash = self.enter(&DELETE, Some(key));
        let top = tophash(hash);
        let (bucket, growing) = self
            .h
            .with(|h| (hash as usize & bucket_mask(h.b), h.growing()));
        if growing {
            self.grow_work(bucket);
        }
        let b_orig = self
            .h
            .with(|h| Hmap::<K, V>::bucket_in(h.buckets, bucket, "current"));
        let mut b = b_orig;
        let found = loop {
            let s = self.h.with(|h| scan(h, b, top, key, false));
            self.at(DELETE_SCAN, || scan_detail(key, bucket, &s, None));
            if let Some(i) = s.found {
                break Some(i);
            }
            match s.overflow {
                Some(next) if !s.stop => b = next,
                _ => break None,
            }
        };
        if let Some(i) = found {
            self.h.with_mut(|h| remove_cell(h, b_orig, b, i));
            self.at(DELETE_REMOVED, || {
                format!("k={key:?} bucket={bucket} slot={i}")
            });
            // h.count-- (map.go 797): a plain load and store, like count++.
            let count = self.h.with(|h| h.count);
            self.at(DELETE_COUNT_LOADED, || format!("k={key:?} count={count}"));
            let emptied = self.h.with_mut(|h| {
                h.count = count - 1;
                h.count == 0
            });
            if emptied {
                // Reset the hash seed when the map empties (issue 25237).
                let seed = random_u64() as u32;
                self.h.with_mut(|h| h.hash0 = seed);
            }
            self.at(DELETE_COUNTED, Self::key_detail(key));
        }
        self.leave(&DELETE, Some(key));
    }

    /// `mapclear`.
    pub(crate) fn mapclear(&self) {
        if self.nil {
            return;
        }
        self.at(CLEAR_ENTRY, String::new);
        if self.h.with(|h| h.count == 0) {
            return;
        }
        self.enter(&CLEAR, None);
        let seed = random_u64() as u32;
        self.h.with_mut(|h| {
            h.flags &= !SAME_SIZE_GROW;
            h.oldbuckets = None;
            h.nevacuate = 0;
            h.noverflow = 0;
            h.count = 0;
            h.hash0 = seed;
            h.extra_overflow = false;
            h.extra_oldoverflow = false;
            // makeBucketArray(t, h.B, h.buckets) clears the array in place, dropping the
            // overflow chains. The iterator bits stay set.
            if let Some(array) = h.buckets {
                for id in array.base..array.base + array.len {
                    h.arena[id] = super::bucket::Bucket::zeroed();
                }
            }
        });
        self.at(CLEAR_RESET, String::new);
        self.leave(&CLEAR, None);
    }
}

/// Empties cell `i` of bucket `b` (in the chain starting at `b_orig`) and turns the trailing
/// run of `emptyOne` cells into `emptyRest`, walking backwards across the chain (map.go
/// 757-795).
fn remove_cell<K, V>(h: &mut Hmap<K, V>, b_orig: BucketId, mut b: BucketId, mut i: usize) {
    h.arena[b].keys[i] = None;
    h.arena[b].elems[i] = None;
    h.arena[b].tophash[i] = EMPTY_ONE;
    let last_in_chain = if i == BUCKET_CNT - 1 {
        match h.arena[b].overflow {
            Some(ovf) => h.arena[ovf].tophash[0] == EMPTY_REST,
            None => true,
        }
    } else {
        h.arena[b].tophash[i + 1] == EMPTY_REST
    };
    if !last_in_chain {
        return;
    }
    loop {
        h.arena[b].tophash[i] = EMPTY_REST;
        if i == 0 {
            if b == b_orig {
                break;
            }
            // Find the previous bucket and continue at its last cell.
            let c = b;
            b = b_orig;
            let mut steps = 0;
            while h.arena[b].overflow != Some(c) {
                b = match h.arena[b].overflow {
                    Some(next) => next,
                    None => nil_deref(),
                };
                steps += 1;
                if steps > h.arena.len() {
                    fail(
                        FailureKind::MAP_CORRUPTED,
                        "map corrupted: overflow chain has a cycle",
                    );
                }
            }
            i = BUCKET_CNT - 1;
        } else {
            i -= 1;
        }
        if h.arena[b].tophash[i] != EMPTY_ONE {
            break;
        }
    }
}
