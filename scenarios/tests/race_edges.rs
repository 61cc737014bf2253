//! The happens-before edges of the Go-like runtime, each with the edge (no race in any
//! schedule) and without it (a race in some schedule), as Go's race detector orders them.

use maprace_harness::sync::Arc;
use maprace_harness::{count_of, Class, Exploration, Explorer, FailureKind, SharedVar, Strategy};
use maprace_scenarios::runtime::context;
use maprace_scenarios::runtime::{go, Chan, Clock, Once, WaitGroup};
use std::time::Duration;

fn explore(name: &str, body: impl Fn() + Send + Sync + 'static) -> Exploration {
    let e = Explorer::new(format!("race/{name}"))
        .strategy(Strategy::Dfs {
            preemption_bound: Some(2),
        })
        .iterations(50_000)
        .run(body);
    assert!(e.exhausted, "{name}: not exhausted in {}", e.executions);
    let total: u64 = e.classes.iter().map(|c| c.count).sum();
    assert_eq!(total, e.executions, "{name}: classes add up");
    e
}

/// Whether some schedule races; any other failure fails the test.
fn races(name: &str, body: impl Fn() + Send + Sync + 'static) -> bool {
    let e = explore(name, body);
    for f in &e.failures {
        assert_eq!(
            f.failure.kind,
            FailureKind::DATA_RACE,
            "{name}: {}",
            f.failure
        );
    }
    count_of(&e.classes, Class::Race) > 0
}

type Var = Arc<SharedVar<u32>>;

fn var() -> Var {
    Arc::new(SharedVar::named("v", 0))
}

fn send_then_read(name: &str, capacity: usize, receive_first: bool) -> bool {
    races(name, move || {
        let (v, ch) = (var(), Chan::new(capacity));
        let (c, ch2) = (Arc::clone(&v), ch.clone());
        let h = go("sender", move || {
            c.set(1);
            ch2.send(());
        });
        if receive_first {
            ch.recv();
        }
        v.get();
        if !receive_first {
            ch.recv();
        }
        h.join();
    })
}

#[test]
fn a_send_orders_before_its_receive() {
    assert!(!send_then_read("send", 1, true));
    assert!(!send_then_read("send-unbuffered", 0, true));
    assert!(send_then_read("send-missing", 1, false));
}

#[test]
fn an_unbuffered_receive_orders_before_the_send_completes() {
    let run = |name: &str, unbuffered: bool| {
        races(name, move || {
            let (v, ch) = (var(), Chan::new(usize::from(!unbuffered)));
            let (c, ch2) = (Arc::clone(&v), ch.clone());
            let h = go("receiver", move || {
                c.set(1);
                ch2.recv();
            });
            ch.send(());
            v.get();
            h.join();
        })
    };
    assert!(!run("rendezvous", true));
    assert!(
        run("rendezvous-buffered", false),
        "a buffered send does not wait"
    );
}

/// Every schedule races: one goroutine writes before its operation, the other after its own,
/// and the channel's (or wait group's) internal lock, which does order the two operations,
/// must not hide that.
fn races_in_every_schedule(name: &str, body: impl Fn() + Send + Sync + 'static) {
    let e = explore(name, body);
    assert_eq!(count_of(&e.classes, Class::Race), e.executions, "{name}");
}

#[test]
fn two_senders_are_not_ordered_by_the_channel() {
    races_in_every_schedule("two-senders", || {
        let (v, ch) = (var(), Chan::new(2));
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let (c, ch) = (Arc::clone(&v), ch.clone());
                go("", move || {
                    if i == 0 {
                        c.set(i);
                        ch.send(());
                    } else {
                        ch.send(());
                        c.set(i);
                    }
                })
            })
            .collect();
        ch.recv();
        ch.recv();
        for h in hs {
            h.join();
        }
    });
}

#[test]
fn a_close_orders_before_the_receive_that_sees_it() {
    let run = |name: &str, wait: bool| {
        races(name, move || {
            let (v, ch) = (var(), Chan::<()>::new(0));
            let (c, ch2) = (Arc::clone(&v), ch.clone());
            let h = go("closer", move || {
                c.set(1);
                ch2.close();
            });
            if wait {
                assert_eq!(ch.recv(), None);
            }
            v.get();
            h.join();
        })
    };
    assert!(!run("close", true));
    assert!(run("close-missing", false));
}

fn wait_group(name: &str, wait: bool) -> bool {
    races(name, move || {
        let (v, wg) = (var(), Arc::new(WaitGroup::new()));
        wg.add(2);
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let (c, wg) = (Arc::clone(&v), Arc::clone(&wg));
                go("", move || {
                    if i == 0 {
                        c.set(1);
                    }
                    wg.done();
                })
            })
            .collect();
        if wait {
            wg.wait();
        }
        v.get();
        for h in hs {
            h.join();
        }
    })
}

