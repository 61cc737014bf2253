//! A trace as plain text: one line per event, the failure under it.

use crate::model::TraceFailure;
use maprace_harness::Trace;
use std::fmt::Write as _;

/// Renders `trace` as lines `step  goroutine  operation: point  {state}`, then the failure.
pub fn render(trace: &Trace, failure: Option<&TraceFailure>) -> String {
    let width = trace
        .events
        .iter()
        .map(|e| e.goroutine.len())
        .max()
        .unwrap_or(4);
    let mut out = String::new();
    for e in &trace.events {
        let _ = write!(
            out,
            "{:>5}  {:<width$}  {}",
            e.step,
            e.goroutine,
            e.describe()
        );
        if let Some(state) = &e.state {
            let _ = write!(out, "  {{{state}}}");
        }
        out.push('\n');
    }
    if let Some(f) = failure {
        let _ = writeln!(
            out,
            "=> {} in {} at step {}: {}",
            f.kind, f.goroutine, f.step, f.message
        );
    }
    out
}
