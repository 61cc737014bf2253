//! What the scenarios share: Go variables without synchronisation, the final-state checks, and
//! the registration of a scenario's two variants.

use crate::runtime::unsync::Unsync;
use crate::{Scenario, Variant};
use maprace_harness::{fail, preempt, FailureKind, Op, Point};
use maprace_maps::shared::{MapKey, MapValue};
use maprace_maps::GoMap;

/// A Go variable (a package-level `var`, a struct field) that goroutines read and write with
/// plain loads and stores. Reading or writing it is not a scheduling point: what races in the
/// scenarios is the map, not the variable holding it.
pub(crate) struct Var<T>(Unsync<T>);

impl<T: Clone> Var<T> {
    pub(crate) fn new(value: T) -> Self {
        Var(Unsync::new(value))
    }

    pub(crate) fn get(&self) -> T {
        self.0.with(|v| v.clone())
    }

    pub(crate) fn set(&self, value: T) {
        self.0.with(|v| *v = value);
    }
}

/// Some work between map operations (a computation, an I/O call): a scheduling point, so other
/// goroutines may run in the meantime.
pub(crate) fn work(what: &'static str) {
    preempt(Point::new(Op::User("work"), what));
}

/// The end-of-scenario check of a quiescent map: its invariants (`map-corrupted`).
pub(crate) fn check_map<K: MapKey, V: MapValue>(m: &GoMap<K, V>) {
    m.assert_invariants();
}

/// The scenario's own final-state assertion (`wrong-result`).
pub(crate) fn expect(ok: bool, what: impl FnOnce() -> String) {
    if !ok {
        fail(FailureKind::WRONG_RESULT, what());
    }
}

/// Checks that `m` holds exactly `want` (sorted by key), as a `wrong-result`.
pub(crate) fn expect_contents<K: MapKey, V: MapValue + PartialEq>(
    m: &GoMap<K, V>,
    what: &str,
    want: &[(K, V)],
) {
    let mut got = Vec::new();
    m.range(|k, v| {
        got.push((k.clone(), v.clone()));
        true
    });
    got.sort_by(|a, b| a.0.cmp(&b.0));
    expect(got == want, || {
        format!("{what} holds {got:?}, want {want:?}")
    });
}

/// What Go prints when code dereferences a nil pointer (here: the zero value a racing writer
/// left in a map cell).
pub(crate) fn nil_dereference() -> ! {
    panic!("runtime error: invalid memory address or nil pointer dereference")
}

/// Both variants of a scenario.
pub(crate) struct Pair {
    pub name: &'static str,
    pub description: &'static str,
    pub buggy: fn(),
    pub fixed: fn(),
    /// The failure kinds the buggy variant may show.
    pub expected_kinds: &'static [&'static str],
    /// The cap on the fixed variant's bounded DFS.
    pub dfs_iterations: u64,
}

impl Pair {
    pub(crate) fn scenarios(self) -> Vec<Scenario> {
        self.pinning(None)
    }

    /// The two variants, the buggy one pinned in the seed corpus by its first failure of
    /// `kind` rather than its first failure (see [`Scenario::corpus_kind`]).
    pub(crate) fn scenarios_pinning(self, kind: &'static str) -> Vec<Scenario> {
        self.pinning(Some(kind))
    }

    fn pinning(self, corpus_kind: Option<&'static str>) -> Vec<Scenario> {
        vec![
            Scenario {
                name: self.name,
                variant: Variant::Buggy,
                description: self.description,
                body: self.buggy,
                expected_kinds: self.expected_kinds,
                corpus_kind,
                dfs_iterations: self.dfs_iterations,
            },
            Scenario {
                name: self.name,
                variant: Variant::Fixed,
                description: self.description,
                body: self.fixed,
                expected_kinds: &[],
                corpus_kind: None,
                dfs_iterations: self.dfs_iterations,
            },
        ]
    }
}

/// Failure kind ids, as scenarios declare them.
pub(crate) mod kinds {
    pub const WRITES: &str = "concurrent-map-writes";
    pub const READ_WRITE: &str = "concurrent-map-read-and-map-write";
    pub const ITER_WRITE: &str = "concurrent-map-iteration-and-map-write";
    pub const CORRUPTED: &str = "map-corrupted";
    pub const WRONG: &str = "wrong-result";
    pub const LEAK: &str = "goroutine-leak";
    pub const DEADLOCK: &str = "deadlock";
    pub const PANIC: &str = "panic";
    /// `WARNING: DATA RACE`: what `go test -race` reports, in an execution nothing else failed.
    pub const RACE: &str = "data-race";
    /// `fatal error: oldoverflow is not nil`: `hashGrow` found the previous grow's old overflow
    /// buckets still held.
    pub const OLDOVERFLOW: &str = "oldoverflow-is-not-nil";
}
