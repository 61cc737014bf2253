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

/// A load through a nil pointer plus `offset` bytes inside the runtime's map code, as Go's
/// signal handler reports it (runtime/signal_unix.go `sigpanic`, panic.go `panicmem`): below
/// the first page, `panic: runtime error: invalid memory address or nil pointer dereference`
/// with `[signal SIGSEGV: segmentation violation ...]`; beyond it, `unexpected fault address`
/// and `fatal error: fault`. Both fail the execution with kind `fault`: the map code itself
/// dereferenced memory a racing writer had changed under it.
pub fn nil_deref_at(offset: usize) -> ! {
    if offset < 0x1000 {
        fail(
            FailureKind::of_fatal("fault"),
            format!(
                "panic: runtime error: invalid memory address or nil pointer dereference \
                 [signal SIGSEGV: segmentation violation code=0x1 addr={offset:#x}]"
            ),
        )
    }
    fatal("fault")
}

/// Whether values of type `T` hold pointers in Go's memory layout (`ptrdata != 0`): false for
/// the scalar types (integers, floats, `bool`, `char`, `()`), true for everything else
/// (strings, slices, structs and tuples alike; a struct of scalars is counted as holding
/// pointers, which only changes the overflow bookkeeping below).
pub fn holds_pointers<T: 'static>() -> bool {
    use std::any::TypeId;
    let scalars = [
        TypeId::of::<u8>(),
        TypeId::of::<u16>(),
        TypeId::of::<u32>(),
        TypeId::of::<u64>(),
        TypeId::of::<u128>(),
        TypeId::of::<usize>(),
        TypeId::of::<i8>(),
        TypeId::of::<i16>(),
        TypeId::of::<i32>(),
        TypeId::of::<i64>(),
        TypeId::of::<i128>(),
        TypeId::of::<isize>(),
        TypeId::of::<f32>(),
        TypeId::of::<f64>(),
        TypeId::of::<bool>(),
        TypeId::of::<char>(),
        TypeId::of::<()>(),
    ];
    !scalars.contains(&TypeId::of::<T>())
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
    /// `t.bucket.ptrdata != 0`: the key or elem type holds pointers. Go then leaves overflow
    /// buckets to the GC and never lists them in `extra` (map.go 262-268, 849-855), so
    /// `extra.overflow` stays nil and `oldoverflow is not nil` cannot be thrown.
    pub pointers: bool,
    /// `extra.overflow != nil`: overflow buckets of a pointer-free map were created since the
    /// last grow (or an iterator started).
    pub extra_overflow: bool,
    /// `extra.oldoverflow != nil`.
    pub extra_oldoverflow: bool,
    /// Cells whose string key is torn: `mapassign_faststr` stored its length but not yet its
    /// data pointer (model state standing for the nil pointer in Go's string header).
    pub torn: Vec<(BucketId, usize)>,
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
    pub fn new(hash: HashFn<K>, hash0: u32, b: u8, pointers: bool) -> Self {
        let mut h = Hmap {
            pointers,
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
            torn: Vec::new(),
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
        if !self.pointers {
            // createOverflow + append: buckets without pointers are kept alive from extra.
            self.extra_overflow = true;
        }
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
