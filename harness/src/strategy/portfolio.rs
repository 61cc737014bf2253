//! A portfolio: executions take turns among several strategies, each keeping its own state
//! (its seed stream, URW's estimates, ...) across the executions it runs.
//!
//! No one strategy wins everywhere (see `docs/bench-bugs.md`): the uniform random walk finds
//! ordering bugs among many goroutines, partial order sampling finds the deep bugs of a few
//! goroutines racing on one object (the lock-free stack), PCT bugs of small depth. Alternating
//! costs each at most a factor of the portfolio's size in executions on the bugs it is best
//! at, and keeps every bug any member finds within reach. The turn is the execution's index
//! modulo the members, so a seed still gives the same executions everywhere.

use super::{Decision, Schedule};

pub(crate) struct Portfolio {
    members: Vec<Box<dyn Schedule>>,
    turn: usize,
    started: bool,
}

impl Portfolio {
    pub fn new(members: Vec<Box<dyn Schedule>>) -> Self {
        assert!(!members.is_empty(), "a portfolio needs a member");
        Portfolio {
            members,
            turn: 0,
            started: false,
        }
    }
}

impl Schedule for Portfolio {
    fn begin(&mut self) -> Option<u64> {
        if self.started {
            self.turn = (self.turn + 1) % self.members.len();
        }
        self.started = true;
        self.members[self.turn].begin()
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        self.members[self.turn].choose(d)
    }

    fn end(&mut self, steps: u64) -> Result<(), String> {
        self.members[self.turn].end(steps)
    }

    fn wants_labels(&self) -> bool {
        self.members.iter().any(|m| m.wants_labels())
    }

    fn wants_accesses(&self) -> bool {
        self.members.iter().any(|m| m.wants_accesses())
    }
}
