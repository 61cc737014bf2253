//! # maprace
//!
//! Deterministic concurrency simulation of Go-style map races. This facade re-exports the
//! workspace's members so a project needs one dev-dependency:
//!
//! - [`harness`]: the engine (strategies, preemption points, exploration, tokens, replay);
//! - [`maps`]: the maps under test (Go's runtime map and `sync.Map` models, the fixes, and the
//!   trait a user map implements);
//! - [`scenarios`]: the scenario catalogue and its Go-like runtime;
//! - [`reports`]: tables, JSON and other renderings of outcomes and traces.
#![warn(missing_docs)]

pub use maprace_harness as harness;
pub use maprace_maps as maps;
pub use maprace_reports as reports;
pub use maprace_scenarios as scenarios;

pub use maprace_harness::{go, preempt, preempt_with, Explorer, Op, Point, Strategy, Token};
