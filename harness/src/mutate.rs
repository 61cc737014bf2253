//! Mutation testing of synchronisation: which locks, channels, wait groups and atomics an
//! execution synchronises through, so that each can be dropped in turn
//! ([`crate::Explorer::without_sync`]) and the exploration checked to notice (a data race, a
//! fatal, a wrong result). A synchronisation whose loss nothing notices is either redundant or
//! not covered by the checks.
//!
//! A mutant is the program with one object switched off ([`sync_disabled`] says what each kind
//! of object does then): it orders nothing for the race detector, and a lock or once that can
//! be removed from the program is, so that the executions are those of the program without it.
//! What must stay for the program to run at all (a channel's values and blocking, a wait
//! group's wait, an atomic's value) stays; only its happens-before edges go.
//!
//! Objects are named by their [`ObjectId`] in each execution: the kind and first-touch index.
//! An object first touched in the same order in every schedule (made and used before the
//! goroutines it is shared with start, or by one goroutine) is the same object in every
//! execution of the mutant; one that goroutines race to touch first is not, and its mutant
//! switches off whichever object of its kind came first.

use crate::access::{Object, ObjectId, ObjectKind};
use crate::engine::{Engine, Finished};
use crate::record;
use crate::strategy::{self, Strategy};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

/// Whether `object` is switched off in the running execution (a mutant: see
/// [`crate::Explorer::without_sync`]). False outside an execution and in every execution that
/// is not a mutant's. What a switched-off object does is up to it:
///
/// - [`crate::sync::Mutex`] and [`crate::sync::RwLock`] over zero-sized data (Go's mutexes
///   hold none: `Mutex<()>`) neither exclude nor order: lock and unlock are plain scheduling
///   points. Over Rust data they keep excluding (two holders would alias the data) and only
///   order nothing.
/// - A once (Go's `sync.Once` in the scenarios' runtime) becomes the lazy initialisation it
///   replaces, `if !done { f(); done = true }` with nothing ordering the flag: every caller
///   that arrives before the first `f` finished runs `f` too, and a caller that sees the flag
///   set returns without being ordered after `f`.
/// - Channels, wait groups, condition variables and atomics keep their values and blocking
///   (without them the program cannot run: a receive needs its value, `Wait` its count) and
///   order nothing.
///
/// A runtime asks this at the operation that first touches the object (its id is given
/// then), as the harness's own locks do.
pub fn sync_disabled(object: &Object) -> bool {
    record::with(|r| {
        if !r.active || r.disabled.is_empty() {
            return false;
        }
        let id = object.id_in(r);
        r.disabled.contains(&id)
    })
}

/// The synchronisation objects (mutexes, rwlocks, condvars, channels, atomics, wait groups,
/// onces; not the internal ones of a runtime nor a library's, not goroutines) that the first `executions`
/// random executions of `body` (seed 0) touch, in id order: the mutants to try.
pub fn sync_objects<F>(executions: u64, body: F) -> Vec<ObjectId>
where
    F: Fn() + Send + Sync + 'static,
{
    let seen: Rc<RefCell<BTreeSet<ObjectId>>> = Rc::default();
    let left = Rc::new(RefCell::new(executions.max(1)));
    let on_finish = {
        let (seen, left) = (Rc::clone(&seen), Rc::clone(&left));
        Box::new(move |_: Finished<'_>| {
            record::with(|r| {
                let mut seen = seen.borrow_mut();
                for a in &r.access_log {
                    let id = a.access.object;
                    if !id.kind.is_data()
                        && id.kind != ObjectKind::Goroutine
                        && !r.internal.contains(&id)
                        && !r.library.contains(&id)
                    {
                        seen.insert(id);
                    }
                }
            });
            let mut left = left.borrow_mut();
            *left -= 1;
            *left > 0
        }) as Box<dyn FnMut(Finished<'_>) -> bool>
    };
    let mut engine = Engine::new(
        strategy::build(&Strategy::Random, 0),
        false,
        100_000,
        on_finish,
    );
    engine.accesses = true;
    let engine = Rc::new(RefCell::new(engine));
    crate::explorer::drive(&engine, &(Arc::new(body) as Arc<dyn Fn() + Send + Sync>));
    let out = seen.borrow().iter().copied().collect();
    out
}
