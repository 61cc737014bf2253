//! Minimal failing schedules: the failing schedule with the fewest preemptions.
//!
//! A failure found by a random walk usually comes with a schedule full of context switches that
//! have nothing to do with the bug. [`minimize`] looks for a schedule of the same scenario, with
//! the same data seed, that fails with the same [`FailureKind`] and makes as few *preemptions*
//! as it can, so the trace people read shows only the switches the bug needs.
//!
//! The definitions and the search are documented on [`preemptions`] and [`minimize`].

use crate::explorer::{Explorer, ReplayError, Replayed};
use crate::failure::{Failure, FailureKind};
use crate::strategy::Strategy;
use crate::token::{self, Token};
use crate::trace::Trace;
use std::fmt;

/// How much work [`minimize`] may do, in executions: bounded-search executions plus replays of
/// candidates and of preemption-counting probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The most executions to spend.
    pub executions: u64,
}

impl Budget {
    /// A budget of `executions` executions.
    pub const fn new(executions: u64) -> Self {
        Budget { executions }
    }
}

impl Default for Budget {
    /// 20,000 executions: a fraction of a second for the catalogue's scenarios in release builds.
    fn default() -> Self {
        Budget::new(20_000)
    }
}

/// A minimized failing schedule.
#[derive(Clone, Debug)]
pub struct Minimized {
    /// The minimized token, completed with digests and trace hash; replays like any other.
    pub token: Token,
    /// Its trace.
    pub trace: Trace,
    /// The trace's hash.
    pub trace_hash: u64,
    /// The failure it ends in: of the same kind as the original token's.
    pub failure: Failure,
    /// Preemptions in the original token.
    pub preemptions_before: u32,
    /// Preemptions in the minimized token.
    pub preemptions_after: u32,
    /// Every schedule with fewer than this many preemptions (and the same data seed) was tried
    /// by the bounded search and none fails with this kind.
    pub lower_bound: u32,
    /// Whether the result is proven minimal: `preemptions_after == lower_bound`.
    pub proven_minimal: bool,
    /// Executions spent (bounded search, candidates and probes).
    pub executions: u64,
}

/// Why a token could not be minimized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MinimizeError {
    /// The token does not replay against this explorer and body.
    Replay(ReplayError),
    /// The token's schedule passes: there is no failure to keep.
    Passes,
}

impl fmt::Display for MinimizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MinimizeError::Replay(e) => e.fmt(f),
            MinimizeError::Passes => {
                f.write_str("the token's schedule passes: there is no failure to minimize")
            }
        }
    }
}

impl std::error::Error for MinimizeError {}

impl From<ReplayError> for MinimizeError {
    fn from(e: ReplayError) -> Self {
        MinimizeError::Replay(e)
    }
}

/// Counts the preemptions of `token`'s schedule, with one replay per context switch.
///
/// # What counts as a preemption
///
/// A preemption is a scheduling step at which the goroutine that ran the previous step could
/// have run again but another one was chosen. A switch away from a goroutine that blocked
/// (waiting on a lock, a join, a channel) or finished is not one. This is the measure
/// [`Strategy::Dfs`]'s `preemption_bound` limits, so "no failing schedule with fewer than `k`
/// preemptions" can be proven by an exhausted bounded search.
///
/// A token records which goroutine ran at each step, not which ones could have: [`preemptions`]
/// finds out by replaying, for every switch, the token's prefix up to the switch followed by the
/// previous goroutine once more. The engine rejects that probe at the switch exactly when the
/// previous goroutine was not runnable there. (A goroutine that yielded with `yield_now` counts
/// as preempted here, where the bounded search would not count it; maprace's own preemption
/// points never yield.)
pub fn preemptions<F>(explorer: &Explorer, token: &Token, body: F) -> Result<u32, ReplayError>
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    // Check the token itself first, so a bad token is an error rather than a count.
    explorer.replay(token, body.clone())?;
    let mut work = Work::new(explorer, body, u64::MAX);
    Ok(work.count(token.seed, &token.steps))
}

