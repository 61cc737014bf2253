//! The map header (`hmap`, map.go 116-130) and the small helpers Go defines on it.

use super::bucket::{Array, Bucket, BucketId, BUCKET_CNT, SAME_SIZE_GROW};
use super::hash::HashFn;
use maprace_harness::{fail, fatal, random_u64, FailureKind};

/// `loadFactorNum` / `loadFactorDen` (map.go 71-72).
const LOAD_FACTOR_NUM: usize = 13;
const LOAD_FACTOR_DEN: usize = 2;

/// `overLoadFactor(count, B)` (map.go 1085-1087): more than 6.5 entries per bucket on average,
/// with Go's integer division (so for B = 0 the limit is just `count > 8`).
pub fn over_load_factor(count: isize, b: u8) -> bool {
    count > BUCKET_CNT as isize
        && count as usize > LOAD_FACTOR_NUM * (bucket_shift(b) / LOAD_FACTOR_DEN)
}

/// `tooManyOverflowBuckets(noverflow, B)` (map.go 1092-1102).
pub fn too_many_overflow_buckets(noverflow: u16, b: u8) -> bool {
    let b = b.min(15);
    noverflow >= 1u16 << b
}

/// `bucketShift(B)`: 2^B.
pub fn bucket_shift(b: u8) -> usize {
    1usize << b
}

/// `bucketMask(B)`: 2^B - 1.
pub fn bucket_mask(b: u8) -> usize {
    bucket_shift(b) - 1
}

/// The size of a bucket of `map[int]int` (8 tophash bytes, 8 keys, 8 elems, the overflow
/// pointer): the model's guess at how far from nil a bucket pointer computed from a nil array
/// lands.
const BUCKET_BYTES: usize = 8 + 8 * 8 + 8 * 8 + 8;

/// A load through a nil pointer plus `offset` bytes, as Go's signal handler reports it: below
/// the first page, a runtime panic (`invalid memory address or nil pointer dereference`);
/// beyond it, `unexpected fault address` and `fatal error: fault` (runtime/signal_unix.go
/// `sigpanic`).
pub fn nil_deref_at(offset: usize) -> ! {
    if offset < 0x1000 {
        panic!("runtime error: invalid memory address or nil pointer dereference")
    }
    fatal("fault")
}

/// A load through a nil pointer (the overflow pointer of a bucket, near offset 0).
pub fn nil_deref() -> ! {
    nil_deref_at(0)
}

/// The header, plus the model's memory (the arena every bucket pointer indexes).
pub(crate) struct Hmap<K, V> {
    /// `count`: live cells. An `int` in Go: racing deletes can take it below zero.
    pub count: isize,
    pub flags: u8,
    /// `B`: log2 of the number of buckets.
    pub b: u8,
    /// Approximate number of overflow buckets (exact while B < 16).
    pub noverflow: u16,
    pub hash0: u32,
    pub buckets: Option<Array>,
    pub oldbuckets: Option<Array>,
    /// Progress counter: old buckets below it are evacuated.
    pub nevacuate: usize,
    /// `extra.overflow != nil`: overflow buckets were created since the last grow (or an
    /// iterator started). Buckets hold no pointers in this model, so Go keeps them listed here.
    pub extra_overflow: bool,
    /// `extra.oldoverflow != nil`.
    pub extra_oldoverflow: bool,
    /// The key hash function.
    pub hash: HashFn<K>,
    /// Every bucket ever allocated. Never freed, like memory a racing goroutine may still point
    /// into; a bucket id stays valid for the map's life.
    pub arena: Vec<Bucket<K, V>>,
    /// Model statistics (not Go state): old buckets evacuated, grows started.
    pub stats: Stats,
}

/// What the model counted while running; useful to tests and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Old buckets actually evacuated (calls that found the bucket already done not counted).
    pub evacuated: u64,
    /// Doubling grows started.
    pub grows: u64,
    /// Same-size grows started.
    pub same_size_grows: u64,
}

