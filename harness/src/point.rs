//! Labelled preemption points: what a goroutine is about to do when the scheduler may switch away.

use std::fmt;

/// The operation a preemption point belongs to.
///
/// Map operations come first (they are what maprace is about); synchronisation and goroutine
/// lifecycle follow, and [`Op::User`] lets code under test name its own operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// A map assignment (`m[k] = v`, Go's `mapassign`).
    Assign,
    /// A map deletion (`delete(m, k)`, Go's `mapdelete`).
    Delete,
    /// A map read (`m[k]`, Go's `mapaccess`).
    Access,
    /// One step of a map iteration (Go's `mapiterinit`/`mapiternext`).
    Iterate,
    /// Starting a map grow (Go's `hashGrow`).
    Grow,
    /// Evacuating one old bucket during a grow.
    Evacuate,
    /// Clearing a map (Go's `mapclear`).
    Clear,
    /// Reading a map's length.
    Len,
    /// Goroutine lifecycle: spawn, start, exit, join.
    Go,
    /// A mutex operation.
    Mutex,
    /// A reader-writer lock operation.
    RwLock,
    /// A condition-variable operation.
    Condvar,
    /// An atomic memory operation.
    Atomic,
    /// Virtual time: timers and sleeps.
    Time,
    /// An operation named by the code under test.
    User(&'static str),
}

impl Op {
    /// The operation's stable lower-case name, as it appears in traces and tokens.
    pub const fn name(&self) -> &'static str {
        match self {
            Op::Assign => "assign",
            Op::Delete => "delete",
            Op::Access => "access",
            Op::Iterate => "iterate",
            Op::Grow => "grow",
            Op::Evacuate => "evacuate",
            Op::Clear => "clear",
            Op::Len => "len",
            Op::Go => "go",
            Op::Mutex => "mutex",
            Op::RwLock => "rwlock",
            Op::Condvar => "condvar",
            Op::Atomic => "atomic",
            Op::Time => "time",
            Op::User(name) => name,
        }
    }

    /// Whether this is one of the map operations (as opposed to synchronisation or lifecycle).
    pub fn is_map_op(&self) -> bool {
        matches!(
            self,
            Op::Assign
                | Op::Delete
                | Op::Access
                | Op::Iterate
                | Op::Grow
                | Op::Evacuate
                | Op::Clear
                | Op::Len
        )
    }
}

impl Op {
    /// Whether this is a map operation that writes the map (assign, delete, clear, and the
    /// grow and evacuation work writes do).
    pub fn is_map_write(&self) -> bool {
        matches!(
            self,
            Op::Assign | Op::Delete | Op::Grow | Op::Evacuate | Op::Clear
        )
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A labelled preemption point: an operation and the step inside it. Made with [`Point::new`],
/// best as a `const` (its digest is then computed at compile time).
///
/// ```
/// use maprace_harness::{Op, Point};
/// const FLAG_SET: Point = Point::new(Op::Assign, "flag set");
/// assert_eq!(FLAG_SET.to_string(), "assign: flag set");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Point {
    /// The operation.
    pub op: Op,
    /// The step inside the operation (`"flag set"`, `"before exit check"`, ...).
    pub step: &'static str,
    /// [`Point::digest`], computed once: replays fold it in at every scheduling decision.
    digest: u8,
}

impl Point {
    /// A point for `step` of `op`.
    pub const fn new(op: Op, step: &'static str) -> Self {
        let h = crate::hash::fnv1a64(op.name().as_bytes())
            ^ crate::hash::fnv1a64(step.as_bytes()).rotate_left(17);
        let digest = (h ^ (h >> 32) ^ (h >> 16) ^ (h >> 8)) as u8;
        Point { op, step, digest }
    }

    /// A small stable digest of the point, used by schedule tokens to notice when code changed.
    pub(crate) fn digest(&self) -> u8 {
        self.digest
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.step)
    }
}
