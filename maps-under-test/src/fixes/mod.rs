//! The usual fixes for a Go map shared between goroutines, each built on the harness's
//! primitives so the scheduler sees their synchronisation:
//!
//! - [`MutexMap`]: `sync.Mutex` around a [`crate::GoMap`];
//! - [`RwMutexMap`]: `sync.RWMutex`, readers share the read lock;
//! - [`ShardedMap`]: N independently locked shards;
//! - [`SnapshotMap`]: copy-on-write behind an atomically swapped pointer (`atomic.Value`),
//!   writers serialised by a mutex, readers lock-free.
//!
//! They use the harness's locks, so they run inside an execution only.

mod mutex;
mod rwmutex;
mod sharded;
mod snapshot;

pub use mutex::MutexMap;
pub use rwmutex::RwMutexMap;
pub use sharded::ShardedMap;
pub use snapshot::SnapshotMap;
