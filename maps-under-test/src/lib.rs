//! # maprace-maps
//!
//! Every map maprace puts under test:
//!
//! - [`GoMap`]: a model of Go's classic runtime map (`hmap`, Go 1.19-1.23) with buckets,
//!   tophash marks, overflow chains, incremental evacuation, Go's iteration order rules and the
//!   `hashWriting` checks in Go's exact order and wording;
//! - [`SyncMap`]: a model of Go's `sync.Map` (read-only snapshot, dirty map, misses, expunged
//!   entries);
//! - the usual fixes: [`MutexMap`], [`RwMutexMap`], [`ShardedMap`], [`SnapshotMap`];
//! - [`SharedMap`]: the trait every one of them implements, and that a user's own map
//!   implements to be put under test.
//!
//! The maps place labelled preemption points (see [`maprace_harness::preempt_with`]) between
//! the steps a real goroutine could be interrupted at, so the harness can explore their
//! interleavings. Outside an execution those points do nothing, so [`GoMap`] also runs as plain
//! sequential code; [`SyncMap`] and the fixes use the harness's locks and need an execution.
//!
//! ```
//! use maprace_maps::{GoMap, SharedMap};
//! let m: GoMap<u32, &str> = GoMap::new();
//! m.assign(1, "one");
//! assert_eq!(m.get(&1), Some("one"));
//! assert_eq!(SharedMap::len(&m), 1);
//! m.check_invariants().unwrap();
//! ```
#![warn(missing_docs)]

mod atomic_value;
mod cell;
pub mod fixes;
pub mod gomap;
#[cfg(feature = "lincheck")]
pub mod lincheck;
pub mod shared;
pub mod syncmap;

pub use atomic_value::AtomicValue;
pub use fixes::{MutexMap, RwMutexMap, ShardedMap, SnapshotMap};
pub use gomap::GoMap;
pub use shared::{MapKey, MapValue, SharedMap};
pub use syncmap::SyncMap;
