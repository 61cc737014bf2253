//! A lincheck failure as one self-contained HTML page: the failure and how to replay it, the
//! smallest failing scenario in Lincheck's layout (one column per goroutine, one row per
//! operation with its result, init and post rows spanning the table), the interleaving, and the
//! failing execution's timeline, as on every trace page.

use crate::html::{escape, page_styled, timeline};
use crate::lincheck::{LincheckCell, LincheckReport, LincheckStep};
use std::fmt::Write as _;

/// The page's own style: the two tables (the shared style has the rest).
const STYLE: &str = r#"
table.lincheck { border-collapse: collapse; margin: 8px 24px 16px; }
table.lincheck th, table.lincheck td { border: 1px solid var(--line); padding: 4px 10px;
  text-align: left; vertical-align: top; white-space: nowrap; }
table.lincheck thead th { background: #f6f8fa; }
table.lincheck th.part { color: var(--muted); font-weight: normal; }
table.lincheck tr.main td { background: #fafbfc; }
table.lincheck .result { color: #0550ae; }
table.lincheck .pending { color: var(--muted); }
"#;

/// One operation with its result: `put(1, 0): None`, `get(1): –` when it never returned.
fn cell(c: &LincheckCell) -> String {
    let result = match &c.result {
        Some(r) => format!("<span class=\"result\">{}</span>", escape(r)),
        None => "<span class=\"pending\">–</span>".into(),
    };
    format!("<code>{}</code>: <code>{result}</code>", escape(&c.op))
}

/// The scenario table: a head row of goroutines, init rows spanning them, a row per
/// operation index with each goroutine's operation, post rows spanning them.
fn scenario_table(r: &LincheckReport) -> String {
    let n = r.goroutines.len().max(1);
    let mut out = String::from("<table class=\"lincheck\" id=\"scenario\">\n<thead><tr><th></th>");
    for g in &r.goroutines {
        let _ = write!(out, "<th>{}</th>", escape(g));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let spanning = |out: &mut String, part: &str, cells: &[LincheckCell]| {
        for c in cells {
            let _ = writeln!(
                out,
                "<tr class=\"main {part}\"><th class=\"part\">{part}</th><td colspan=\"{n}\">{}</td></tr>",
                cell(c)
            );
        }
    };
    spanning(&mut out, "init", &r.init);
    let rows = r.parallel.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..rows {
        out.push_str("<tr><th class=\"part\"></th>");
        for g in 0..n {
            match r.parallel.get(g).and_then(|col| col.get(i)) {
                Some(c) => {
                    let _ = write!(out, "<td>{}</td>", cell(c));
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    spanning(&mut out, "post", &r.post);
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The interleaving: one column per goroutine (`main` first when it ran operations), one row
/// per invocation or response.
fn interleaving_table(r: &LincheckReport) -> String {
    let mut columns: Vec<&str> = Vec::new();
    if r.interleaving.iter().any(|s| s.goroutine == "main") {
        columns.push("main");
    }
    columns.extend(r.goroutines.iter().map(String::as_str));
    let mut out =
        String::from("<table class=\"lincheck\" id=\"interleaving\">\n<thead><tr><th>#</th>");
    for g in &columns {
        let _ = write!(out, "<th>{}</th>", escape(g));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let text = |s: &LincheckStep| {
        let result = s.result.as_deref().map(escape).unwrap_or_default();
        match s.event.as_str() {
            "invoke" => format!("<code>{}</code> …", escape(&s.op)),
            "respond" => format!("… <code><span class=\"result\">{result}</span></code>"),
            _ => format!(
                "<code>{}</code>: <code><span class=\"result\">{result}</span></code>",
                escape(&s.op)
            ),
        }
    };
    for (i, s) in r.interleaving.iter().enumerate() {
        let _ = write!(out, "<tr><th class=\"part\">{}</th>", i + 1);
        for g in &columns {
            if *g == s.goroutine {
                let _ = write!(out, "<td>{}</td>", text(s));
            } else {
                out.push_str("<td></td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The page of a lincheck failure.
pub fn page(r: &LincheckReport) -> String {
    let title = format!("{}: {}", r.scenario, r.kind);
    let mut body = String::from("<header class=\"page\">\n");
    let _ = writeln!(body, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        body,
        "<p class=\"outcome fail\">✗ {}: {}</p>",
        escape(&r.kind),
        escape(&r.message)
    );
    body.push_str("<dl class=\"facts\">\n");
    for (name, value) in [
        ("scenario", &r.size),
        ("token", &r.token),
        ("regression", &r.regression),
        ("replay", &r.replay_command),
    ] {
        let _ = writeln!(
            body,
            "<dt>{name}</dt><dd><code class=\"fact-{name}\">{}</code></dd>",
            escape(value)
        );
    }
    body.push_str("</dl>\n</header>\n<h2>Smallest failing scenario</h2>\n");
    let _ = writeln!(
        body,
        "<p class=\"legend\">One column per goroutine, one row per operation with what it \
         returned; init and post rows ran in main before and after the goroutines.</p>"
    );
    body.push_str(&scenario_table(r));
    if !r.interleaving.is_empty() {
        body.push_str("<h2>Interleaving</h2>\n");
        let _ = writeln!(
            body,
            "<p class=\"legend\">Invocations (<code>op …</code>) and responses \
             (<code>… result</code>) in real-time order; an operation that ran with nothing in \
             between takes one row.</p>"
        );
        body.push_str(&interleaving_table(r));
    }
    body.push_str("<h2>The failing execution</h2>\n");
    body.push_str(&timeline(&r.execution, "trace-"));
    page_styled(&format!("maprace: {title}"), STYLE, &body)
}
