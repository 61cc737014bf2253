//! Depth-first search over schedules, optionally preemption-bounded.
//!
//! The search keeps the decision stack of the current execution. Each frame lists the choices
//! still allowed at that step (the current goroutine first, so schedules with fewer preemptions
//! come first); the next execution replays the stack up to its deepest frame with an untried
//! choice, takes that choice, and extends the stack with first choices from there.

use super::{Decision, Schedule};

struct Frame {
    options: Vec<usize>,
    next: usize,
}

pub(crate) struct Dfs {
    seed: u64,
    bound: Option<u32>,
    stack: Vec<Frame>,
    pos: usize,
    preemptions: u32,
    started: bool,
    exhausted: bool,
}

impl Dfs {
    pub fn new(seed: u64, bound: Option<u32>) -> Self {
        Dfs {
            seed,
            bound,
            stack: Vec::new(),
            pos: 0,
            preemptions: 0,
            started: false,
            exhausted: false,
        }
    }
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
        self.preemptions = 0;
        // Every execution draws the same data values: DFS varies only the schedule.
        Some(crate::hash::mix64(self.seed))
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        let choice = if let Some(frame) = self.stack.get(self.pos) {
            let c = frame.options[frame.next];
            if !d.runnable.contains(&c) {
                return Err(format!(
                    "the body is not deterministic: task {c} is not runnable at step {} on a replayed prefix",
                    d.step
                ));
            }
            c
        } else {
            let may_preempt = self.bound.is_none_or(|b| self.preemptions < b);
            let mut options = Vec::with_capacity(d.runnable.len());
            if let Some(c) = d.current.filter(|c| d.runnable.contains(c)) {
                options.push(c);
            }
            for &t in d.runnable {
                if !options.contains(&t) && (may_preempt || !d.preempts(t)) {
                    options.push(t);
                }
            }
            let c = options[0];
            self.stack.push(Frame { options, next: 0 });
            c
        };
        self.pos += 1;
        if d.preempts(choice) {
            self.preemptions += 1;
        }
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
