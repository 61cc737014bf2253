//! The model's labelled preemption points, between the steps a goroutine running Go's map code
//! can be interrupted at, and the state snapshot each carries.

use super::bucket::FlagNames;
use super::hmap::Hmap;
use maprace_harness::{Op, Point, Shown, State, StateFields};

// mapassign (map.go 578-693).
pub const ASSIGN_ENTRY: Point = Point::new(Op::Assign, "before entry check");
pub const ASSIGN_HASHED: Point = Point::new(Op::Assign, "hashed");
pub const ASSIGN_FLAG_LOADED: Point = Point::new(Op::Assign, "flags loaded for ^= hashWriting");
pub const ASSIGN_FLAG_SET: Point = Point::new(Op::Assign, "hashWriting toggled");
pub const ASSIGN_BUCKETS_NIL: Point = Point::new(Op::Assign, "buckets == nil, allocating");
pub const ASSIGN_SCAN: Point = Point::new(Op::Assign, "bucket scanned");
pub const ASSIGN_TOPHASH: Point = Point::new(Op::Assign, "tophash stored, before key");
pub const ASSIGN_KEY_LEN: Point = Point::new(Op::Assign, "key length stored, before key pointer");
pub const ASSIGN_INSERTED: Point = Point::new(Op::Assign, "key inserted");
pub const ASSIGN_COUNT_LOADED: Point = Point::new(Op::Assign, "count loaded for count++");
pub const ASSIGN_COUNTED: Point = Point::new(Op::Assign, "count++ done, before exit check");
pub const ASSIGN_EXIT_PASSED: Point = Point::new(Op::Assign, "exit check passed");
pub const ASSIGN_CLEARED: Point = Point::new(Op::Assign, "hashWriting cleared, before value store");
pub const VALUE_LOADED: Point = Point::new(Op::Assign, "value loaded, before value store");

// hashGrow (map.go 1041-1082) and evacuate (map.go 1152-1264).
pub const GROW_START: Point = Point::new(Op::Grow, "before hashGrow");
pub const GROW_ALLOCATED: Point = Point::new(Op::Grow, "new array allocated, before commit");
pub const GROW_B: Point = Point::new(Op::Grow, "B += bigger committed");
pub const GROW_FLAGS: Point = Point::new(Op::Grow, "flags committed");
pub const GROW_OLDBUCKETS: Point = Point::new(Op::Grow, "oldbuckets = buckets committed");
pub const GROW_DONE: Point = Point::new(Op::Grow, "buckets = new committed");
pub const EVACUATE_START: Point = Point::new(Op::Evacuate, "before evacuate");
pub const EVACUATE_CHECKED: Point = Point::new(Op::Evacuate, "old bucket not evacuated yet");
pub const EVACUATE_BUCKET: Point = Point::new(Op::Evacuate, "one bucket of the chain moved");
pub const EVACUATE_DONE: Point = Point::new(Op::Evacuate, "after evacuate");

// mapdelete (map.go 695-809).
pub const DELETE_ENTRY: Point = Point::new(Op::Delete, "before entry check");
pub const DELETE_HASHED: Point = Point::new(Op::Delete, "hashed");
pub const DELETE_FLAG_LOADED: Point = Point::new(Op::Delete, "flags loaded for ^= hashWriting");
pub const DELETE_FLAG_SET: Point = Point::new(Op::Delete, "hashWriting toggled");
pub const DELETE_SCAN: Point = Point::new(Op::Delete, "bucket scanned");
pub const DELETE_REMOVED: Point = Point::new(Op::Delete, "cell emptied");
pub const DELETE_COUNT_LOADED: Point = Point::new(Op::Delete, "count loaded for count--");
pub const DELETE_COUNTED: Point = Point::new(Op::Delete, "count-- done, before exit check");
pub const DELETE_EXIT_PASSED: Point = Point::new(Op::Delete, "exit check passed");
pub const DELETE_CLEARED: Point = Point::new(Op::Delete, "hashWriting cleared");

// mapclear (map.go 993-1039).
pub const CLEAR_ENTRY: Point = Point::new(Op::Clear, "before entry check");
pub const CLEAR_FLAG_LOADED: Point = Point::new(Op::Clear, "flags loaded for ^= hashWriting");
pub const CLEAR_FLAG_SET: Point = Point::new(Op::Clear, "hashWriting toggled");
pub const CLEAR_RESET: Point = Point::new(Op::Clear, "buckets reset, before exit check");
pub const CLEAR_EXIT_PASSED: Point = Point::new(Op::Clear, "exit check passed");
pub const CLEAR_CLEARED: Point = Point::new(Op::Clear, "hashWriting cleared");

// mapaccess2 (map.go 456-515).
pub const ACCESS_ENTRY: Point = Point::new(Op::Access, "before entry check");
pub const ACCESS_HASHED: Point = Point::new(Op::Access, "hashed");
pub const ACCESS_SCAN: Point = Point::new(Op::Access, "scan bucket");

// len(m).
pub const LEN_READ: Point = Point::new(Op::Len, "read count");

// mapiterinit / mapiternext (map.go 815-990).
pub const ITER_INIT: Point = Point::new(Op::Iterate, "mapiterinit");
pub const ITER_SNAPSHOT: Point = Point::new(Op::Iterate, "it.B = h.B read, before it.buckets");
pub const ITER_NEXT: Point = Point::new(Op::Iterate, "mapiternext check");
pub const ITER_BUCKET: Point = Point::new(Op::Iterate, "next bucket");
pub const ITER_GROWING: Point = Point::new(Op::Iterate, "growing read, before oldbuckets");

/// The snapshot every point of the model carries: `B`, `count`, decoded `flags`, whether a
/// grow is in progress, evacuation progress (`nevacuate/old buckets`) and `noverflow`.
pub(crate) fn snapshot<K, V>(h: &Hmap<K, V>) -> State {
    let mut s = State::new();
    describe(h, &mut s);
    s
}

/// Writes [`snapshot`]'s fields to `out` (an event's note takes them without a `State`).
pub(crate) fn describe<K, V>(h: &Hmap<K, V>, out: &mut impl StateFields) {
    out.field("B", h.b)
        .field("count", h.count)
        .field("flags", Shown(FlagNames(h.flags)))
        .field("growing", h.growing())
        .field(
            "nevacuate",
            Shown(Progress(h.oldbuckets.map(|old| (h.nevacuate, old.len)))),
        )
        .field("noverflow", h.noverflow);
}

/// Evacuation progress: `nevacuate/old buckets`, or `-` when no grow is in progress.
struct Progress(Option<(usize, usize)>);

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some((done, of)) => write!(f, "{done}/{of}"),
            None => f.write_str("-"),
        }
    }
}
