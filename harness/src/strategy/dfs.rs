//! Depth-first search over schedules, bounded by preemptions or (see [`super::delay`]) delays.
//!
//! The search keeps the decision stack of the current execution. Each frame lists the choices
//! still allowed at that step with what each costs against the bound, cheapest first (the
//! current goroutine first, so schedules with fewer preemptions come first); the next execution
//! replays the stack up to its deepest frame with an untried choice, takes that choice, and
//! extends the stack with first choices from there.
//!
//! Yields: after a goroutine yields, switching away is free (not a preemption) and the yielder
//! is tried last. Running the yielder again while another goroutine could run costs one
//! preemption: that is what keeps a bounded search finite on a spin-wait loop (each further
//! spin of the yielder spends bound), while the unbounded search still reaches every schedule.

use super::delay;
use super::{Decision, Schedule};

struct Frame {
    /// Allowed choices with their cost against the bound, in the order they are tried.
    options: Vec<(usize, u32)>,
    next: usize,
}

/// What the bound counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Counted {
    Preemptions,
    Delays,
}

pub(crate) struct Dfs {
    seed: u64,
    bound: Option<u32>,
    counted: Counted,
    stack: Vec<Frame>,
    pos: usize,
    /// Bound spent so far in this execution.
    spent: u32,
    /// The goroutine chosen last (round-robin order starts after it).
    last: Option<usize>,
    started: bool,
    exhausted: bool,
}

impl Dfs {
    pub fn new(seed: u64, bound: Option<u32>) -> Self {
        Dfs {
            seed,
            bound,
            counted: Counted::Preemptions,
            stack: Vec::new(),
            pos: 0,
            spent: 0,
            last: None,
            started: false,
            exhausted: false,
        }
    }

    /// The delay-bounded search of Emmi, Qadeer and Rakamarić (POPL 2011).
    pub fn delay_bounded(seed: u64, bound: u32) -> Self {
        Dfs {
            counted: Counted::Delays,
            ..Dfs::new(seed, Some(bound))
        }
    }

    /// The choices at a fresh step, with their costs, cheapest first.
    fn options(&self, d: &Decision<'_>) -> Vec<(usize, u32)> {
        match self.counted {
            Counted::Delays => delay::options(d, self.last),
            Counted::Preemptions => preemption_options(d),
        }
    }
}

/// The choices of preemption bounding: the current goroutine free (unless it yielded), a switch
/// away from it one preemption, a switch after a block, exit or yield free, and running a
/// yielder again (when another goroutine could run) one preemption.
fn preemption_options(d: &Decision<'_>) -> Vec<(usize, u32)> {
    // The current goroutine first unless it yielded (then last); costs from the one rule
    // DPOR uses too.
    let current = d.current.filter(|c| d.runnable.contains(c));
    let mut order: Vec<usize> = current.filter(|_| !d.yielding).into_iter().collect();
    order.extend(d.runnable.iter().filter(|&&t| Some(t) != current));
    if d.yielding {
        order.extend(current);
    }
    order
        .into_iter()
        .map(|t| {
            (
                t,
                super::preemption_cost(d.current, d.yielding, d.runnable, t),
            )
        })
        .collect()
}

impl Schedule for Dfs {
    fn begin(&mut self) -> Option<u64> {
        if self.started {
            loop {
                match self.stack.last_mut() {
                    None => {
                        self.exhausted = true;
                        return None;
                    }
                    Some(top) if top.next + 1 < top.options.len() => {
                        top.next += 1;
                        break;
                    }
                    Some(_) => {
                        self.stack.pop();
                    }
                }
            }
        }
        self.started = true;
        self.pos = 0;
        self.spent = 0;
        self.last = None;
        // Every execution draws the same data values: DFS varies only the schedule.
        Some(crate::hash::mix64(self.seed))
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        let (choice, cost) = if let Some(frame) = self.stack.get(self.pos) {
            let (c, cost) = frame.options[frame.next];
            if !d.runnable.contains(&c) {
                return Err(format!(
                    "the body is not deterministic: task {c} is not runnable at step {} on a replayed prefix",
                    d.step
                ));
            }
            (c, cost)
        } else {
            let spent = self.spent;
            let bound = self.bound;
            let mut options = self.options(d);
            options.retain(|&(_, cost)| bound.is_none_or(|b| spent + cost <= b));
            if options.is_empty() {
                // Every choice is over the bound (cannot happen: the cheapest costs nothing
                // but for a lone yielder, which is free when alone); run the cheapest anyway.
                options = self.options(d);
                options.truncate(1);
            }
            let first = options[0];
            self.stack.push(Frame { options, next: 0 });
            first
        };
        self.pos += 1;
        self.spent += cost;
        self.last = Some(choice);
        Ok(choice)
    }

    fn exhausted(&self) -> bool {
        self.exhausted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs DFS over a synthetic program: `tasks` goroutines of `len` atomic steps each, every
    /// unfinished one runnable at every decision. Returns the schedules it produced.
    fn schedules(tasks: usize, len: usize, bound: Option<u32>) -> (Vec<Vec<usize>>, bool) {
        let mut dfs = Dfs::new(0, bound);
        let mut out = Vec::new();
        while dfs.begin().is_some() {
            let mut left = vec![len; tasks];
            let mut current = None;
            let mut schedule = Vec::new();
            for step in 0.. {
                let runnable: Vec<usize> = (0..tasks).filter(|&t| left[t] > 0).collect();
                if runnable.is_empty() {
                    break;
                }
                let d = Decision {
                    step,
                    runnable: &runnable,
                    current: current.filter(|c| runnable.contains(c)),
                    yielding: false,
                    pending: crate::access::Pending(&[]),
                    log: &[],
                    events: 0,
                };
                let t = dfs.choose(&d).unwrap();
                left[t] -= 1;
                current = Some(t);
                schedule.push(t);
            }
            out.push(schedule);
        }
        (out, dfs.exhausted())
    }

    #[test]
    fn two_goroutines_of_two_steps_have_six_interleavings() {
        // C(4, 2) = 6 ways to interleave AA with BB.
        let (all, exhausted) = schedules(2, 2, None);
        assert!(exhausted);
        assert_eq!(all.len(), 6);
        let distinct: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), 6, "no schedule is explored twice");
    }

    #[test]
    fn preemption_bound_zero_keeps_only_run_to_completion_schedules() {
        // Without preemption the only choice is who goes first: AABB and BBAA.
        let (all, exhausted) = schedules(2, 2, Some(0));
        assert!(exhausted);
        assert_eq!(all, vec![vec![0, 0, 1, 1], vec![1, 1, 0, 0]]);
    }

    #[test]
    fn preemption_bound_one_counts_by_hand() {
        // Two tasks of two steps, at most one preemption: every interleaving except the two
        // with two preemptions (ABAB and BABA): 6 - 2 = 4.
        let (all, _) = schedules(2, 2, Some(1));
        assert_eq!(all.len(), 4);
        assert!(!all.contains(&vec![0, 1, 0, 1]));
        assert!(!all.contains(&vec![1, 0, 1, 0]));
        // Three tasks of one step: 3! = 6 orders, none of them preempts anything.
        assert_eq!(schedules(3, 1, Some(0)).0.len(), 6);
    }
}
