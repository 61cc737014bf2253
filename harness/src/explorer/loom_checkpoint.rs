//! loom's own checkpoint for a failure the shuttle engine cannot replay (a weak-memory
//! outcome, or a switch shuttle's scheduling points cannot make): such a failure has no
//! maprace token, so it is kept as loom's serialized execution path (loom's `checkpoint`
//! feature), wrapped with the scenario it belongs to and the hash of the trace it gave.
//! [`Explorer::replay_loom_checkpoint`] runs that one execution again and checks the trace.

use super::loom_run::{builder, check, stopped, take_execution, LoomLimit};
use super::{Body, Explorer, ReplayError, Replayed};
use crate::record;
use crate::token::Token;
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// The format tag of a checkpoint file.
const FORMAT: &str = "maprace-loom-checkpoint/1";

/// A checkpoint file: loom's path with what maprace needs to check a replay of it.
#[derive(Serialize, Deserialize)]
struct CheckpointFile {
    format: String,
    /// The exploration's identity (a scenario variant, or a test's).
    scenario: String,
    /// The hash of the failing execution's trace (16 hex digits).
    trace_hash: String,
    /// loom's branch cap the path was found under (loom's path keeps its preemption bound).
    max_branches: usize,
    /// loom's execution path, as loom's checkpoint writes it.
    path: serde_json::Value,
}

/// Runs loom's search again up to execution `execution` (0-based) and returns loom's path to
/// it, as a checkpoint file's text. loom stores the path of each execution before running it,
/// so stopping at that execution leaves exactly its path in the file. `None` when loom's
/// search could not be repeated (it is deterministic, so this does not happen in practice).
pub(super) fn capture(
    explorer: &Explorer,
    body: &Body,
    preemption_bound: Option<usize>,
    max_branches: usize,
    execution: u64,
    trace_hash: u64,
) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let file = dir.path().join("loom-path.json");
    let mut b = builder(preemption_bound, max_branches).ok()?;
    b.checkpoint_file = Some(file.clone());
    b.max_permutations = Some(usize::try_from(execution.checked_add(1)?).ok()?);
    // The executions before the failing one pass (or only race): loom stops before running it.
    let outcome = check(b, explorer, body, Arc::new(AtomicU64::new(0)), |_| {});
    record::with(|r| {
        r.active = false;
        r.failure = None;
    });
    outcome.ok()?;
    let path = serde_json::from_str(&std::fs::read_to_string(&file).ok()?).ok()?;
    serde_json::to_string_pretty(&CheckpointFile {
        format: FORMAT.to_string(),
        scenario: explorer.identity.clone(),
        trace_hash: format!("{trace_hash:016x}"),
        max_branches,
        path,
    })
    .ok()
}

fn parse(checkpoint: &str) -> Result<CheckpointFile, String> {
    serde_json::from_str(checkpoint)
        .ok()
        .filter(|f: &CheckpointFile| f.format == FORMAT)
        .ok_or_else(|| format!("not a maprace loom checkpoint (format {FORMAT})"))
}

/// The identity of the exploration a loom checkpoint belongs to (a scenario variant's id, or
/// a test's), so a caller can pick the body to replay it with.
pub fn loom_checkpoint_scenario(checkpoint: &str) -> Result<String, String> {
    parse(checkpoint).map(|f| f.scenario)
}

impl Explorer {
    /// Replays a loom checkpoint (see [`super::FoundFailure::loom_checkpoint`]): the one
    /// execution loom saved, run again under loom, with its trace and failure. Errors when the
    /// checkpoint is for another scenario, is not a checkpoint, or no longer gives the same
    /// trace (the code changed).
    pub fn replay_loom_checkpoint<F>(
        &self,
        checkpoint: &str,
        body: F,
    ) -> Result<Replayed, ReplayError>
    where
        F: Fn() + Send + Sync + 'static,
    {
        let body: Body = Arc::new(body);
        let bad = |why: String| ReplayError::Diverged {
            step: 0,
            reason: why,
        };
        let file = parse(checkpoint).map_err(ReplayError::BadCheckpoint)?;
        if file.scenario != self.identity {
            return Err(ReplayError::WrongScenario {
                token: file.scenario,
                expected: self.identity.clone(),
            });
        }
        let temp = |e: std::io::Error| ReplayError::BadCheckpoint(format!("temporary file: {e}"));
        let dir = tempfile::tempdir().map_err(temp)?;
        let path_file = dir.path().join("loom-path.json");
        std::fs::write(&path_file, file.path.to_string()).map_err(temp)?;
        crate::capture::install_hook();
        // The path holds loom's preemption bound; the cap on branches is the checkpoint's.
        let mut b = builder(None, file.max_branches)
            .map_err(|LoomLimit(l)| ReplayError::BadCheckpoint(l))?;
        b.checkpoint_file = Some(path_file);
        // loom loads the path, runs that execution, and stops before a second one.
        b.max_permutations = Some(2);
        if let Err(payload) = check(b, self, &body, Arc::new(AtomicU64::new(0)), |_| {}) {
            stopped(payload);
        }
        let taken = take_execution(self.race_detection);
        record::with(|r| r.active = false);
        let (failure, trace) = (taken.failure, taken.trace);
        if let Some(f) = failure
            .as_ref()
            .filter(|f| f.message.starts_with("engine: loom:"))
        {
            return Err(bad(format!(
                "loom could not follow the checkpoint: {}",
                f.message
            )));
        }
        let trace_hash = trace.hash();
        if format!("{trace_hash:016x}") != file.trace_hash {
            return Err(bad(format!(
                "the execution gives trace {trace_hash:016x}, not the recorded {} (the code changed)",
                file.trace_hash
            )));
        }
        Ok(Replayed {
            failure,
            trace_hash,
            token: Token {
                scenario: self.identity.clone(),
                seed: 0,
                steps: Vec::new(),
                digests: Vec::new(),
                trace_hash: Some(trace_hash),
            },
            trace,
            accesses: taken.accesses,
            race: taken.race,
        })
    }
}
