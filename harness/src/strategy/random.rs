//! Uniform random walk over runnable goroutines.

use super::{Decision, Schedule};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

pub(crate) struct RandomWalk {
    seeds: ChaCha8Rng,
    rng: ChaCha8Rng,
    /// `zone(n)` for the usual numbers of runnable goroutines: a division saved per decision.
    zones: [u64; ZONES],
    /// For one worker of a parallel exploration: the index of its next execution, and how far
    /// apart its executions are.
    stride: Option<(u64, u64)>,
}

const ZONES: usize = 16;

impl RandomWalk {
    pub fn new(seed: u64) -> Self {
        RandomWalk {
            seeds: ChaCha8Rng::seed_from_u64(seed),
            rng: ChaCha8Rng::seed_from_u64(0),
            zones: std::array::from_fn(|n| zone(n.max(1) as u64)),
            stride: None,
        }
    }

    /// Executions `first`, `first + stride`, `first + 2 * stride`, ... of the walk
    /// [`RandomWalk::new`]`(seed)` runs: execution `i`'s seed is the `i`-th value of the same
    /// seed stream (ChaCha is seekable), so however the indices are split between workers,
    /// every execution is the one a single worker would run.
    pub fn strided(seed: u64, first: u64, stride: u64) -> Self {
        let mut walk = RandomWalk::new(seed);
        walk.stride = Some((first, stride.max(1)));
        walk
    }
}

/// The largest multiple of `n` (n > 0) that fits below `u64::MAX`: draws under it are uniform
/// modulo `n`.
fn zone(n: u64) -> u64 {
    u64::MAX - u64::MAX % n
}

/// A uniform index below `n` (n > 0) from `rng`, without modulo bias.
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    below_in(rng, n as u64, zone(n as u64))
}

/// [`below`] with `zone(n)` given.
fn below_in(rng: &mut ChaCha8Rng, n: u64, zone: u64) -> usize {
    loop {
        let v = rng.next_u64();
        if v < zone {
            return (v % n) as usize;
        }
    }
}

impl Schedule for RandomWalk {
    fn begin(&mut self) -> Option<u64> {
        if let Some((next, stride)) = &mut self.stride {
            // A u64 is two words of the stream.
            self.seeds.set_word_pos(u128::from(*next) * 2);
            *next += *stride;
        }
        let seed = self.seeds.next_u64();
        // The scheduling stream is kept apart from the data stream the body draws from.
        self.rng = ChaCha8Rng::seed_from_u64(crate::hash::mix64(seed));
        Some(seed)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        Ok(match d.runnable {
            [only] => *only,
            many => {
                let n = many.len();
                let zone = self.zones.get(n).copied().unwrap_or_else(|| zone(n as u64));
                many[below_in(&mut self.rng, n as u64, zone)]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strided_walks_draw_the_seeds_of_the_single_walk() {
        let mut single = RandomWalk::new(7);
        let seeds: Vec<u64> = (0..9).map(|_| single.begin().unwrap()).collect();
        for stride in 1..=3u64 {
            for first in 0..stride {
                let mut walk = RandomWalk::strided(7, first, stride);
                for i in (first..9).step_by(stride as usize) {
                    assert_eq!(walk.begin(), Some(seeds[i as usize]), "{first}/{stride}");
                }
            }
        }
    }
}
