//! The Go-like runtime's semantics, checked over every schedule (DFS) or many random ones.

use maprace_harness::sync::{Arc, AtomicU32, Mutex, Ordering};
use maprace_harness::{fail, Exploration, Explorer, FailureKind, Strategy};
use maprace_scenarios::runtime::context::{self, CANCELED};
use maprace_scenarios::runtime::{
    go, go_deferring, with_defers, Chan, Clock, Once, TryRecv, WaitGroup,
};
use std::time::Duration;

fn dfs(name: &str, body: impl Fn() + Send + Sync + 'static) -> Exploration {
    let e = Explorer::new(format!("runtime/{name}"))
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(100_000)
        .run(body);
    assert!(
        e.exhausted,
        "{name}: DFS did not exhaust in {} executions",
        e.executions
    );
    e
}

fn random(name: &str, body: impl Fn() + Send + Sync + 'static) -> Exploration {
    Explorer::new(format!("runtime/{name}"))
        .iterations(2_000)
        .run(body)
}

fn kinds(e: &Exploration) -> Vec<String> {
    e.failures
        .iter()
        .map(|f| f.failure.kind.as_str().to_string())
        .collect()
}

fn messages(e: &Exploration) -> Vec<String> {
    e.failures
        .iter()
        .map(|f| f.failure.message.clone())
        .collect()
}

