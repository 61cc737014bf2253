//! Folding a trace into rows: the shape every trace rendering (terminal, Markdown, HTML) shares.
//!
//! A row is what one goroutine did between two context switches. Folded, a row holds the whole
//! run of events; with `full`, every event is its own row. Reading a trace is mostly reading
//! where the switches are, so the folded form keeps them all and drops only the steps between.

use crate::model::ReplayReport;
use maprace_harness::{Event, State};

/// One row of a trace table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row<'a> {
    /// The goroutine's lane (index into [`Lanes::names`]).
    pub lane: usize,
    /// The events of the row, in order (one when not folded).
    pub events: &'a [Event],
    /// Whether the failure happened in this row (the last row of a failing goroutine; for a
    /// data race, the rows of its two accesses).
    pub failing: bool,
    /// The failure's step, when it comes after the row's last event: the scheduler resumed
    /// the failing goroutine at that step and it failed before recording anything new.
    pub failed_at: Option<u64>,
}

impl Row<'_> {
    /// The steps the row covers, as the step column shows them: `7`, `2-4`, and for the
    /// failing row up to the failure's step, so the step the outcome line names is a row's.
    pub fn steps(&self) -> String {
        match (self.events.first(), self.failed_at) {
            (Some(first), Some(at)) if first.step != at => format!("{}-{at}", first.step),
            (Some(_), Some(at)) => at.to_string(),
            _ => step_range(self.events),
        }
    }
}

/// How step numbers read, for the line under a trace: a step is the number of scheduling
/// decisions made before an event. Numbers without a row are decisions after which the
/// resumed goroutine reached its next point with nothing to record; saying so keeps a reader
/// from hunting for hidden steps.
pub fn step_legend(report: &ReplayReport) -> String {
    let mut seen: Vec<u64> = report.trace.iter().map(|e| e.step).collect();
    seen.dedup();
    let last = report
        .outcome
        .as_ref()
        .map(|f| f.step)
        .into_iter()
        .chain(seen.last().copied())
        .max()
        .unwrap_or(0);
    let first = seen.first().copied().unwrap_or(0);
    let missing = (first..=last)
        .filter(|s| {
            seen.binary_search(s).is_err() && report.outcome.as_ref().is_none_or(|f| f.step != *s)
        })
        .count();
    let mut out = String::from("step N = after N scheduling decisions");
    if missing > 0 {
        out.push_str(&format!(
            "; {missing} step number{} without a row: the goroutine resumed there had nothing \
             new to record before its next point",
            if missing == 1 { "" } else { "s" }
        ));
    }
    out
}

/// The goroutines of a trace, one lane each, in order of creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lanes {
    /// Lane names.
    pub names: Vec<String>,
}

impl Lanes {
    /// The lanes of `report`: its goroutines, then any goroutine that appears only in events.
    pub fn of(report: &ReplayReport) -> Lanes {
        let mut names = report.goroutines.clone();
        for e in &report.trace {
            if !names.contains(&e.goroutine) {
                names.push(e.goroutine.clone());
            }
        }
        Lanes { names }
    }

    /// The lane of goroutine `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// The rows of `report`'s trace: one per run of events of a goroutine, or one per event when
/// `full`. The failing goroutine's last row is marked; when the failure names no lane, the last
/// row is.
pub fn rows<'a>(report: &'a ReplayReport, lanes: &Lanes, full: bool) -> Vec<Row<'a>> {
    let events = &report.trace;
    let mut rows = Vec::new();
    let mut start = 0;
    for i in 1..=events.len() {
        let boundary = i == events.len() || full || events[i].goroutine != events[start].goroutine;
        if boundary {
            rows.push(Row {
                lane: lanes.index(&events[start].goroutine).unwrap_or(0),
                events: &events[start..i],
                failing: false,
                failed_at: None,
            });
            start = i;
        }
    }
    if let Some(f) = report.outcome.as_ref().filter(|f| f.kind == "data-race") {
        // A race is found after the fact: the goroutine went on running, so its last row is
        // not where it happened. Mark the rows of both racing accesses instead.
        let mut marked = false;
        for (goroutine, step) in race_accesses(&f.message) {
            if let Some(at) = access_event(events, &goroutine, step) {
                let mut first = 0;
                for r in &mut rows {
                    if (first..first + r.events.len()).contains(&at) {
                        r.failing = true;
                        marked = true;
                    }
                    first += r.events.len();
                }
            }
        }
        if marked {
            return rows;
        }
    }
    if let Some(failure) = &report.outcome {
        let mut marked = false;
        for g in report.failing_goroutines() {
            if let Some(lane) = lanes.index(g) {
                if let Some(r) = rows.iter_mut().rev().find(|r| r.lane == lane) {
                    r.failing = true;
                    marked = true;
                }
            }
        }
        if !marked {
            if let Some(r) = rows.last_mut() {
                r.failing = true;
            }
        }
        // The failure's own step goes on the last failing row (one failing goroutine: its row;
        // a deadlock: the latest of the blocked goroutines' rows).
        if let Some(r) = rows.iter_mut().rev().find(|r| r.failing) {
            let last = r.events.last().map_or(0, |e| e.step);
            if failure.step > last {
                r.failed_at = Some(failure.step);
            }
        }
    }
    rows
}

