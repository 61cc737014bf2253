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
//! Outside a maprace execution every value is its std counterpart, so the same structure
//! works in an ordinary `#[test]` or in production-like use in the same build. Inside one, every
//! operation is the harness's (a labelled scheduling point, recorded in the object/access
//! record), under the running engine (shuttle or loom).
//!
//! As in std, `new` is `const` (`static M: Mutex<u32> = Mutex::new(0);` compiles), so a value
//! cannot choose its side when it is made: it binds on first use, in each execution anew (see
//! `bind`). Outside an execution the cost is one thread-local read per operation; inside, one
//! more thread-local read, atomic load and compare to find the execution's twin of the value.
//! A `static` carries nothing of one execution into the next, except the data of a `Mutex` or
//! `RwLock` (which lives in std's lock, as std's does: reset it in the body if an execution
//! changes it).
//! Values made outside an exploration and used inside it (or the other way round) work too.
//!
//! Differences from std, all because an execution is a simulation:
//! - Inside an execution locks are never poisoned (an execution stops at its first panic), and
//!   `wait_timeout` never times out (there is no clock; a timeout is a schedule like any other
//!   wake-up only when a notify comes).
//! - A `LazyLock` with an initialiser type other than `fn() -> T` runs it once, so it cannot be
//!   forced again in another execution (`static`s always have the `fn() -> T` type).

pub(crate) mod bind;
mod scope;
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