#[test]
fn once_runs_its_function_once_and_callers_wait_for_it() {
    let e = dfs("once", || {
        let once = Arc::new(Once::new());
        let runs = Arc::new(AtomicU32::new(0));
        let callers: Vec<_> = (0..2)
            .map(|_| {
                let (once, runs) = (Arc::clone(&once), Arc::clone(&runs));
                go("", move || {
                    once.call_once(|| {
                        runs.fetch_add(1, Ordering::SeqCst);
                    });
                    // Do returned: the function has run to completion, whoever ran it.
                    if runs.load(Ordering::SeqCst) != 1 {
                        fail(FailureKind::WRONG_RESULT, "Do returned before f had run");
                    }
                })
            })
            .collect();
        for c in callers {
            c.join();
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn waitgroup_wait_returns_after_every_done() {
    let e = dfs("waitgroup", || {
        let wg = Arc::new(WaitGroup::new());
        let n = Arc::new(AtomicU32::new(0));
        wg.add(2);
        for _ in 0..2 {
            let (wg, n) = (Arc::clone(&wg), Arc::clone(&n));
            go("", move || {
                n.fetch_add(1, Ordering::SeqCst);
                wg.done();
            });
        }
        wg.wait();
        if n.load(Ordering::SeqCst) != 2 {
            fail(FailureKind::WRONG_RESULT, "Wait returned early");
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn waitgroup_negative_counter_panics() {
    let e = random("waitgroup-negative", || WaitGroup::new().done());
    assert_eq!(messages(&e), ["sync: negative WaitGroup counter"]);
}

#[test]
fn unbuffered_send_is_a_rendezvous() {
    let e = dfs("chan-unbuffered", || {
        let ch = Chan::new(0);
        let received = Arc::new(AtomicU32::new(0));
        let (c, r) = (ch.clone(), Arc::clone(&received));
        let h = go("receiver", move || {
            let v = c.recv();
            r.store(v.unwrap_or(0), Ordering::SeqCst);
        });
        ch.send(7u32);
        // An unbuffered send returns only once the value was taken.
        if received.load(Ordering::SeqCst) != 7 && !matches!(ch.try_recv(), TryRecv::Empty) {
            fail(FailureKind::WRONG_RESULT, "value still in the channel");
        }
        h.join();
        if received.load(Ordering::SeqCst) != 7 {
            fail(FailureKind::WRONG_RESULT, "value lost");
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn buffered_channel_keeps_order_and_close_drains() {
    let e = dfs("chan-buffered", || {
        let ch = Chan::new(2);
        let c = ch.clone();
        let h = go("sender", move || {
            for i in 1..=3u32 {
                c.send(i);
            }
            c.close();
        });
        let mut got = Vec::new();
        while let Some(v) = ch.recv() {
            got.push(v);
        }
        h.join();
        if got != [1, 2, 3] {
            fail(FailureKind::WRONG_RESULT, format!("received {got:?}"));
        }
        if ch.try_recv() != TryRecv::Closed {
            fail(
                FailureKind::WRONG_RESULT,
                "closed channel not reported closed",
            );
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn send_on_closed_channel_panics_with_gos_message() {
    let e = random("chan-send-closed", || {
        let ch = Chan::new(1);
        ch.close();
        ch.send(1u8);
    });
    assert_eq!(kinds(&e), ["panic"]);
    assert_eq!(messages(&e), ["send on closed channel"]);
}

#[test]
fn goroutine_blocked_on_a_channel_after_main_returns_is_a_leak() {
    let e = random("chan-leak", || {
        let ch: Chan<u8> = Chan::new(0);
        go("waiter", move || {
            let _ = ch.recv();
        });
    });
    assert_eq!(kinds(&e), ["goroutine-leak"]);
    assert!(messages(&e)[0].contains("waiter"), "{:?}", messages(&e));
}

#[test]
fn cancel_closes_done_for_the_context_and_its_children() {
    let e = dfs("context-cancel", || {
        let (parent, cancel) = context::with_cancel(&context::background());
        let with_value = context::with_value(&parent, "k", Arc::new(1u8));
        let (child, _child_cancel) = context::with_cancel(&with_value);
        let c = child.clone();
        let h = go("worker", move || {
            let _ = c.done().recv();
            c.err()
        });
        if child.is_done() {
            fail(FailureKind::WRONG_RESULT, "child done before cancel");
        }
        cancel.cancel();
        cancel.cancel(); // a second call does nothing
        if !parent.is_done() || !child.is_done() || !with_value.is_done() {
            fail(
                FailureKind::WRONG_RESULT,
                "cancel did not reach every descendant",
            );
        }
        if h.join() != Some(CANCELED) {
            fail(FailureKind::WRONG_RESULT, "worker saw no error");
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn child_of_a_cancelled_context_starts_cancelled_and_background_never_is() {
    let e = random("context-late-child", || {
        let bg = context::background();
        let (parent, cancel) = context::with_cancel(&bg);
        cancel.cancel();
        let (child, _) = context::with_cancel(&parent);
        if !child.is_done() || child.err() != Some(CANCELED) {
            fail(FailureKind::WRONG_RESULT, "late child not cancelled");
        }
        if bg.is_done() || bg.err().is_some() {
            fail(FailureKind::WRONG_RESULT, "background cancelled");
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn with_value_shares_the_reference_and_the_nearest_key_wins() {
    let e = random("context-value", || {
        let shared = Arc::new(Mutex::new(Vec::<u32>::new()));
        let ctx = context::with_value(&context::background(), "attrs", Arc::clone(&shared));
        let (ctx, _cancel) = context::with_cancel(&ctx);
        let inner = context::with_value(&ctx, "n", Arc::new(1u32));
        let inner = context::with_value(&inner, "n", Arc::new(2u32));
        let got: Arc<Mutex<Vec<u32>>> = inner.value("attrs").expect("value found");
        got.lock().push(5);
        if *shared.lock() != [5] || !Arc::ptr_eq(&got, &shared) {
            fail(FailureKind::WRONG_RESULT, "value was copied");
        }
        if inner.value::<u32>("n").as_deref() != Some(&2) {
            fail(FailureKind::WRONG_RESULT, "nearest value not found first");
        }
        if inner.value::<String>("n").is_some() || inner.value::<u32>("missing").is_some() {
            fail(FailureKind::WRONG_RESULT, "wrong type or key matched");
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn callbacks_run_once_the_clock_reaches_their_deadline() {
    let e = dfs("time-after-func", || {
        let clock = Clock::new();
        let fired = Arc::new(Mutex::new(Vec::new()));
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        for (name, ms) in [("short", 10u64), ("long", 20)] {
            let (fired, wg, clock2) = (Arc::clone(&fired), Arc::clone(&wg), clock.clone());
            clock.after_func(name, Duration::from_millis(ms), move || {
                fired.lock().push((ms, clock2.now()));
                wg.done();
            });
        }
        wg.wait();
        let got = fired.lock().clone();
        if got.len() != 2 {
            fail(FailureKind::WRONG_RESULT, format!("fired {got:?}"));
        }
        for (ms, at) in got {
            if at < Duration::from_millis(ms) {
                fail(
                    FailureKind::WRONG_RESULT,
                    format!("{ms} ms timer ran at {at:?}"),
                );
            }
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn sleepers_wake_no_earlier_than_their_deadline() {
    let e = dfs("time-sleep", || {
        let clock = Clock::new();
        let hs: Vec<_> = [30u64, 10]
            .into_iter()
            .map(|ms| {
                let clock = clock.clone();
                go("", move || {
                    let start = clock.now();
                    clock.sleep(Duration::from_millis(ms));
                    (start + Duration::from_millis(ms), clock.now())
                })
            })
            .collect();
        let mut last = Duration::ZERO;
        for h in hs {
            let (deadline, woke) = h.join();
            if woke < deadline {
                fail(
                    FailureKind::WRONG_RESULT,
                    format!("woke at {woke:?} before {deadline:?}"),
                );
            }
            last = last.max(deadline);
        }
        // The clock moves only to deadlines: it stops at the last one.
        if clock.now() != last {
            fail(
                FailureKind::WRONG_RESULT,
                format!("clock at {:?}, last deadline {last:?}", clock.now()),
            );
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn a_shorter_timer_armed_first_never_fires_after_a_longer_one() {
    let e = dfs("time-fire-order", || {
        let clock = Clock::new();
        let short = clock.after_func("short", Duration::from_millis(5), || {});
        let long = clock.after_func("long", Duration::from_millis(6), || {});
        // Whenever the longer timer has fired, the shorter one has fired too.
        let long_fired = !long.stop();
        let short_fired = !short.stop();
        if long_fired && !short_fired {
            fail(FailureKind::WRONG_RESULT, "the longer timer fired first");
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
    // And the exploration did reach schedules where the timers fired.
    let fired = dfs("time-fire-order-reached", || {
        let clock = Clock::new();
        let _short = clock.after_func("short", Duration::from_millis(5), || {});
        let long = clock.after_func("long", Duration::from_millis(6), || {});
        if !long.stop() {
            fail(FailureKind::WRONG_RESULT, "long fired");
        }
    });
    assert_eq!(messages(&fired), ["long fired"]);
}

#[test]
fn stopped_timer_never_fires_and_stop_reports_it() {
    let e = dfs("time-stop", || {
        let clock = Clock::new();
        let ran = Arc::new(AtomicU32::new(0));
        let r = Arc::clone(&ran);
        let t = clock.after_func("cb", Duration::from_millis(1), move || {
            r.fetch_add(1, Ordering::SeqCst);
        });
        let stopped = t.stop();
        clock.sleep(Duration::from_millis(5));
        if stopped && ran.load(Ordering::SeqCst) != 0 {
            fail(FailureKind::WRONG_RESULT, "stopped timer fired");
        }
        if t.stop() {
            fail(FailureKind::WRONG_RESULT, "second stop succeeded");
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn timer_can_fire_before_or_after_stop() {
    // Both outcomes of the race between `Stop` and the timer are reachable.
    let e = dfs("time-stop-race", || {
        let clock = Clock::new();
        let t = clock.after_func("cb", Duration::from_millis(1), || {});
        if !t.stop() {
            fail(FailureKind::WRONG_RESULT, "timer fired first");
        }
    });
    assert_eq!(messages(&e), ["timer fired first"]);
    assert!(e.executions > 1);
}

#[test]
fn defers_run_last_first_at_goroutine_exit() {
    let e = dfs("defer-order", || {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = Arc::clone(&log);
        let h = go_deferring("worker", move |d| {
            for i in 1..=2 {
                let l = Arc::clone(&l);
                d.defer(move || l.lock().push(i));
            }
            l.lock().push(0);
        });
        h.join();
        if *log.lock() != [0, 2, 1] {
            fail(FailureKind::WRONG_RESULT, format!("order {:?}", log.lock()));
        }
    });
    assert!(e.failures.is_empty(), "{:?}", messages(&e));
}

#[test]
fn a_panic_is_reported_in_every_schedule_even_with_a_deferred_call_that_would_block() {
    use maprace_harness::{preempt, Op, Point};
    let e = dfs("defer-panic", || {
        let mu = Arc::new(Mutex::new(()));
        let m2 = Arc::clone(&mu);
        let holder = go("holder", move || {
            let _g = m2.lock();
            preempt(Point::new(Op::User("hold"), "a"));
            preempt(Point::new(Op::User("hold"), "b"));
        });
        let p = go_deferring("panicker", move |d| {
            d.defer(move || drop(mu.lock()));
            panic!("boom");
        });
        holder.join();
        p.join();
    });
    let failed: u64 = e.failures.iter().map(|f| f.count).sum();
    assert_eq!(messages(&e), ["boom"]);
    assert_eq!(failed, e.executions, "some schedule lost the panic");
}

thread_local! {
    static DEFERRED_RAN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

#[test]
fn deferred_calls_run_on_a_panic_but_not_on_a_fatal_error() {
    // Go runs a panicking goroutine's deferred calls; a runtime fatal error ends the program
    // at once. The counter is a thread-local of the exploring thread, which every goroutine
    // of an execution runs on.
    for (fatal, want) in [(false, 1), (true, 0)] {
        DEFERRED_RAN.with(|c| c.set(0));
        let e = dfs("defer-kinds", move || {
            go_deferring("worker", move |d| {
                d.defer(|| DEFERRED_RAN.with(|c| c.set(c.get() + 1)));
                if fatal {
                    maprace_harness::fatal("concurrent map writes");
                }
                panic!("boom");
            })
            .join();
        });
        assert_eq!(e.executions, 1);
        assert_eq!(e.failures.len(), 1);
        // One execution for exploring, one for the traced replay of its failure.
        assert_eq!(DEFERRED_RAN.with(|c| c.get()), want * 2, "fatal: {fatal}");
    }
}

#[test]
fn outside_an_execution_defers_run_on_return_and_on_panic() {
    use std::sync::atomic::AtomicUsize;
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let v = with_defers(|d| {
        d.defer(|| {
            RAN.fetch_add(1, Ordering::SeqCst);
        });
        41 + 1
    });
    assert_eq!((v, RAN.load(Ordering::SeqCst)), (42, 1));
    let caught = std::panic::catch_unwind(|| {
        with_defers(|d| {
            d.defer(|| {
                RAN.fetch_add(1, Ordering::SeqCst);
            });
            panic!("boom")
        })
    });
    assert!(caught.is_err());
    assert_eq!(RAN.load(Ordering::SeqCst), 2);
}
