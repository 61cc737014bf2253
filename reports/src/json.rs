//! The versioned JSON formats (documented in `docs/json-format.md`). Field order is fixed by the
//! types, so output is byte-stable; every document type also deserialises, so tools (and the
//! tests) can read back what maprace wrote.

use crate::model::{ListRow, LoomOnly, Minimization, ReplayReport, SummaryRow, TraceFailure};
use maprace_harness::Event;
use serde::{Deserialize, Serialize};

/// The version of every JSON format below. Fields may be added within a version; none is
/// renamed or removed.
pub const VERSION: u32 = 1;

/// `maprace list --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDoc {
    /// [`VERSION`].
    pub version: u32,
    /// The registered scenario variants.
    pub scenarios: Vec<ListRow>,
}

/// `maprace explore --format json`, and `summary.json` of `--report`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExploreDoc {
    /// [`VERSION`].
    pub version: u32,
    /// One result per explored scenario variant, in catalogue order.
    pub results: Vec<SummaryRow>,
}

/// How a replayed execution ended: a failure, or `kind: "pass"` with an empty message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeDoc {
    /// The failure kind, or `pass`.
    pub kind: String,
    /// The failure message (empty for `pass`).
    pub message: String,
    /// The failing goroutine(s) (empty for `pass`).
    pub goroutine: String,
    /// The step it failed at (0 for `pass`).
    pub step: u64,
}

/// `maprace replay --format json` and `maprace minimize --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayDoc {
    /// [`VERSION`].
    pub version: u32,
    /// The token replayed, completed with digests and trace hash.
    pub token: String,
    /// The scenario id (`name/variant`).
    pub scenario: String,
    /// How the execution ended.
    pub outcome: OutcomeDoc,
    /// The trace's hash (16 hex digits).
    pub trace_hash: String,
    /// Goroutines in order of creation.
    pub goroutines: Vec<String>,
    /// The events, in execution order.
    pub trace: Vec<Event>,
    /// Present for `maprace minimize`: what the token was minimized from, and how far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimization: Option<Minimization>,
    /// Set when the failure shows only under the loom engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loom_only: Option<LoomOnly>,
}

impl From<&ReplayReport> for ReplayDoc {
    fn from(r: &ReplayReport) -> Self {
        let outcome = match &r.outcome {
            Some(f) => OutcomeDoc {
                kind: f.kind.clone(),
                message: f.message.clone(),
                goroutine: f.goroutine.clone(),
                step: f.step,
            },
            None => OutcomeDoc {
                kind: "pass".into(),
                message: String::new(),
                goroutine: String::new(),
                step: 0,
            },
        };
        ReplayDoc {
            version: VERSION,
            token: r.token.clone(),
            scenario: r.scenario.clone(),
            outcome,
            trace_hash: r.trace_hash.clone(),
            goroutines: r.goroutines.clone(),
            trace: r.trace.clone(),
            minimization: r.minimization.clone(),
            loom_only: r.loom_only.clone(),
        }
    }
}

impl From<ReplayDoc> for ReplayReport {
    fn from(d: ReplayDoc) -> Self {
        let outcome = (d.outcome.kind != "pass").then_some(TraceFailure {
            kind: d.outcome.kind,
            message: d.outcome.message,
            goroutine: d.outcome.goroutine,
            step: d.outcome.step,
        });
        ReplayReport {
            token: d.token,
            scenario: d.scenario,
            outcome,
            trace_hash: d.trace_hash,
            goroutines: d.goroutines,
            trace: d.trace,
            minimization: d.minimization,
            loom_only: d.loom_only,
        }
    }
}

fn pretty<T: Serialize>(doc: &T) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("report types always serialise");
    s.push('\n');
    s
}

/// `maprace list --format json`: `{"version": 1, "scenarios": [...]}`.
pub fn list(rows: &[ListRow]) -> String {
    pretty(&ListDoc {
        version: VERSION,
        scenarios: rows.to_vec(),
    })
}

/// `maprace explore --format json`: `{"version": 1, "results": [...]}`.
pub fn explore(rows: &[SummaryRow]) -> String {
    pretty(&ExploreDoc {
        version: VERSION,
        results: rows.to_vec(),
    })
}

/// `maprace replay --format json`: token, outcome (`kind` is `pass` when nothing failed),
/// trace hash and the trace's events; for `maprace minimize`, also `minimization`.
pub fn replay(report: &ReplayReport) -> String {
    pretty(&ReplayDoc::from(report))
}

/// Reads a document written by this module, checking its version.
pub fn parse<T: serde::de::DeserializeOwned + Versioned>(text: &str) -> Result<T, String> {
    let doc: T = serde_json::from_str(text).map_err(|e| format!("not a maprace document: {e}"))?;
    match doc.version() {
        VERSION => Ok(doc),
        v => Err(format!(
            "unsupported document version {v} (this maprace reads {VERSION})"
        )),
    }
}

/// A JSON document with a version field.
pub trait Versioned {
    /// The document's version.
    fn version(&self) -> u32;
}

impl Versioned for ListDoc {
    fn version(&self) -> u32 {
        self.version
    }
}

impl Versioned for ExploreDoc {
    fn version(&self) -> u32 {
        self.version
    }
}

impl Versioned for ReplayDoc {
    fn version(&self) -> u32 {
        self.version
    }
}
