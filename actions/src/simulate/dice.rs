//! [`Dice`]: the random draws of one simulated job, fixed by the seed and by what names the job.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// A random stream that depends only on the seed and on the parts naming the draw (process id,
/// element id, approver, occurrence, output name), so the same job gets the same values in
/// every run, whatever order the jobs are served in.
///
/// ChaCha8 is used for its documented promise: the same key gives the same stream on every
/// platform and in every version of the crate (`rand`'s `StdRng` makes no such promise).
pub(super) struct Dice(ChaCha8Rng);

impl Dice {
    /// The stream for `parts` under `seed`.
    pub(super) fn new(seed: u64, parts: &[&str]) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&fnv1a(parts).to_le_bytes());
        Self(ChaCha8Rng::from_seed(key))
    }

    /// True with probability `p` (0 never, 1 always).
    pub(super) fn chance(&mut self, p: f64) -> bool {
        // The top 53 bits as a uniform number in [0, 1).
        let unit = (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    /// A number in `0..n` (`n` > 0); the modulo bias is below 2^-60 for the small `n` used here.
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }

    /// Six hex digits, to tell simulated strings apart.
    pub(super) fn tag(&mut self) -> String {
        format!("{:06x}", self.0.next_u32() >> 8)
    }
}

/// FNV-1a over the parts, each followed by a separator byte so `["ab", "c"]` and `["a", "bc"]`
/// differ. Written out because std's hasher may change between Rust releases.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|p| p.bytes().chain([0xff])) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(seed: u64, parts: &[&str]) -> Vec<usize> {
        let mut dice = Dice::new(seed, parts);
        (0..16).map(|_| dice.below(1000)).collect()
    }

    #[test]
    fn the_stream_depends_on_the_seed_and_every_part_and_on_nothing_else() {
        assert_eq!(draws(7, &["p", "task"]), draws(7, &["p", "task"]));
        assert_ne!(draws(7, &["p", "task"]), draws(8, &["p", "task"]));
        assert_ne!(draws(7, &["p", "task"]), draws(7, &["p", "other"]));
        assert_ne!(draws(7, &["ab", "c"]), draws(7, &["a", "bc"]));
    }

    #[test]
    fn chances_of_zero_and_one_are_never_and_always_and_a_half_is_about_half() {
        let mut dice = Dice::new(1, &["x"]);
        assert!((0..100).all(|_| !dice.chance(0.0) && dice.chance(1.0)));
        let heads = (0..2000).filter(|_| dice.chance(0.5)).count();
        assert!((900..1100).contains(&heads), "{heads} of 2000");
        assert!((0..100).all(|_| dice.below(3) < 3));
        assert_eq!(dice.tag().len(), 6);
    }
}
