//! Uniform random walk over runnable goroutines.

use super::{Decision, Schedule};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

pub(crate) struct RandomWalk {
    seeds: ChaCha8Rng,
    rng: ChaCha8Rng,
}

impl RandomWalk {
    pub fn new(seed: u64) -> Self {
        RandomWalk {
            seeds: ChaCha8Rng::seed_from_u64(seed),
            rng: ChaCha8Rng::seed_from_u64(0),
        }
    }
}

/// A uniform index below `n` (n > 0) from `rng`, without modulo bias.
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let n = n as u64;
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let v = rng.next_u64();
        if v < zone {
            return (v % n) as usize;
        }
    }
}

impl Schedule for RandomWalk {
    fn begin(&mut self) -> Option<u64> {
        let seed = self.seeds.next_u64();
        // The scheduling stream is kept apart from the data stream the body draws from.
        self.rng = ChaCha8Rng::seed_from_u64(crate::hash::mix64(seed));
        Some(seed)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        Ok(match d.runnable {
            [only] => *only,
            many => many[below(&mut self.rng, many.len())],
        })
    }
}
