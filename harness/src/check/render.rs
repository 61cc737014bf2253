//! The folded trace of a check's panic message: plain text, one line per event, long runs of
//! one goroutine's steps folded, the failing step marked. (The `reports` crate has the full
//! tables; a dev-dependency gets this without it.)

use crate::explorer::{Exploration, FoundFailure};
use crate::trace::Trace;
use std::fmt;

impl fmt::Display for FoundFailure {
    /// The failure, how often it happened, and its token (or, for a failure only the loom
    /// engine shows, that it replays from loom's checkpoint).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (first in execution {}, {} failing); ",
            self.failure,
            self.execution + 1,
            self.count,
        )?;
        if self.shuttle_replays {
            write!(f, "token {}", self.token)
        } else {
            f.write_str(
                "loom only (no shuttle schedule shows it): replay its `loom_checkpoint` with \
                 `Explorer::replay_loom_checkpoint`",
            )
        }
    }
}

impl fmt::Display for Exploration {
    /// What was explored and every distinct failure found, one per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} executions of {} (seed {})",
            self.identity, self.executions, self.strategy, self.seed
        )?;
        if self.exhausted {
            f.write_str(", every schedule covered")?;
        }
        if self.out_of_time {
            f.write_str(", cut by the time budget")?;
        }
        if self.failures.is_empty() {
            return f.write_str(": no failure");
        }
        write!(f, ": {} distinct failure(s)", self.failures.len())?;
        for found in &self.failures {
            write!(f, "\n  {found}")?;
        }
        Ok(())
    }
}

/// Events of one goroutine in a row beyond this many are folded into one line.
const KEEP_IN_RUN: usize = 4;
/// Only the last events before the failure are shown.
const TAIL: usize = 60;

pub(crate) fn folded_trace(f: &mut fmt::Formatter<'_>, trace: &Trace, failing: u64) -> fmt::Result {
    let events = &trace.events;
    let start = events.len().saturating_sub(TAIL);
    if start > 0 {
        writeln!(f, "  … {start} earlier events not shown")?;
    }
    let width = trace
        .goroutines
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(4)
        .max(4);
    let mut i = start;
    while i < events.len() {
        let g = &events[i].goroutine;
        let run_end = events[i..]
            .iter()
            .position(|e| &e.goroutine != g)
            .map_or(events.len(), |n| i + n);
        let run = &events[i..run_end];
        for (j, e) in run.iter().enumerate() {
            let hidden = run.len().saturating_sub(KEEP_IN_RUN);
            if hidden > 0 && j >= KEEP_IN_RUN / 2 && j < KEEP_IN_RUN / 2 + hidden {
                if j == KEEP_IN_RUN / 2 {
                    writeln!(f, "  {:>5}  {g:<width$}  … {hidden} more steps", "")?;
                }
                continue;
            }
            let mark = if e.step == failing { "▶" } else { " " };
            write!(
                f,
                "{mark} {:>5}  {:<width$}  {}: {}",
                e.step, e.goroutine, e.kind, e.label
            )?;
            if let Some(d) = &e.detail {
                write!(f, "  {d}")?;
            }
            if let Some(s) = e.state.as_ref().filter(|s| !s.is_empty()) {
                write!(f, "  [{s}]")?;
            }
            writeln!(f)?;
        }
        i = run_end;
    }
    Ok(())
}
