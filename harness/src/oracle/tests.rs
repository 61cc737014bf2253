//! The detector on hand-made and generated access logs.

use super::{first_race, reference};
use crate::access::{Access, AccessKind, ObjectId, ObjectKind, StepAccess};
use proptest::prelude::*;

fn at(step: u64, goroutine: u32, kind: ObjectKind, index: u32, access: AccessKind) -> StepAccess {
    StepAccess {
        step,
        goroutine,
        access: Access {
            object: ObjectId { kind, index },
            kind: access,
        },
    }
}

/// Main spawns g1, both touch cell#0; `between` is what main does after its access and what
/// g1 does before its own (e.g. an unlock and a lock).
fn two_goroutines(between: &[(u32, ObjectKind, AccessKind)]) -> Vec<StepAccess> {
    use AccessKind as A;
    use ObjectKind as O;
    let mut log = vec![
        at(1, 0, O::Goroutine, 1, A::Spawn),
        at(2, 1, O::Goroutine, 1, A::Start),
        at(3, 0, O::Cell, 0, A::Write),
    ];
    for (i, &(g, kind, access)) in between.iter().enumerate() {
        log.push(at(4 + i as u64, g, kind, 0, access));
    }
    log.push(at(20, 1, O::Cell, 0, A::Write));
    log
}

#[test]
fn unordered_writes_race_and_the_report_names_both() {
    let log = two_goroutines(&[]);
    let race = first_race(&log, &[]).expect("a race");
    assert_eq!((race.current.step, race.current.goroutine), (20, 1));
    assert_eq!((race.previous.step, race.previous.goroutine), (3, 0));
    let message = race.message(|g| format!("G{g}"), None);
    assert_eq!(
        message,
        "WARNING: DATA RACE\nWrite at cell#0 by goroutine G1:\n  step 20\n\nPrevious write at cell#0 by goroutine G0:\n  step 3\n"
    );
}

#[test]
fn a_mutex_orders_unlock_before_lock_unless_it_is_internal() {
    use AccessKind as A;
    use ObjectKind as O;
    let log = two_goroutines(&[
        (0, O::Mutex, A::Lock),
        (0, O::Mutex, A::Unlock),
        (1, O::Mutex, A::Lock),
    ]);
    assert_eq!(first_race(&log, &[]), None);
    let mutex = ObjectId {
        kind: O::Mutex,
        index: 0,
    };
    assert!(
        first_race(&log, &[mutex]).is_some(),
        "an internal mutex orders nothing"
    );
}

#[test]
fn read_locks_do_not_order_readers_but_order_a_later_writer() {
    use AccessKind as A;
    use ObjectKind as O;
    let read_read = two_goroutines(&[(0, O::RwLock, A::ReadUnlock), (1, O::RwLock, A::ReadLock)]);
    assert!(first_race(&read_read, &[]).is_some());
    let read_write = two_goroutines(&[(0, O::RwLock, A::ReadUnlock), (1, O::RwLock, A::Lock)]);
    assert_eq!(first_race(&read_write, &[]), None);
    let write_read = two_goroutines(&[(0, O::RwLock, A::Unlock), (1, O::RwLock, A::ReadLock)]);
    assert_eq!(first_race(&write_read, &[]), None);
}

#[test]
fn atomics_order_a_load_after_the_store_it_reads_not_after_an_overwritten_one() {
    use AccessKind as A;
    use ObjectKind as O;
    let reads_it = two_goroutines(&[(0, O::Atomic, A::Write), (1, O::Atomic, A::Read)]);
    assert_eq!(first_race(&reads_it, &[]), None);
    // g2 stores after main: g1's load reads g2's store, not main's.
    let mut overwritten = two_goroutines(&[
        (0, O::Atomic, A::Write),
        (2, O::Atomic, A::Write),
        (1, O::Atomic, A::Read),
    ]);
    overwritten.insert(0, at(0, 0, O::Goroutine, 2, A::Spawn));
    assert!(first_race(&overwritten, &[]).is_some());
    let rmw = two_goroutines(&[(0, O::Atomic, A::Update), (1, O::Atomic, A::Update)]);
    assert_eq!(first_race(&rmw, &[]), None);
}

