//! A small Go-like runtime built on the harness's goroutines and primitives.
//!
//! Scenarios are written in it so that they read like the Go programs they model, and so that
//! every synchronisation is visible to the scheduler and in the trace:
//!
//! | Go | here |
//! |---|---|
//! | `go f()` | [`go`] / [`spawn`], [`go_deferring`] for a goroutine with `defer`s |
//! | `defer f()` | [`Defers::defer`] in [`with_defers`] / [`go_deferring`] |
//! | `sync.Mutex`, `sync.RWMutex` | [`Mutex`], [`RWMutex`] (holding the data they guard) |
//! | `sync.WaitGroup`, `sync.Once` | [`WaitGroup`], [`Once`] |
//! | `chan T`, `close`, `select` with `default` | [`Chan`], [`TryRecv`] |
//! | `context.Background/WithCancel/WithValue` | [`context`] |
//! | `time.AfterFunc`, `Timer.Stop`, `time.Sleep` | [`Clock`], [`Timer`] (virtual time) |
//!
//! The locks are the harness's traced shuttle locks: Go-like in that they are not reentrant and
//! never poisoned. Go's `RWMutex` also blocks new readers once a writer waits; this one does
//! not, which no scenario here depends on.

mod chan;
pub mod context;
mod defer;
mod once;
mod time;
pub(crate) mod unsync;
mod waitgroup;

pub use chan::{Chan, TryRecv};
pub use defer::{go_deferring, with_defers, Defers};
pub use maprace_harness::sync::{Arc, Mutex, RwLock as RWMutex};
pub use maprace_harness::{go, spawn, JoinHandle};
pub use once::Once;
pub use time::{Clock, Timer};
pub use waitgroup::WaitGroup;
