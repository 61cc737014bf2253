//! # maprace-scenarios
//!
//! The scenario catalogue: each known way a Go program ends in `fatal error: concurrent map
//! writes` (or silently corrupts a map), as a small deterministic body with a `buggy` and a
//! `fixed` variant, written against the Go-like [`runtime`].
//!
//! - [`catalogue`]: the scenarios; each module documents the Go pattern it models.
//! - [`run`]: exploring a variant with the options people choose, and replaying a token.
//! - [`corpus`]: the recorded seed corpus (`scenarios/corpus.toml`) CI replays.
//! - [`runtime`]: goroutines, `sync`, channels, `context`, virtual time and `defer`, on the
//!   harness's traced primitives.
//!
//! ```
//! use maprace_scenarios::run::{explore, verdict, Options, Verdict};
//! let s = maprace_scenarios::by_id("e7-lost-update/buggy").unwrap();
//! let e = explore(&s, &Options { iterations: 200, ..Options::default() });
//! assert_eq!(verdict(s.expected(), &e), Verdict::Ok);
//! assert!(e.failures.iter().all(|f| s.expects_kind(f.failure.kind.as_str())));
//! ```
#![warn(missing_docs)]

pub mod catalogue;
pub mod corpus;
pub mod run;
pub mod runtime;

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which side of a scenario: the bug, or its fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// The buggy program: exploration must find it failing.
    Buggy,
    /// The fixed program: exploration must find no failure.
    Fixed,
}

impl Variant {
    /// `buggy` or `fixed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Variant::Buggy => "buggy",
            Variant::Fixed => "fixed",
        }
    }

    /// What exploring this variant must give.
    pub fn expected(&self) -> Expected {
        match self {
            Variant::Buggy => Expected::Fail,
            Variant::Fixed => Expected::Pass,
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The expected verdict of an exploration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// At least one execution fails.
    Fail,
    /// No execution fails.
    Pass,
}

impl Expected {
    /// `fail` or `pass`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Expected::Fail => "fail",
            Expected::Pass => "pass",
        }
    }
}

/// The sizes a scenario runs at.
///
/// Every scenario is registered twice: at the catalogue's small default sizes (fast to explore,
/// and what `maprace explore`, the corpus and the tests run by default) and at the sizes of a
/// realistic Go program (hundreds of keys, maps that grow and evacuate, where the rare crashes
/// live), under the name with [`Size::suffix`]. Both are ordinary scenarios: a token names its
/// size in the scenario id, so it replays without any option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// The catalogue's default sizes (2 writers x 2 keys and the like).
    Small,
    /// A realistic Go program's sizes (2 writers x 100 keys, 200-key iterations, 20 requests
    /// x 60 operations).
    Go,
}

impl Size {
    /// `small` or `go`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Go => "go",
        }
    }

    /// What the size adds to a scenario's name: nothing, or `.gosize`.
    pub fn suffix(&self) -> &'static str {
        match self {
            Size::Small => "",
            Size::Go => ".gosize",
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One variant of a registered scenario.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// Stable id (`e2-two-writers`).
    pub name: &'static str,
    /// Buggy or fixed.
    pub variant: Variant,
    /// One line: what the scenario models.
    pub description: &'static str,
    /// The main goroutine of every execution.
    pub body: fn(),
    /// The failure kinds (`concurrent-map-writes`, `wrong-result`, ...) exploring the buggy
    /// variant may find: every failure found must be of one of them. Empty for fixed variants.
    pub expected_kinds: &'static [&'static str],
    /// The kind the seed corpus pins for the buggy variant, when the scenario is about one
    /// failure that is not always found first (e7's lost update hides behind the runtime's
    /// `concurrent map writes` in many schedules); `None` pins the first failure found.
    pub corpus_kind: Option<&'static str>,
    /// The largest number of executions of the bounded-exhaustive check (DFS, preemption bound
    /// [`run::DFS_PREEMPTION_BOUND`]) run on the fixed variant; when the space is larger, the
    /// scenario's documentation says so.
    pub dfs_iterations: u64,
    /// The sizes it runs at.
    pub size: Size,
    /// Synchronisation objects of the fixed variant that `maprace mutate` does not switch off,
    /// each with the reason (empty for most: every lock, once, channel, wait group and atomic
    /// of a fix must matter to some check).
    pub unmutated: &'static [Unmutated],
}

/// A synchronisation object of a fixed variant that mutation testing leaves alone, and why:
/// one whose happens-before edges order no data of the program (it only blocks, which a
/// mutant keeps), so that no check could notice its loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmutated {
    /// The object as mutants name it (`chan#0`: its kind and first-touch index).
    pub object: &'static str,
    /// Why switching it off changes nothing a check could see.
    pub why: &'static str,
}

impl Scenario {
    /// The identity carried in tokens: `name/variant` (`name.gosize/variant` at Go size).
    pub fn id(&self) -> String {
        format!("{}/{}", self.full_name(), self.variant)
    }

    /// The name with the size's suffix (`e2-two-writers`, `e2-two-writers.gosize`).
    pub fn full_name(&self) -> String {
        format!("{}{}", self.name, self.size.suffix())
    }

    /// What exploring it must give.
    pub fn expected(&self) -> Expected {
        self.variant.expected()
    }

    /// Whether a failure of kind `kind` is one this variant is expected to show.
    pub fn expects_kind(&self, kind: &str) -> bool {
        self.expected_kinds.contains(&kind)
    }
}

/// Every registered scenario variant at the default (small) sizes, in catalogue order (buggy
/// before fixed).
pub fn all() -> Vec<Scenario> {
    sized(&[Size::Small])
}

/// Every registered variant at the given sizes: catalogue order, each scenario's sizes in the
/// order given.
pub fn sized(sizes: &[Size]) -> Vec<Scenario> {
    catalogue::scenarios()
        .into_iter()
        .filter(|s| sizes.contains(&s.size))
        .collect()
}

/// The variants selected by `selector`: a scenario name (both variants, small sizes), a name
/// with its size suffix (`e2-two-writers.gosize`), or an id (`name/variant`,
/// `name.gosize/variant`). `None` when nothing matches.
pub fn select(selector: &str) -> Option<Vec<Scenario>> {
    select_sized(selector, &[Size::Small])
}

/// [`select`], a bare scenario name standing for its variants at `sizes`.
pub fn select_sized(selector: &str, sizes: &[Size]) -> Option<Vec<Scenario>> {
    let found: Vec<Scenario> = catalogue::scenarios()
        .into_iter()
        .filter(|s| {
            (s.name == selector && sizes.contains(&s.size))
                || s.full_name() == selector
                || s.id() == selector
        })
        .collect();
    (!found.is_empty()).then_some(found)
}

/// The variant whose id is `id` (`name/variant` or `name.gosize/variant`).
pub fn by_id(id: &str) -> Option<Scenario> {
    catalogue::scenarios().into_iter().find(|s| s.id() == id)
}
