//! Recording corpus entries by exploring, without silently replacing an entry whose
//! recorded expectation changed.

use super::{hash_hex, Corpus, Entry};
use crate::run::{self, Options, DEFAULT_ITERATIONS, DEFAULT_MAX_STEPS};
use crate::{all, Expected, Scenario};
use maprace_harness::{minimize, Budget};
use std::fmt;

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
pub(super) fn recorded_failure(
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