/// Searches for a schedule that fails with the same kind as `token` with the fewest
/// preemptions (see [`preemptions`]), spending at most about `budget` executions.
///
/// # How the search goes
///
/// 1. **Bounded search.** Preemption-bounded depth-first search with bounds 0, 1, 2, ... below
///    the token's own count, run with the token's data seed. The first bound that finds a
///    failure of the same kind gives the result; every bound below it was searched exhaustively,
///    so the result is *proven minimal*. A bound whose space the budget cannot cover ends this
///    phase.
/// 2. **Greedy removal.** When the bounded search runs out of budget (long traces, many
///    goroutines), the token itself is shortened one preemption at a time: for each preemption,
///    let the preempted goroutine go on with its next run of steps instead (or push the
///    preempting run later), replay, and keep the candidate when it still fails with the same
///    kind and has fewer preemptions. The result is only *reduced*, unless its count meets the
///    bound the search proved.
///
/// Every candidate is replayed before it is accepted, so the result always fails with the
/// original kind and replays like any other token. Everything is deterministic: the same
/// token and budget give the same result on every run.
///
/// The explorer supplies the scenario identity and the step bound; its strategy, seed,
/// iteration count and time budget are not used, so the result never depends on the clock.
///
/// ```
/// use maprace_harness::{go, minimize, preempt, Budget, Explorer, Op, Point};
/// use maprace_harness::sync::{Arc, AtomicBool, Ordering};
///
/// fn body() {
///     let busy = Arc::new(AtomicBool::new(false));
///     let hs: Vec<_> = (0..2)
///         .map(|_| {
///             let busy = Arc::clone(&busy);
///             go("", move || {
///                 preempt(Point::new(Op::User("enter"), "before check"));
///                 if busy.load(Ordering::SeqCst) {
///                     panic!("both inside");
///                 }
///                 preempt(Point::new(Op::User("enter"), "checked"));
///                 busy.store(true, Ordering::SeqCst);
///                 preempt(Point::new(Op::User("leave"), "inside"));
///                 busy.store(false, Ordering::SeqCst);
///             })
///         })
///         .collect();
///     for h in hs {
///         h.join();
///     }
/// }
///
/// let explorer = Explorer::new("doc/minimize");
/// let found = explorer.clone().iterations(200).run(body);
/// let token = &found.failures[0].token;
/// let m = minimize(&explorer, token, body, Budget::new(2_000)).unwrap();
/// // One preemption (inside the other goroutine's critical section) is all this race needs.
/// assert_eq!(m.preemptions_after, 1);
/// assert!(m.proven_minimal);
/// assert_eq!(m.failure.kind.as_str(), "panic");
/// ```
pub fn minimize<F>(
    explorer: &Explorer,
    token: &Token,
    body: F,
    budget: Budget,
) -> Result<Minimized, MinimizeError>
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    let original = explorer.replay(token, body.clone())?;
    let Some(failure) = original.failure.clone() else {
        return Err(MinimizeError::Passes);
    };
    let target = failure.kind.clone();
    let mut work = Work::new(explorer, body, budget.executions);
    work.spent = 1;
    let before = work.count(token.seed, &token.steps);
    let mut best = Candidate {
        replayed: original,
        preemptions: before,
    };
    let mut lower = 0;

    // 1. Bounded search, bound by bound. Keep a quarter of the budget for greedy removal in
    // case the search cannot finish a bound.
    let search_budget = budget.executions - budget.executions / 4;
    for bound in 0..before {
        match work.bounded(token.seed, bound, &target, search_budget) {
            Bounded::Found(c) => {
                lower = bound;
                if c.preemptions < best.preemptions {
                    best = *c;
                }
                break;
            }
            Bounded::Exhausted => lower = bound + 1,
            Bounded::OutOfBudget => break,
        }
    }

    // 2. Greedy removal, when the search did not reach the token's own count.
    if best.preemptions > lower {
        best = work.greedy(best, &target, lower);
    }

    let Candidate {
        replayed,
        preemptions,
    } = best;
    let failure = replayed
        .failure
        .expect("every accepted candidate fails with the target kind");
    Ok(Minimized {
        token: replayed.token,
        trace_hash: replayed.trace_hash,
        trace: replayed.trace,
        failure,
        preemptions_before: before,
        preemptions_after: preemptions,
        lower_bound: lower,
        proven_minimal: preemptions == lower,
        executions: work.spent,
    })
}

