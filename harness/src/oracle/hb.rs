//! Happens-before: the vector clock of every goroutine, advanced by the synchronising accesses
//! of the object/access record. Which access orders which is decided here, by object kind and
//! access kind, as Go's race detector (ThreadSanitizer's annotations in Go's runtime and `sync`
//! package) orders them:
//!
//! | object | release (publishes the goroutine's clock) | acquire (joins it in) |
//! |---|---|---|
//! | goroutine | `Spawn` (parent), `Exit` (the goroutine) | `Start` (the child), `Join` (the joiner) |
//! | mutex | `Unlock` | `Lock` |
//! | rwlock | `Unlock` (for every later locker), `ReadUnlock` (for writers only) | `Lock` (both), `ReadLock` (writers' releases only: read-read is not ordered) |
//! | condvar, wait group | `Notify` (`Done` of a wait group) | `Woken` (`Wait` returning) |
//! | atomic | `Write` (overwrites: a load synchronises with the store it reads), `Update` (adds to it) | `Read`, `Update` |
//! | channel | `Send` (the k-th), `Close` | `Receive`: the k-th gets the k-th send (FIFO), one on a drained, closed channel gets the close |
//! | once | `Write` (the function returned) | `Read` (a `Do` returned) |
//!
//! Objects marked internal ([`crate::Object::internal`]: the locks a runtime builds its own
//! channels and wait groups on) order nothing: the runtime records the edges Go's semantics
//! give on its own object instead, and no more.

use super::vclock::VectorClock;
use crate::access::{AccessKind, ObjectId, ObjectKind, StepAccess};
use std::collections::VecDeque;

/// What a synchronisation object has published.
#[derive(Default)]
struct SyncState {
    /// Released by exclusive unlocks, notifies, stores, closes (the `Close` of a channel).
    clock: VectorClock,
    /// Released by read unlocks of a reader-writer lock: acquired by writers only.
    readers: VectorClock,
    /// A channel's sends not received yet, oldest first.
    sends: VecDeque<VectorClock>,
    /// Whether the channel was closed (its close published `clock`).
    closed: bool,
}

/// The goroutines' clocks and the synchronisation objects' published clocks for one execution.
#[derive(Default)]
pub(crate) struct HappensBefore {
    goroutines: Vec<VectorClock>,
    /// By goroutine number: the parent's clock at the spawn, until the child starts.
    spawned: Vec<VectorClock>,
    /// By goroutine number: the clock it exited with.
    exited: Vec<VectorClock>,
    /// Per object kind, by index.
    objects: Vec<Vec<SyncState>>,
    /// Per object kind, by index: whether the object is internal.
    internal: Vec<Vec<bool>>,
}

fn slot<T: Default>(v: &mut Vec<T>, i: usize) -> &mut T {
    if v.len() <= i {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

impl HappensBefore {
    /// Starts over for an execution whose internal objects are `internal`, keeping allocations.
    pub fn reset(&mut self, internal: &[ObjectId]) {
        self.goroutines.clear();
        self.spawned.clear();
        self.exited.clear();
        for per_kind in &mut self.objects {
            per_kind.clear();
        }
        for per_kind in &mut self.internal {
            per_kind.clear();
        }
        for id in internal {
            *slot(
                slot(&mut self.internal, id.kind as usize),
                id.index as usize,
            ) = true;
        }
    }

    /// Goroutine `g`'s clock (its own entry starts at 1, so its first epoch is never zero).
    #[inline]
    pub fn clock(&mut self, g: u32) -> &VectorClock {
        self.clock_mut(g)
    }

    fn clock_mut(&mut self, g: u32) -> &mut VectorClock {
        let c = slot(&mut self.goroutines, g as usize);
        if c.get(g) == 0 {
            c.set(g, 1);
        }
        c
    }

    fn is_internal(&self, id: ObjectId) -> bool {
        self.internal
            .get(id.kind as usize)
            .and_then(|v| v.get(id.index as usize))
            .copied()
            .unwrap_or(false)
    }

    /// Applies one synchronising access (data accesses and internal objects change nothing).
    pub fn apply(&mut self, a: &StepAccess) {
        let id = a.access.object;
        if id.kind.is_data() || self.is_internal(id) {
            return;
        }
        let g = a.goroutine;
        if id.kind == ObjectKind::Goroutine {
            self.lifecycle(g, id.index, a.access.kind);
            return;
        }
        let mut mine = std::mem::take(self.clock_mut(g));
        let state = slot(slot(&mut self.objects, id.kind as usize), id.index as usize);
        let released = sync_step(id.kind, a.access.kind, &mut mine, state);
        if released {
            mine.tick(g);
        }
        self.goroutines[g as usize] = mine;
    }

    fn lifecycle(&mut self, g: u32, child: u32, kind: AccessKind) {
        match kind {
            AccessKind::Spawn => {
                let parent = self.clock_mut(g).clone();
                slot(&mut self.spawned, child as usize).assign(&parent);
                self.clock_mut(g).tick(g);
            }
            AccessKind::Start => {
                let from = std::mem::take(slot(&mut self.spawned, child as usize));
                self.clock_mut(child).join(&from);
            }
            AccessKind::Exit => {
                let mine = self.clock_mut(child).clone();
                slot(&mut self.exited, child as usize).assign(&mine);
            }
            AccessKind::Join => {
                let from = slot(&mut self.exited, child as usize).clone();
                self.clock_mut(g).join(&from);
            }
            _ => {}
        }
    }
}

/// One access to a synchronisation object: joins what it acquires into `mine` and publishes
/// what it releases into `state`; true when it released (the goroutine's clock then ticks).
fn sync_step(
    object: ObjectKind,
    kind: AccessKind,
    mine: &mut VectorClock,
    state: &mut SyncState,
) -> bool {
    use AccessKind as A;
    use ObjectKind as O;
    match (object, kind) {
        (O::Mutex, A::Lock) | (O::Condvar | O::WaitGroup, A::Woken) | (O::Once, A::Read) => {
            mine.join(&state.clock);
            false
        }
        (O::Mutex, A::Unlock) | (O::Condvar | O::WaitGroup, A::Notify) | (O::Once, A::Write) => {
            state.clock.join(mine);
            true
        }
        (O::RwLock, A::Lock) => {
            mine.join(&state.clock);
            mine.join(&state.readers);
            false
        }
        (O::RwLock, A::ReadLock) => {
            mine.join(&state.clock);
            false
        }
        (O::RwLock, A::Unlock) => {
            state.clock.join(mine);
            true
        }
        (O::RwLock, A::ReadUnlock) => {
            state.readers.join(mine);
            true
        }
        (O::Atomic, A::Read) => {
            mine.join(&state.clock);
            false
        }
        (O::Atomic, A::Write) => {
            state.clock.assign(mine);
            true
        }
        (O::Atomic, A::Update) => {
            mine.join(&state.clock);
            state.clock.join(mine);
            true
        }
        (O::Channel, A::Send) => {
            state.sends.push_back(mine.clone());
            true
        }
        (O::Channel, A::Close) => {
            state.clock.join(mine);
            state.closed = true;
            true
        }
        (O::Channel, A::Receive) => {
            match state.sends.pop_front() {
                Some(sent) => mine.join(&sent),
                None if state.closed => mine.join(&state.clock),
                None => {}
            }
            false
        }
        _ => false,
    }
}
