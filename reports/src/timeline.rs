//! The swimlane timeline of one trace, as HTML (a CSS grid, no script): the body of every
//! trace page and of the traces embedded in a summary page.

use crate::fold::Lanes;
use crate::html::escape;
use crate::model::ReplayReport;
use maprace_harness::Event;
use std::fmt::Write as _;

/// A run of one goroutine's steps longer than this is folded: its first [`FOLD_HEAD`] and last
/// [`FOLD_TAIL`] steps stay in view, the middle goes into a `<details>` that opens on a click
/// (no script). Keeps a 4,000-step trace a page long.
const FOLD_MIN: usize = 8;
const FOLD_HEAD: usize = 2;
const FOLD_TAIL: usize = 3;

/// The hover card of an event: its full description and every state field.
fn state_card(e: &Event) -> String {
    let mut out = format!(
        "<div class=\"state\"><div class=\"mono\">{} · step {}</div>",
        escape(&e.describe()),
        e.step
    );
    match &e.state {
        Some(s) if !s.is_empty() => {
            out.push_str("<table>");
            for (k, v) in &s.0 {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td class=\"mono\">{}</td></tr>",
                    escape(k),
                    escape(v)
                );
            }
            out.push_str("</table>");
        }
        _ => out.push_str("<div>no state snapshot</div>"),
    }
    out.push_str("</div>");
    out
}

/// The swimlane timeline of `report`. `id_prefix` keeps element ids unique when several
/// timelines share a page.
///
/// One CSS grid: a step column, then one column per goroutine sharing the page's width. Each
/// step is a box in its goroutine's column on a row of its own, with the map state it left
/// shown inside the box (visible when printed or screenshotted, not only on hover). A box whose
/// goroutine just took over from another has a blue top edge (a context switch). Long runs of
/// one goroutine fold into `<details>`; the failing step and, for a map race, the other
/// goroutines' last map steps (the conflicting ones) are highlighted.
pub fn timeline(report: &ReplayReport, id_prefix: &str) -> String {
    let lanes = Lanes::of(report);
    let events = &report.trace;
    let failing = failing_events(report, &lanes);
    let conflicting = conflicting_events(report, &failing);
    let names: Vec<String> = lanes.names.iter().map(|n| escape(n)).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p class=\"legend\">One column per goroutine, one box per step in execution order, with \
         the map state the step left; a blue top edge is a context switch, ✗ the failing step, \
         ⚠ a conflicting step of another goroutine. Long runs of one goroutine are folded: \
         click to open. step N = after N scheduling decisions.</p>\n<div class=\"timeline-wrap\">"
    );
    let _ = writeln!(
        out,
        "<div class=\"timeline\" id=\"{id_prefix}timeline\" data-goroutines=\"{}\" \
         style=\"grid-template-columns:48px repeat({}, minmax(180px, 1fr))\">",
        names.join(" "),
        names.len().max(1)
    );
    // The rows: one per shown step, one per fold, and the failure note last.
    let items = layout(events, &failing, &conflicting);
    let rows = items.len() + 2;
    for (i, name) in names.iter().enumerate() {
        let _ = writeln!(
            out,
            "<div class=\"lane-head\" data-lane=\"{name}\" style=\"grid-row:1;grid-column:{}\">{name}</div>\n\
             <div class=\"lane\" data-lane=\"{name}\" style=\"grid-row:2 / span {rows};grid-column:{}\"></div>",
            i + 2,
            i + 2
        );
    }
    let highlight = |i: usize| {
        if failing.contains(&i) {
            " failing"
        } else if conflicting.contains(&i) {
            " conflicting"
        } else {
            ""
        }
    };
    let event_box = |out: &mut String, i: usize, placement: &str| {
        let e = &events[i];
        let switched = i > 0 && events[i - 1].goroutine != e.goroutine;
        let id = if failing.last() == Some(&i) {
            format!(" id=\"{id_prefix}failing-step\"")
        } else {
            String::new()
        };
        let op = match &e.detail {
            Some(d) if !d.is_empty() => format!("{} {d}", e.kind),
            _ => e.kind.to_string(),
        };
        let inline = match &e.state {
            Some(st) if !st.is_empty() => format!(
                "<span class=\"inline-state mono\">{}</span>",
                escape(&compact_state(st))
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "<div class=\"event{}{}\"{id} tabindex=\"0\" data-lane=\"{}\" data-step=\"{}\" \
             title=\"{}\"{placement}><span class=\"op\">{}</span><span class=\"point\">{}</span>\
             {inline}{}</div>",
            highlight(i),
            if switched { " switched" } else { "" },
            escape(&e.goroutine),
            e.step,
            escape(&e.describe()),
            escape(&op),
            escape(&e.label),
            state_card(e)
        );
    };
    for (r, item) in items.iter().enumerate() {
        let row = r + 2;
        match *item {
            Item::Step(i) => {
                let lane = lanes.index(&events[i].goroutine).unwrap_or(0) + 2;
                if i == 0 || events[i - 1].step != events[i].step {
                    let _ = writeln!(
                        out,
                        "<div class=\"step\" style=\"grid-row:{row};grid-column:1\">{}</div>",
                        events[i].step
                    );
                }
                event_box(
                    &mut out,
                    i,
                    &format!(" style=\"grid-row:{row};grid-column:{lane}\""),
                );
            }
            Item::Fold(from, to) => {
                let lane = lanes.index(&events[from].goroutine).unwrap_or(0) + 2;
                let _ = writeln!(
                    out,
                    "<div class=\"step\" style=\"grid-row:{row};grid-column:1\">{}-{}</div>\n\
                     <details class=\"fold\" style=\"grid-row:{row};grid-column:{lane}\">\
                     <summary>{} more steps of {} (steps {}-{})</summary>",
                    events[from].step,
                    events[to - 1].step,
                    to - from,
                    escape(&events[from].goroutine),
                    events[from].step,
                    events[to - 1].step
                );
                for i in from..to {
                    event_box(&mut out, i, "");
                }
                out.push_str("</details>\n");
            }
        }
    }
    if let (Some(&last), Some(f)) = (failing.last(), &report.outcome) {
        let lane = lanes.index(&events[last].goroutine).unwrap_or(0) + 2;
        let _ = writeln!(
            out,
            "<div class=\"step\" style=\"grid-row:{row};grid-column:1\">{}</div>\n\
             <div class=\"fail-note\" style=\"grid-row:{row};grid-column:{lane}\">✗ at step {}: {}</div>",
            f.step,
            f.step,
            escape(&f.message),
            row = items.len() + 2,
        );
    }
    out.push_str("</div>\n</div>\n");
    out
}