/// A replayed schedule that fails with the target kind, and its preemption count.
struct Candidate {
    replayed: Replayed,
    preemptions: u32,
}

enum Bounded {
    Found(Box<Candidate>),
    Exhausted,
    OutOfBudget,
}

/// The search's shared state: what to run, and the executions spent so far.
struct Work<'a, F> {
    explorer: &'a Explorer,
    body: F,
    limit: u64,
    spent: u64,
}

impl<'a, F> Work<'a, F>
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    fn new(explorer: &'a Explorer, body: F, limit: u64) -> Self {
        Work {
            explorer,
            body,
            limit,
            spent: 0,
        }
    }

    fn left(&self) -> u64 {
        self.limit.saturating_sub(self.spent)
    }

    fn token(&self, seed: u64, steps: Vec<u32>) -> Token {
        Token {
            scenario: self.explorer.identity().to_string(),
            seed,
            steps,
            digests: Vec::new(),
            trace_hash: None,
        }
    }

    fn replay(&mut self, seed: u64, steps: &[u32]) -> Result<Replayed, ReplayError> {
        self.spent += 1;
        let token = self.token(seed, steps.to_vec());
        self.explorer.replay(&token, self.body.clone())
    }

    /// Whether the switch at step `i` (`steps[i] != steps[i - 1]`) preempts `steps[i - 1]`:
    /// replay the prefix with the previous goroutine chosen once more. The replay diverges at
    /// step `i` exactly when that goroutine was not runnable there.
    fn preempts(&mut self, seed: u64, steps: &[u32], i: usize) -> bool {
        let mut probe = steps[..i].to_vec();
        probe.push(steps[i - 1]);
        !matches!(
            self.replay(seed, &probe),
            Err(ReplayError::Diverged { step, .. }) if step == i as u64
        )
    }

    /// The preemptions of a schedule known to replay.
    fn count(&mut self, seed: u64, steps: &[u32]) -> u32 {
        let switches: Vec<usize> = (1..steps.len())
            .filter(|&i| steps[i] != steps[i - 1])
            .collect();
        switches
            .into_iter()
            .filter(|&i| self.preempts(seed, steps, i))
            .count() as u32
    }

    /// Preemption-bounded DFS with `bound`, with the token's data seed, in growing chunks (each
    /// chunk re-runs the previous one: DFS cannot resume, and the growth keeps the repeated
    /// work under a third of the total).
    fn bounded(&mut self, seed: u64, bound: u32, target: &FailureKind, cap: u64) -> Bounded {
        let mut chunk = 128u64;
        loop {
            let allowed = cap.saturating_sub(self.spent).min(self.left());
            if allowed == 0 {
                return Bounded::OutOfBudget;
            }
            let n = chunk.min(allowed);
            let exploration = self
                .explorer
                .clone()
                .strategy(Strategy::Dfs {
                    preemption_bound: Some(bound),
                })
                .seed(dfs_seed_for(seed))
                .iterations(n)
                .time_budget(None)
                .stop_on_first_failure(false)
                .run(self.body.clone());
            self.spent += exploration.executions;
            if let Some(f) = exploration
                .failures
                .into_iter()
                .find(|f| &f.failure.kind == target)
            {
                let preemptions = self.count(f.token.seed, &f.token.steps);
                return Bounded::Found(Box::new(Candidate {
                    replayed: Replayed {
                        failure: Some(f.failure),
                        trace_hash: f.trace_hash,
                        trace: f.trace,
                        token: f.token,
                        accesses: f.accesses,
                        race: f.race,
                    },
                    preemptions,
                }));
            }
            if exploration.exhausted {
                return Bounded::Exhausted;
            }
            if n < chunk {
                return Bounded::OutOfBudget;
            }
            chunk = chunk.saturating_mul(4);
        }
    }

    /// Replays `steps`; when the execution ends before the schedule does (the failure came
    /// sooner), replays the part it used. Keeps the result only when it fails with `target`.
    fn try_candidate(
        &mut self,
        seed: u64,
        steps: &[u32],
        target: &FailureKind,
    ) -> Option<Replayed> {
        let replayed = match self.replay(seed, steps) {
            Ok(r) => r,
            Err(ReplayError::Diverged { step, .. }) if (step as usize) < steps.len() => {
                self.replay(seed, &steps[..step as usize]).ok()?
            }
            Err(_) => return None,
        };
        (replayed.failure.as_ref().map(|f| &f.kind) == Some(target)).then_some(replayed)
    }

    /// Greedy removal of preemptions from `best`, down to `floor` at the lowest.
    fn greedy(&mut self, mut best: Candidate, target: &FailureKind, floor: u32) -> Candidate {
        'improve: while best.preemptions > floor {
            let seed = best.replayed.token.seed;
            let steps = best.replayed.token.steps.clone();
            let switches: Vec<usize> = (1..steps.len())
                .filter(|&i| steps[i] != steps[i - 1])
                .collect();
            // Earliest switch first: the early ones are most often incidental (start-up
            // interleavings), while the last ones before the failure are usually the bug.
            for &i in &switches {
                if self.left() == 0 {
                    break 'improve;
                }
                if !self.preempts(seed, &steps, i) {
                    continue;
                }
                for candidate in removals(&steps, i) {
                    if self.left() == 0 {
                        break 'improve;
                    }
                    let Some(replayed) = self.try_candidate(seed, &candidate, target) else {
                        continue;
                    };
                    let preemptions = {
                        let t = &replayed.token;
                        self.count(t.seed, &t.steps)
                    };
                    if preemptions < best.preemptions {
                        best = Candidate {
                            replayed,
                            preemptions,
                        };
                        continue 'improve;
                    }
                }
            }
            break;
        }
        best
    }
}

