//! The per-step object/access record: *which object* each step of an execution touches and
//! *how*. It is the one foundation that search strategies (POS), partial-order reduction
//! (sleep sets, DPOR) and oracles (the happens-before race detector) read; none of them looks
//! into shuttle for it.
//!
//! The shape follows shuttle's `scheduler/pos.rs` (an event carrying the resource it touches,
//! and "racing" as a two-line function over it) and loom's `rt/object.rs` (one object store per
//! execution, objects named by small typed indices).
//!
//! # What is recorded
//! Every harness primitive has an [`Object`] (mutex, rwlock, condvar, atomic, goroutine) and the
//! map models have one per map; code under test adds its own ([`Object::new`] with
//! [`ObjectKind::Resource`] or [`ObjectKind::Cell`]) and touches it through
//! [`crate::preempt_access`]. While an execution runs with the record wanted, two things are kept
//! in the per-execution [`crate::record`]:
//! - **pending**: for each goroutine, the access its next step starts with, when it said so
//!   before the scheduling point it is paused at (a labelled map point, an atomic, a lock
//!   acquire). Strategies read it at every decision ([`Pending`]).
//! - **the log**: every access performed, in order, with the step (the same numbering as trace
//!   events) and the goroutine that performed it ([`StepAccess`]).
//!
//! # Object ids
//! An [`ObjectId`] is a kind and an index in first-touch order within one execution, so the
//! same schedule gives the same ids on every machine, and no address ever reaches a strategy,
//! an oracle or a report.

use crate::record::Record;
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// What an object is. Part of its [`ObjectId`], and what an oracle reads to know whether an
/// access synchronises (locks, atomics, goroutine lifecycle) or is plain data (map, cell).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    /// A goroutine, as the object its spawn, start, exit and join touch.
    Goroutine,
    /// A mutual-exclusion lock.
    Mutex,
    /// A reader-writer lock.
    RwLock,
    /// A condition variable.
    Condvar,
    /// A channel.
    Channel,
    /// An atomic variable (sequentially consistent, synchronising).
    Atomic,
    /// A wait group.
    WaitGroup,
    /// A once-only initialiser.
    Once,
    /// A map (its header: Go's `-race` instruments map operations on the header).
    Map,
    /// A plain memory cell: unsynchronised data.
    Cell,
    /// Anything else code under test names as shared.
    Resource,
}

/// How many kinds there are (ids are counted per kind).
pub(crate) const KINDS: usize = 11;

impl ObjectKind {
    /// The kind's stable lower-case name.
    pub const fn name(self) -> &'static str {
        match self {
            ObjectKind::Goroutine => "goroutine",
            ObjectKind::Mutex => "mutex",
            ObjectKind::RwLock => "rwlock",
            ObjectKind::Condvar => "condvar",
            ObjectKind::Channel => "chan",
            ObjectKind::Atomic => "atomic",
            ObjectKind::WaitGroup => "waitgroup",
            ObjectKind::Once => "once",
            ObjectKind::Map => "map",
            ObjectKind::Cell => "cell",
            ObjectKind::Resource => "resource",
        }
    }

    /// Whether accesses to this kind of object are plain data (checked for races, no
    /// happens-before edge) rather than synchronisation.
    pub const fn is_data(self) -> bool {
        matches!(
            self,
            ObjectKind::Map | ObjectKind::Cell | ObjectKind::Resource
        )
    }

    pub(crate) fn slot(self) -> usize {
        self as usize
    }
}

/// An object within one execution: its kind and its index among the objects of that kind, in
/// the order the execution first touched them. Displayed as `mutex#0`, `map#1`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// The kind.
    pub kind: ObjectKind,
    /// The index among objects of the kind (0-based, first-touch order). For
    /// [`ObjectKind::Goroutine`], the goroutine number (main 0, then spawn order).
    pub index: u32,
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.kind.name(), self.index)
    }
}

/// How a step touches an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessKind {
    /// Reads (a map lookup or iteration step, an atomic load, a cell read).
    Read,
    /// Writes (a map assignment, an atomic store, a cell write).
    Write,
    /// Reads and writes in one indivisible step (an atomic read-modify-write).
    Update,
    /// Acquires a lock exclusively.
    Lock,
    /// Releases an exclusive lock.
    Unlock,
    /// Acquires a reader-writer lock for reading.
    ReadLock,
    /// Releases a read lock.
    ReadUnlock,
    /// Starts waiting on a condition variable (the mutex is released as part of it).
    Wait,
    /// Wakes from a condition-variable wait.
    Woken,
    /// Notifies a condition variable's waiters.
    Notify,
    /// Spawns the goroutine (the object is the child).
    Spawn,
    /// The goroutine's first step (the object is the goroutine itself).
    Start,
    /// The goroutine's last step (the object is the goroutine itself).
    Exit,
    /// Returns from joining the goroutine (the object is the joined goroutine).
    Join,
    /// Sends on a channel.
    Send,
    /// Receives from a channel (a value or the closed signal).
    Receive,
    /// Closes a channel.
    Close,
}

