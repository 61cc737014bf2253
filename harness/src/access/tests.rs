//! Tests of the object/access record: the conflict relation, ids, and what strategies see.

mod record {
    use super::super::*;

    fn id(kind: ObjectKind, index: u32) -> ObjectId {
        ObjectId { kind, index }
    }

    #[test]
    fn conflicts_need_one_object_and_one_exclusive_access() {
        let m0 = id(ObjectKind::Map, 0);
        let m1 = id(ObjectKind::Map, 1);
        let a = |object, kind| Access { object, kind };
        assert!(!a(m0, AccessKind::Read).conflicts(&a(m0, AccessKind::Read)));
        assert!(a(m0, AccessKind::Read).conflicts(&a(m0, AccessKind::Write)));
        assert!(a(m0, AccessKind::Write).conflicts(&a(m0, AccessKind::Write)));
        assert!(!a(m0, AccessKind::Write).conflicts(&a(m1, AccessKind::Write)));
        let l = id(ObjectKind::RwLock, 0);
        assert!(!a(l, AccessKind::ReadLock).conflicts(&a(l, AccessKind::ReadLock)));
        assert!(a(l, AccessKind::ReadLock).conflicts(&a(l, AccessKind::Lock)));
        let mx = id(ObjectKind::Mutex, 0);
        assert!(a(mx, AccessKind::Lock).conflicts(&a(mx, AccessKind::Lock)));
        assert!(a(mx, AccessKind::Unlock).conflicts(&a(mx, AccessKind::Lock)));
    }

    #[test]
    fn ids_are_given_in_first_touch_order_per_kind_and_per_execution() {
        let mut r = Record::idle();
        r.reset(false, false, true);
        let (a, b, c) = (
            Object::new(ObjectKind::Mutex),
            Object::new(ObjectKind::Mutex),
            Object::new(ObjectKind::Map),
        );
        assert_eq!(b.id_in(&mut r), id(ObjectKind::Mutex, 0));
        assert_eq!(c.id_in(&mut r), id(ObjectKind::Map, 0));
        assert_eq!(a.id_in(&mut r), id(ObjectKind::Mutex, 1));
        assert_eq!(
            b.id_in(&mut r),
            id(ObjectKind::Mutex, 0),
            "stable within an execution"
        );
        r.reset(false, false, true);
        assert_eq!(
            a.id_in(&mut r),
            id(ObjectKind::Mutex, 0),
            "renumbered in the next"
        );
        assert_eq!(
            a.clone().id_in(&mut r),
            id(ObjectKind::Mutex, 1),
            "a clone is new"
        );
    }

    #[test]
    fn display_names_object_and_access() {
        let s = StepAccess {
            step: 4,
            goroutine: 2,
            access: Access {
                object: id(ObjectKind::Map, 1),
                kind: AccessKind::Write,
            },
        };
        assert_eq!(s.to_string(), "4 g2 write map#1");
    }
}

/// The record as the engine keeps it, seen from a strategy's side.
mod engine {
    use super::super::*;
    use crate::engine::{Engine, Finished};
    use crate::strategy::{Decision, Schedule};
    use crate::{go, preempt_access, Op, Point};
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::Arc;

    const TOUCH: Point = Point::new(Op::User("touch"), "before access");

    /// A decision as the test strategy saw it: step, choice, pending access per runnable.
    type Seen = (u64, usize, Vec<Option<Access>>);

    /// Runs the lowest-numbered runnable goroutine, noting what was pending at each decision.
    struct Lowest {
        runs: u32,
        seen: Rc<RefCell<Vec<Seen>>>,
    }

    impl Schedule for Lowest {
        fn begin(&mut self) -> Option<u64> {
            self.runs += 1;
            (self.runs == 1).then_some(0)
        }
        fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
            let pending = d.runnable.iter().map(|&g| d.pending.of(g)).collect();
            self.seen
                .borrow_mut()
                .push((d.step, d.runnable[0], pending));
            Ok(d.runnable[0])
        }
        fn wants_accesses(&self) -> bool {
            true
        }
    }

    #[test]
    fn strategies_see_pending_accesses_and_the_log_places_them_at_the_chosen_step() {
        let seen = Rc::default();
        let log: Rc<RefCell<Vec<StepAccess>>> = Rc::default();
        let on_finish = {
            let log = Rc::clone(&log);
            Box::new(move |done: Finished<'_>| {
                *log.borrow_mut() = done.accesses();
                false
            }) as Box<dyn FnMut(Finished<'_>) -> bool>
        };
        let strategy = Lowest {
            runs: 0,
            seen: Rc::clone(&seen),
        };
        let engine = Rc::new(RefCell::new(Engine::new(
            Box::new(strategy),
            false,
            1_000,
            on_finish,
        )));
        let body: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {
            let shared = Arc::new(Object::named(ObjectKind::Resource, "shared"));
            let s = Arc::clone(&shared);
            let h = go("writer", move || {
                preempt_access(TOUCH, &s, AccessKind::Write)
            });
            preempt_access(TOUCH, &shared, AccessKind::Read);
            h.join();
        });
        crate::explorer::drive(&engine, &body);
        let log = log.borrow();
        let resource = |kind| Access {
            object: ObjectId {
                kind: ObjectKind::Resource,
                index: 0,
            },
            kind,
        };
        // main reads first (it is the lowest runnable), and declared its read before the
        // decision that let it perform it.
        let read = log
            .iter()
            .find(|a| a.access == resource(AccessKind::Read))
            .expect("main's read is logged");
        assert_eq!(read.goroutine, 0);
        let seen = seen.borrow();
        let (step, chosen, pending) = seen
            .iter()
            .find(|(step, _, _)| step + 1 == read.step)
            .expect("a decision precedes the read");
        assert_eq!(*chosen, 0, "decision {step} let main run");
        assert_eq!(pending[0], Some(resource(AccessKind::Read)));
        // The writer's access is logged too, by goroutine 1, after its start; the spawn and the
        // join name it as their object.
        let write = log
            .iter()
            .position(|a| a.access == resource(AccessKind::Write))
            .expect("the writer's write is logged");
        assert_eq!(log[write].goroutine, 1);
        let g1 = |kind| Access {
            object: ObjectId {
                kind: ObjectKind::Goroutine,
                index: 1,
            },
            kind,
        };
        let pos = |a: Access| log.iter().position(|x| x.access == a).expect("logged");
        assert!(pos(g1(AccessKind::Spawn)) < pos(g1(AccessKind::Start)));
        assert!(pos(g1(AccessKind::Start)) < write);
        assert!(write < pos(g1(AccessKind::Exit)));
        assert!(pos(g1(AccessKind::Exit)) < pos(g1(AccessKind::Join)));
        // Steps never go backwards in the log.
        assert!(log.windows(2).all(|w| w[0].step <= w[1].step));
    }
}
