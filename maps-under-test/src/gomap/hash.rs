//! Key hashing: deterministic, platform-independent, seeded by the map's `hash0`.
//!
//! Go hashes a key with a per-map random seed (`t.hasher(key, uintptr(h.hash0))`, map.go 597).
//! Here `hash0` comes from [`maprace_harness::random_u64`], so it is fixed by the exploration's
//! seed and a replay places every key in the same bucket. Tests can replace the hash function
//! (see [`crate::GoMap::with_hash_fn`]) to force keys into chosen buckets.

use std::hash::{Hash, Hasher};

/// A hash function for a [`crate::GoMap`]: `(key, hash0) -> 64-bit hash`. The low `B` bits
/// pick the bucket, the top byte is the tophash.
pub type HashFn<K> = fn(&K, u32) -> u64;

/// The default hash: FNV-1a over the key's [`Hash`] bytes (integers fed little-endian, `usize`
/// as 64 bits, so every platform agrees), seeded with `hash0` and finished with a SplitMix64
/// mix so both the low bits (bucket) and the top byte (tophash) depend on every input bit.
///
/// ```
/// use maprace_maps::gomap::default_hash;
/// assert_eq!(default_hash(&7u32, 1), default_hash(&7u32, 1));
/// assert_ne!(default_hash(&7u32, 1), default_hash(&7u32, 2));
/// ```
pub fn default_hash<K: Hash + ?Sized>(key: &K, hash0: u32) -> u64 {
    let mut h = Fnv64(0xcbf2_9ce4_8422_2325 ^ u64::from(hash0).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    key.hash(&mut h);
    mix(h.0 ^ u64::from(hash0))
}

/// The SplitMix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a as a [`Hasher`] whose integer methods are endian- and width-independent.
struct Fnv64(u64);

impl Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn write_u16(&mut self, i: u16) {
        self.write(&i.to_le_bytes());
    }
    fn write_u32(&mut self, i: u32) {
        self.write(&i.to_le_bytes());
    }
    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }
    fn write_u128(&mut self, i: u128) {
        self.write(&i.to_le_bytes());
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_i8(&mut self, i: i8) {
        self.write_u8(i as u8);
    }
    fn write_i16(&mut self, i: i16) {
        self.write_u16(i as u16);
    }
    fn write_i32(&mut self, i: i32) {
        self.write_u32(i as u32);
    }
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }
    fn write_i128(&mut self, i: i128) {
        self.write_u128(i as u128);
    }
    fn write_isize(&mut self, i: isize) {
        self.write_u64(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_fixed_values() {
        // Pinned so a change of hash (which moves every key and breaks every saved token) is
        // a visible decision, and so every platform is held to the same numbers.
        assert_eq!(default_hash(&0u64, 0), default_hash(&0usize, 0));
        let got = [
            default_hash(&1u32, 0),
            default_hash("go", 42),
            default_hash(&-1i64, 7),
        ];
        assert_eq!(
            got,
            [
                0x0731_6ba0_b064_1fc5,
                0x2b4c_5471_e179_de50,
                0x3828_f870_97df_a4d9
            ]
        );
    }

    #[test]
    fn buckets_and_tophash_spread() {
        // 4096 keys over 64 buckets and 251 tophash values: every bucket and most tophash
        // values get used, which a hash with weak low or high bits would not do.
        let mut buckets = [0u32; 64];
        let mut tops = std::collections::BTreeSet::new();
        for k in 0..4096u32 {
            let h = default_hash(&k, 7);
            buckets[(h & 63) as usize] += 1;
            tops.insert(h >> 56);
        }
        assert!(
            buckets.iter().all(|&n| (32..=96).contains(&n)),
            "{buckets:?}"
        );
        assert!(tops.len() > 240, "{}", tops.len());
    }
}
