//! A small seeded random number generator (SplitMix64) for the kill schedule: the same seed
//! gives the same kill delays, so a failing schedule can be replayed with `CRASH_SEED`.

/// SplitMix64: good enough to spread kill moments, and needs no dependency.
pub struct Rng(u64);

impl Rng {
    /// A generator starting at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next_u64().is_multiple_of(n)
    }
}

/// The seed from `CRASH_SEED`, or one from the clock.
pub fn seed_from_env() -> u64 {
    match std::env::var("CRASH_SEED") {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| panic!("CRASH_SEED must be a number, not '{text}'")),
        Err(_) => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            now.as_nanos() as u64
        }
    }
}
