//! Buckets, tophash marks and flags: the memory layout of Go's `hmap` (map.go 66-130).

/// Slots per bucket (`bucketCnt`, map.go 67).
pub const BUCKET_CNT: usize = 8;

/// tophash mark: this cell is empty and so is every later cell and overflow bucket.
pub const EMPTY_REST: u8 = 0;
/// tophash mark: this cell is empty.
pub const EMPTY_ONE: u8 = 1;
/// tophash mark: the key moved to the X (same index) half of the new array.
pub const EVACUATED_X: u8 = 2;
/// tophash mark: the key moved to the Y (index + old size) half of the new array.
pub const EVACUATED_Y: u8 = 3;
/// tophash mark: the cell was empty when its bucket was evacuated.
pub const EVACUATED_EMPTY: u8 = 4;
/// The smallest tophash of a live cell.
pub const MIN_TOP_HASH: u8 = 5;

/// Flag: there may be an iterator using `buckets`.
pub const ITERATOR: u8 = 1;
/// Flag: there may be an iterator using `oldbuckets`.
pub const OLD_ITERATOR: u8 = 2;
/// Flag: a goroutine is writing to the map.
pub const HASH_WRITING: u8 = 4;
/// Flag: the current grow is to a map of the same size.
pub const SAME_SIZE_GROW: u8 = 8;

/// `tophash(hash)` (map.go 195-201): the hash's top byte, moved above the marks.
pub fn tophash(hash: u64) -> u8 {
    let top = (hash >> 56) as u8;
    if top < MIN_TOP_HASH {
        top + MIN_TOP_HASH
    } else {
        top
    }
}

/// `isEmpty(x)`: the cell holds no key.
pub fn is_empty(top: u8) -> bool {
    top <= EMPTY_ONE
}

/// Decodes a flags byte as `hashWriting|iterator` (`0` when none is set).
pub fn describe_flags(flags: u8) -> String {
    FlagNames(flags).to_string()
}

/// A flags byte displayed as [`describe_flags`] decodes it, without building a string.
pub(crate) struct FlagNames(pub u8);

impl std::fmt::Display for FlagNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const NAMES: [(u8, &str); 4] = [
            (ITERATOR, "iterator"),
            (OLD_ITERATOR, "oldIterator"),
            (HASH_WRITING, "hashWriting"),
            (SAME_SIZE_GROW, "sameSizeGrow"),
        ];
        let mut set = NAMES.iter().filter(|(bit, _)| self.0 & bit != 0);
        match set.next() {
            None => f.write_str("0"),
            Some((_, first)) => {
                f.write_str(first)?;
                set.try_for_each(|(_, name)| write!(f, "|{name}"))
            }
        }
    }
}

/// An arena index: the model's bucket pointer.
pub(crate) type BucketId = usize;

/// One bucket (`bmap`): 8 tophash bytes, 8 keys, 8 elems and an overflow pointer.
///
/// A `None` key or elem is Go's zero value. The model keeps keys and elems in evacuated cells
/// (as Go does for key and elem types without pointers, map.go 1251), which is what lets an
/// iterator still read them.
#[derive(Clone, Debug)]
pub(crate) struct Bucket<K, V> {
    pub tophash: [u8; BUCKET_CNT],
    pub keys: [Option<K>; BUCKET_CNT],
    pub elems: [Option<V>; BUCKET_CNT],
    pub overflow: Option<BucketId>,
}

impl<K, V> Bucket<K, V> {
    /// Zeroed memory, as `newobject`/`makeBucketArray` give it.
    pub fn zeroed() -> Self {
        Bucket {
            tophash: [EMPTY_REST; BUCKET_CNT],
            keys: std::array::from_fn(|_| None),
            elems: std::array::from_fn(|_| None),
            overflow: None,
        }
    }

    /// `evacuated(b)` (map.go 203-206): the bucket's first cell carries an evacuation mark.
    pub fn evacuated(&self) -> bool {
        let h = self.tophash[0];
        h > EMPTY_ONE && h < MIN_TOP_HASH
    }
}

/// A bucket array: `len` (a power of two) consecutive buckets of the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Array {
    pub base: BucketId,
    pub len: usize,
}

impl Array {
    /// The `i`th bucket, if inside the array.
    pub fn at(&self, i: usize) -> Option<BucketId> {
        (i < self.len).then_some(self.base + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tophash_stays_above_the_marks() {
        assert_eq!(tophash(0), MIN_TOP_HASH);
        assert_eq!(tophash(4 << 56), 9);
        assert_eq!(tophash(5 << 56), 5);
        assert_eq!(tophash(u64::MAX), 255);
    }

    #[test]
    fn flags_decode_in_bit_order() {
        assert_eq!(describe_flags(0), "0");
        assert_eq!(
            describe_flags(HASH_WRITING | ITERATOR),
            "iterator|hashWriting"
        );
        assert_eq!(
            describe_flags(15),
            "iterator|oldIterator|hashWriting|sameSizeGrow"
        );
    }

    #[test]
    fn evacuated_reads_the_first_cell() {
        let mut b: Bucket<u8, u8> = Bucket::zeroed();
        assert!(!b.evacuated());
        for (mark, want) in [(1, false), (2, true), (3, true), (4, true), (5, false)] {
            b.tophash[0] = mark;
            assert_eq!(b.evacuated(), want, "mark {mark}");
        }
    }
}
