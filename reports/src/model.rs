//! The report model: plain, serialisable rows. The JSON formats are these types, versioned.

use maprace_harness::{ClassCount, Event, Failure, FoundFailure};
use serde::{Deserialize, Serialize};

/// One registered scenario variant (`maprace list`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// Scenario name.
    pub name: String,
    /// `buggy` or `fixed`.
    pub variant: String,
    /// One line: what it models.
    pub description: String,
    /// `fail` or `pass`.
    pub expected: String,
}

/// A distinct failure found by an exploration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureSummary {
    /// Index (0-based) of the first execution that failed this way.
    pub execution: u64,
    /// How many executions failed this way.
    pub count: u64,
    /// Failure kind id.
    pub kind: String,
    /// Failure message.
    pub message: String,
    /// The goroutine that failed.
    pub goroutine: String,
    /// The scheduling step it failed at.
    pub step: u64,
    /// The token that replays it.
    pub token: String,
    /// Hash of its trace (16 hex digits).
    pub trace_hash: String,
    /// The minimized schedule, when this failure was minimized (by default the first failure
    /// of each buggy variant); `null` otherwise.
    #[serde(default)]
    pub minimized: Option<Minimization>,
    /// Set for a failure only the loom engine shows (no shuttle schedule replays it, so its
    /// token has no steps): how to replay it instead. Absent for every other failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loom_only: Option<LoomOnly>,
}

/// A failure only the loom engine shows (a weak-memory outcome, or a switch shuttle's
/// scheduling points cannot make): it replays from loom's checkpoint, not from a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoomOnly {
    /// Where loom's checkpoint of the failing execution was saved (`explore --report DIR`
    /// saves it under `DIR/traces/`); `None` when nothing saved it.
    pub checkpoint: Option<String>,
}

impl LoomOnly {
    /// The line that says how to replay the failure, given the replay command `replay` (the
    /// checkpoint names its scenario).
    pub fn replay_line(&self, replay: &str) -> String {
        match &self.checkpoint {
            Some(file) => format!("{replay} --loom-checkpoint {file}"),
            None => "loom only (no shuttle schedule shows it): explore with --report DIR to \
                     save loom's checkpoint, then replay it with --loom-checkpoint"
                .to_string(),
        }
    }
}

/// The line that replays a failure: `replay token`, or for a loom-only failure its checkpoint
/// replay ([`LoomOnly::replay_line`]).
pub fn replay_line(replay: &str, token: &str, loom_only: Option<&LoomOnly>) -> String {
    match loom_only {
        Some(l) => l.replay_line(replay),
        None => format!("{replay} {token}"),
    }
}

/// The result of minimizing a failing schedule: the shortest explanation found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minimization {
    /// The token minimized.
    pub original_token: String,
    /// The minimized token (fails with the same kind; replays like any other).
    pub token: String,
    /// Hash of the minimized trace (16 hex digits).
    pub trace_hash: String,
    /// Preemptions in the original schedule.
    pub preemptions_before: u32,
    /// Preemptions in the minimized schedule.
    pub preemptions_after: u32,
    /// Every schedule with fewer preemptions than this was searched: none fails this way.
    pub lower_bound: u32,
    /// Whether the result is proven minimal (`preemptions_after == lower_bound`).
    pub proven_minimal: bool,
    /// Executions the search spent.
    pub executions: u64,
}

impl Minimization {
    /// `3 -> 1 (proven minimal)` or `9 -> 4 (reduced)`.
    pub fn describe(&self) -> String {
        format!(
            "{} -> {} ({})",
            self.preemptions_before,
            self.preemptions_after,
            self.quality()
        )
    }

    /// `proven minimal`, `reduced`, or `not reduced` (the search found nothing shorter, for
    /// example with no budget).
    pub fn quality(&self) -> &'static str {
        if self.proven_minimal {
            "proven minimal"
        } else if self.preemptions_after < self.preemptions_before {
            "reduced"
        } else {
            "not reduced"
        }
    }
}

impl From<&FoundFailure> for FailureSummary {
    fn from(f: &FoundFailure) -> Self {
        FailureSummary {
            execution: f.execution,
            count: f.count,
            kind: f.failure.kind.to_string(),
            message: f.failure.message.clone(),
            goroutine: f.failure.goroutine.clone(),
            step: f.failure.step,
            token: f.token.to_string(),
            trace_hash: format!("{:016x}", f.trace_hash),
            minimized: None,
            loom_only: (!f.shuttle_replays).then_some(LoomOnly { checkpoint: None }),
        }
    }
}

