//! Hand-built traces shaped like the catalogue's, so the golden texts do not move when a
//! scenario's code does.

use maprace_harness::{Event, State};
use maprace_reports::{Minimization, ReplayReport, TraceFailure};

fn ev(step: u64, g: &str, kind: &'static str, detail: Option<&str>, label: &'static str) -> Event {
    Event {
        step,
        goroutine: g.into(),
        kind: kind.into(),
        label: label.into(),
        detail: detail.map(str::to_string),
        state: None,
    }
}

fn flag(count: u32, writing: bool) -> Option<State> {
    Some(State::new().with("count", count).with("writing", writing))
}

/// The two-writer flag map (`demo-flag-map/buggy`): G2 finds G1's writing flag set.
pub fn two_writers() -> ReplayReport {
    let mut trace = vec![
        ev(2, "main", "go", None, "start"),
        ev(2, "main", "go", Some("G1"), "spawn"),
        ev(3, "main", "go", Some("G2"), "spawn"),
        ev(4, "main", "go", Some("G1"), "join"),
        ev(5, "G1", "go", None, "start"),
        ev(5, "G1", "assign", Some("k=0"), "entry check"),
        ev(6, "G1", "assign", Some("k=0"), "flag set"),
        ev(7, "G2", "go", None, "start"),
        ev(7, "G2", "assign", Some("k=1"), "entry check"),
    ];
    trace[5].state = flag(0, false);
    trace[6].state = flag(0, true);
    trace[8].state = flag(0, true);
    ReplayReport {
        token: "mr1:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPef".into(),
        scenario: "demo-flag-map/buggy".into(),
        outcome: Some(TraceFailure {
            kind: "concurrent-map-writes".into(),
            message: "fatal error: concurrent map writes".into(),
            goroutine: "G2".into(),
            step: 8,
        }),
        trace_hash: "2d8139836c60859b".into(),
        goroutines: vec!["main".into(), "G1".into(), "G2".into()],
        trace,
        minimization: None,
    }
}

fn map_state(count: u32, flags: &str) -> Option<State> {
    Some(
        State::new()
            .with("B", 0)
            .with("count", count)
            .with("flags", flags)
            .with("growing", false)
            .with("nevacuate", "-")
            .with("noverflow", 0),
    )
}

/// Two goroutines assigning into a Go map model: `writer` runs several assignments, `reader`
/// reads while a write is in progress. Minimized from a longer schedule.
pub fn map_read_during_write() -> ReplayReport {
    let mut trace = vec![ev(1, "main", "go", None, "start")];
    trace.push(ev(1, "main", "go", Some("writer"), "spawn"));
    trace.push(ev(2, "main", "go", Some("reader"), "spawn"));
    trace.push(ev(3, "main", "go", Some("writer"), "join"));
    trace.push(ev(4, "writer", "go", None, "start"));
    let mut step = 4;
    for (i, k) in ["k=1", "k=2", "k=3"].iter().enumerate() {
        for (label, flags) in [
            ("before entry check", "0"),
            ("hashWriting toggled", "hashWriting"),
            ("key inserted", "hashWriting"),
            ("hashWriting cleared", "0"),
        ] {
            let mut e = ev(step, "writer", "assign", Some(k), label);
            let count = i as u32 + u32::from(label == "hashWriting cleared");
            e.state = map_state(count, flags);
            trace.push(e);
            step += 1;
        }
    }
    for label in ["before entry check", "hashWriting toggled"] {
        let mut e = ev(step, "writer", "assign", Some("k=4"), label);
        e.state = map_state(
            3,
            if label == "before entry check" {
                "0"
            } else {
                "hashWriting"
            },
        );
        trace.push(e);
        step += 1;
    }
    trace.push(ev(step, "reader", "go", None, "start"));
    let mut e = ev(step, "reader", "access", Some("k=2"), "before entry check");
    e.state = map_state(3, "hashWriting");
    trace.push(e);
    ReplayReport {
        token: "mr1:example/buggy:AQMAAAAAAAAAAAAA".into(),
        scenario: "example/buggy".into(),
        outcome: Some(TraceFailure {
            kind: "concurrent-map-read-and-map-write".into(),
            message: "fatal error: concurrent map read and map write".into(),
            goroutine: "reader".into(),
            step: step + 1,
        }),
        trace_hash: "0123456789abcdef".into(),
        goroutines: vec!["main".into(), "writer".into(), "reader".into()],
        trace,
        minimization: Some(Minimization {
            original_token: "mr1:example/buggy:AQNvcmlnaW5hbA".into(),
            token: "mr1:example/buggy:AQMAAAAAAAAAAAAA".into(),
            trace_hash: "0123456789abcdef".into(),
            preemptions_before: 7,
            preemptions_after: 1,
            lower_bound: 1,
            proven_minimal: true,
            executions: 212,
        }),
    }
}
