//! # user-map-example
//!
//! How a project puts its own concurrent map under maprace's test. Everything lives in
//! `tests/user_map.rs`, with maprace as a dev-dependency only:
//!
//! 1. write the map with maprace's primitives (`maprace::harness::sync::{Mutex, RwLock,
//!    Atomic*}`, plus `maprace::harness::preempt_with` at the points where the map could be
//!    interrupted), so the scheduler sees its synchronisation;
//! 2. implement `maprace::maps::SharedMap` for it;
//! 3. from an ordinary `#[test]`, run a small workload of goroutines under
//!    `maprace::harness::Explorer` and assert on what it finds. A failure comes with a schedule
//!    token that replays it exactly.
//!
//! The test file has one map with a check-then-act bug (found, with a replayable token) and
//! one correct map (a bounded-exhaustive search finds nothing). `tests/lincheck.rs` checks a
//! striped map with a size counter for linearizability with no workload or assertion written by
//! hand, and finds its bug.
#![warn(missing_docs)]