/// One explored scenario variant (`maprace explore`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// Scenario name.
    pub scenario: String,
    /// `buggy` or `fixed`.
    pub variant: String,
    /// Strategy, with its parameters (`random`, `pct(depth=3)`, `dfs(preemption-bound=2)`).
    pub strategy: String,
    /// Seed.
    pub seed: u64,
    /// Executions run.
    pub executions: u64,
    /// Whether a systematic strategy covered its whole space.
    pub exhausted: bool,
    /// What the exploration covered, in words: `every schedule with ≤ 2 preemptions`,
    /// `not exhaustive: cut at 10,000 executions`, `10,000 sampled schedules`.
    pub coverage: String,
    /// `fail` or `pass`.
    pub expected: String,
    /// `ok` or `unexpected`.
    pub verdict: String,
    /// Why the verdict is `unexpected` and what to try (`only step-bound: …`); `null` when ok.
    #[serde(default)]
    pub hint: Option<String>,
    /// The first failure, if any.
    pub first_failure: Option<FailureSummary>,
    /// Every distinct failure, first occurrence first.
    pub failures: Vec<FailureSummary>,
    /// The executions by class (`fatal`, `race`, `silent`, `clean`; worst first), each class
    /// that occurred once; the counts add up to `executions`.
    #[serde(default)]
    pub classes: Vec<ClassSummary>,
}

/// How many executions of an exploration fell in one class, with a token for the first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    /// `fatal` (a Go runtime check fired, a panic, a deadlock), `race` (no fatal, but
    /// `go test -race` would fail the run), `silent` (neither, but a wrong result, a corrupted
    /// map or a leak) or `clean`.
    pub class: String,
    /// Executions in the class.
    pub count: u64,
    /// `count` / executions explored.
    pub fraction: f64,
    /// Index (0-based) of the first execution in the class.
    pub execution: u64,
    /// The token that replays that execution.
    pub token: String,
}

impl ClassSummary {
    /// The summary of `c` among `executions` executions.
    pub fn of(c: &ClassCount, executions: u64) -> Self {
        ClassSummary {
            class: c.class.to_string(),
            count: c.count,
            fraction: if executions == 0 {
                0.0
            } else {
                c.count as f64 / executions as f64
            },
            execution: c.execution,
            token: c.token.to_string(),
        }
    }
}

impl Eq for ClassSummary {}

/// The failure a trace ends in, as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceFailure {
    /// Failure kind id.
    pub kind: String,
    /// Failure message.
    pub message: String,
    /// The goroutine that failed.
    pub goroutine: String,
    /// The scheduling step it failed at.
    pub step: u64,
}

impl From<&Failure> for TraceFailure {
    fn from(f: &Failure) -> Self {
        TraceFailure {
            kind: f.kind.to_string(),
            message: f.message.clone(),
            goroutine: f.goroutine.clone(),
            step: f.step,
        }
    }
}

/// One replayed token (`maprace replay`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayReport {
    /// The token replayed (completed with digests and trace hash).
    pub token: String,
    /// The scenario id.
    pub scenario: String,
    /// The failure, or `None` when the execution passed.
    pub outcome: Option<TraceFailure>,
    /// Hash of the trace (16 hex digits).
    pub trace_hash: String,
    /// Goroutines in order of creation.
    pub goroutines: Vec<String>,
    /// The trace.
    pub trace: Vec<Event>,
    /// When this schedule is the result of `maprace minimize`: what it was minimized from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimization: Option<Minimization>,
    /// Set when the failure shows only under the loom engine (see [`FailureSummary::loom_only`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loom_only: Option<LoomOnly>,
}

impl ReplayReport {
    /// The failing goroutines' names: the failure's goroutine, or for deadlocks and leaks
    /// (`G1, G2`) each of the goroutines left blocked.
    pub fn failing_goroutines(&self) -> Vec<&str> {
        match &self.outcome {
            Some(f) => f.goroutine.split(", ").filter(|g| !g.is_empty()).collect(),
            None => Vec::new(),
        }
    }
}
