//! Follows another engine's execution: given where loom switched goroutines (after how many
//! trace events, to which goroutine), makes the same switch at the first shuttle decision
//! after that many events, and otherwise keeps the running goroutine going. Both engines
//! record the same events at the same harness points and can switch right after each, so
//! when loom switched only where shuttle can switch too, this reproduces loom's execution
//! step for step, and its shuttle choices become an ordinary token. The caller checks that
//! the traces and failures match: a schedule shuttle cannot express (a weak-memory outcome)
//! gives a different trace, not a wrong token.

use super::{Decision, Schedule};

pub(crate) struct Guided {
    /// loom's switches: (events recorded before it, goroutine that ran next), in order.
    switches: Vec<(u32, u32)>,
    /// The next switch to make.
    next: usize,
    started: bool,
}

impl Guided {
    pub fn new(switches: Vec<(u32, u32)>) -> Self {
        Guided {
            switches,
            next: 0,
            started: false,
        }
    }
}

impl Schedule for Guided {
    fn begin(&mut self) -> Option<u64> {
        if self.started {
            return None;
        }
        self.started = true;
        Some(0)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        let events = d.events as u32;
        // A switch loom made earlier that shuttle had no decision for: skip it (the replay
        // then differs, and the caller sees it).
        while self.switches.get(self.next).is_some_and(|s| s.0 < events) {
            self.next += 1;
        }
        if let Some(&(at, g)) = self.switches.get(self.next) {
            if at == events && d.runnable.contains(&(g as usize)) {
                self.next += 1;
                return Ok(g as usize);
            }
        }
        // No switch here in loom's execution: the running goroutine goes on.
        Ok(d.current
            .filter(|c| d.runnable.contains(c))
            .unwrap_or(d.runnable[0]))
    }

    fn exhausted(&self) -> bool {
        self.started
    }
}
