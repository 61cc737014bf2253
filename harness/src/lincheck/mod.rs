//! Linearizability checking for any concurrent object, Lincheck-style.
//!
//! Describe the object once — its operations with an argument generator, how to apply one to
//! the implementation, and a sequential model ([`Operations`], [`Sequential`]) — and
//! [`Lincheck`] does the rest: it generates scenarios (an init part, goroutines × operations, a
//! post part), explores each with the harness's strategy, records every execution's history
//! (each operation's invocation and response, also as `lincheck: invoke` / `lincheck: respond`
//! trace events), checks it for linearizability ([`checker`]), and on the first failure shrinks
//! the scenario with proptest and the schedule with the harness's minimizer. The failure has
//! kind `not-linearizable`, a why-sentence, Lincheck's table of goroutines and results, the
//! interleaving, and a token that replays it.
//!
//! [`Lincheck::check`] (and [`check`]) honour the `MAPRACE_*` variables and save a failure as a
//! [`Regression`] line in `maprace-regressions/lincheck-<test>.txt`, replayed first next time.
//!
//! Maps implementing `maprace_maps::SharedMap` get a ready-made spec in `maprace_maps::lincheck`.
//! See `docs/lincheck.md`.

mod cases;
pub mod checker;
mod failure;
mod history;
mod regression;
mod report;
mod run;
mod saved;
mod scenario;
mod spec;

/// The proptest version the [`Operations::generate`] strategies are written against.
pub use proptest;

pub use checker::{check_partitioned, check_whole, Violation};
pub use failure::{LincheckFailure, Origin};
pub use history::{History, Operation, Recorder, INVOKE, RESPOND};
pub use regression::{scenario_hash, Regression};
pub use report::{explain, goroutine_order, interleaving, steps, Parts, Step, Table};
pub use run::{check, Found, Lincheck, Passed, Stale};
pub use scenario::{not_linearizable, scenarios, Scenario, Shape};
pub use spec::{Operations, Sequential};

/// Checks `history` against `spec`: per partition when every operation has one, as a whole
/// otherwise. See [`checker`].
pub fn check_history<S: Sequential>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
) -> Result<(), Violation<S::Ret>> {
    checker::check(spec, history)
}
