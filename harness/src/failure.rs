//! Failures: what went wrong in an execution, classified into stable kinds.

use serde::{Deserialize, Serialize};
use std::any::Any;
use std::borrow::Cow;
use std::fmt;

/// A stable failure class, printed as a kebab-case id (`concurrent-map-writes`, `deadlock`, ...).
///
/// The set is open: a `fatal error: <msg>` raised with [`fatal`] gets the kind made from its
/// message, so new runtime checks need no change here.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FailureKind(Cow<'static, str>);

impl FailureKind {
    /// A plain panic in a goroutine.
    pub const PANIC: FailureKind = FailureKind(Cow::Borrowed("panic"));
    /// Every live goroutine blocked before the main goroutine returned.
    pub const DEADLOCK: FailureKind = FailureKind(Cow::Borrowed("deadlock"));
    /// The main goroutine returned while other goroutines stayed blocked forever.
    pub const GOROUTINE_LEAK: FailureKind = FailureKind(Cow::Borrowed("goroutine-leak"));
    /// The execution exceeded the step bound.
    pub const STEP_BOUND: FailureKind = FailureKind(Cow::Borrowed("step-bound"));
    /// The body took another path on a replayed prefix: it depends on something the
    /// scheduler does not control (time, OS randomness, hash order, a global left over from
    /// an earlier execution).
    pub const NONDETERMINISM: FailureKind = FailureKind(Cow::Borrowed("nondeterminism"));
    /// A scenario's own final-state assertion failed.
    pub const WRONG_RESULT: FailureKind = FailureKind(Cow::Borrowed("wrong-result"));
    /// A map invariant checker found silent corruption.
    pub const MAP_CORRUPTED: FailureKind = FailureKind(Cow::Borrowed("map-corrupted"));
    /// Two accesses to one data object (a map, a cell), at least one a write, unordered by
    /// happens-before: what `go test -race` reports (`WARNING: DATA RACE`). The failure of an
    /// execution that ends without another one when race detection is on.
    pub const DATA_RACE: FailureKind = FailureKind(Cow::Borrowed("data-race"));
    /// `concurrent map writes` (Go runtime fatal).
    pub const CONCURRENT_MAP_WRITES: FailureKind =
        FailureKind(Cow::Borrowed("concurrent-map-writes"));
    /// `concurrent map read and map write` (Go runtime fatal).
    pub const CONCURRENT_MAP_READ_AND_WRITE: FailureKind =
        FailureKind(Cow::Borrowed("concurrent-map-read-and-map-write"));
    /// `concurrent map iteration and map write` (Go runtime fatal).
    pub const CONCURRENT_MAP_ITERATION_AND_WRITE: FailureKind =
        FailureKind(Cow::Borrowed("concurrent-map-iteration-and-map-write"));

    /// A kind from its id. Ids are lower-case words joined by `-`.
    pub fn new(id: impl Into<String>) -> Result<Self, String> {
        let id = id.into();
        let valid = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(FailureKind(Cow::Owned(id)))
        } else {
            Err(format!(
                "invalid failure kind {id:?}: use lower-case words joined by '-'"
            ))
        }
    }

    /// The kind of a `fatal error: <message>`: the message in kebab case.
    pub fn of_fatal(message: &str) -> Self {
        let mut id = String::with_capacity(message.len());
        for c in message.chars() {
            if c.is_ascii_alphanumeric() {
                id.push(c.to_ascii_lowercase());
            } else if !id.ends_with('-') && !id.is_empty() {
                id.push('-');
            }
        }
        while id.ends_with('-') {
            id.pop();
        }
        if id.is_empty() {
            return FailureKind::PANIC;
        }
        FailureKind(Cow::Owned(id))
    }

    /// The kind's id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an execution means for a Go program in production, from worst to best: each explored
/// execution is in exactly one class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// The program dies or hangs: a Go runtime check fired (`fatal error: concurrent map
    /// writes`, ...), a panic, a deadlock, or the step bound (a livelock).
    Fatal,
    /// Nothing visible, but `go test -race` would fail this run: a data race.
    Race,
    /// Neither, yet the result is wrong: `map-corrupted`, `wrong-result` (a lost update), a
    /// goroutine leak.
    Silent,
    /// None of these.
    Clean,
}

impl Class {
    /// Every class, worst first.
    pub const ALL: [Class; 4] = [Class::Fatal, Class::Race, Class::Silent, Class::Clean];

    /// The class of an execution that ended in `failure` (`None`: it passed) and did or did
    /// not race. A fatal failure outranks a race; a race outranks a silent failure (the race
    /// report is what would reveal it).
    pub fn of(failure: Option<&FailureKind>, raced: bool) -> Class {
        let silent = [
            FailureKind::MAP_CORRUPTED,
            FailureKind::WRONG_RESULT,
            FailureKind::GOROUTINE_LEAK,
        ];
        match failure {
            Some(k) if *k == FailureKind::DATA_RACE => Class::Race,
            Some(k) if !silent.contains(k) => Class::Fatal,
            _ if raced => Class::Race,
            Some(_) => Class::Silent,
            None => Class::Clean,
        }
    }

