//! A fast hasher for the in-memory keys of one run (referral ids, measure codes): the Fx
//! multiply-rotate hash used by rustc, finished with MurmurHash3's fmix64. Not resistant to crafted collisions, which is fine for
//! files staff hand to the command line; std's SipHash made hashing the larger part of
//! classifying a million rows.

use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash state.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct KeyHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply carries input bits only upwards, and the map takes its bucket from the
        // low bits: ids differing in their last characters would collide. Finish with
        // MurmurHash3's fmix64 so every input bit reaches every output bit.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// `HashMap<K, V, KeyHash>` uses [`KeyHasher`].
pub(crate) type KeyHash = BuildHasherDefault<KeyHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        let build = KeyHash::default();
        assert_eq!(build.hash_one("R0000001"), build.hash_one("R0000001"));
        assert_ne!(build.hash_one("R0000001"), build.hash_one("R0000002"));
        assert_ne!(build.hash_one("R00000001"), build.hash_one("R0000001"));
        // Ids differing only in their last character must spread over the low bits, which
        // pick the bucket: 1,000 such ids should land in over 800 of 4,096 low-bit slots.
        let slots: std::collections::HashSet<u64> = (0..1000)
            .map(|i| build.hash_one(format!("R{i:07}")) & 4095)
            .collect();
        assert!(slots.len() > 800, "{} distinct low-bit slots", slots.len());
    }
}
