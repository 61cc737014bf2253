//! A data race as reported: the two accesses, and the message in the shape of Go's
//! `WARNING: DATA RACE` report (the current access first, then the previous one).

use crate::access::StepAccess;
use crate::trace::Trace;
use std::fmt::Write as _;

/// Two accesses to one data object, at least one a write, that happens-before does not order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataRace {
    /// The later access (Go's "current" access: the one whose check found the race).
    pub current: StepAccess,
    /// The earlier access it races with.
    pub previous: StepAccess,
}

impl DataRace {
    /// Go's report, with goroutines named by `name` and, when `trace` is given, the point each
    /// access was made at:
    ///
    /// ```text
    /// WARNING: DATA RACE
    /// Write at map#0 by goroutine writer:
    ///   step 14: assign / hash
    ///
    /// Previous read at map#0 by goroutine main:
    ///   step 9: access / hash
    /// ```
    pub fn message(&self, name: impl Fn(u32) -> String, trace: Option<&Trace>) -> String {
        let mut out = String::from("WARNING: DATA RACE\n");
        self.describe(&mut out, "", &self.current, &name, trace);
        out.push('\n');
        self.describe(&mut out, "Previous ", &self.previous, &name, trace);
        out
    }

    fn describe(
        &self,
        out: &mut String,
        prefix: &str,
        a: &StepAccess,
        name: &impl Fn(u32) -> String,
        trace: Option<&Trace>,
    ) {
        let what = if a.access.kind.writes() {
            "write"
        } else {
            "read"
        };
        let what = if prefix.is_empty() {
            capitalised(what)
        } else {
            what.to_string()
        };
        let who = name(a.goroutine);
        // Infallible: writing to a String.
        let _ = writeln!(
            out,
            "{prefix}{what} at {} by goroutine {who}:",
            a.access.object
        );
        let _ = write!(out, "  step {}", a.step);
        if let Some(point) = trace.and_then(|t| point_of(t, &who, a.step)) {
            let _ = write!(out, ": {point}");
        }
        out.push('\n');
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The point at which `goroutine` made its access at `step`: the last point it passed before
/// that step (an access at a preemption point is performed in the step that resumes the
/// goroutine there), else its first event in that step (an access with no point of its own).
pub(crate) fn point_of(trace: &Trace, goroutine: &str, step: u64) -> Option<String> {
    let mine = || trace.events.iter().filter(|e| e.goroutine == goroutine);
    mine()
        .rfind(|e| e.step < step)
        .or_else(|| mine().find(|e| e.step == step))
        .map(|e| format!("{} / {}", e.kind, e.label))
}

impl DataRace {
    /// The execution's failure for this race: kind `data-race`, Go's message, at the current
    /// access. Goroutines are named from the execution's record, so call it from the engine's
    /// finish callback, before the next execution starts.
    pub(crate) fn failure(&self, trace: Option<&Trace>) -> crate::failure::Failure {
        let names: Vec<String> = crate::record::with(|r| {
            (0..=self.current.goroutine.max(self.previous.goroutine))
                .map(|g| r.name(g as usize).to_string())
                .collect()
        });
        let name = |g: u32| names[g as usize].clone();
        crate::failure::Failure {
            kind: crate::failure::FailureKind::DATA_RACE,
            message: self.message(name, trace),
            goroutine: names[self.current.goroutine as usize].clone(),
            step: self.current.step,
            location: None,
        }
    }
}
