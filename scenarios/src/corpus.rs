//! The seed corpus: one recorded exploration per scenario variant, replayed in CI.
//!
//! `scenarios/corpus.toml` holds an [`Entry`] per variant: the strategy, seed and budget
//! (iterations) of an exploration and its expected verdict. For a buggy variant it also holds
//! the token of the first failure found (or of the first failure of the kind the scenario pins,
//! [`Scenario::corpus_kind`]), with that failure's kind, message and trace hash;
//! [`verify`] replays the token and requires the same failure and the same trace, so any change
//! to the code under test that moves a scheduling point or changes what a map does shows up as
//! a mismatch. For a fixed variant [`verify`] re-runs the whole exploration, which must pass.
//!
//! [`record`] (re)writes entries by exploring; it never silently replaces an entry whose
//! recorded expectation changed: without `update` such an entry is kept and reported.
//!
//! ```
//! use maprace_scenarios::corpus::{self, ChangeKind, Corpus};
//! let demo = maprace_scenarios::select("demo-flag-map").unwrap();
//! let mut corpus = Corpus::default();
//! let changes = corpus::record(&mut corpus, &demo, false);
//! assert!(changes.iter().all(|c| c.kind == ChangeKind::Added));
//! assert!(corpus::verify(&corpus).iter().all(|c| c.status.is_ok()));
//! ```

use crate::run::{self, Options, DEFAULT_ITERATIONS, DEFAULT_MAX_STEPS};
use crate::{all, by_id, Expected, Scenario};
use maprace_harness::{minimize, Budget, Strategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::Write as _;
use std::path::Path;

/// The corpus format version this code reads and writes.
pub const VERSION: u32 = 1;

/// The corpus file, relative to the `scenarios` crate.
pub const DEFAULT_PATH: &str = "corpus.toml";

/// The first lines of a saved corpus.
const HEADER: &str = "\
# maprace seed corpus: one recorded exploration per scenario variant.
# Written by `maprace corpus record` (maprace_scenarios::corpus::record); do not edit tokens or
# hashes by hand. `maprace corpus verify` (and `cargo test -p maprace-scenarios`) replays every
# buggy entry's token and re-runs every fixed entry's exploration.
";

/// The whole corpus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corpus {
    /// The format version ([`VERSION`]).
    pub version: u32,
    /// The entries, in catalogue order.
    #[serde(default, rename = "entry")]
    pub entries: Vec<Entry>,
}

impl Default for Corpus {
    fn default() -> Self {
        Corpus {
            version: VERSION,
            entries: Vec::new(),
        }
    }
}

/// One scenario variant's recorded exploration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The variant's id (`e2-two-writers/buggy`).
    pub scenario: String,
    /// The strategy, as printed by [`Strategy`]'s `Display`: `random`, `pct(depth=3)`,
    /// `dfs(preemption-bound=2)` or `dfs`.
    pub strategy: String,
    /// The seed.
    pub seed: u64,
    /// The budget: the largest number of executions.
    pub iterations: u64,
    /// The step bound per execution, when not [`DEFAULT_MAX_STEPS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
    /// The expected verdict.
    pub expected: Expected,
    /// Buggy entries: the token of the first failure the exploration found (of the pinned kind,
    /// when the scenario pins one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Buggy entries: that failure's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Buggy entries: that failure's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Buggy entries: the hash of that failure's trace (16 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_hash: Option<String>,
    /// Buggy entries: a shorter token for the same failure, once a minimizer has made one.
    /// Verified like `token` when present; dropped when `token` is re-recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimized_token: Option<String>,
}

impl Entry {
    /// The exploration options the entry describes.
    pub fn options(&self) -> Result<Options, String> {
        Ok(Options {
            strategy: parse_strategy(&self.strategy)?,
            seed: self.seed,
            iterations: self.iterations,
            max_steps: self.max_steps.unwrap_or(DEFAULT_MAX_STEPS),
            time_budget: None,
        })
    }

    fn max_steps(&self) -> u64 {
        self.max_steps.unwrap_or(DEFAULT_MAX_STEPS)
    }