    /// The class's stable lower-case name.
    pub const fn name(self) -> &'static str {
        match self {
            Class::Fatal => "fatal",
            Class::Race => "race",
            Class::Silent => "silent",
            Class::Clean => "clean",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One execution's failure: its kind, message, and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The failure class.
    pub kind: FailureKind,
    /// The message (`fatal error: concurrent map writes`, a panic message, ...).
    pub message: String,
    /// The goroutine that failed (for deadlocks and leaks: the goroutines left blocked).
    pub goroutine: String,
    /// The scheduling step at which it failed.
    pub step: u64,
    /// Where a plain panic was raised (`file:line`), when known: two failed asserts in one
    /// body are two distinct failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Failure {
    /// What tells two failures of one kind apart: where a plain panic was raised, or else
    /// (for panics without a known location) the message with every run of digits replaced
    /// by `N`, so values and addresses that differ between executions do not count. Failures
    /// of the runtime's and the models' kinds are one cause per kind: their messages carry
    /// execution-specific detail (which bucket, which tophash) about the same bug.
    pub fn cause(&self) -> String {
        if self.kind != FailureKind::PANIC {
            return String::new();
        }
        if let Some(at) = &self.location {
            return at.clone();
        }
        let mut out = String::with_capacity(self.message.len());
        let mut in_digits = false;
        for c in self.message.chars() {
            if c.is_ascii_digit() {
                if !in_digits {
                    out.push('N');
                }
                in_digits = true;
            } else {
                in_digits = false;
                out.push(c);
            }
        }
        out
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in {} at step {}: {}",
            self.kind, self.goroutine, self.step, self.message
        )
    }
}

/// The panic payload of [`fail`] and [`fatal`]: a failure whose kind is already known.
#[derive(Clone, Debug)]
pub struct Raised {
    /// The failure class.
    pub kind: FailureKind,
    /// The message.
    pub message: String,
}

/// Fails the current execution with a failure of `kind`. Use it for the code under test's own
/// checks (`wrong-result`, `map-corrupted`): it stops the execution like a Go `fatal` does.
pub fn fail(kind: FailureKind, message: impl Into<String>) -> ! {
    std::panic::panic_any(Raised {
        kind,
        message: message.into(),
    })
}

/// Go's runtime `fatal(message)`: prints `fatal error: <message>` and ends the whole program.
/// Here it fails the execution with the kind made from the message.
///
/// ```
/// use maprace_harness::FailureKind;
/// assert_eq!(
///     FailureKind::of_fatal("concurrent map writes"),
///     FailureKind::CONCURRENT_MAP_WRITES
/// );
/// ```
pub fn fatal(message: &str) -> ! {
    fail(
        FailureKind::of_fatal(message),
        format!("fatal error: {message}"),
    )
}

/// The kind and message of a panic payload.
pub(crate) fn classify_payload(payload: &(dyn Any + Send)) -> (FailureKind, String) {
    if let Some(r) = payload.downcast_ref::<Raised>() {
        return (r.kind.clone(), r.message.clone());
    }
    let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    };
    if let Some(lock) = self_deadlock(&message) {
        // Go's goroutine would block forever on its own lock: a deadlock, not a crash.
        return (
            FailureKind::DEADLOCK,
            format!("deadlock: a goroutine locked a {lock} it already holds"),
        );
    }
    match message.strip_prefix("fatal error: ") {
        Some(rest) => (FailureKind::of_fatal(rest), message),
        None => (FailureKind::PANIC, message),
    }
}

/// The lock type, when `message` is shuttle's panic for a task locking a lock it holds.
fn self_deadlock(message: &str) -> Option<&'static str> {
    if !message.starts_with("deadlock! task ") {
        return None;
    }
    ["Mutex", "RwLock"]
        .into_iter()
        .find(|lock| message.ends_with(&format!("tried to acquire a {lock} it already holds")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fatal_messages_become_kebab_case_kinds() {
        assert_eq!(
            FailureKind::of_fatal("concurrent map read and map write").as_str(),
            "concurrent-map-read-and-map-write"
        );
        assert_eq!(
            FailureKind::of_fatal("concurrent map iteration and map write"),
            FailureKind::CONCURRENT_MAP_ITERATION_AND_WRITE
        );
    }

    #[test]
    fn payloads_are_classified() {
        let (k, m) = classify_payload(&"boom");
        assert_eq!((k, m.as_str()), (FailureKind::PANIC, "boom"));
        let (k, _) = classify_payload(&String::from("fatal error: concurrent map writes"));
        assert_eq!(k, FailureKind::CONCURRENT_MAP_WRITES);
        let (k, m) = classify_payload(&Raised {
            kind: FailureKind::WRONG_RESULT,
            message: "lost update".into(),
        });
        assert_eq!((k, m.as_str()), (FailureKind::WRONG_RESULT, "lost update"));
    }

    #[test]
    fn classes_rank_fatal_over_race_over_silent() {
        let of = |k: Option<FailureKind>, raced| Class::of(k.as_ref(), raced);
        assert_eq!(
            of(Some(FailureKind::CONCURRENT_MAP_WRITES), true),
            Class::Fatal
        );
        assert_eq!(of(Some(FailureKind::DEADLOCK), false), Class::Fatal);
        assert_eq!(of(Some(FailureKind::WRONG_RESULT), true), Class::Race);
        assert_eq!(of(Some(FailureKind::DATA_RACE), true), Class::Race);
        assert_eq!(of(Some(FailureKind::MAP_CORRUPTED), false), Class::Silent);
        assert_eq!(of(None, true), Class::Race);
        assert_eq!(of(None, false), Class::Clean);
    }

    #[test]
    fn invalid_kinds_are_rejected() {
        assert!(FailureKind::new("Bad Kind").is_err());
        assert_eq!(FailureKind::new("deadlock").unwrap(), FailureKind::DEADLOCK);
    }
}
