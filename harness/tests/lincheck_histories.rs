//! The linearizability checker on hand-made histories (overlapping and pending operations), and
//! its P-compositional and whole-history searches agreeing on generated ones.

mod lincheck_common;

use lincheck_common::{Kv, KvOp};
use maprace_harness::lincheck::proptest::prelude::*;
use maprace_harness::lincheck::Sequential;
use maprace_harness::lincheck::{check_history, check_partitioned, check_whole, explain, History};

const KV: Kv = Kv {
    racy: false,
    with_size: true,
};

fn linearizable(h: &History<KvOp, Option<u8>>) -> bool {
    let whole = check_whole(&KV, h).is_ok();
    assert_eq!(
        whole,
        check_partitioned(&KV, h).is_ok(),
        "the two searches disagree"
    );
    whole
}

#[test]
fn sequential_histories_follow_the_spec() {
    let mut h = History::new();
    let a = h.invoke("G1", KvOp::Put(1, 5));
    h.respond(a, None);
    let b = h.invoke("G2", KvOp::Get(1));
    h.respond(b, Some(5));
    assert!(linearizable(&h));

    let mut h = History::new();
    let a = h.invoke("G1", KvOp::Put(1, 5));
    h.respond(a, None);
    let b = h.invoke("G2", KvOp::Get(1));
    h.respond(b, None);
    let v = check_history(&KV, &h).unwrap_err();
    assert_eq!(v.operation, b);
    assert_eq!(v.expected, Some(5));
    assert_eq!(
        explain(&h, &v),
        "get(1) in G2 returned None after put(1, 5) in G1 completed and nothing overlapped it; \
         after the longest linearization found (put(1, 5)) it returns Some(5)"
    );
}

#[test]
fn overlapping_operations_may_take_effect_in_either_order() {
    for seen in [None, Some(5)] {
        let mut h = History::new();
        let w = h.invoke("G1", KvOp::Put(1, 5));
        let r = h.invoke("G2", KvOp::Get(1));
        h.respond(r, seen);
        h.respond(w, None);
        assert!(linearizable(&h), "get overlapping put returning {seen:?}");
    }
}

#[test]
fn a_read_cannot_see_an_older_value_than_a_read_before_it() {
    // G2's first get sees the put; its second, still overlapping the put, sees the old value.
    let mut h = History::new();
    let w = h.invoke("G1", KvOp::Put(1, 5));
    let r1 = h.invoke("G2", KvOp::Get(1));
    h.respond(r1, Some(5));
    let r2 = h.invoke("G2", KvOp::Get(1));
    h.respond(r2, None);
    h.respond(w, None);
    assert!(!linearizable(&h));
    let v = check_history(&KV, &h).unwrap_err();
    assert_eq!(v.operation, r2);
}

#[test]
fn two_puts_cannot_both_see_the_key_absent() {
    // A lost update: each put returned the value before, and both saw none.
    let mut h = History::new();
    let a = h.invoke("G1", KvOp::Put(0, 1));
    let b = h.invoke("G2", KvOp::Put(0, 2));
    h.respond(a, None);
    h.respond(b, None);
    assert!(!linearizable(&h));
    // One after the other they are fine.
    let mut h = History::new();
    let a = h.invoke("G1", KvOp::Put(0, 1));
    let b = h.invoke("G2", KvOp::Put(0, 2));
    h.respond(a, None);
    h.respond(b, Some(1));
    assert!(linearizable(&h));
}

#[test]
fn pending_operations_may_or_may_not_have_taken_effect() {
    // A put still pending at the end: a get may see it, or not.
    for seen in [None, Some(7)] {
        let mut h = History::new();
        h.invoke("G1", KvOp::Put(2, 7));
        let r = h.invoke("G2", KvOp::Get(2));
        h.respond(r, seen);
        assert!(
            linearizable(&h),
            "get returning {seen:?} beside a pending put"
        );
    }
    // But not before it was invoked.
    let mut h = History::new();
    let r = h.invoke("G2", KvOp::Get(2));
    h.respond(r, Some(7));
    h.invoke("G1", KvOp::Put(2, 7));
    assert!(!linearizable(&h));
    // A pending operation's (missing) result constrains nothing.
    let mut h: History<KvOp, Option<u8>> = History::new();
    h.invoke("G1", KvOp::Get(2));
    h.invoke("G2", KvOp::Size);
    assert!(linearizable(&h));
}

