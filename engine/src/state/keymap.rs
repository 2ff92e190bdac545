//! Hash maps keyed by engine keys. Keys are sequential int64 counters, so a multiplicative hash
//! spreads them well and costs one multiplication instead of SipHash's rounds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for `i64`/`u64` keys (Fibonacci hashing).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i64(&mut self, value: i64) {
        self.write_u64(value as u64);
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0 ^ value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map from engine keys to entities.
pub type KeyMap<V> = HashMap<i64, V, BuildHasherDefault<KeyHasher>>;

/// A map keyed by names (job types, process ids), hashed with the same cheap hasher.
pub type NameMap<V> = HashMap<std::sync::Arc<str>, V, BuildHasherDefault<KeyHasher>>;
