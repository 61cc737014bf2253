//! Follows another engine's execution: given which goroutine recorded each trace event of an
//! execution loom ran, picks at every shuttle decision the goroutine that recorded the next
//! event. Both engines record the same events at the same harness points, so when loom's
//! schedule switched only where shuttle can switch too, this reproduces it step for step, and
//! the execution's shuttle choices become an ordinary token. The caller checks that the
//! traces match; a schedule shuttle cannot express (a weak-memory outcome, a switch inside a
//! step) gives a different trace, not a wrong token.

use super::{Decision, Schedule};

pub(crate) struct Guided {
    /// The goroutine of each event of the execution to follow, in order.
    script: Vec<u32>,
    started: bool,
}

impl Guided {
    pub fn new(script: Vec<u32>) -> Self {
        Guided {
            script,
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
        let want = self.script.get(d.events).map(|&g| g as usize);
        match want {
            Some(g) if d.runnable.contains(&g) => Ok(g),
            // The goroutine that acts next cannot run here (or the script is over): keep the
            // running one going, as loom does when it does not preempt.
            _ => Ok(d
                .current
                .filter(|c| d.runnable.contains(c))
                .unwrap_or(d.runnable[0])),
        }
    }

    fn exhausted(&self) -> bool {
        self.started
    }
}