/// Candidate schedules without the switch at step `i` from `a = steps[i - 1]` to
/// `b = steps[i]`: `a` goes on with its next run of steps (pulled forward to `i`), or `b`'s run
/// starting at `i` is pushed back to just after `a`'s next run.
fn removals(steps: &[u32], i: usize) -> Vec<Vec<u32>> {
    let runs = token::runs(steps);
    // The index of the run starting at step i.
    let mut start = 0usize;
    let mut at = None;
    for (r, (_, n)) in runs.iter().enumerate() {
        if start == i {
            at = Some(r);
            break;
        }
        start += *n as usize;
    }
    let Some(at) = at else { return Vec::new() };
    let a = runs[at - 1].0;
    let Some(next_a) = (at + 1..runs.len()).find(|&r| runs[r].0 == a) else {
        return Vec::new();
    };
    let expand = |order: &[(u32, u32)]| -> Vec<u32> {
        order
            .iter()
            .flat_map(|&(t, n)| std::iter::repeat_n(t, n as usize))
            .collect()
    };
    let mut pulled = runs.clone();
    let moved = pulled.remove(next_a);
    pulled.insert(at, moved);
    let mut pushed = runs.clone();
    let moved = pushed.remove(at);
    pushed.insert(next_a, moved);
    let mut out = vec![expand(&pulled)];
    if pushed != pulled {
        out.push(expand(&pushed));
    }
    out
}

/// The explorer seed under which [`Strategy::Dfs`] gives its executions the data seed `seed`.
///
/// DFS draws every execution's data from `SplitMix64(explorer seed)`; inverting that step lets
/// the bounded search run the token's own data (hash seeds, ...), so only the schedule changes.
fn dfs_seed_for(seed: u64) -> u64 {
    crate::hash::unmix64(seed)
}

#[cfg(test)]
mod tests;
