//! The seed corpus: one recorded exploration per scenario variant, replayed in CI.
//!
//! `scenarios/corpus.toml` holds an [`Entry`] per variant: the strategy, seed and budget
//! (iterations) of an exploration and its expected verdict. For a buggy variant it also holds
//! the token of the first failure found (or of the first failure of the kind the scenario pins,
//! [`Scenario::corpus_kind`](crate::Scenario::corpus_kind)), with that failure's kind, message and trace hash;
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

use crate::run::{Options, DEFAULT_MAX_STEPS};
use crate::Expected;
use maprace_harness::Strategy;
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

pub(super) fn parse_hash(text: &str) -> Option<u64> {
    (text.len() == 16)
        .then(|| u64::from_str_radix(text, 16).ok())
        .flatten()
}

pub(super) fn hash_hex(hash: u64) -> String {
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

mod record;
mod verify;

pub use record::{record, Change, ChangeKind};
pub use verify::{completeness, verify, verify_all, verify_entry, CheckStatus, EntryCheck};
