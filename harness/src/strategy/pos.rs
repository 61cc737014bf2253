//! Partial order sampling: Yuan, Yang, Gu, "Partial Order Aware Concurrency Sampling",
//! CAV 2018.
//!
//! Every pending step (a goroutine's next step) carries a random priority and the runnable
//! goroutine whose pending step has the highest priority runs. When a step runs, the pending
//! steps that conflict with it ([`Access::conflicts`]: same object, not both shared) get fresh
//! priorities, and so does the next step of the goroutine that ran. Steps that do not conflict
//! keep their priority, so the relative order of independent steps is not re-sampled at every
//! step: POS samples partial orders close to uniformly, where a random walk over-samples the
//! orders of long independent runs.
//!
//! Unknown accesses: a goroutine paused at a point that declared no access (a plain `preempt`,
//! a primitive outside the record) may touch anything next, so it is treated as conflicting
//! with every step that runs, and a step that ran without recording an access is treated as
//! conflicting with every pending step. Both re-sample, which is the safe direction: with no
//! access information at all, POS draws fresh priorities for everyone at every step and is a
//! uniform random walk; it never keeps an order fixed that it cannot prove independent.

use super::{Decision, Schedule};
use crate::access::Access;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

pub(crate) struct Pos {
    seeds: ChaCha8Rng,
    rng: ChaCha8Rng,
    /// The priority of each goroutine's pending step, by goroutine number; `None` until seen.
    priorities: Vec<Option<u64>>,
    /// How much of the access log the previous decision had seen.
    seen: usize,
    /// The goroutine chosen at the previous decision, and the access it had declared.
    ran: Option<(usize, Option<Access>)>,
    /// Scratch: the accesses the previous step performed.
    performed: Vec<Access>,
}

impl Pos {
    pub fn new(seed: u64) -> Self {
        Pos {
            seeds: ChaCha8Rng::seed_from_u64(seed),
            rng: ChaCha8Rng::seed_from_u64(0),
            priorities: Vec::new(),
            seen: 0,
            ran: None,
            performed: Vec::new(),
        }
    }

    fn fresh(&mut self, g: usize) {
        if self.priorities.len() <= g {
            self.priorities.resize(g + 1, None);
        }
        self.priorities[g] = Some(self.rng.next_u64());
    }

    fn priority(&mut self, g: usize) -> u64 {
        match self.priorities.get(g).copied().flatten() {
            Some(p) => p,
            None => {
                self.fresh(g);
                self.priorities[g].expect("just drawn")
            }
        }
    }

    /// Re-samples what the step that just ran makes stale.
    fn refresh(&mut self, d: &Decision<'_>) {
        let Some((ran, declared)) = self.ran.take() else {
            return;
        };
        self.performed.clear();
        let start = self.seen.min(d.log.len());
        self.performed.extend(
            d.log[start..]
                .iter()
                .filter(|a| a.goroutine as usize == ran)
                .map(|a| a.access),
        );
        self.seen = d.log.len();
        if self.performed.is_empty() {
            self.performed.extend(declared);
        }
        // The goroutine that ran has a new pending step.
        self.fresh(ran);
        for &g in d.runnable {
            if g == ran {
                continue;
            }
            let stale = match d.pending.of(g) {
                None => true,
                Some(_) if self.performed.is_empty() => true,
                Some(p) => self.performed.iter().any(|a| a.conflicts(&p)),
            };
            if stale {
                self.fresh(g);
            }
        }
    }
}

impl Schedule for Pos {
    fn begin(&mut self) -> Option<u64> {
        let seed = self.seeds.next_u64();
        self.rng = ChaCha8Rng::seed_from_u64(crate::hash::mix64(seed));
        self.priorities.clear();
        self.seen = 0;
        self.ran = None;
        Some(seed)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        self.refresh(d);
        let mut best = d.runnable[0];
        let mut best_p = self.priority(best);
        for &g in &d.runnable[1..] {
            let p = self.priority(g);
            if p > best_p {
                best = g;
                best_p = p;
            }
        }
        self.ran = Some((best, d.pending.of(best)));
        Ok(best)
    }

    fn wants_accesses(&self) -> bool {
        true
    }
}