impl AccessKind {
    /// The access's stable lower-case name.
    pub const fn name(self) -> &'static str {
        match self {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
            AccessKind::Update => "update",
            AccessKind::Lock => "lock",
            AccessKind::Unlock => "unlock",
            AccessKind::ReadLock => "rlock",
            AccessKind::ReadUnlock => "runlock",
            AccessKind::Wait => "wait",
            AccessKind::Woken => "woken",
            AccessKind::Notify => "notify",
            AccessKind::Spawn => "spawn",
            AccessKind::Start => "start",
            AccessKind::Exit => "exit",
            AccessKind::Join => "join",
            AccessKind::Send => "send",
            AccessKind::Receive => "receive",
            AccessKind::Close => "close",
        }
    }

    /// Whether two accesses of this kind to one object commute with each other: reads of the
    /// same data, and read-lock operations on the same reader-writer lock (two readers never
    /// exclude each other). Every other pair on one object is a conflict.
    pub const fn is_shared(self) -> bool {
        matches!(
            self,
            AccessKind::Read | AccessKind::ReadLock | AccessKind::ReadUnlock
        )
    }

    /// Whether the access writes, for data races: a write or update of data.
    pub const fn writes(self) -> bool {
        matches!(self, AccessKind::Write | AccessKind::Update)
    }
}

/// One access: an object and how it is touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Access {
    /// The object.
    pub object: ObjectId,
    /// How.
    pub kind: AccessKind,
}

impl Access {
    /// Whether the two accesses conflict (the "racing" relation of POS and DPOR): the same
    /// object, and not both shared (two reads, two read-lock operations). Swapping two
    /// adjacent non-conflicting steps of different goroutines gives an equivalent execution.
    pub fn conflicts(&self, other: &Access) -> bool {
        self.object == other.object && !(self.kind.is_shared() && other.kind.is_shared())
    }
}

impl Access {
    /// What a goroutine paused at a plain [`crate::preempt`] point declares: its next step
    /// may touch shared state the record does not see, so partial-order reduction must treat
    /// that step as dependent with every other step. Never performed, never in the log.
    pub(crate) const UNKNOWN: Access = Access {
        object: ObjectId {
            kind: ObjectKind::Resource,
            index: u32::MAX,
        },
        kind: AccessKind::Update,
    };

    /// Whether this is [`Access::UNKNOWN`].
    pub(crate) fn is_unknown(&self) -> bool {
        *self == Access::UNKNOWN
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.name(), self.object)
    }
}

/// An access performed in an execution: at which step (numbered like trace events: the
/// decision that let the goroutine run) and by which goroutine (main 0, then spawn order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepAccess {
    /// The step.
    pub step: u64,
    /// The goroutine number.
    pub goroutine: u32,
    /// The access.
    pub access: Access,
}

impl fmt::Display for StepAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} g{} {}", self.step, self.goroutine, self.access)
    }
}

/// What a strategy sees of the goroutines' next steps at a decision: the access each one's next
/// step starts with, when it declared one.
#[derive(Clone, Copy, Debug)]
pub struct Pending<'a>(pub(crate) &'a [Option<Access>]);

impl Pending<'_> {
    /// The access goroutine `g`'s next step starts with, if known.
    pub fn of(&self, g: usize) -> Option<Access> {
        self.0.get(g).copied().flatten()
    }
}

/// Incremented for every execution in the process: an object's cached id is valid only for
/// the execution it was given in (objects can outlive executions, and parallel explorations
/// run executions on several threads).
static EPOCH: AtomicU32 = AtomicU32::new(1);

pub(crate) fn next_epoch() -> u32 {
    EPOCH.fetch_add(1, Ordering::Relaxed)
}

/// A shared object that steps touch: every harness primitive has one, the map models have one
/// per map, and code under test makes its own for [`crate::preempt_access`].
///
/// It holds no address and no global number: its [`ObjectId`] is given at its first access in
/// each execution (see the module docs).
///
/// ```
/// use maprace_harness::{preempt_access, AccessKind, Object, ObjectKind, Op, Point};
/// const READ_SLOT: Point = Point::new(Op::User("read slot"), "before load");
/// let slot = Object::named(ObjectKind::Resource, "slot");
/// // Outside an execution this does nothing.
/// preempt_access(READ_SLOT, &slot, AccessKind::Read);
/// assert_eq!(slot.name(), Some("slot"));
/// ```
#[derive(Debug)]
pub struct Object {
    kind: ObjectKind,
    name: Option<Box<str>>,
    /// Orders nothing for the race detector (see [`Object::internal`]).
    internal: bool,
    /// Part of a library the program uses, not of the program (see [`Object::library`]).
    library: bool,
    /// `epoch << 32 | index`, for the execution that last touched it.
    cached: AtomicU64,
}

impl Object {
    /// A new, unnamed object of `kind`.
    pub const fn new(kind: ObjectKind) -> Self {
        Object {
            kind,
            name: None,
            internal: false,
            library: false,
            cached: AtomicU64::new(0),
        }
    }

