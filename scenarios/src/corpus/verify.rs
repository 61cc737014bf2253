//! Verifying the corpus: every registered variant has an entry, buggy entries replay to
//! their recorded failure and trace, fixed entries' explorations still pass.

use super::record::recorded_failure;
use super::{hash_hex, Corpus, Entry};
use crate::run;
use crate::{all, by_id, Expected, Scenario};
use std::fmt;

/// The outcome of checking one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    /// The entry still holds.
    Ok,
    /// The code no longer behaves as recorded.
    Mismatch,
    /// The entry cannot be checked (unknown scenario, malformed token, bad strategy).
    Error,
}

impl CheckStatus {
    /// `ok`, `mismatch` or `error`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Mismatch => "mismatch",
            CheckStatus::Error => "error",
        }
    }

    /// Whether the entry holds.
    pub fn is_ok(&self) -> bool {
        *self == CheckStatus::Ok
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The check of one corpus entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryCheck {
    /// The entry's scenario variant id.
    pub scenario: String,
    /// Whether it holds.
    pub status: CheckStatus,
    /// One line saying what was checked and what was found.
    pub explanation: String,
}

impl fmt::Display for EntryCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.scenario, self.explanation)
    }
}

/// Checks every entry: replays buggy entries' tokens (and minimized tokens), which must fail
/// with the recorded kind, message and trace hash, and re-runs their exploration, which must
/// find that same failure first (so an edited seed, strategy or budget is caught); re-runs
/// fixed entries' explorations, which must pass. Only the entries present are checked: see
/// [`verify_all`] for the whole corpus.
pub fn verify(corpus: &Corpus) -> Vec<EntryCheck> {
    corpus.entries.iter().map(verify_entry).collect()
}

/// What `maprace corpus verify` checks: every entry ([`verify`]), and that the corpus is
/// complete: every registered scenario variant has exactly one entry. A missing variant or a
/// second entry for one is an error row of its own; an entry for no registered variant is an
/// error already (see [`verify_entry`]).
pub fn verify_all(corpus: &Corpus) -> Vec<EntryCheck> {
    let mut seen = std::collections::BTreeSet::new();
    let mut checks: Vec<EntryCheck> = corpus
        .entries
        .iter()
        .filter(|e| seen.insert(e.scenario.as_str()))
        .map(verify_entry)
        .collect();
    checks.extend(completeness(corpus));
    checks
}

/// The completeness half of [`verify_all`], which replays nothing: an error row for every
/// registered variant without an entry and for every second entry of a variant.
pub fn completeness(corpus: &Corpus) -> Vec<EntryCheck> {
    let mut seen = std::collections::BTreeSet::new();
    let mut checks = Vec::new();
    for e in &corpus.entries {
        if !seen.insert(e.scenario.as_str()) {
            checks.push(EntryCheck {
                scenario: e.scenario.clone(),
                status: CheckStatus::Error,
                explanation: "a second entry for this variant: keep one".to_string(),
            });
        }
    }
    for s in all() {
        let id = s.id();
        if !seen.contains(id.as_str()) {
            checks.push(EntryCheck {
                explanation: format!(
                    "no entry for this registered variant: run `maprace corpus record {id}`"
                ),
                scenario: id,
                status: CheckStatus::Error,
            });
        }
    }
    checks
}

/// Checks one entry (see [`verify`]).
pub fn verify_entry(entry: &Entry) -> EntryCheck {
    let (status, explanation) = match check(entry) {
        Ok(explanation) => (CheckStatus::Ok, explanation),
        Err((status, explanation)) => (status, explanation),
    };
    EntryCheck {
        scenario: entry.scenario.clone(),
        status,
        explanation,
    }
}

type Checked = Result<String, (CheckStatus, String)>;

fn check(entry: &Entry) -> Checked {
    let error = |why: String| (CheckStatus::Error, why);
    entry.validate().map_err(error)?;
    let scenario = by_id(&entry.scenario)
        .ok_or_else(|| error("no such scenario in the catalogue".to_string()))?;
    if entry.expected != scenario.expected() {
        return Err(error(format!(
            "entry expects {} but the {} variant must {}",
            entry.expected.as_str(),
            scenario.variant,
            scenario.expected().as_str()
        )));
    }
    match entry.expected {
        Expected::Fail => {
            let token = entry.token.as_deref().unwrap_or_default();
            let mut explanation = check_replay(entry, token, "token")?;
            check_recorded_by(entry, &scenario)?;
            if let Some(min) = &entry.minimized_token {
                explanation.push_str(&check_minimized(entry, min)?);
            }
            Ok(explanation)
        }
        Expected::Pass => {
            let options = entry.options().map_err(error)?;
            let e = run::explore(&scenario, &options);
            match e.first_failure() {
                None => Ok(format!(
                    "{} {} executions (seed {}) found no failure{}",
                    e.executions,
                    options.strategy,
                    options.seed,
                    if e.exhausted { ", space exhausted" } else { "" }
                )),
                Some(f) => Err((
                    CheckStatus::Mismatch,
                    format!(
                        "expected to pass, but execution {} failed with {}: {} (token {})",
                        f.execution, f.failure.kind, f.failure.message, f.token
                    ),
                )),
            }
        }
    }
}