#[test]
fn a_receive_gets_its_own_send_and_a_drained_closed_channel_the_close() {
    use AccessKind as A;
    use ObjectKind as O;
    let sent = two_goroutines(&[(0, O::Channel, A::Send), (1, O::Channel, A::Receive)]);
    assert_eq!(first_race(&sent, &[]), None);
    let closed = two_goroutines(&[(0, O::Channel, A::Close), (1, O::Channel, A::Receive)]);
    assert_eq!(first_race(&closed, &[]), None);
    // g1 receives g2's earlier send, not main's later one.
    let mut other = two_goroutines(&[
        (2, O::Channel, A::Send),
        (0, O::Channel, A::Send),
        (1, O::Channel, A::Receive),
    ]);
    other.insert(0, at(0, 0, O::Goroutine, 2, A::Spawn));
    assert!(first_race(&other, &[]).is_some());
}

#[test]
fn exit_orders_before_join_and_reads_share_without_racing() {
    use AccessKind as A;
    use ObjectKind as O;
    let log = vec![
        at(1, 0, O::Goroutine, 1, A::Spawn),
        at(2, 1, O::Goroutine, 1, A::Start),
        at(3, 1, O::Map, 0, A::Write),
        at(4, 1, O::Goroutine, 1, A::Exit),
        at(5, 0, O::Goroutine, 1, A::Join),
        at(6, 0, O::Map, 0, A::Write),
        at(7, 0, O::Goroutine, 2, A::Spawn),
        at(8, 2, O::Goroutine, 2, A::Start),
        at(9, 2, O::Map, 0, A::Read),
        at(10, 0, O::Map, 0, A::Read),
    ];
    assert_eq!(first_race(&log, &[]), None);
    let mut late = log.clone();
    late.push(at(11, 0, O::Map, 0, A::Write));
    let race = first_race(&late, &[]).expect("main's write races g2's read");
    assert_eq!((race.previous.goroutine, race.previous.step), (2, 9));
}

/// A random access by one of four goroutines to a small set of objects.
fn access() -> impl Strategy<Value = (u32, ObjectKind, u32, AccessKind)> {
    use AccessKind as A;
    use ObjectKind as O;
    let kinds = prop_oneof![
        Just((O::Cell, A::Read)),
        Just((O::Cell, A::Write)),
        Just((O::Map, A::Read)),
        Just((O::Map, A::Write)),
        Just((O::Mutex, A::Lock)),
        Just((O::Mutex, A::Unlock)),
        Just((O::RwLock, A::ReadLock)),
        Just((O::RwLock, A::ReadUnlock)),
        Just((O::RwLock, A::Lock)),
        Just((O::RwLock, A::Unlock)),
        Just((O::Atomic, A::Read)),
        Just((O::Atomic, A::Write)),
        Just((O::Atomic, A::Update)),
        Just((O::Channel, A::Send)),
        Just((O::Channel, A::Receive)),
        Just((O::Channel, A::Close)),
        Just((O::Goroutine, A::Spawn)),
        Just((O::Goroutine, A::Start)),
        Just((O::Goroutine, A::Exit)),
        Just((O::Goroutine, A::Join)),
    ];
    (0..4u32, kinds, 0..2u32).prop_map(|(g, (kind, access), index)| (g, kind, index, access))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// FastTrack finds a race exactly when full vector clocks do, at the same access.
    #[test]
    fn fasttrack_agrees_with_full_vector_clocks(steps in prop::collection::vec(access(), 1..60)) {
        let log: Vec<StepAccess> = steps
            .iter()
            .enumerate()
            .map(|(i, &(g, kind, index, a))| {
                // Lifecycle accesses name a goroutine: its own for start and exit.
                let index = match a {
                    AccessKind::Start | AccessKind::Exit => g,
                    _ if kind == ObjectKind::Goroutine => (g + 1 + index) % 4,
                    _ => index,
                };
                at(i as u64, g, kind, index, a)
            })
            .collect();
        let fast = first_race(&log, &[]).map(|r| r.current);
        let full = reference::first_race(&log, &[]).map(|i| log[i]);
        prop_assert_eq!(fast, full);
    }
}
