//! The invariant checker: what must hold of a map no goroutine is writing to. Silent
//! corruption (two writers that both slipped past the `hashWriting` checks) shows up here as a
//! lost key, a key in two cells, a `count` that disagrees with the cells, or broken evacuation
//! marks.

use super::bucket::{
    tophash, BucketId, BUCKET_CNT, EMPTY_REST, EVACUATED_EMPTY, EVACUATED_X, EVACUATED_Y,
    HASH_WRITING, MIN_TOP_HASH,
};
use super::hmap::{bucket_mask, bucket_shift, Hmap};
use crate::shared::{MapKey, MapValue};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A live cell: where, and whether in the old array.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Loc {
    old: bool,
    index: usize,
    bucket: BucketId,
    slot: usize,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let which = if self.old { "old" } else { "new" };
        write!(f, "{which} bucket {} slot {}", self.index, self.slot)
    }
}

fn is_mark(top: u8) -> bool {
    (EVACUATED_X..=EVACUATED_EMPTY).contains(&top)
}

/// Checks every invariant; the first problems found, joined by `; `.
pub(crate) fn check<K: MapKey, V: MapValue>(h: &Hmap<K, V>) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut report = |p: String| {
        if problems.len() < 8 {
            problems.push(p);
        }
    };
    if h.flags & HASH_WRITING != 0 {
        report("hashWriting is still set (every later write will fail)".into());
    }
    if h.count < 0 {
        report(format!("count is negative ({})", h.count));
    }
    let Some(buckets) = h.buckets else {
        if h.count != 0 {
            report(format!("count is {} but no buckets are allocated", h.count));
        }
        if h.oldbuckets.is_some() {
            report("a grow is in progress with no buckets".into());
        }
        return finish(problems);
    };
    if buckets.len != bucket_shift(h.b) {
        report(format!(
            "B is {} but the array has {} buckets",
            h.b, buckets.len
        ));
        return finish(problems);
    }

    let mut live: BTreeMap<&K, Vec<Loc>> = BTreeMap::new();
    let mut live_cells_count = 0usize;
    let mut overflow_buckets = 0usize;

    // The current array: no evacuation marks, every key in the bucket its hash picks,
    // nothing live after an emptyRest.
    for j in 0..buckets.len {
        let chain = match chain_of(h, buckets.base + j) {
            Ok(c) => c,
            Err(e) => {
                report(format!("new bucket {j}: {e}"));
                continue;
            }
        };
        overflow_buckets += chain.len() - 1;
        for (key, loc) in live_cells(h, &chain, false, j, bucket_mask(h.b), &mut report) {
            live.entry(key).or_default().push(loc);
            live_cells_count += 1;
        }
    }

    if let Some(old) = h.oldbuckets {
        let newbit = h.noldbuckets();
        let same_size = h.same_size_grow();
        if old.len != newbit {
            report(format!(
                "the old array has {} buckets, B and flags say {newbit}",
                old.len
            ));
            return finish(problems);
        }
        if h.nevacuate >= old.len {
            report(format!(
                "nevacuate {} is past the {} old buckets but the grow is on",
                h.nevacuate, old.len
            ));
        }
        for o in 0..old.len {
            let first = old.base + o;
            let evacuated = h.arena[first].evacuated();
            if o < h.nevacuate && !evacuated {
                report(format!(
                    "old bucket {o} is below nevacuate {} but not evacuated",
                    h.nevacuate
                ));
            }
            let chain = match chain_of(h, first) {
                Ok(c) => c,
                Err(e) => {
                    report(format!("old bucket {o}: {e}"));
                    continue;
                }
            };
            if evacuated {
                check_evacuated(h, &chain, o, newbit, same_size, &mut report);
            } else {
                for (key, loc) in live_cells(h, &chain, true, o, newbit - 1, &mut report) {
                    live.entry(key).or_default().push(loc);
                    live_cells_count += 1;
                }
            }
            if !evacuated {
                // Nothing may be written to a new bucket before its old bucket is evacuated:
                // evacuation fills it from cell 0 and would overwrite it.
                let halves: &[usize] = if same_size { &[o] } else { &[o, o + newbit] };
                for &j in halves {
                    let nb = buckets.base + j;
                    let used = h.arena[nb].tophash.iter().any(|&t| t != EMPTY_REST)
                        || h.arena[nb].overflow.is_some();
                    if used {
                        report(format!(
                            "new bucket {j} was written before old bucket {o} was evacuated"
                        ));
                    }
                }
            }
        }
    } else if h.same_size_grow() {
        report("sameSizeGrow is set with no grow in progress".into());
    }

    if h.b < 16 && h.noverflow as usize != overflow_buckets {
        report(format!(
            "noverflow is {} but the current array has {overflow_buckets} overflow buckets",
            h.noverflow
        ));
    }
    if h.count != live_cells_count as isize {
        report(format!(
            "count is {} but {live_cells_count} cells are live",
            h.count
        ));
    }
    for (key, locs) in &live {
        if locs.len() > 1 {
            let mut s = format!("key {key:?} is in {} cells:", locs.len());
            for l in locs {
                let _ = write!(s, " {l};");
            }
            s.pop();
            report(s);
            continue;
        }
        let loc = locs[0];
        let slot = loc.slot % BUCKET_CNT;
        if h.find(key) != Some((loc.bucket, slot)) {
            report(format!("key {key:?} at {loc} is not found by a lookup"));
        }
    }
    finish(problems)
}

