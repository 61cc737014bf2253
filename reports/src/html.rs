//! Self-contained HTML: a swimlane timeline of one trace, and the exploration index page.
//!
//! Every page is one file with its style inline and no script, font or image from anywhere:
//! it opens from a CI artefact or an email attachment as it does locally. The timeline (see
//! [`crate::timeline`]) is a CSS grid with `<details>` folds, so the page needs no JavaScript.

use crate::model::{ReplayReport, SummaryRow};
use crate::summary;
use crate::trace_table;
use std::fmt::Write as _;

pub use crate::timeline::timeline;

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
nav.back { padding: 8px 24px 0; }
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
    page_styled(title, "", body)
}

/// A self-contained page: the shared style, then `extra` style rules of the page's own.
pub(crate) fn page_styled(title: &str, extra: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}{extra}</style>\n</head>\n<body>\n{body}\
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
