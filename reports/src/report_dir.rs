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
//! links to a page that is not there yet.
//!
//! maprace owns the directory through a marker file, `DIR/.maprace-report`, that lists every
//! file the last run wrote. A directory without the marker is used only when it is empty (or
//! missing); otherwise [`prepare`] refuses it, so `--report .` can never delete someone's files.
//! Files an earlier run wrote that this run did not are removed, so the directory always
//! describes one run; files listed nowhere are never touched.

use crate::html::{self, Link};
use crate::markdown;
use crate::model::{ReplayReport, SummaryRow};
use crate::write_atomic::{check_writable, write_atomic};
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// The marker file that makes a directory maprace's report directory.
pub const MARKER: &str = ".maprace-report";

const MARKER_HEADER: &str = "# maprace report directory: the files below were written by maprace \
and are replaced or removed by its next run.\n";

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
    /// For a failure only the loom engine shows: loom's checkpoint of it, saved beside the
    /// page as [`checkpoint_file`] (the report's replay line names that file).
    pub checkpoint: Option<String>,
}

/// Where a trace page's loom checkpoint is saved, relative to the report directory.
pub fn checkpoint_file(stem: &str) -> String {
    format!("traces/{stem}.loom-checkpoint.json")
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

/// Checks, before any exploration, that `dir` can be maprace's report directory: it is missing,
/// empty or already holds the [`MARKER`], and files can be written in it and in `traces/`.
/// Creates it (with the marker) when needed, so the check holds until the report is written.
pub fn prepare(dir: &Path) -> io::Result<()> {
    let marker = dir.join(MARKER);
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if !marker.is_file() && entries.next().is_some() {
                return Err(io::Error::other(format!(
                    "it holds files maprace did not write (no {MARKER} marker); \
                     use a new or empty directory"
                )));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    check_writable(dir)?;
    check_writable(&dir.join("traces"))?;
    if !marker.is_file() {
        write_atomic(&marker, MARKER_HEADER.as_bytes())?;
    }
    Ok(())
}

/// The files (relative to the directory, `/`-separated) the marker says maprace wrote.
fn owned(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(MARKER))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        // Only plain names under the directory: a marker cannot send removals elsewhere.
        .filter(|l| {
            l.split('/')
                .all(|part| !part.is_empty() && part != ".." && part != ".")
        })
        .map(str::to_string)
        .collect()
}

fn write_marker(dir: &Path, files: &BTreeSet<String>) -> io::Result<()> {
    let mut text = String::from(MARKER_HEADER);
    for f in files {
        text.push_str(f);
        text.push('\n');
    }
    write_atomic(&dir.join(MARKER), text.as_bytes()).map(drop)
}

/// Writes the report directory (after [`prepare`], which it repeats); returns the files
/// written, index last.
pub fn write(dir: &Path, rows: &[SummaryRow], pages: &[TracePage]) -> io::Result<Vec<PathBuf>> {
    write_with_replay(dir, rows, pages, crate::trace_table::MAPRACE_REPLAY)
}

/// [`write()`], with `summary.md` giving each token's replay command as `replay` (how maprace
/// was run: `maprace replay`, or `cargo run --release -- replay` in a checkout).
pub fn write_with_replay(
    dir: &Path,
    rows: &[SummaryRow],
    pages: &[TracePage],
    replay: &str,
) -> io::Result<Vec<PathBuf>> {
    prepare(dir)?;
    let before = owned(dir);
    let mut now: BTreeSet<String> = pages
        .iter()
        .flat_map(|p| {
            let checkpoint = p.checkpoint.as_ref().map(|_| checkpoint_file(&p.stem));
            std::iter::once(format!("traces/{}.html", p.stem)).chain(checkpoint)
        })
        .chain(["summary.json", "summary.md", "index.html"].map(String::from))
        .collect();
    // Claim every file before writing any, so an interrupted run leaves nothing unowned.
    write_marker(dir, &before.union(&now).cloned().collect())?;
    let traces = dir.join("traces");
    let mut written = Vec::new();
    let mut links: Vec<Vec<Link>> = vec![Vec::new(); rows.len()];
    for p in pages {
        let name = format!("{}.html", p.stem);
        let path = traces.join(&name);
        write_atomic(
            &path,
            html::trace_page_linked(&p.report, Some("../index.html")).as_bytes(),
        )?;
        written.push(path);
        if let Some(checkpoint) = &p.checkpoint {
            let path = dir.join(checkpoint_file(&p.stem));
            write_atomic(&path, checkpoint.as_bytes())?;
            written.push(path);
        }
        if let Some(l) = links.get_mut(p.row) {
            l.push(Link {
                label: p.label.clone(),
                href: format!("traces/{name}"),
            });
        }
    }

    let json = dir.join("summary.json");
    write_atomic(&json, crate::json::explore(rows).as_bytes())?;
    written.push(json);
    let md = dir.join("summary.md");
    write_atomic(&md, summary_markdown_with(rows, pages, replay).as_bytes())?;
    written.push(md);
    let index = dir.join("index.html");
    write_atomic(&index, html::summary_page(rows, &links, &[]).as_bytes())?;
    written.push(index);
    for stale in before.difference(&now) {
        match std::fs::remove_file(dir.join(stale)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    now.retain(|f| dir.join(f).is_file());
    write_marker(dir, &now)?;
    Ok(written)
}

/// `summary.md`: the summary table, then each trace's token and replay command.
pub fn summary_markdown(rows: &[SummaryRow], pages: &[TracePage]) -> String {
    summary_markdown_with(rows, pages, crate::trace_table::MAPRACE_REPLAY)
}

/// [`summary_markdown`] with the replay command `replay`.
pub fn summary_markdown_with(rows: &[SummaryRow], pages: &[TracePage], replay: &str) -> String {
    let mut out = String::from("# maprace exploration report\n\n");
    out.push_str(&markdown::summary(rows));
    if !pages.is_empty() {
        out.push_str("\n## Failures\n\n");
        for p in pages {
            let r = &p.report;
            out.push_str(&format!(
                "- [{} — {}](traces/{}.html): `{}`\n",
                markdown::escape(&r.scenario),
                markdown::escape(&p.label),
                p.stem,
                crate::model::replay_line(replay, &r.token, r.loom_only.as_ref())
            ));
        }
    }
    out
}