fn finish(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The live cells of a bucket chain that is not evacuated, after checking each cell: no
/// evacuation mark, nothing live after an `emptyRest`, a key in every live cell, the key's
/// tophash, and that its hash picks bucket `index` (under `mask`) of its array.
fn live_cells<'h, K: MapKey, V: MapValue>(
    h: &'h Hmap<K, V>,
    chain: &[BucketId],
    old: bool,
    index: usize,
    mask: usize,
    report: &mut impl FnMut(String),
) -> Vec<(&'h K, Loc)> {
    let mut out = Vec::new();
    let mut rest = false;
    for (n, &b) in chain.iter().enumerate() {
        for slot in 0..BUCKET_CNT {
            let top = h.arena[b].tophash[slot];
            let loc = Loc {
                old,
                index,
                bucket: b,
                slot: n * BUCKET_CNT + slot,
            };
            if top == EMPTY_REST {
                rest = true;
            }
            if is_mark(top) {
                report(if old {
                    format!("{loc} carries mark {top} in a bucket not evacuated")
                } else {
                    format!("{loc} carries evacuation mark {top}")
                });
            }
            if top < MIN_TOP_HASH {
                continue;
            }
            if rest {
                report(format!(
                    "{loc} is live after an emptyRest cell (unreachable)"
                ));
            }
            let Some(key) = h.arena[b].keys[slot].as_ref() else {
                report(format!("{loc} is live but holds no key"));
                continue;
            };
            let hash = (h.hash)(key, h.hash0);
            if tophash(hash) != top {
                report(format!(
                    "{loc}: key {key:?} has tophash {top}, expected {}",
                    tophash(hash)
                ));
            }
            if hash as usize & mask != index {
                let which = if old { "old" } else { "new" };
                report(format!(
                    "{loc}: key {key:?} belongs in {which} bucket {}",
                    hash as usize & mask
                ));
            }
            out.push((key, loc));
        }
    }
    out
}

/// Checks the marks of an evacuated old bucket's chain: every cell marked, and each key's mark
/// naming the half (X or Y) its hash sent it to.
fn check_evacuated<K: MapKey, V: MapValue>(
    h: &Hmap<K, V>,
    chain: &[BucketId],
    o: usize,
    newbit: usize,
    same_size: bool,
    report: &mut impl FnMut(String),
) {
    for (n, &b) in chain.iter().enumerate() {
        for slot in 0..BUCKET_CNT {
            let top = h.arena[b].tophash[slot];
            let loc = Loc {
                old: true,
                index: o,
                bucket: b,
                slot: n * BUCKET_CNT + slot,
            };
            if !is_mark(top) {
                report(format!("{loc} of an evacuated bucket has tophash {top}"));
            } else if top != EVACUATED_EMPTY {
                let want = match h.arena[b].keys[slot].as_ref() {
                    Some(k) if !same_size && (h.hash)(k, h.hash0) as usize & newbit != 0 => {
                        EVACUATED_Y
                    }
                    _ => EVACUATED_X,
                };
                if top != want {
                    report(format!("{loc} is marked {top}, its key went to {want}"));
                }
            }
        }
    }
}