    /// Checks that the entry is complete and consistent (a buggy one carries its failure).
    fn validate(&self) -> Result<(), String> {
        self.options()?;
        let failure_fields = [
            ("token", &self.token),
            ("kind", &self.kind),
            ("message", &self.message),
            ("trace_hash", &self.trace_hash),
            ("minimized_token", &self.minimized_token),
        ];
        match self.expected {
            Expected::Fail => {
                let required = &failure_fields[..4];
                if let Some((name, _)) = required.iter().find(|(_, v)| v.is_none()) {
                    return Err(format!("expected = \"fail\" but `{name}` is missing"));
                }
                let hash = self.trace_hash.as_deref().unwrap_or_default();
                if parse_hash(hash).is_none() {
                    return Err(format!("trace_hash {hash:?} is not 16 hex digits"));
                }
            }
            Expected::Pass => {
                if let Some((name, _)) = failure_fields.iter().find(|(_, v)| v.is_some()) {
                    return Err(format!("expected = \"pass\" but `{name}` is set"));
                }
            }
        }
        Ok(())
    }

    /// The recorded outcome, for comparisons (everything but the exploration parameters).
    fn outcome(&self) -> String {
        match self.expected {
            Expected::Pass => "pass".to_string(),
            Expected::Fail => format!(
                "{}: {} (trace {}, token {})",
                self.kind.as_deref().unwrap_or("?"),
                self.message.as_deref().unwrap_or("?"),
                self.trace_hash.as_deref().unwrap_or("?"),
                self.token.as_deref().unwrap_or("?"),
            ),
        }
    }
}

/// Parses a strategy as [`Strategy`]'s `Display` prints it (`random`, `pct(depth=3)`,
/// `dfs(preemption-bound=2)`, `dfs`).
pub fn parse_strategy(text: &str) -> Result<Strategy, String> {
    let number = |s: &str| {
        s.parse::<u32>()
            .map_err(|_| format!("invalid strategy {text:?}: {s:?} is not a number"))
    };
    match text {
        "random" => Ok(Strategy::Random),
        "dfs" => Ok(Strategy::Dfs {
            preemption_bound: None,
        }),
        _ => {
            if let Some(d) = text
                .strip_prefix("pct(depth=")
                .and_then(|r| r.strip_suffix(')'))
            {
                Ok(Strategy::Pct { depth: number(d)? })
            } else if let Some(b) = text
                .strip_prefix("dfs(preemption-bound=")
                .and_then(|r| r.strip_suffix(')'))
            {
                Ok(Strategy::Dfs {
                    preemption_bound: Some(number(b)?),
                })
            } else {
                Err(format!(
                    "invalid strategy {text:?}: use random, pct(depth=N), dfs or dfs(preemption-bound=N)"
                ))
            }
        }
    }
}

fn parse_hash(text: &str) -> Option<u64> {
    (text.len() == 16)
        .then(|| u64::from_str_radix(text, 16).ok())
        .flatten()
}

