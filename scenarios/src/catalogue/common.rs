//! What the scenarios share: Go variables without synchronisation, the final-state checks, and
//! the registration of a scenario's two variants.

use crate::runtime::unsync::Unsync;
use crate::{Scenario, Size, Variant};
use maprace_harness::{
    fail, preempt, record_access, AccessKind, FailureKind, Object, ObjectKind, Op, Point,
};
use maprace_maps::shared::{MapKey, MapValue};
use maprace_maps::GoMap;
use std::sync::OnceLock;

/// A Go variable (a package-level `var`, a struct field) that goroutines read and write with
/// plain loads and stores. Reading or writing it is not a scheduling point (what races in the
/// scenarios is the map, not the variable holding it, and a point here would multiply the
/// schedules for nothing), but it is a data access the race detector checks, as `-race`
/// instruments every plain load and store: a variable handed over without synchronisation is
/// a `data-race`, and so is a fix whose lock or once stops ordering it (see `maprace mutate`).
pub(crate) struct Var<T> {
    object: Object,
    cell: Unsync<T>,
}

impl<T: Clone> Var<T> {
    pub(crate) fn new(value: T) -> Self {
        Var {
            object: Object::new(ObjectKind::Cell),
            cell: Unsync::new(value),
        }
    }

    pub(crate) fn get(&self) -> T {
        record_access(&self.object, AccessKind::Read);
        self.cell.with(|v| v.clone())
    }

    pub(crate) fn set(&self, value: T) {
        record_access(&self.object, AccessKind::Write);
        self.cell.with(|v| *v = value);
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

/// The sizes a scenario runs at: the catalogue's small default (fast to explore, every
/// interleaving shape still there) or a realistic Go program's (growth and evacuation, where
/// the rare crashes live).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sizes {
    /// Writer goroutines.
    pub writers: usize,
    /// New keys each writer adds.
    pub keys: usize,
    /// Entries a map holds before it is ranged over.
    pub iterated: usize,
    /// Requests (or fan-out goroutines) of a request-shaped scenario.
    pub requests: usize,
    /// Map operations per request.
    pub ops: usize,
}

impl Sizes {
    /// `small` at the default size, `go` at Go size: for the counts a scenario sizes itself.
    pub(crate) fn pick(&self, small: usize, go: usize) -> usize {
        if *self == GO {
            go
        } else {
            small
        }
    }
}

/// The catalogue's default sizes.
pub(crate) const SMALL: Sizes = Sizes {
    writers: 2,
    keys: 2,
    iterated: 2,
    requests: 2,
    ops: 2,
};

/// A realistic Go program's sizes: 2 writers x 100 keys, 200-key iterations, 20 requests x 60
/// operations (a map growing through B = 3 -> 4 and beyond).
pub(crate) const GO: Sizes = Sizes {
    writers: 2,
    keys: 100,
    iterated: 200,
    requests: 20,
    ops: 60,
};

/// `n` key names `{prefix}{i}` as `&'static str`, like the string literals and interned names
/// of the Go programs, for the scenarios whose maps take `&'static str` keys. Made once per
/// process in `cell` (a few hundred bytes that live as long as the catalogue).
pub(crate) fn static_names(
    cell: &'static OnceLock<Vec<&'static str>>,
    prefix: &str,
    n: usize,
) -> &'static [&'static str] {
    cell.get_or_init(|| {
        (0..n)
            .map(|i| &*Box::leak(format!("{prefix}{i}").into_boxed_str()))
            .collect()
    })
}

/// A scenario's `(buggy, fixed)` bodies.
pub(crate) type Bodies = (fn(), fn());

/// A scenario at Go size: its bodies and the kinds its buggy variant shows there (growth and
/// evacuation under the race reach kinds the small size does not, and the long windows make
/// some rare).
pub(crate) struct GoSized {
    pub bodies: Bodies,
    pub expected_kinds: &'static [&'static str],
}

/// Both variants of a scenario.
pub(crate) struct Pair {
    pub name: &'static str,
    pub description: &'static str,
    pub buggy: fn(),
    pub fixed: fn(),
    /// The same programs at a realistic Go program's sizes ([`GO`]); `None` for a scenario
    /// with nothing to scale.
    pub go_size: Option<GoSized>,
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
        let variant = |variant, body, size, kinds: &'static [&'static str]| Scenario {
            name: self.name,
            variant,
            description: self.description,
            body,
            expected_kinds: match variant {
                Variant::Buggy => kinds,
                Variant::Fixed => &[],
            },
            corpus_kind: match variant {
                Variant::Buggy => corpus_kind,
                Variant::Fixed => None,
            },
            dfs_iterations: self.dfs_iterations,
            size,
            unmutated: &[],
        };
        let small = self.expected_kinds;
        let mut out = vec![
            variant(Variant::Buggy, self.buggy, Size::Small, small),
            variant(Variant::Fixed, self.fixed, Size::Small, small),
        ];
        if let Some(go) = self.go_size {
            let (buggy, fixed) = go.bodies;
            out.push(variant(Variant::Buggy, buggy, Size::Go, go.expected_kinds));
            out.push(variant(Variant::Fixed, fixed, Size::Go, go.expected_kinds));
        }
        out
    }
}

/// `scenarios` with the fixed variants' `unmutated` objects set (see
/// [`crate::Scenario::unmutated`]).
pub(crate) fn unmutated(
    mut scenarios: Vec<Scenario>,
    objects: &'static [crate::Unmutated],
) -> Vec<Scenario> {
    for s in scenarios.iter_mut().filter(|s| s.variant == Variant::Fixed) {
        s.unmutated = objects;
    }
    scenarios
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
    /// `fatal error: bad map state`: `evacuate` met a cell another writer had already marked
    /// (two writers evacuating one old bucket).
    pub const BAD_MAP_STATE: &str = "bad-map-state";
    /// The map code itself dereferenced a nil (or wild) pointer a racing writer left:
    /// `panic: runtime error: invalid memory address or nil pointer dereference [signal
    /// SIGSEGV ...]` (or `fatal error: fault`).
    pub const FAULT: &str = "fault";
    /// A goroutine the map model knows spins forever (Go prints nothing and the program
    /// hangs): `mapassign` restarting the same grow without end, on a map whose `count` a race
    /// left below its live keys.
    pub const HANG: &str = "hang";
}