/// The chain from `b`, or why it is broken.
fn chain_of<K, V>(h: &Hmap<K, V>, b: BucketId) -> Result<Vec<BucketId>, String> {
    let chain = h.chain(b);
    let last = *chain.last().expect("a chain has its first bucket");
    if h.arena[last].overflow.is_some() {
        return Err("its overflow chain has a cycle".into());
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use crate::gomap::bucket::{EMPTY_ONE, EVACUATED_Y, HASH_WRITING};
    use crate::GoMap;

    /// All keys in bucket 0 with tophash = key + 10: cells are easy to find and tamper with.
    fn map(keys: u32) -> GoMap<u32, u32> {
        let m = GoMap::with_hash_fn(|k, _| u64::from(*k + 10) << 56);
        for k in 0..keys {
            m.assign(k, k);
        }
        m.check_invariants().unwrap();
        m
    }

    fn err(m: &GoMap<u32, u32>) -> String {
        m.check_invariants().unwrap_err()
    }

    #[test]
    fn a_write_left_in_progress_is_reported() {
        let m = map(3);
        m.h.with_mut(|h| h.flags |= HASH_WRITING);
        assert!(err(&m).contains("hashWriting is still set"), "{}", err(&m));
    }

    #[test]
    fn a_lost_insert_shows_as_a_count_mismatch() {
        let m = map(3);
        m.h.with_mut(|h| h.count += 1);
        assert!(
            err(&m).contains("count is 4 but 3 cells are live"),
            "{}",
            err(&m)
        );
    }

    #[test]
    fn a_key_in_two_cells_is_reported() {
        let m = map(3);
        m.h.with_mut(|h| {
            let b = h.buckets.unwrap().base;
            h.arena[b].keys[5] = Some(1);
            h.arena[b].tophash[5] = 11;
            h.count += 1;
        });
        assert!(err(&m).contains("key 1 is in 2 cells"), "{}", err(&m));
    }

    #[test]
    fn a_key_after_empty_rest_is_unreachable() {
        let m = map(3);
        m.h.with_mut(|h| {
            let b = h.buckets.unwrap().base;
            h.arena[b].tophash[1] = 0; // emptyRest before keys 2's cell
            h.arena[b].keys[1] = None;
            h.count -= 1;
        });
        let e = err(&m);
        assert!(e.contains("live after an emptyRest cell"), "{e}");
        assert!(
            e.contains("key 2") && e.contains("not found by a lookup"),
            "{e}"
        );
    }

    #[test]
    fn a_wrong_tophash_or_bucket_is_reported() {
        let m = map(3);
        m.h.with_mut(|h| {
            let b = h.buckets.unwrap().base;
            h.arena[b].tophash[0] = 99;
        });
        assert!(
            err(&m).contains("has tophash 99, expected 10"),
            "{}",
            err(&m)
        );
    }

    #[test]
    fn broken_evacuation_marks_are_reported() {
        // Keys 0..27 with the default hash: insert 27 leaves a B=2 -> 3 grow in progress.
        let m: GoMap<u32, u32> = GoMap::new();
        for k in 0..27 {
            m.assign(k, k);
        }
        assert!(m.internals().growing);
        m.check_invariants().unwrap();
        // An old bucket not yet evacuated gets a mark in one cell.
        m.h.with_mut(|h| {
            let old = h.oldbuckets.unwrap();
            let o = (h.nevacuate..old.len)
                .find(|&o| !h.arena[old.base + o].evacuated())
                .expect("an old bucket is left");
            let b = old.base + o;
            // Not cell 0: a mark there would make the whole bucket look evacuated.
            let i = (1..8).find(|&i| h.arena[b].tophash[i] > EMPTY_ONE).unwrap();
            h.arena[b].tophash[i] = EVACUATED_Y;
        });
        let e = err(&m);
        assert!(e.contains("in a bucket not evacuated"), "{e}");
    }

    #[test]
    fn nevacuate_behind_an_unevacuated_bucket_is_reported() {
        let m: GoMap<u32, u32> = GoMap::new();
        for k in 0..27 {
            m.assign(k, k);
        }
        m.h.with_mut(|h| {
            let old = h.oldbuckets.unwrap();
            let first_left = (0..old.len)
                .find(|&o| !h.arena[old.base + o].evacuated())
                .unwrap();
            h.nevacuate = first_left + 1;
        });
        assert!(err(&m).contains("below nevacuate"), "{}", err(&m));
    }
}