fn hash_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// Reads and validates a corpus file. Errors are one line: the path, where, and what.
pub fn load(path: impl AsRef<Path>) -> Result<Corpus, String> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read corpus: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses and validates a corpus from its text.
pub fn parse(text: &str) -> Result<Corpus, String> {
    let corpus: Corpus = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let what = e.message().replace('\n', " ");
        match line {
            Some(l) => format!("line {l}: {}", what.trim()),
            None => what.trim().to_string(),
        }
    })?;
    if corpus.version != VERSION {
        return Err(format!(
            "corpus version {} is not supported (this maprace reads version {VERSION})",
            corpus.version
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for e in &corpus.entries {
        if !seen.insert(e.scenario.as_str()) {
            return Err(format!("entry {}: listed twice", e.scenario));
        }
        e.validate()
            .map_err(|why| format!("entry {}: {why}", e.scenario))?;
    }
    Ok(corpus)
}

/// The corpus as saved: the header comment, then TOML.
pub fn to_text(corpus: &Corpus) -> Result<String, String> {
    let body = toml::to_string(corpus).map_err(|e| format!("cannot serialise corpus: {e}"))?;
    Ok(format!("{HEADER}\n{body}"))
}

/// Writes the corpus atomically: to a temporary file in the same directory, then renamed over
/// `path`, so a reader never sees a half-written corpus. Otherwise it behaves like a plain
/// `File::create`: a new file gets the umask's mode (an existing one keeps its mode), a symbolic
/// link is written through, and a file that already holds this corpus is not touched.
pub fn save(path: impl AsRef<Path>, corpus: &Corpus) -> Result<(), String> {
    let text = to_text(corpus)?;
    let path = through_symlinks(path.as_ref())?;
    let err = |what: &str, e: &dyn fmt::Display| format!("{}: cannot {what}: {e}", path.display());
    if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    let (tmp, mut file) =
        temporary_beside(&path).map_err(|e| err("create a temporary file beside it", &e))?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| match std::fs::metadata(&path) {
            Ok(m) => file.set_permissions(m.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| file.sync_all())
        .map_err(|e| err("write", &e))
        .and_then(|()| std::fs::rename(&tmp, &path).map_err(|e| err("replace", &e)));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Checks, before anything is explored, that [`save`] could write `path`: the corpus file's
/// directory (through symbolic links) accepts a new file.
pub fn check_writable(path: impl AsRef<Path>) -> Result<(), String> {
    let path = through_symlinks(path.as_ref())?;
    let (tmp, file) = temporary_beside(&path)
        .map_err(|e| format!("{}: cannot write beside it: {e}", path.display()))?;
    drop(file);
    let _ = std::fs::remove_file(tmp);
    Ok(())
}

/// `path` with symbolic links followed, so saving replaces the link's target, not the link.
fn through_symlinks(path: &Path) -> Result<std::path::PathBuf, String> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)
                    .map_err(|e| format!("{}: cannot read the link: {e}", path.display()))?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(format!("{}: too many symbolic links", path.display()))
}

/// A new hidden file beside `path`, opened as `File::create` opens (the umask sets its mode).
fn temporary_beside(path: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut n = 0u32;
    loop {
        let tmp = dir.join(format!(".corpus-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            other => return other.map(|f| (tmp, f)),
        }
    }
}

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

/// What [`record`] did with one scenario variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// No entry existed: one was written.
    Added,
    /// The exploration gave what the entry records.
    Unchanged,
    /// The entry recorded something else and was rewritten (`update`).
    Updated,
    /// The entry records something else and was left as it is (no `update`).
    Kept,
    /// The exploration contradicts the variant (a buggy variant passed, a fixed one failed):
    /// nothing was written.
    Rejected,
}

impl ChangeKind {
    /// `added`, `unchanged`, `updated`, `kept` or `rejected`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Updated => "updated",
            ChangeKind::Kept => "kept",
            ChangeKind::Rejected => "rejected",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of [`record`]'s report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The scenario variant id.
    pub scenario: String,
    /// What happened.
    pub kind: ChangeKind,
    /// One line: what was recorded, or what differs.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.kind, self.scenario, self.detail)
    }
}

/// Explores each of `scenarios` and writes its entry: with the existing entry's strategy, seed,
/// budget and step bound, or with the defaults (random, seed 0, [`DEFAULT_ITERATIONS`]) for a
/// new one. An entry whose recorded outcome differs from the new one is replaced only when
/// `update` is set; otherwise it is kept and reported. Entries end up in catalogue order.
pub fn record(corpus: &mut Corpus, scenarios: &[Scenario], update: bool) -> Vec<Change> {
    let mut changes = Vec::new();
    for scenario in scenarios {
        let id = scenario.id();
        let existing = corpus.entries.iter().position(|e| e.scenario == id);
        let options = match existing.map(|i| corpus.entries[i].options()) {
            Some(Ok(o)) => o,
            Some(Err(why)) if !update => {
                changes.push(Change {
                    scenario: id,
                    kind: ChangeKind::Kept,
                    detail: format!("entry left as is: {why}"),
                });
                continue;
            }
            _ => Options {
                seed: 0,
                iterations: DEFAULT_ITERATIONS,
                ..Options::default()
            },
        };
        let fresh = match explore_entry(scenario, &options) {
            Ok(e) => e,
            Err(why) => {
                changes.push(Change {
                    scenario: id,
                    kind: ChangeKind::Rejected,
                    detail: why,
                });
                continue;
            }
        };
        let detail = fresh.outcome();
        match existing {
            None => {
                corpus.entries.push(fresh);
                changes.push(Change {
                    scenario: id,
                    kind: ChangeKind::Added,
                    detail,
                });
            }
            Some(i) => {
                let old = &mut corpus.entries[i];
                if old.outcome() == fresh.outcome() && old.expected == fresh.expected {
                    // The minimized token is derived from the recorded one: refreshing it
                    // changes no expectation, so it needs no --update.
                    let kind = if old.minimized_token == fresh.minimized_token {
                        ChangeKind::Unchanged
                    } else {
                        old.minimized_token = fresh.minimized_token;
                        ChangeKind::Updated
                    };
                    changes.push(Change {
                        scenario: id,
                        kind,
                        detail,
                    });
                } else if update {
                    let was = old.outcome();
                    *old = fresh;
                    changes.push(Change {
                        scenario: id,
                        kind: ChangeKind::Updated,
                        detail: format!("was {was}; now {detail}"),
                    });
                } else {
                    changes.push(Change {
                        scenario: id,
                        kind: ChangeKind::Kept,
                        detail: format!(
                            "recorded {}; exploring now gives {detail} (use --update to rewrite)",
                            old.outcome()
                        ),
                    });
                }
            }
        }
    }
    sort_entries(corpus);
    changes
}

/// Explores `scenario` with `options` and makes its entry.
fn explore_entry(scenario: &Scenario, options: &Options) -> Result<Entry, String> {
    let mut entry = Entry {
        scenario: scenario.id(),
        strategy: options.strategy.to_string(),
        seed: options.seed,
        iterations: options.iterations,
        max_steps: (options.max_steps != DEFAULT_MAX_STEPS).then_some(options.max_steps),
        expected: scenario.expected(),
        token: None,
        kind: None,
        message: None,
        trace_hash: None,
        minimized_token: None,
    };
    match scenario.expected() {
        Expected::Fail => {
            let f = recorded_failure(scenario, options)?;
            entry.token = Some(f.token.to_string());
            entry.kind = Some(f.failure.kind.as_str().to_string());
            entry.message = Some(f.failure.message.clone());
            entry.trace_hash = Some(hash_hex(f.trace_hash));
            // The same search `maprace explore` runs for its report (recorded even when the
            // schedule was minimal already: its presence says the search ran); a schedule that
            // cannot be minimized within the budget simply has no minimized token.
            let explorer = options.explorer(scenario);
            entry.minimized_token = minimize(&explorer, &f.token, scenario.body, Budget::default())
                .ok()
                .map(|m| m.token.to_string());
        }
        Expected::Pass => {
            let e = run::explore(scenario, options);
            if let Some(f) = e.first_failure() {
                return Err(format!(
                    "the fixed variant failed at execution {} with {}: {} (token {})",
                    f.execution, f.failure.kind, f.failure.message, f.token
                ));
            }
        }
    }
    Ok(entry)
}

/// The failure a buggy variant's entry records: the first failure exploring with `options`
/// finds, or the first of the kind the scenario pins.
fn recorded_failure(
    scenario: &Scenario,
    options: &Options,
) -> Result<maprace_harness::FoundFailure, String> {
    // A pinned kind needs the whole budget (failures of other kinds come first in some
    // schedules); otherwise the first failure is the one recorded.
    let e = options
        .explorer(scenario)
        .stop_on_first_failure(scenario.corpus_kind.is_none())
        .run(scenario.body);
    let found = match scenario.corpus_kind {
        None => e.failures.first(),
        Some(kind) => e.failures.iter().find(|f| f.failure.kind.as_str() == kind),
    };
    found.cloned().ok_or_else(|| {
        let what = scenario.corpus_kind.map_or("passed".to_string(), |k| {
            format!("never failed with {k} in")
        });
        format!(
            "the buggy variant {what} {} {} executions (seed {})",
            e.executions, options.strategy, options.seed
        )
    })
}

/// Catalogue order first; entries for unknown scenarios keep their order at the end.
fn sort_entries(corpus: &mut Corpus) {
    let order: Vec<String> = all().iter().map(Scenario::id).collect();
    corpus.entries.sort_by_key(|e| {
        order
            .iter()
            .position(|id| *id == e.scenario)
            .unwrap_or(usize::MAX)
    });
}