#[test]
fn operations_on_the_whole_state_are_checked_with_the_rest() {
    // size() saw two keys while only one put had been invoked: no partition alone shows it.
    let mut h = History::new();
    let a = h.invoke("G1", KvOp::Put(0, 1));
    h.respond(a, None);
    let s = h.invoke("G2", KvOp::Size);
    h.respond(s, Some(2));
    let b = h.invoke("G1", KvOp::Put(1, 1));
    h.respond(b, None);
    assert!(!linearizable(&h));
    assert_eq!(check_history(&KV, &h).unwrap_err().operation, s);
}

/// One generated operation: its goroutine-free timing (call, linearization point, return as
/// offsets), whether it stays pending, and whether its result is tampered with.
#[derive(Clone, Debug)]
struct Timed {
    op: KvOp,
    call: u32,
    lin: u32,
    len: u32,
    pending: bool,
    tamper: bool,
}

fn timed() -> impl Strategy<Value = Timed> {
    (
        prop_oneof![
            (0u8..3, 0u8..3).prop_map(|(k, v)| KvOp::Put(k, v)),
            (0u8..3).prop_map(KvOp::Get),
            Just(KvOp::Size),
        ],
        0u32..40,
        0u32..10,
        0u32..10,
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(op, call, a, b, pending, tamper)| Timed {
            op,
            call,
            lin: a.min(b),
            len: a.max(b),
            pending,
            tamper,
        })
}

/// A history whose results come from applying the operations in the order of their
/// linearization points (so it is linearizable unless a result was tampered with).
fn history_of(ops: &[Timed], size: bool) -> (History<KvOp, Option<u8>>, bool) {
    let ops: Vec<&Timed> = ops.iter().filter(|t| size || t.op != KvOp::Size).collect();
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| (ops[i].call * 4 + ops[i].lin * 4 + 1, i));
    let mut state = KV.init();
    let mut results = vec![None; ops.len()];
    let mut tampered = false;
    for &i in &order {
        let mut r = KV.step(&mut state, &ops[i].op);
        if ops[i].tamper && !ops[i].pending {
            r = Some(r.map_or(9, |v| v.wrapping_add(1)));
            tampered = true;
        }
        results[i] = r;
    }
    // Events at 4t (invoke) and 4t+2 (respond), linearization points at 4t+1 in between.
    let mut events: Vec<(u32, usize, bool)> = Vec::new();
    for (i, t) in ops.iter().enumerate() {
        events.push((t.call * 4, i, false));
        if !t.pending {
            events.push(((t.call + t.len) * 4 + 2, i, true));
        }
    }
    events.sort();
    let mut h = History::new();
    let mut index = vec![0; ops.len()];
    for (_, i, respond) in events {
        if respond {
            h.respond(index[i], results[i]);
        } else {
            index[i] = h.invoke(format!("G{i}"), ops[i].op.clone());
        }
    }
    (h, tampered)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn partitioned_and_whole_history_checks_agree(ops in prop::collection::vec(timed(), 0..14)) {
        for size in [false, true] {
            let (h, tampered) = history_of(&ops, size);
            let whole = check_whole(&KV, &h);
            let parts = check_partitioned(&KV, &h);
            prop_assert_eq!(whole.is_ok(), parts.is_ok(), "{:?}", h);
            if !tampered {
                prop_assert!(whole.is_ok(), "an untampered history is linearizable: {:?}", h);
            }
        }
    }
}

#[test]
fn generated_histories_are_of_both_kinds() {
    // The agreement above means something only if both verdicts are common.
    use maprace_harness::lincheck::proptest::strategy::ValueTree;
    use maprace_harness::lincheck::proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = prop::collection::vec(timed(), 0..14);
    let (mut ok, mut not) = (0, 0);
    for _ in 0..200 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        let (h, _) = history_of(&ops, true);
        if check_whole(&KV, &h).is_ok() {
            ok += 1;
        } else {
            not += 1;
        }
    }
    assert!(ok >= 40 && not >= 40, "linearizable {ok}, not {not}");
}