impl<K, V> Hmap<K, V> {
    pub fn new(hash: HashFn<K>, hash0: u32, b: u8) -> Self {
        let mut h = Hmap {
            count: 0,
            flags: 0,
            b,
            noverflow: 0,
            hash0,
            buckets: None,
            oldbuckets: None,
            nevacuate: 0,
            extra_overflow: false,
            extra_oldoverflow: false,
            hash,
            arena: Vec::new(),
            stats: Stats::default(),
        };
        // makemap allocates the array now unless B == 0 (then mapassign does, map.go 603).
        if b != 0 {
            h.buckets = Some(h.alloc_array(bucket_shift(b)));
        }
        h
    }

    /// `h.growing()`: a grow is in progress.
    pub fn growing(&self) -> bool {
        self.oldbuckets.is_some()
    }

    /// `h.sameSizeGrow()`.
    pub fn same_size_grow(&self) -> bool {
        self.flags & SAME_SIZE_GROW != 0
    }

    /// `h.noldbuckets()`: the size of the old array, from `B` and the flags (not from the
    /// array itself, as in Go).
    pub fn noldbuckets(&self) -> usize {
        let mut old_b = self.b;
        if !self.same_size_grow() {
            old_b = old_b.wrapping_sub(1);
        }
        bucket_shift(old_b & 63)
    }

    /// `h.oldbucketmask()`.
    pub fn oldbucketmask(&self) -> usize {
        self.noldbuckets() - 1
    }

    /// Allocates `n` zeroed buckets.
    pub fn alloc_array(&mut self, n: usize) -> Array {
        let base = self.arena.len();
        self.arena.extend((0..n).map(|_| Bucket::zeroed()));
        Array { base, len: n }
    }

    /// `add(array, i*bucketsize)`: a nil array is a nil dereference; an index past the end
    /// reads memory that is not the map's, which the model reports as corruption.
    pub fn bucket_in(array: Option<Array>, i: usize, what: &str) -> BucketId {
        let Some(array) = array else {
            nil_deref_at(i * BUCKET_BYTES)
        };
        match array.at(i) {
            Some(id) => id,
            None => fail(
                FailureKind::MAP_CORRUPTED,
                format!(
                    "map corrupted: {what} bucket {i} is outside its array of {} buckets \
                     (Go would read unrelated memory)",
                    array.len
                ),
            ),
        }
    }

    /// `h.newoverflow(t, b)` (map.go 246-272): a new overflow bucket linked after `b`.
    pub fn newoverflow(&mut self, b: BucketId) -> BucketId {
        let ovf = self.arena.len();
        self.arena.push(Bucket::zeroed());
        self.incrnoverflow();
        // createOverflow + append: buckets without pointers are kept alive from extra.
        self.extra_overflow = true;
        self.arena[b].overflow = Some(ovf);
        ovf
    }

    /// `h.incrnoverflow()` (map.go 227-244): exact while B < 16, then probabilistic.
    fn incrnoverflow(&mut self) {
        if self.b < 16 {
            self.noverflow = self.noverflow.wrapping_add(1);
            return;
        }
        let mask = (1u32 << (self.b - 15)) - 1;
        if (random_u64() as u32) & mask == 0 {
            self.noverflow = self.noverflow.wrapping_add(1);
        }
    }

    /// The bucket chain starting at `b` (for checks; stops on a cycle).
    pub fn chain(&self, b: BucketId) -> Vec<BucketId> {
        let mut out = vec![b];
        let mut cur = b;
        while let Some(next) = self.arena[cur].overflow {
            if out.contains(&next) {
                break;
            }
            out.push(next);
            cur = next;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_factor_limits_match_go() {
        // The largest count with no grow, by B (go-map-facts.md section 4).
        for (b, max) in [
            (0u8, 8isize),
            (1, 13),
            (2, 26),
            (3, 52),
            (4, 104),
            (5, 208),
            (6, 416),
        ] {
            assert!(!over_load_factor(max, b), "B={b} count={max}");
            assert!(over_load_factor(max + 1, b), "B={b} count={}", max + 1);
        }
    }

    #[test]
    fn overflow_limit_caps_b_at_15() {
        assert!(!too_many_overflow_buckets(7, 3));
        assert!(too_many_overflow_buckets(8, 3));
        assert!(too_many_overflow_buckets(1 << 15, 20));
        assert!(!too_many_overflow_buckets((1 << 15) - 1, 20));
    }
}