#[test]
fn done_orders_before_wait_returns() {
    assert!(!wait_group("waitgroup", true));
    assert!(wait_group("waitgroup-missing", false));
}

#[test]
fn two_dones_are_not_ordered_by_the_wait_group() {
    races_in_every_schedule("waitgroup-dones", || {
        let (v, wg) = (var(), Arc::new(WaitGroup::new()));
        wg.add(2);
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let (c, wg) = (Arc::clone(&v), Arc::clone(&wg));
                go("", move || {
                    if i == 0 {
                        c.set(i);
                        wg.done();
                    } else {
                        wg.done();
                        c.set(i);
                    }
                })
            })
            .collect();
        wg.wait();
        for h in hs {
            h.join();
        }
    });
}

#[test]
fn once_orders_the_function_before_every_return_of_do() {
    let run = |name: &str, second_calls_do: bool| {
        races(name, move || {
            let (v, once) = (var(), Arc::new(Once::new()));
            let (c, o2) = (Arc::clone(&v), Arc::clone(&once));
            let h = go("", move || o2.call_once(|| c.set(1)));
            if second_calls_do {
                let c = Arc::clone(&v);
                once.call_once(move || c.set(1));
            }
            v.get();
            h.join();
        })
    };
    assert!(!run("once", true));
    assert!(run("once-missing", false));
}

#[test]
fn cancel_orders_before_the_done_receive() {
    let run = |name: &str, wait_done: bool| {
        races(name, move || {
            let v = var();
            let (ctx, cancel) = context::with_cancel(&context::background());
            let c = Arc::clone(&v);
            let h = go("canceller", move || {
                c.set(1);
                cancel.cancel();
            });
            if wait_done {
                assert_eq!(ctx.done().recv(), None);
            } else {
                let _ = ctx.is_done();
            }
            v.get();
            h.join();
        })
    };
    assert!(!run("cancel", true));
    assert!(run("cancel-missing", false));
}

#[test]
fn after_func_orders_the_arming_before_the_callback() {
    let run = |name: &str, write_before_arming: bool| {
        races(name, move || {
            let (v, clock) = (var(), Clock::new());
            if write_before_arming {
                v.set(1);
            }
            let c = Arc::clone(&v);
            let _t = clock.after_func("callback", Duration::from_millis(5), move || {
                c.get();
            });
            if !write_before_arming {
                v.set(1);
            }
        })
    };
    assert!(!run("afterfunc", true));
    assert!(run("afterfunc-missing", false));
}

/// Where one `go test -race` run can miss a real race: a handler writes the shared map, then
/// logs under a logging mutex; another logs first, then reads the map. When the writer's log
/// line comes first, its unlock orders the write before the reader's lock, and `-race` is
/// silent; when the reader logs first, the two map accesses are unordered and it fires. Both
/// kinds of schedule occur, and each class's token replays to its verdict.
#[test]
fn an_incidental_lock_hides_the_race_in_some_schedules_only() {
    use maprace_harness::sync::Mutex;
    use maprace_maps::GoMap;
    fn handler_pair() {
        let m = Arc::new(GoMap::<u64, u64>::new());
        let log = Arc::new(Mutex::new(Vec::<&str>::new()));
        let writer = {
            let (m, log) = (Arc::clone(&m), Arc::clone(&log));
            go("writer", move || {
                m.assign(1, 1);
                log.lock().push("wrote");
            })
        };
        let reader = {
            let (m, log) = (Arc::clone(&m), Arc::clone(&log));
            go("reader", move || {
                log.lock().push("reading");
                m.get(&1)
            })
        };
        writer.join();
        reader.join();
    }
    let e = Explorer::new("race/incidental-lock")
        .iterations(2_000)
        .run(handler_pair);
    let race = e.classes.iter().find(|c| c.class == Class::Race);
    let clean = e.classes.iter().find(|c| c.class == Class::Clean);
    let (Some(race), Some(clean)) = (race, clean) else {
        panic!("both verdicts occur: {:?}", e.classes);
    };
    let replay = |t| {
        Explorer::new("race/incidental-lock")
            .replay(t, handler_pair)
            .expect("replays")
            .failure
            .map(|f| f.kind)
    };
    assert_eq!(replay(&race.token), Some(FailureKind::DATA_RACE));
    assert_eq!(replay(&clean.token), None);
    // Printed for the record: the share of schedules in which one -race run would report.
    println!(
        "incidental lock: -race fires in {} of {} schedules",
        race.count, e.executions
    );
}