/// A buggy entry's failure must be the one recording would write today: its kind one the
/// scenario expects (the pinned kind, when it pins one), and its token the failure exploring
/// with the entry's strategy, seed and budget finds. Otherwise the entry was edited by hand
/// (a seed, a kind) or no longer describes what `maprace corpus record` produces.
fn check_recorded_by(entry: &Entry, scenario: &Scenario) -> Result<(), (CheckStatus, String)> {
    let kind = entry.kind.as_deref().unwrap_or_default();
    let expected_kind = match scenario.corpus_kind {
        Some(pinned) => kind == pinned,
        None => scenario.expects_kind(kind),
    };
    if !expected_kind {
        return Err((
            CheckStatus::Error,
            format!(
                "kind {kind} is not the kind this scenario records ({})",
                scenario
                    .corpus_kind
                    .map_or_else(|| scenario.expected_kinds.join(", "), str::to_string)
            ),
        ));
    }
    let options = entry.options().map_err(|e| (CheckStatus::Error, e))?;
    let recorded = recorded_failure(scenario, &options).map_err(|e| (CheckStatus::Mismatch, e))?;
    let token = entry.token.as_deref().unwrap_or_default();
    if recorded.token.to_string() != token {
        return Err((
            CheckStatus::Mismatch,
            format!(
                "exploring with {} (seed {}, {} executions) records token {}, not this entry's: \
                 an edited seed, strategy or budget, or changed behaviour; re-record with \
                 `maprace corpus record {} --update`",
                options.strategy, options.seed, options.iterations, recorded.token, entry.scenario
            ),
        ));
    }
    Ok(())
}

fn check_replay(entry: &Entry, token: &str, what: &str) -> Checked {
    let mismatch = |why: String| (CheckStatus::Mismatch, why);
    let (scenario, replayed) = run::replay(token, entry.max_steps()).map_err(|e| match e {
        run::ReplayFailure::Replay(e) => mismatch(format!("{what} no longer replays: {e}")),
        other => (CheckStatus::Error, format!("{what}: {other}")),
    })?;
    if scenario.id() != entry.scenario {
        return Err((
            CheckStatus::Error,
            format!("{what} belongs to {}, not to this entry", scenario.id()),
        ));
    }
    let Some(failure) = replayed.failure else {
        return Err(mismatch(format!(
            "{what} replays to a passing execution (expected {})",
            entry.kind.as_deref().unwrap_or("?")
        )));
    };
    let want_kind = entry.kind.as_deref().unwrap_or_default();
    if failure.kind.as_str() != want_kind {
        return Err(mismatch(format!(
            "{what} now fails with {} instead of {want_kind}: {}",
            failure.kind, failure.message
        )));
    }
    let want_message = entry.message.as_deref().unwrap_or_default();
    if failure.message != want_message {
        return Err(mismatch(format!(
            "{what} fails with message {:?} instead of {want_message:?}",
            failure.message
        )));
    }
    let want_hash = entry.trace_hash.as_deref().unwrap_or_default();
    if hash_hex(replayed.trace_hash) != want_hash {
        return Err(mismatch(format!(
            "{what} gives trace {} instead of {want_hash}",
            hash_hex(replayed.trace_hash)
        )));
    }
    Ok(format!(
        "{what} replays to {} at step {} in {} (trace {want_hash})",
        failure.kind, failure.step, failure.goroutine
    ))
}

/// A minimized token must replay (its own trace hash, carried in the token, is checked by the
/// replay) to a failure of the entry's kind; its message may differ (a corruption report names
/// what it found).
fn check_minimized(entry: &Entry, token: &str) -> Checked {
    let mismatch = |why: String| (CheckStatus::Mismatch, why);
    let (_, replayed) = run::replay(token, entry.max_steps()).map_err(|e| match e {
        run::ReplayFailure::Replay(e) => {
            mismatch(format!("minimized token no longer replays: {e}"))
        }
        other => (CheckStatus::Error, format!("minimized token: {other}")),
    })?;
    let want_kind = entry.kind.as_deref().unwrap_or_default();
    match replayed.failure {
        Some(f) if f.kind.as_str() == want_kind => Ok(format!(
            "; minimized token replays to {want_kind} (trace {})",
            hash_hex(replayed.trace_hash)
        )),
        Some(f) => Err(mismatch(format!(
            "minimized token now fails with {} instead of {want_kind}",
            f.kind
        ))),
        None => Err(mismatch(
            "minimized token replays to a passing execution".to_string(),
        )),
    }
}