/// What the timeline shows on its rows: one step, or a folded stretch of one goroutine's
/// steps (`from..to`).
enum Item {
    Step(usize),
    Fold(usize, usize),
}

/// The rows of the timeline: every step, except the middle of long runs of one goroutine,
/// which is folded. Highlighted steps are never folded away.
fn layout(events: &[Event], failing: &[usize], conflicting: &[usize]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut start = 0;
    while start < events.len() {
        let mut end = start + 1;
        while end < events.len() && events[end].goroutine == events[start].goroutine {
            end += 1;
        }
        let (from, to) = (start + FOLD_HEAD, end - FOLD_TAIL);
        let keep = |i: &usize| failing.contains(i) || conflicting.contains(i);
        if end - start > FOLD_MIN && !(from..to).any(|i| keep(&i)) {
            items.extend((start..from).map(Item::Step));
            items.push(Item::Fold(from, to));
            items.extend((to..end).map(Item::Step));
        } else {
            items.extend((start..end).map(Item::Step));
        }
        start = end;
    }
    items
}

/// A state in one line: `B=0 count=3 flags=hashWriting`, leaving out fields with no value (`-`).
fn compact_state(state: &maprace_harness::State) -> String {
    state
        .0
        .iter()
        .filter(|(_, v)| v.as_str() != "-")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// For a map race (`concurrent-map-…`, `map-corrupted`): the other goroutines' last map steps
/// (steps with a map state) before the failing step, the ones the failing access ran into.
fn conflicting_events(report: &ReplayReport, failing: &[usize]) -> Vec<usize> {
    let (Some(f), Some(&last)) = (&report.outcome, failing.last()) else {
        return Vec::new();
    };
    if !(f.kind.starts_with("concurrent-map") || f.kind == "map-corrupted") {
        return Vec::new();
    }
    let culprit = &report.trace[last].goroutine;
    let mut out: Vec<usize> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for i in (0..last).rev() {
        let e = &report.trace[i];
        if &e.goroutine == culprit || seen.contains(&e.goroutine.as_str()) {
            continue;
        }
        seen.push(&e.goroutine);
        // The goroutine's last step before the failure: a conflict only if it was in the map.
        if e.state.as_ref().is_some_and(|s| !s.is_empty()) && !failing.contains(&i) {
            out.push(i);
        }
    }
    out.sort_unstable();
    out
}

/// Indices of the events to highlight: each failing goroutine's last event, or the last event
/// when the failure names no lane (the same rule as the tables' failing row).
fn failing_events(report: &ReplayReport, lanes: &Lanes) -> Vec<usize> {
    if report.outcome.is_none() || report.trace.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<usize> = report
        .failing_goroutines()
        .into_iter()
        .filter(|g| lanes.index(g).is_some())
        .filter_map(|g| report.trace.iter().rposition(|e| e.goroutine == g))
        .collect();
    if out.is_empty() {
        out.push(report.trace.len() - 1);
    }
    out.sort_unstable();
    out.dedup();
    out
}
