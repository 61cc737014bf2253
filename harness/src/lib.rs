//! # maprace-harness
//!
//! The engine of maprace: it runs a body (the main goroutine of a scenario) many times under a
//! scheduling strategy built on [shuttle](https://docs.rs/shuttle), at labelled preemption points
//! placed inside the code under test. Every execution comes from a seed; every failure comes
//! with a schedule [`Token`] that replays it exactly and a [`Trace`] of who did what.
//!
//! ```
//! use maprace_harness::{go, preempt, Explorer, Op, Point, Strategy};
//! use maprace_harness::sync::{Arc, AtomicBool, Ordering};
//!
//! // Two goroutines that each check-then-set a flag: a classic race.
//! let exploration = Explorer::new("doc/check-then-set")
//!     .strategy(Strategy::Dfs { preemption_bound: Some(1) })
//!     .run(|| {
//!         let busy = Arc::new(AtomicBool::new(false));
//!         let hs: Vec<_> = (0..2)
//!             .map(|_| {
//!                 let busy = Arc::clone(&busy);
//!                 go("", move || {
//!                     if busy.load(Ordering::SeqCst) {
//!                         panic!("both inside");
//!                     }
//!                     preempt(Point::new(Op::User("enter"), "checked"));
//!                     busy.store(true, Ordering::SeqCst);
//!                 })
//!             })
//!             .collect();
//!         for h in hs {
//!             h.join();
//!         }
//!     });
//! // No goroutine ever resets the flag, so the second one to enter panics in every schedule.
//! assert_eq!(exploration.failures[0].failure.kind.as_str(), "panic");
//! ```
#![warn(missing_docs)]

mod access;
mod atomic;
mod capture;
pub mod check;
mod classes;
mod engine;
mod engine_sync;
mod explorer;
mod failure;
mod goroutine;
mod hash;
#[cfg(feature = "lincheck")]
pub mod lincheck;
mod loom_engine;
mod minimize;
mod mutate;
mod note;
mod oracle;
mod point;
mod preempt;
mod record;
mod sentinel;
mod shared_var;
pub mod std_shaped;
mod strategy;
pub mod sync;
mod token;
mod trace;

pub use access::{Access, AccessKind, Object, ObjectId, ObjectKind, Pending, StepAccess};
pub use classes::{count_of, ClassCount};
#[doc(hidden)]
pub use engine::shuttle_deadlocks;
#[cfg(feature = "loom")]
pub use explorer::loom_checkpoint_scenario;
pub use explorer::{kinds, Exploration, Explorer, FoundFailure, Progress, ReplayError, Replayed};
pub use failure::{fail, fatal, Class, Failure, FailureKind, Raised};
pub use goroutine::{go, spawn, JoinHandle};
pub use hash::fnv1a64;
pub use loom_engine::{
    Engine, LOOM_DEFAULT_MAX_BRANCHES, LOOM_MAX_PREEMPTION_BOUND, LOOM_MAX_THREADS,
};
pub use minimize::{minimize, preemptions, Budget, MinimizeError, Minimized};
pub use mutate::{sync_disabled, sync_objects};
pub use note::{EventNote, FieldValue, Kept, Shown, StateFields};
pub use oracle::DataRace;
pub use point::{Op, Point};
pub use preempt::{
    current_goroutine, preempt, preempt_access, preempt_access_with, preempt_with, random_u64,
    record_access, spin_loop, trace_event, yield_now,
};
pub use record::in_execution;
pub use shared_var::SharedVar;
pub use strategy::{Coverage, Reduction, Strategy, MAX_PCT_DEPTH};
pub use token::{valid_identity, Token, TokenError};
pub use trace::{Event, State, Trace};