    /// A new object of `kind` that belongs to a library the code under test calls (Go's
    /// `context`, `time`, `sync.Map`), not to the code itself: it orders like any other
    /// object, but mutation testing ([`crate::sync_objects`]) does not drop it, since a
    /// mutant is a change to the program and the library's own synchronisation is not the
    /// program's to get wrong.
    pub const fn library(kind: ObjectKind) -> Self {
        Object {
            kind,
            name: None,
            internal: false,
            library: true,
            cached: AtomicU64::new(0),
        }
    }

    /// Whether the object belongs to a library (see [`Object::library`]).
    pub fn is_library(&self) -> bool {
        self.library
    }

    /// A new object of `kind` that the race detector sees as ordering nothing: a lock inside a
    /// runtime that builds its own synchronisation objects (channels, wait groups) on harness
    /// locks and records their accesses on an object of their own, so that only the
    /// happens-before edges the runtime's semantics give are seen (two senders on a channel
    /// are not ordered by the channel's internal lock). Strategies still see every access.
    pub const fn internal(kind: ObjectKind) -> Self {
        Object {
            kind,
            name: None,
            internal: true,
            library: false,
            cached: AtomicU64::new(0),
        }
    }

    /// Whether the object orders nothing for the race detector (see [`Object::internal`]).
    pub fn is_internal(&self) -> bool {
        self.internal
    }

    /// A new object of `kind` with a name for reports.
    pub fn named(kind: ObjectKind, name: impl Into<String>) -> Self {
        Object {
            kind,
            name: Some(name.into().into_boxed_str()),
            internal: false,
            library: false,
            cached: AtomicU64::new(0),
        }
    }

    /// The object's kind.
    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// The object's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The object's id in the execution `r` runs, giving it the next index of its kind on its
    /// first touch.
    pub(crate) fn id_in(&self, r: &mut Record) -> ObjectId {
        let cached = self.cached.load(Ordering::Relaxed);
        let index = if (cached >> 32) as u32 == r.epoch {
            cached as u32
        } else {
            let slot = &mut r.object_counts[self.kind.slot()];
            let index = *slot;
            *slot += 1;
            let id = ObjectId {
                kind: self.kind,
                index,
            };
            if self.internal {
                r.internal.push(id);
            }
            if self.library {
                r.library.push(id);
            }
            self.cached.store(
                (u64::from(r.epoch) << 32) | u64::from(index),
                Ordering::Relaxed,
            );
            index
        };
        ObjectId {
            kind: self.kind,
            index,
        }
    }
}

impl Clone for Object {
    /// A clone is another object (of the same kind and name): cloning a value protected by a
    /// lock gives a new lock.
    fn clone(&self) -> Self {
        Object {
            kind: self.kind,
            name: self.name.clone(),
            internal: self.internal,
            library: self.library,
            cached: AtomicU64::new(0),
        }
    }
}

/// Per-kind index counters for one execution.
pub(crate) type ObjectCounts = [u32; KINDS];

impl Record {
    /// Says that the running goroutine's next step starts with `kind` on `object` (call it just
    /// before the scheduling point that precedes the access).
    #[inline]
    pub(crate) fn declare(&mut self, object: &Object, kind: AccessKind) {
        if self.accesses_wanted {
            let access = Access {
                object: object.id_in(self),
                kind,
            };
            let g = self.running;
            if self.pending.len() <= g {
                self.pending.resize(g + 1, None);
            }
            self.pending[g] = Some(access);
        }
    }

    /// Says that the running goroutine's next step may touch anything ([`Access::UNKNOWN`]):
    /// it is paused at a point that declared no access.
    #[inline]
    pub(crate) fn declare_unknown(&mut self) {
        if self.accesses_wanted {
            let g = self.running;
            if self.pending.len() <= g {
                self.pending.resize(g + 1, None);
            }
            self.pending[g] = Some(Access::UNKNOWN);
        }
    }

    /// Records that the running goroutine performs `kind` on `object` in the current step, and
    /// clears what it declared.
    #[inline]
    pub(crate) fn perform(&mut self, object: &Object, kind: AccessKind) {
        if self.accesses_wanted {
            let access = Access {
                object: object.id_in(self),
                kind,
            };
            self.perform_access(access);
        }
    }

    /// [`Record::perform`] for an access whose object id is already known.
    pub(crate) fn perform_access(&mut self, access: Access) {
        if !self.accesses_wanted {
            return;
        }
        let g = self.running;
        if let Some(p) = self.pending.get_mut(g) {
            *p = None;
        }
        self.access_log.push(StepAccess {
            step: self.step,
            goroutine: g as u32,
            access,
        });
    }

    /// [`Record::perform`] on goroutine `g` as the object.
    pub(crate) fn perform_on_goroutine(&mut self, g: usize, kind: AccessKind) {
        self.perform_access(Access {
            object: ObjectId {
                kind: ObjectKind::Goroutine,
                index: g as u32,
            },
            kind,
        });
    }
}

#[cfg(test)]
mod tests;
