//! # user-map-example
//!
//! How a project puts its own concurrent code under maprace's test, with maprace as a
//! dev-dependency only.
//!
//! **The library way** ([`cache`]): the code is written against `std::sync` and, in test
//! builds, against `maprace::sync` with one `#[cfg(test)] use`. Production builds use std; the
//! unit tests in `src/cache.rs` tell the story: the first version (no second check under the
//! write lock) computed a value twice, maprace found the schedule; the fixed version passes an
//! exhaustive search; and the same cache works as plain code outside any exploration.
//!
//! **The model way** (`tests/user_map.rs`):
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

pub mod cache;
