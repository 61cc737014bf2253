//! `std`-shaped primitives: [`sync`] and [`thread`] with the names and signatures of
//! `std::sync` and `std::thread`, so that code written for std is put under maprace with the
//! usual one-line swap:
//!
//! ```
//! # mod demo {
//! #[cfg(test)]
//! use maprace_harness::std_shaped::sync;
//! #[cfg(not(test))]
//! use std::sync;
//!
//! pub struct Counter(sync::Mutex<u64>);
//!
//! impl Counter {
//!     pub fn bump(&self) -> u64 {
//!         let mut n = self.0.lock().unwrap();
//!         *n += 1;
//!         *n
//!     }
//! }
//! # }
//! ```
//!
//! Each value picks its backend **when it is created**: inside a maprace execution it is the
//! harness's (every operation a labelled scheduling point, recorded in the object/access
//! record); outside one it is std's, so the same structure works in an ordinary `#[test]` or in
//! production-like use in the same build. The cost outside an execution is one branch per
//! operation (and one thread-local read per creation). A value created on one side and used on
//! the other keeps the backend it was created with; mixing a `Condvar` and a `Mutex` created
//! on different sides panics with a message saying so.
//!
//! Differences from std, all because an execution is a simulation:
//! - Inside an execution locks are never poisoned (an execution stops at its first panic), and
//!   `wait_timeout` never times out (there is no clock; a timeout is a schedule like any other
//!   wake-up only when a notify comes).
//! - `new` is not `const`: the backend is chosen at run time. `thread::scope` and `AtomicPtr`
//!   are not provided.

pub mod sync;
pub mod thread;

/// The backend a value was created with.
#[derive(Debug)]
pub(crate) enum Backend<S, T> {
    /// Inside an execution: the harness's primitive.
    Sim(S),
    /// Outside: std's.
    Std(T),
}

/// Whether a value created now should use the harness's primitives.
pub(crate) fn simulated() -> bool {
    crate::record::in_execution()
}

/// The panic for a value used with a partner created on the other side of an exploration.
pub(crate) fn mixed(what: &str) -> ! {
    panic!(
        "maprace: {what} created inside an exploration used with one created outside it (or the \
         other way round): create both on the same side"
    )
}
