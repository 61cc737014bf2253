//! Probabilistic concurrency testing: the highest-priority runnable goroutine runs; at `depth - 1`
//! random steps the running goroutine drops to a low priority.

use super::random::below;
use super::{Decision, Schedule};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

pub(crate) struct Pct {
    depth: u32,
    seeds: ChaCha8Rng,
    rng: ChaCha8Rng,
    /// Priority by goroutine number; `None` until the task is first seen.
    priorities: Vec<Option<u64>>,
    /// Steps at which the running goroutine's priority drops, with the priority it drops to.
    change_points: Vec<(u64, u64)>,
    /// The longest execution seen, in steps: the range change points are drawn from.
    longest: u64,
}

impl Pct {
    pub fn new(seed: u64, depth: u32) -> Self {
        Pct {
            depth,
            seeds: ChaCha8Rng::seed_from_u64(seed),
            rng: ChaCha8Rng::seed_from_u64(0),
            priorities: Vec::new(),
            change_points: Vec::new(),
            longest: 32,
        }
    }

    fn priority(&mut self, task: usize) -> u64 {
        if self.priorities.len() <= task {
            self.priorities.resize(task + 1, None);
        }
        if let Some(p) = self.priorities[task] {
            return p;
        }
        // Initial priorities sit above every change-point priority (1..depth).
        let p = u64::from(self.depth) + 1 + (self.rng.next_u64() >> 8);
        self.priorities[task] = Some(p);
        p
    }
}

impl Schedule for Pct {
    fn begin(&mut self) -> Option<u64> {
        let seed = self.seeds.next_u64();
        self.rng = ChaCha8Rng::seed_from_u64(crate::hash::mix64(seed));
        self.priorities.clear();
        self.change_points.clear();
        for i in 1..self.depth {
            let at = 1 + below(&mut self.rng, self.longest as usize) as u64;
            self.change_points.push((at, u64::from(self.depth - i)));
        }
        Some(seed)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        if let Some(current) = d.current {
            let drops: Vec<u64> = self
                .change_points
                .iter()
                .filter(|(at, _)| *at == d.step)
                .map(|(_, p)| *p)
                .collect();
            for p in drops {
                self.priority(current);
                self.priorities[current] = Some(p);
            }
        }
        let mut best = d.runnable[0];
        let mut best_p = self.priority(best);
        for &t in &d.runnable[1..] {
            let p = self.priority(t);
            if p > best_p {
                best = t;
                best_p = p;
            }
        }
        Ok(best)
    }

    fn end(&mut self, steps: u64) -> Result<(), String> {
        self.longest = self.longest.max(steps);
        Ok(())
    }
}
