//! Probabilistic concurrency testing, as published: Burckhardt, Kothari, Musuvathi,
//! Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs",
//! ASPLOS 2010.
//!
//! Every goroutine gets a random initial priority above `depth`; the highest-priority runnable
//! goroutine runs. `depth - 1` change points `k_1..k_{d-1}` are drawn among the *choice
//! points* of an execution (steps with at least two runnable goroutines: a forced step cannot
//! order anything, so counting it only dilutes the draw), from the number of choice points
//! seen so far (the paper's `k`, estimated by the longest execution yet). At choice point
//! `k_i` the goroutine that would run gets priority `d - i`. The first execution has no
//! estimate yet and runs without change points.
//!
//! A goroutine that yields drops below every priority given so far (as shuttle's PCT does):
//! spinning on a flag then lets the goroutine that sets it run, instead of spinning into the
//! step bound.
//!
//! Memory per execution is O(depth + goroutines): the change points, and one priority per
//! goroutine.

use super::random::below;
use super::{Decision, Schedule};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

pub(crate) struct Pct {
    depth: u32,
    seeds: ChaCha8Rng,
    rng: ChaCha8Rng,
    /// Priority by goroutine number (higher runs first); `None` until the goroutine is seen.
    priorities: Vec<Option<u64>>,
    /// Choice points (1-based) at which the goroutine about to run drops, with the priority it
    /// drops to. At most `depth - 1` of them, distinct.
    change_points: Vec<(u64, u64)>,
    /// Choice points met so far in this execution.
    choices: u64,
    /// The most choice points any execution had: the range change points are drawn from.
    longest: u64,
    /// The next priority a yielding goroutine drops to: below every priority given so far,
    /// change points included, so that a spinning goroutine always lets the others run.
    yield_floor: u64,
}

/// Priorities are layered: initial ones above `2 * LOW`, change-point ones `LOW + d - i`
/// (the paper's `d - i`, shifted), yield ones counting down from `LOW` (2^32 yields in one
/// execution would be needed to run out, far beyond any step bound).
const LOW: u64 = 1 << 32;

impl Pct {
    pub fn new(seed: u64, depth: u32) -> Self {
        Pct {
            depth,
            seeds: ChaCha8Rng::seed_from_u64(seed),
            rng: ChaCha8Rng::seed_from_u64(0),
            priorities: Vec::new(),
            change_points: Vec::new(),
            choices: 0,
            longest: 0,
            yield_floor: LOW,
        }
    }

    /// The change points of the current execution (for tests).
    #[cfg(test)]
    pub fn change_points(&self) -> &[(u64, u64)] {
        &self.change_points
    }

    fn priority(&mut self, task: usize) -> u64 {
        if self.priorities.len() <= task {
            self.priorities.resize(task + 1, None);
        }
        if let Some(p) = self.priorities[task] {
            return p;
        }
        // Initial priorities sit above every change-point and yield priority.
        let p = 2 * LOW + (self.rng.next_u64() >> 2);
        self.priorities[task] = Some(p);
        p
    }

    fn highest(&mut self, runnable: &[usize]) -> usize {
        let mut best = runnable[0];
        let mut best_p = self.priority(best);
        for &t in &runnable[1..] {
            let p = self.priority(t);
            if p > best_p {
                best = t;
                best_p = p;
            }
        }
        best
    }
}

impl Schedule for Pct {
    fn begin(&mut self) -> Option<u64> {
        let seed = self.seeds.next_u64();
        self.rng = ChaCha8Rng::seed_from_u64(crate::hash::mix64(seed));
        self.priorities.clear();
        self.change_points.clear();
        self.choices = 0;
        self.yield_floor = LOW;
        // d - 1 distinct points in 1..=k (Floyd's sampling: O(d) memory and draws).
        let k = self.longest;
        let want = u64::from(self.depth - 1).min(k);
        for j in (k - want + 1)..=k {
            let t = 1 + below(&mut self.rng, j as usize) as u64;
            let at = if self.change_points.iter().any(|(a, _)| *a == t) {
                j
            } else {
                t
            };
            // The i-th point drawn gets priority d - i.
            let i = self.change_points.len() as u64 + 1;
            self.change_points
                .push((at, LOW + u64::from(self.depth) - i));
        }
        Some(seed)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        if d.runnable.len() < 2 {
            return Ok(d.runnable[0]);
        }
        if let Some(c) = d.current.filter(|_| d.yielding) {
            self.priority(c);
            self.priorities[c] = Some(self.yield_floor);
            self.yield_floor -= 1;
        }
        self.choices += 1;
        self.longest = self.longest.max(self.choices);
        let drop = self
            .change_points
            .iter()
            .find(|(at, _)| *at == self.choices)
            .map(|(_, p)| *p);
        if let Some(p) = drop {
            let about_to_run = self.highest(d.runnable);
            self.priorities[about_to_run] = Some(p);
        }
        Ok(self.highest(d.runnable))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_points_never_exceed_choice_points_and_are_distinct() {
        for depth in [1u32, 2, 3, 10, 64] {
            let mut pct = Pct::new(7, depth);
            for longest in [0u64, 1, 2, 5, 100] {
                pct.longest = longest;
                for _ in 0..50 {
                    pct.begin();
                    let cps = pct.change_points();
                    assert!(cps.len() as u64 <= longest.min(u64::from(depth - 1)));
                    assert_eq!(cps.len() as u64, longest.min(u64::from(depth - 1)));
                    for (i, (at, p)) in cps.iter().enumerate() {
                        assert!((1..=longest).contains(at), "{at} outside 1..={longest}");
                        assert_eq!(*p, LOW + u64::from(depth) - 1 - i as u64);
                        assert!(cps[..i].iter().all(|(a, _)| a != at), "duplicate {at}");
                    }
                }
            }
        }
    }
}
