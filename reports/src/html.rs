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

// Timeline geometry, in CSS pixels.
const STEP_W: usize = 56;
const LANE_W: usize = 250;
const LANE_GAP: usize = 46;
const BOX_H: usize = 40;
const ROW_H: usize = 54;
const TOP: usize = 12;

fn lane_x(lane: usize) -> usize {
    STEP_W + lane * (LANE_W + LANE_GAP)
}

fn row_y(row: usize) -> usize {
    TOP + row * ROW_H
}

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
.lane-heads { position: sticky; top: 0; z-index: 3; background: #fff; height: 36px;
  border-bottom: 1px solid var(--line); }
.lane-head { position: absolute; top: 6px; height: 26px; font-weight: 600; text-align: center;
  background: #eef1f4; border-radius: 6px; padding-top: 2px; }
.timeline { position: relative; }
.lane { position: absolute; top: 0; bottom: 0; background: var(--lane);
  border-left: 1px dashed var(--line); border-right: 1px dashed var(--line); }
.step { position: absolute; left: 0; width: 44px; text-align: right; color: var(--muted);
  font-size: 12px; }
svg.arrows { position: absolute; left: 0; top: 0; pointer-events: none; z-index: 1; }
svg.arrows path { fill: none; stroke: var(--accent); stroke-width: 1.6; opacity: .75; }
.event { position: absolute; z-index: 2; background: var(--box); border: 1px solid var(--line);
  border-radius: 6px; padding: 2px 8px; outline: none; }
.event .op, .event .point { display: block; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.event .op { font-weight: 600; font-size: 12.5px; }
.event .point { color: var(--muted); font-size: 12px; }
.event.failing { border: 2px solid var(--fail); background: var(--fail-bg); }
.event.failing .op::before { content: "✗ "; color: var(--fail); }
.event .state { display: none; position: absolute; left: 0; top: 100%; margin-top: 4px;
  z-index: 10; min-width: 100%; background: #fffff4; border: 1px solid #c9b458;
  border-radius: 6px; padding: 6px 8px; box-shadow: 0 4px 12px rgba(0,0,0,.15);
  white-space: normal; }
.fail-note { position: absolute; z-index: 2; color: var(--fail); font-weight: 600;
  font-size: 12.5px; padding: 2px 8px; border-left: 3px solid var(--fail); }
p.legend { color: var(--muted); font-size: 12.5px; margin: 10px 24px 4px; }
.event:hover, .event:focus { z-index: 9; border-color: var(--accent); }
.event:hover .state, .event:focus .state, .event:target .state { display: block; }
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
pub fn timeline(report: &ReplayReport, id_prefix: &str) -> String {
    let lanes = Lanes::of(report);
    let events = &report.trace;
    let failing = failing_events(report, &lanes);
    let width = lane_x(lanes.names.len()) - LANE_GAP + 8;
    // One row more than the events, for the failure note under the failing step.
    let height = row_y(events.len() + 1) + 8;
    let mut out = String::new();
    let names: Vec<String> = lanes.names.iter().map(|n| escape(n)).collect();
    let _ = writeln!(
        out,
        "<p class=\"legend\">One lane per goroutine, one box per step in execution order; \
         arrows are context switches. Hover or focus a step for the map state.</p>\n\
         <div class=\"timeline-wrap\">\n<div class=\"lane-heads\" style=\"width:{width}px\">"
    );
    for (i, name) in names.iter().enumerate() {
        let _ = writeln!(
            out,
            "<div class=\"lane-head\" data-lane=\"{name}\" style=\"left:{}px;width:{LANE_W}px\">{name}</div>",
            lane_x(i)
        );
    }
    out.push_str("</div>\n");
    let _ = writeln!(
        out,
        "<div class=\"timeline\" id=\"{id_prefix}timeline\" data-goroutines=\"{}\" style=\"width:{width}px;height:{height}px\">",
        names.join(" ")
    );
    for (i, name) in names.iter().enumerate() {
        let _ = writeln!(
            out,
            "<div class=\"lane\" data-lane=\"{name}\" style=\"left:{}px;width:{LANE_W}px\"></div>",
            lane_x(i)
        );
    }
    // Context switches: an arrow from the last event of a run to the first of the next.
    let _ = writeln!(
        out,
        "<svg class=\"arrows\" width=\"{width}\" height=\"{height}\" aria-hidden=\"true\">\
         <defs><marker id=\"{id_prefix}arrowhead\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" \
         style=\"fill:#0969da;stroke:none\"/></marker></defs>"
    );
    for i in 1..events.len() {
        if events[i].goroutine == events[i - 1].goroutine {
            continue;
        }
        let (a, b) = (
            lanes.index(&events[i - 1].goroutine).unwrap_or(0),
            lanes.index(&events[i].goroutine).unwrap_or(0),
        );
        // From the side of the last box facing the next lane to the facing side of the next
        // box, as an S-curve: the arrow reads as "the scheduler switched from here to there".
        let (y1, y2) = (row_y(i - 1) + BOX_H / 2, row_y(i) + BOX_H / 2);
        let (x1, x2) = if b > a {
            (lane_x(a) + LANE_W, lane_x(b))
        } else {
            (lane_x(a), lane_x(b) + LANE_W)
        };
        let mid = (x1 + x2) / 2;
        let _ = writeln!(
            out,
            "<path class=\"switch\" d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\" \
             marker-end=\"url(#{id_prefix}arrowhead)\"/>"
        );
    }
    out.push_str("</svg>\n");
    for (i, e) in events.iter().enumerate() {
        let lane = lanes.index(&e.goroutine).unwrap_or(0);
        let y = row_y(i);
        if i == 0 || events[i - 1].step != e.step {
            let _ = writeln!(
                out,
                "<div class=\"step\" style=\"top:{}px\">{}</div>",
                y + 10,
                e.step
            );
        }
        // Every failing step is highlighted; the last one (where the failure was noticed)
        // also carries the page's one `failing-step` id, for links and checks.
        let class = if failing.contains(&i) { " failing" } else { "" };
        let id = if failing.last() == Some(&i) {
            format!(" id=\"{id_prefix}failing-step\"")
        } else {
            String::new()
        };
        let op = match &e.detail {
            Some(d) if !d.is_empty() => format!("{} {d}", e.kind),
            _ => e.kind.to_string(),
        };
        let hover = match &e.state {
            Some(s) => format!("{} | {s}", e.describe()),
            None => e.describe(),
        };
        let _ = writeln!(
            out,
            "<div class=\"event{class}\"{id} tabindex=\"0\" data-lane=\"{}\" data-step=\"{}\" \
             title=\"{}\" style=\"left:{}px;top:{y}px;width:{LANE_W}px;height:{BOX_H}px\">\
             <span class=\"op\">{}</span><span class=\"point\">{}</span>{}</div>",
            escape(&e.goroutine),
            e.step,
            escape(&hover),
            lane_x(lane),
            escape(&op),
            escape(&e.label),
            state_card(e)
        );
    }
    if let (Some(&last), Some(f)) = (failing.last(), &report.outcome) {
        let lane = lanes.index(&events[last].goroutine).unwrap_or(0);
        let _ = writeln!(
            out,
            "<div class=\"fail-note\" style=\"left:{}px;top:{}px;width:{LANE_W}px\">{}</div>",
            lane_x(lane),
            row_y(events.len()) - 4,
            escape(&f.message)
        );
    }
    out.push_str("</div>\n</div>\n");
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
    let mut body = trace_header(report, "h1");
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
        for (k, l) in row_links.iter().enumerate() {
            if k > 0 {
                body.push_str("<br>");
            }
            let _ = write!(
                body,
                "<a href=\"{}\">{}</a>",
                escape(&l.href),
                escape(&l.label)
            );
        }
        if row_links.is_empty() {
            body.push('-');
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
