//! Uniform random walk and its selective form: Zhao, Wolff, Mathur, Roychoudhury,
//! "Selectively Uniform Concurrency Testing", ASPLOS 2025.
//!
//! A random walk that picks runnable goroutines uniformly over-samples interleavings where the
//! goroutines alternate early; picking each goroutine with probability proportional to the
//! number of events it has left samples interleavings uniformly (an interleaving of runs of
//! length `n_1..n_k` is a multinomial draw). Events a goroutine will spawn count towards its
//! parent until the child exists, when they move to the child.
//!
//! The counts are estimates, per goroutine number (main 0, then spawn order: the identity a
//! goroutine keeps from one execution to the next in a deterministic body). Shuttle's
//! `UrwRandomScheduler` estimates them from one trial execution and never again; here every
//! finished execution refreshes them (a running mean, in integers, so the walk is the same on
//! every machine). The first execution, with no estimates, is a uniform random walk.
//!
//! The selective form (SURW) counts only the *interesting* events: steps that begin with an
//! access to a shared object in the object/access record (goroutine lifecycle steps and steps
//! with no declared access do not count), so the sampling is uniform over the orders of the
//! accesses that can race rather than over every step.

use super::random::below;
use super::{Decision, Schedule};
use crate::access::ObjectKind;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

pub(crate) struct Urw {
    selective: bool,
    seeds: ChaCha8Rng,
    rng: ChaCha8Rng,
    /// Sum and count of each goroutine's observed events (own plus descendants') over finished
    /// executions; the estimate is their mean, rounded up.
    totals: Vec<(u64, u64)>,
    /// This execution: events each goroutine has performed.
    own: Vec<u64>,
    /// This execution: each goroutine's parent (main has none).
    parent: Vec<Option<usize>>,
    /// This execution: each goroutine's remaining weight (estimated events left, at least 1).
    weight: Vec<u64>,
    /// The goroutine chosen last.
    last: Option<usize>,
}

impl Urw {
    pub fn new(seed: u64, selective: bool) -> Self {
        Urw {
            selective,
            seeds: ChaCha8Rng::seed_from_u64(seed),
            rng: ChaCha8Rng::seed_from_u64(0),
            totals: Vec::new(),
            own: Vec::new(),
            parent: Vec::new(),
            weight: Vec::new(),
            last: None,
        }
    }

    fn estimate(&self, g: usize) -> u64 {
        match self.totals.get(g) {
            Some(&(sum, n)) if n > 0 => sum.div_ceil(n).max(1),
            _ => 1,
        }
    }

    /// Notes goroutines seen for the first time: spawned by the goroutine that ran last.
    fn admit(&mut self, g: usize) {
        while self.weight.len() <= g {
            let child = self.weight.len();
            let w = self.estimate(child);
            let parent = self.last.filter(|&p| p < child);
            self.weight.push(w);
            self.own.push(0);
            self.parent.push(parent);
            if let Some(p) = parent {
                // The child's events were counted in the parent's estimate until now.
                self.weight[p] = self.weight[p].saturating_sub(w).max(1);
            }
        }
    }

    fn counts(&self, d: &Decision<'_>, g: usize) -> bool {
        !self.selective
            || d.pending
                .of(g)
                .is_some_and(|a| a.object.kind != ObjectKind::Goroutine)
    }
}

impl Schedule for Urw {
    fn begin(&mut self) -> Option<u64> {
        let seed = self.seeds.next_u64();
        self.rng = ChaCha8Rng::seed_from_u64(crate::hash::mix64(seed));
        self.own.clear();
        self.parent.clear();
        self.weight.clear();
        self.last = None;
        Some(seed)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        for &g in d.runnable {
            self.admit(g);
        }
        let choice = match d.runnable {
            [only] => *only,
            many => {
                let total: u64 = many.iter().map(|&g| self.weight[g]).sum();
                let mut r = below(&mut self.rng, total as usize) as u64;
                let mut pick = many[many.len() - 1];
                for &g in many {
                    if r < self.weight[g] {
                        pick = g;
                        break;
                    }
                    r -= self.weight[g];
                }
                pick
            }
        };
        if self.counts(d, choice) {
            self.own[choice] += 1;
            self.weight[choice] = self.weight[choice].saturating_sub(1).max(1);
        }
        self.last = Some(choice);
        Ok(choice)
    }

    fn end(&mut self, _steps: u64) -> Result<(), String> {
        // Children are numbered after their parents: fold descendants' events upwards.
        let mut total = self.own.clone();
        for g in (0..total.len()).rev() {
            if let Some(p) = self.parent[g] {
                total[p] += total[g];
            }
        }
        if self.totals.len() < total.len() {
            self.totals.resize(total.len(), (0, 0));
        }
        for (g, t) in total.into_iter().enumerate() {
            let (sum, n) = &mut self.totals[g];
            *sum += t;
            *n += 1;
        }
        Ok(())
    }

    fn wants_accesses(&self) -> bool {
        self.selective
    }
}
