//! Mutation testing of synchronisation: which locks, channels, wait groups and atomics an
//! execution synchronises through, so that each can be dropped in turn
//! ([`crate::Explorer::without_sync`]) and the exploration checked to notice (a data race, a
//! fatal, a wrong result). A synchronisation whose loss nothing notices is either redundant or
//! not covered by the checks.
//!
//! The mutant is a happens-before mutant: the object still excludes and blocks as before, but
//! orders nothing for the race detector, which is what `go test -race` would see of code with
//! that synchronisation missing, in the schedules where the missing exclusion changed nothing.

use crate::access::{ObjectId, ObjectKind};
use crate::engine::{Engine, Finished};
use crate::record;
use crate::strategy::{self, Strategy};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

/// The synchronisation objects (mutexes, rwlocks, condvars, channels, atomics, wait groups,
/// onces; not the internal ones of a runtime, not goroutines) that the first `executions`
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
