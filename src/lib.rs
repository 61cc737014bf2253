//! # maprace
//!
//! Deterministic concurrency simulation of Go-style map races. This facade re-exports the
//! workspace's members so a project needs one dev-dependency:
//!
//! - [`harness`]: the engine (strategies, preemption points, exploration, tokens, replay);
//! - [`maps`]: the maps under test (Go's runtime map and `sync.Map` models, the fixes, and the
//!   trait a user map implements);
//! - `scenarios`: the scenario catalogue and its Go-like runtime (feature `catalogue`);
//! - `reports`: tables, JSON and other renderings of outcomes and traces (feature `reports`).
//!
//! Both are in the default features, with the command line (`cli`). As a dev-dependency, use
//! `default-features = false`: the build is then the harness and the maps only.
#![warn(missing_docs)]

pub use maprace_harness as harness;
pub use maprace_maps as maps;
#[cfg(feature = "reports")]
pub use maprace_reports as reports;
#[cfg(feature = "catalogue")]
pub use maprace_scenarios as scenarios;

pub use maprace_harness::check::{check, check_dfs, check_pct, check_random, Check};
/// `std::sync`, std-shaped: `#[cfg(test)] use maprace::sync;` swaps it in for std's.
pub use maprace_harness::std_shaped::sync;
/// `#[maprace::test]` (feature `macros`): a `#[test]` whose body [`check`] explores, with
/// optional knobs: `#[maprace::test(iterations = 5000, seed = 7, max_steps = 20000,
/// persist = false)]`.
#[cfg(feature = "macros")]
pub use maprace_macros::test;
/// Linearizability checking (feature `lincheck`): the checker, scenario generation and
/// shrinking from the harness, and the `SharedMap` specification from the maps.
#[cfg(feature = "lincheck")]
pub mod lincheck {
    pub use maprace_harness::lincheck::*;
    pub use maprace_maps::lincheck::*;
}
/// `std::thread`, std-shaped: `#[cfg(test)] use maprace::thread;` swaps it in for std's.
pub use maprace_harness::std_shaped::thread;
pub use maprace_harness::{
    go, preempt, preempt_access, preempt_with, Explorer, Op, Point, Strategy, Token,
};
