//! Self-contained HTML: a swimlane timeline of one trace, and the exploration index page.
//!
//! Every page is one file with its style inline and no script, font or image from anywhere:
//! it opens from a CI artefact or an email attachment as it does locally. The timeline's
//! geometry (one lane per goroutine, one row per event) is computed here, so the arrows for
//! context switches are plain SVG and the page needs no JavaScript at all.

use crate::fold::Lanes;
use crate::model::{ReplayReport, SummaryRow};
use crate::summary;
use crate::trace_table;
use maprace_harness::Event;
use std::fmt::Write as _;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A run of one goroutine's steps longer than this is folded: its first [`FOLD_HEAD`] and last
/// [`FOLD_TAIL`] steps stay in view, the middle goes into a `<details>` that opens on a click
/// (no script). Keeps a 4,000-step trace a page long.
const FOLD_MIN: usize = 8;
const FOLD_HEAD: usize = 2;
const FOLD_TAIL: usize = 3;

const STYLE: &str = r#"
:root { --fail: #c62828; --fail-bg: #fdecea; --ink: #1f2328; --muted: #656d76;
  --line: #d0d7de; --lane: #f6f8fa; --box: #ffffff; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); background: #fff; }
header.page { padding: 16px 24px; border-bottom: 1px solid var(--line); background: #fafbfc; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 24px 8px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12.5px; }
.outcome { margin: 4px 0 10px; font-weight: 600; }
.outcome.fail { color: var(--fail); }
.outcome.pass { color: #1a7f37; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.timeline-wrap { overflow-x: auto; padding: 0 24px 24px; }
/* One grid for the whole trace: the step column, then one column per goroutine sharing the
   page's width (never narrower than a readable box). Every item is placed explicitly. */
.timeline { display: grid; column-gap: 14px; row-gap: 6px; align-items: start; }
.lane-head { position: sticky; top: 0; z-index: 3; font-weight: 600; text-align: center;
  background: #eef1f4; border-radius: 6px; padding: 3px 6px; margin-bottom: 4px; }
.lane { background: var(--lane); border-left: 1px dashed var(--line);
  border-right: 1px dashed var(--line); align-self: stretch; z-index: 0; }
.step { color: var(--muted); font-size: 12px; text-align: right; padding-top: 6px; }
.event { position: relative; z-index: 2; background: var(--box); border: 1px solid var(--line);
  border-radius: 6px; padding: 2px 8px; outline: none; min-width: 0; margin: 0 4px; }
.event.switched { border-top: 3px solid var(--accent); }
.event .op, .event .point { display: block; overflow-wrap: anywhere; }
.event .op { font-weight: 600; font-size: 12.5px; }
.event .point { color: var(--muted); font-size: 12px; }
.event .inline-state { display: block; font-size: 11.5px; color: #5a4a00; background: #fffbe6;
  border-radius: 4px; padding: 0 4px; margin: 2px 0; overflow-wrap: anywhere; }
.event.failing { border: 2px solid var(--fail); background: var(--fail-bg); }
.event.failing .op::before { content: "✗ "; color: var(--fail); }
.event.conflicting { border: 2px solid #bf8700; background: #fff8c5; }
.event.conflicting .op::before { content: "⚠ "; color: #bf8700; }
.event .state { display: none; position: absolute; left: 0; top: 100%; margin-top: 4px;
  z-index: 10; min-width: 100%; background: #fffff4; border: 1px solid #c9b458;
  border-radius: 6px; padding: 6px 8px; box-shadow: 0 4px 12px rgba(0,0,0,.15);
  white-space: normal; }
details.fold { z-index: 2; margin: 0 4px; }
details.fold > summary { cursor: pointer; color: var(--muted); font-size: 12px;
  border: 1px dashed var(--line); border-radius: 6px; padding: 2px 8px; background: #fff; }
details.fold[open] > .event { margin: 6px 0 0; }
.fail-note { z-index: 2; color: var(--fail); font-weight: 600; font-size: 12.5px;
  padding: 2px 8px; border-left: 3px solid var(--fail); margin: 0 4px; }
p.legend { color: var(--muted); font-size: 12.5px; margin: 10px 24px 4px; }
nav.back { margin: 0 0 8px; }
ul.links { margin: 0; padding-left: 18px; }
ul.links li { margin: 2px 0; }
.event:hover, .event:focus { z-index: 9; border-color: var(--accent); }
.event:hover .state, .event:focus .state { display: block; }
.state table { border-collapse: collapse; }
.state td { padding: 0 6px 0 0; font-size: 12px; }
.state td:first-child { color: var(--muted); }
table.summary { border-collapse: collapse; margin: 12px 24px; }
table.summary th, table.summary td { border: 1px solid var(--line); padding: 4px 10px;
  text-align: left; vertical-align: top; }
table.summary th { background: #f6f8fa; }
table.summary td:nth-child(-n+5), table.summary td:nth-child(7),
table.summary td:nth-child(8) { white-space: nowrap; }
td.ok { color: #1a7f37; font-weight: 600; }
td.unexpected { color: var(--fail); font-weight: 600; }
p.totals { margin: 4px 24px 16px; font-weight: 600; }
footer { color: var(--muted); font-size: 12px; padding: 12px 24px; }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\
         <footer>Written by maprace. Self-contained: no scripts, fonts or network.</footer>\n\
         </body>\n</html>\n",
        escape(title)
    )
}

/// The header of a trace: title, outcome, token, replay command and the other facts.
fn trace_header(report: &ReplayReport, heading: &str) -> String {
    let mut out = String::from("<header class=\"page\">\n");
    let _ = writeln!(out, "<{heading}>{}</{heading}>", escape(&title(report)));
    let (class, text) = match report.outcome {
        Some(_) => ("fail", trace_table::outcome_line(report)),
        None => ("pass", trace_table::outcome_line(report)),
    };
    let _ = writeln!(out, "<p class=\"outcome {class}\">{}</p>", escape(&text));
    out.push_str("<dl class=\"facts\">\n");
    for (name, value) in trace_table::facts(report, trace_table::MAPRACE_REPLAY) {
        let id = name.replace(' ', "-");
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd><code class=\"fact-{id}\">{}</code></dd>",
            escape(name),
            escape(&value)
        );
    }
    out.push_str("</dl>\n</header>\n");
    out
}

fn title(report: &ReplayReport) -> String {
    match &report.outcome {
        Some(f) => format!("{}: {}", report.scenario, f.kind),
        None => format!("{}: passed", report.scenario),
    }
}

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

/// One trace as a page: the token and replay command at the top, then the timeline.
pub fn trace_page(report: &ReplayReport) -> String {
    trace_page_linked(report, None)
}

/// [`trace_page`], with a link back to the report's index at `index` (report directories).
pub fn trace_page_linked(report: &ReplayReport, index: Option<&str>) -> String {
    let mut body = String::new();
    if let Some(href) = index {
        let _ = writeln!(
            body,
            "<nav class=\"back\"><a href=\"{}\">← all results</a></nav>",
            escape(href)
        );
    }
    body.push_str(&trace_header(report, "h1"));
    body.push_str(&timeline(report, ""));
    page(&format!("maprace: {}", title(report)), &body)
}

/// A link from the index to a trace: its label and address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// What the link says (`concurrent-map-writes`, `minimized`).
    pub label: String,
    /// Where it points (`traces/x.html`, `#x`).
    pub href: String,
}

/// The exploration summary as a page: the summary table with links to the traces, the totals
/// line, then `embedded` traces in full (each under an anchor: its id).
pub fn summary_page(
    rows: &[SummaryRow],
    links: &[Vec<Link>],
    embedded: &[(String, &ReplayReport)],
) -> String {
    let (header, cells) = summary::cells(rows);
    let mut body = String::from(
        "<header class=\"page\">\n<h1>maprace exploration report</h1>\n</header>\n<table class=\"summary\">\n<tr>",
    );
    for h in header {
        let _ = write!(body, "<th>{}</th>", escape(h));
    }
    body.push_str("<th>traces</th></tr>\n");
    for (i, (row, cells)) in rows.iter().zip(cells).enumerate() {
        body.push_str("<tr>");
        let last = cells.len() - 1;
        for (j, c) in cells.iter().enumerate() {
            if j == last {
                let _ = write!(
                    body,
                    "<td class=\"{}\">{}</td>",
                    escape(&row.verdict),
                    escape(c)
                );
            } else {
                let _ = write!(body, "<td>{}</td>", escape(c));
            }
        }
        body.push_str("<td>");
        let row_links = links.get(i).map(Vec::as_slice).unwrap_or_default();
        if row_links.is_empty() {
            body.push('-');
        } else {
            // A list, so neighbouring links never read as one.
            body.push_str("<ul class=\"links\">");
            for l in row_links {
                let _ = write!(
                    body,
                    "<li><a href=\"{}\">{}</a></li>",
                    escape(&l.href),
                    escape(&l.label)
                );
            }
            body.push_str("</ul>");
        }
        body.push_str("</td></tr>\n");
    }
    body.push_str("</table>\n");
    let _ = writeln!(
        body,
        "<p class=\"totals\">{}</p>",
        escape(&summary::totals(rows))
    );
    let hints = summary::hints(rows);
    if !hints.is_empty() {
        body.push_str("<ul class=\"hints\">\n");
        for h in hints {
            let _ = writeln!(body, "<li>{}</li>", escape(&h));
        }
        body.push_str("</ul>\n");
    }
    for (id, report) in embedded {
        let _ = writeln!(body, "<section id=\"{}\">", escape(id));
        body.push_str(&trace_header(report, "h2"));
        body.push_str(&timeline(report, &format!("{id}-")));
        body.push_str("</section>\n");
    }
    page("maprace exploration report", &body)
}