/// The goroutine and step of each access a `data-race` message names (`... by goroutine G:`
/// then `  step N...`; see `docs/json-format.md`), current first.
fn race_accesses(message: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut goroutine = None;
    for line in message.lines() {
        if let Some((_, who)) = line.split_once(" by goroutine ") {
            goroutine = who.strip_suffix(':').map(str::to_string);
        } else if let (Some(g), Some(rest)) = (&goroutine, line.strip_prefix("  step ")) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(step) = digits.parse() {
                out.push((g.clone(), step));
            }
            goroutine = None;
        }
    }
    out
}

/// The event of `goroutine`'s access at `step`: the last point it passed before that step (an
/// access at a preemption point is performed in the step that resumes it), else its first
/// event in that step (the harness's own rule for naming the access's point).
fn access_event(events: &[Event], goroutine: &str, step: u64) -> Option<usize> {
    let mine = || {
        events
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.goroutine == goroutine)
    };
    mine()
        .filter(|(_, e)| e.step < step)
        .map(|(i, _)| i)
        .next_back()
        .or_else(|| mine().find(|(_, e)| e.step == step).map(|(i, _)| i))
}

/// The steps a row covers: `7`, or `2-4` when folded over several steps.
pub fn step_range(events: &[Event]) -> String {
    match (events.first(), events.last()) {
        (Some(a), Some(b)) if a.step != b.step => format!("{}-{}", a.step, b.step),
        (Some(a), _) => a.step.to_string(),
        _ => String::new(),
    }
}

/// What a row's goroutine did, in one line: the event itself, or for a run of events where it
/// started and where it was when the scheduler switched away (the point that matters most):
///
/// - one operation: `assign k=0: entry check → flag set (2 steps)`, with `→ … →` in the middle
///   of longer runs;
/// - several operations of one kind on `name=value` subjects: `assign k=1 … k=4: exit check
///   (12 steps)`;
/// - anything else: `go G1: spawn … go G1: join (3 steps)`.
///
/// A goroutine's `go: start` is left out of a longer run: its first row is its start anyway.
pub fn summary(events: &[Event]) -> String {
    let events = match events {
        [first, rest @ ..] if !rest.is_empty() && is_start(first) => rest,
        _ => events,
    };
    let (first, last) = match events {
        [] => return String::new(),
        [only] => return only.describe(),
        [first, .., last] => (first, last),
    };
    let steps = last.step - first.step + 1;
    let suffix = if steps > 1 {
        format!(" ({steps} steps)")
    } else {
        format!(" ({} events)", events.len())
    };
    let same_kind = events.iter().all(|e| e.kind == first.kind);
    let (k1, k2) = (key(first), key(last));
    let what = if same_kind && events.iter().all(|e| key(e) == k1) {
        let head = match k1 {
            Some(k) => format!("{} {k}", first.kind),
            None => first.kind.to_string(),
        };
        let labels: Vec<&str> = dedup(events.iter().map(|e| e.label.as_ref()));
        let path = if labels.len() <= 3 {
            labels.join(" → ")
        } else {
            format!("{} → … → {}", labels[0], labels[labels.len() - 1])
        };
        format!("{head}: {path}")
    } else if let (true, Some(k1), Some(k2)) = (same_kind, k1, k2) {
        if k1.contains('=') && k2.contains('=') {
            format!("{} {k1} … {k2}: {}", first.kind, last.label)
        } else {
            format!("{} … {}", first.describe(), last.describe())
        }
    } else {
        format!("{} … {}", first.describe(), last.describe())
    };
    what + &suffix
}

/// A goroutine's first event (`go: start`).
fn is_start(e: &Event) -> bool {
    e.kind == "go" && e.label == "start" && e.detail.is_none()
}

/// The operation's subject: the first word of the detail (`k=3` of `k=3 bucket=0 slot=1`), which
/// stays the same across the points of one operation while the rest of the detail changes.
fn key(e: &Event) -> Option<&str> {
    e.detail
        .as_deref()
        .and_then(|d| d.split_whitespace().next())
}

/// Consecutive duplicates removed.
fn dedup<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if out.last() != Some(&i) {
            out.push(i);
        }
    }
    out
}

/// Fields of the Go map model's state that only matter while a grow is in progress: tables
/// leave them out unless `growing=true` (the HTML timeline and JSON always have every field).
pub const GROW_ONLY_FIELDS: [&str; 2] = ["nevacuate", "noverflow"];

