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
