//! A fast, deterministic 64-bit hash for blocking keys and the string interner, and a
//! pass-through hasher for maps whose keys already are such hashes. Not for anything
//! adversarial: the keys come from the register itself.

use std::hash::{BuildHasherDefault, Hasher};

/// Hashes byte strings into one 64-bit value (FxHash-style mixing, splitmix64 finaliser).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyHash(u64);

impl KeyHash {
    /// Starts a key with a tag that separates key kinds.
    pub fn new(tag: u8) -> Self {
        KeyHash(u64::from(tag).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// Adds a field (its length too, so field boundaries are part of the key).
    pub fn with(mut self, bytes: &[u8]) -> Self {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        self.mix(bytes.len() as u64 | 0xFF00_0000_0000_0000);
        self
    }

    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517C_C1B7_2722_0A95);
    }

    /// The finished hash.
    pub fn finish(self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Hash of one string, for the interner.
pub(crate) fn hash_str(s: &str) -> u64 {
    KeyHash::new(0).with(s.as_bytes()).finish()
}

/// A hasher that passes a `u64` key through: the keys are already well mixed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by the maps keyed on hashes; fold anything else in.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Builds [`PassThrough`] hashers.
pub(crate) type BuildPassThrough = BuildHasherDefault<PassThrough>;