/// The state a row ends in, as shown in its column: the last snapshot in the row, without the
/// [`GROW_ONLY_FIELDS`] unless a grow is in progress.
pub fn state_text(events: &[Event]) -> String {
    let Some(state) = events.iter().rev().find_map(|e| e.state.as_ref()) else {
        return String::new();
    };
    if state.get("growing") == Some("true") {
        return state.to_string();
    }
    State(
        state
            .0
            .iter()
            .filter(|(k, _)| !GROW_ONLY_FIELDS.contains(&k.as_ref()))
            .cloned()
            .collect(),
    )
    .to_string()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_race_message_names_both_accesses() {
        let message = "WARNING: DATA RACE\nWrite at map#0 by goroutine warmer:\n  step 17: assign / hashed\n\nPrevious read at map#0 by goroutine request#2:\n  step 15\n";
        assert_eq!(
            race_accesses(message),
            [("warmer".to_string(), 17), ("request#2".to_string(), 15)]
        );
        assert!(race_accesses("fatal error: concurrent map writes").is_empty());
    }

    use super::*;

    fn ev(
        step: u64,
        g: &str,
        kind: &'static str,
        detail: Option<&str>,
        label: &'static str,
    ) -> Event {
        Event {
            step,
            goroutine: g.into(),
            kind: kind.into(),
            label: label.into(),
            detail: detail.map(str::to_string),
            state: None,
        }
    }

    #[test]
    fn runs_of_one_operation_show_its_points() {
        let e = [
            ev(5, "G1", "assign", Some("k=0"), "entry check"),
            ev(6, "G1", "assign", Some("k=0"), "flag set"),
        ];
        assert_eq!(summary(&e), "assign k=0: entry check → flag set (2 steps)");
        // The start of the goroutine adds nothing to a longer run.
        let mut started = vec![ev(5, "G1", "go", None, "start")];
        started.extend(e.iter().cloned());
        assert_eq!(summary(&started), summary(&e));
        assert_eq!(summary(&started[..2]), "assign k=0: entry check");
        let long = [
            ev(5, "G1", "assign", Some("k=0"), "a"),
            ev(6, "G1", "assign", Some("k=0 loaded=0"), "b"),
            ev(7, "G1", "assign", Some("k=0"), "c"),
            ev(8, "G1", "assign", Some("k=0"), "d"),
        ];
        assert_eq!(summary(&long), "assign k=0: a → … → d (4 steps)");
    }

    #[test]
    fn runs_of_several_operations_show_the_range() {
        let e = [
            ev(1, "G1", "assign", Some("k=1"), "entry check"),
            ev(7, "G1", "assign", Some("k=2"), "flag set"),
            ev(12, "G1", "assign", Some("k=4"), "exit check"),
        ];
        assert_eq!(summary(&e), "assign k=1 … k=4: exit check (12 steps)");
        // Subjects that are not `name=value` (goroutine names) get no range.
        let spawns = [
            ev(2, "main", "go", Some("G1"), "spawn"),
            ev(3, "main", "go", Some("G2"), "spawn"),
            ev(4, "main", "go", Some("G1"), "join"),
        ];
        assert_eq!(summary(&spawns), "go G1: spawn … go G1: join (3 steps)");
        // Two events at one step (a trace-only event, then a point) are still a run.
        let same_step = [
            ev(5, "G1", "mutex", None, "locked"),
            ev(5, "G1", "assign", Some("k=0"), "entry check"),
        ];
        assert_eq!(
            summary(&same_step),
            "mutex: locked … assign k=0: entry check (2 events)"
        );
    }

    #[test]
    fn tables_leave_out_grow_fields_unless_growing() {
        let mut e = ev(1, "G1", "assign", None, "x");
        e.state = Some(
            State::new()
                .with("B", 1)
                .with("count", 3)
                .with("flags", "hashWriting")
                .with("growing", false)
                .with("nevacuate", "-")
                .with("noverflow", 0),
        );
        let mut events = vec![e];
        assert_eq!(
            state_text(&events),
            "B=1 count=3 flags=hashWriting growing=false"
        );
        events[0].state = events[0].state.take().map(|s| {
            State(
                s.0.into_iter()
                    .map(|(k, v)| {
                        let v = if k == "growing" {
                            "true".to_string()
                        } else {
                            v
                        };
                        (k, v)
                    })
                    .collect(),
            )
        });
        assert!(state_text(&events).ends_with("growing=true nevacuate=- noverflow=0"));
        let mut other = ev(1, "G1", "assign", None, "x");
        other.state = Some(State::new().with("count", 0).with("writing", false));
        assert_eq!(state_text(&[other]), "count=0 writing=false");
    }
}
