use maprace_harness::sync::{Arc, Mutex};
use maprace_harness::*;

const P1: Point = Point::new(Op::User("work"), "one");
const P2: Point = Point::new(Op::User("work"), "two");

#[test]
fn smoke() {
    let e = Explorer::new("t/smoke")
        .strategy(Strategy::Dfs { preemption_bound: None })
        .iterations(100_000)
        .run(|| {
            let a = go("a", || {
                preempt(P1);
                preempt(P2);
            });
            let b = go("b", || {
                preempt(P1);
                preempt(P2);
            });
            a.join();
            b.join();
        });
    println!("dfs executions {} exhausted {}", e.executions, e.exhausted);
    let e = Explorer::new("t/dl").iterations(10).run(|| {
        let m = Arc::new(Mutex::new(0));
        let g = m.lock();
        let m2 = Arc::clone(&m);
        let h = go("", move || {
            *m2.lock() += 1;
        });
        h.join();
        drop(g);
    });
    println!("{:#?}", e.failures.first().map(|f| (&f.failure, f.token.to_string(), f.trace.canonical_text())));
    let e = Explorer::new("t/panic").iterations(10).run(|| {
        let h = go("", move || {
            panic!("boom");
        });
        h.join();
    });
    println!("{:#?}", e.failures.first().map(|f| (&f.failure, f.token.to_string(), f.trace.canonical_text())));
}
