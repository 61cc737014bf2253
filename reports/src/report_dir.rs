//! `maprace explore --report DIR`: a directory a CI job can publish as is.
//!
//! ```text
//! DIR/index.html      summary of every scenario, with links to the traces
//! DIR/summary.json    the `explore` JSON document
//! DIR/summary.md      the summary table and every failure's token, in Markdown
//! DIR/traces/*.html   one self-contained timeline per failure (and per minimized failure)
//! ```
//!
//! Every file is written atomically. Traces go first and the index last, so the index never
//! links to a page that is not there yet; trace pages of an earlier run that this run did not
//! write are removed, so the directory always describes one run.

use crate::html::{self, Link};
use crate::markdown;
use crate::model::{ReplayReport, SummaryRow};
use crate::write_atomic::write_atomic;
use std::io;
use std::path::{Path, PathBuf};

/// One trace page of the report.
#[derive(Clone, Debug)]
pub struct TracePage {
    /// Index of the summary row it belongs to.
    pub row: usize,
    /// The link's text in the index (`concurrent-map-writes`, `minimized`).
    pub label: String,
    /// The page's file name without `.html` (see [`file_stem`]).
    pub stem: String,
    /// The trace.
    pub report: ReplayReport,
}

/// A file name stem from parts: lower-case letters, digits and `-` only.
///
/// ```
/// assert_eq!(
///     maprace_reports::report_dir::file_stem(&["e2-two-writers", "buggy", "1"]),
///     "e2-two-writers-buggy-1"
/// );
/// ```
pub fn file_stem(parts: &[&str]) -> String {
    let mut out = String::new();
    for c in parts.join("-").chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Writes the report directory; returns the files written, index last.
pub fn write(dir: &Path, rows: &[SummaryRow], pages: &[TracePage]) -> io::Result<Vec<PathBuf>> {
    let traces = dir.join("traces");
    std::fs::create_dir_all(&traces)?;
    let mut written = Vec::new();
    let mut links: Vec<Vec<Link>> = vec![Vec::new(); rows.len()];
    for p in pages {
        let name = format!("{}.html", p.stem);
        let path = traces.join(&name);
        write_atomic(&path, html::trace_page(&p.report).as_bytes())?;
        written.push(path);
        if let Some(l) = links.get_mut(p.row) {
            l.push(Link {
                label: p.label.clone(),
                href: format!("traces/{name}"),
            });
        }
    }
    remove_stale(&traces, &written)?;

    let json = dir.join("summary.json");
    write_atomic(&json, crate::json::explore(rows).as_bytes())?;
    written.push(json);
    let md = dir.join("summary.md");
    write_atomic(&md, summary_markdown(rows, pages).as_bytes())?;
    written.push(md);
    let index = dir.join("index.html");
    write_atomic(&index, html::summary_page(rows, &links, &[]).as_bytes())?;
    written.push(index);
    Ok(written)
}

/// `summary.md`: the summary table, then each trace's token and replay command.
pub fn summary_markdown(rows: &[SummaryRow], pages: &[TracePage]) -> String {
    let mut out = String::from("# maprace exploration report\n\n");
    out.push_str(&markdown::summary(rows));
    if !pages.is_empty() {
        out.push_str("\n## Failures\n\n");
        for p in pages {
            let r = &p.report;
            out.push_str(&format!(
                "- [{} — {}](traces/{}.html): `maprace replay {}`\n",
                markdown::escape(&r.scenario),
                markdown::escape(&p.label),
                p.stem,
                r.token
            ));
        }
    }
    out
}

/// Removes `*.html` files in `traces` that this run did not write (and leftover temporaries).
fn remove_stale(traces: &Path, keep: &[PathBuf]) -> io::Result<()> {
    for entry in std::fs::read_dir(traces)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ours =
            name.ends_with(".html") || (name.starts_with(".maprace-") && name.ends_with(".tmp"));
        if ours && path.is_file() && !keep.contains(&path) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}
