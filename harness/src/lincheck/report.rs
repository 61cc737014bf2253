//! Reports of a non-linearizable history, in Lincheck's layout: one column per goroutine, one
//! row per operation with its result; the interleaving of invocations and responses; and a
//! sentence saying why no sequential order explains the results.

use super::checker::Violation;
use super::history::{History, Operation};
use std::fmt::{self, Debug, Display, Write as _};

/// A scenario laid out as Lincheck does: the init part, one column per goroutine, the post
/// part; each cell an operation, with its result when it ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The init part's cells.
    pub init: Vec<String>,
    /// One column per goroutine.
    pub parallel: Vec<Vec<String>>,
    /// The goroutines' names, one per column (`G1`, `G2`, ... when empty).
    pub heads: Vec<String>,
    /// The post part's cells.
    pub post: Vec<String>,
}

impl Table {
    /// The table of `history`, an execution of a scenario: `main`'s first `init` operations are
    /// the init part, its others the post part; each cell is `op: result` (`op: -` when the
    /// operation never returned).
    pub fn of_history<O: Display, R: Debug>(history: &History<O, R>, init: usize) -> Table {
        let parts = Parts::of(history, init);
        let cells = |ops: &[&Operation<O, R>]| ops.iter().map(|o| cell(o)).collect();
        Table {
            init: cells(&parts.init),
            parallel: parts.parallel.iter().map(|col| cells(col)).collect(),
            heads: parts.heads.iter().map(|g| g.to_string()).collect(),
            post: cells(&parts.post),
        }
    }

    /// The table in Markdown: a first column naming the part (`init`, `post`; empty for the
    /// parallel rows), then one column per goroutine; init and post cells sit in the first
    /// goroutine's column.
    pub fn markdown(&self) -> String {
        let n = self.parallel.len().max(1);
        let head = |g: usize| {
            self.heads
                .get(g)
                .cloned()
                .unwrap_or_else(|| format!("G{}", g + 1))
        };
        let code = |c: &str| format!("`{}`", c.replace('`', "'"));
        let mut out = String::from("| |");
        for g in 0..n {
            let _ = write!(out, " {} |", head(g));
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(n));
        out.push('\n');
        let part = |out: &mut String, name: &str, cells: &[String]| {
            for c in cells {
                let _ = writeln!(out, "| {name} | {} |{}", code(c), " |".repeat(n - 1));
            }
        };
        part(&mut out, "init", &self.init);
        let rows = self.parallel.iter().map(Vec::len).max().unwrap_or(0);
        for r in 0..rows {
            out.push_str("| |");
            for g in 0..n {
                match self.parallel.get(g).and_then(|col| col.get(r)) {
                    Some(c) => {
                        let _ = write!(out, " {} |", code(c));
                    }
                    None => out.push_str(" |"),
                }
            }
            out.push('\n');
        }
        part(&mut out, "post", &self.post);
        out
    }
}

/// The operations of a history in Lincheck's layout, for renderings of their own (the
/// [`Table`], the JSON and HTML reports): the init part, one column per goroutine, the post
/// part.
#[derive(Debug)]
pub struct Parts<'a, O, R> {
    /// The goroutines' names, one per column, in spawn order (`G1`, `G2`, ...).
    pub heads: Vec<&'a str>,
    /// `main`'s operations before the goroutines started.
    pub init: Vec<&'a Operation<O, R>>,
    /// Each goroutine's operations, in order.
    pub parallel: Vec<Vec<&'a Operation<O, R>>>,
    /// `main`'s operations after the goroutines were joined.
    pub post: Vec<&'a Operation<O, R>>,
}

impl<'a, O, R> Parts<'a, O, R> {
    /// The parts of `history`, an execution of a scenario whose init part has `init`
    /// operations (`main`'s first `init` operations; its others are the post part).
    pub fn of(history: &'a History<O, R>, init: usize) -> Self {
        let heads: Vec<&str> = goroutine_order(history)
            .into_iter()
            .filter(|g| *g != "main")
            .collect();
        let mut parts = Parts {
            parallel: vec![Vec::new(); heads.len()],
            heads,
            init: Vec::new(),
            post: Vec::new(),
        };
        for o in &history.operations {
            if o.goroutine == "main" {
                if parts.init.len() < init {
                    parts.init.push(o);
                } else {
                    parts.post.push(o);
                }
            } else if let Some(c) = parts.heads.iter().position(|g| *g == o.goroutine) {
                parts.parallel[c].push(o);
            }
        }
        parts
    }
}

/// The goroutines of `history` in spawn order: `main`, `G1`, `G2`, ..., `G10`, then any other.
pub fn goroutine_order<O, R>(history: &History<O, R>) -> Vec<&str> {
    let mut goroutines = history.goroutines();
    goroutines.sort_by_key(|g| spawn_order(g));
    goroutines
}

/// One row of an interleaving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Operation `.0` (a history index) was invoked.
    Invoke(usize),
    /// Operation `.0` returned.
    Respond(usize),
    /// Operation `.0` was invoked and returned with nothing in between.
    Whole(usize),
}

/// The invocations and responses of `history` in real-time order; an operation that returned
/// before anything else happened is one [`Step::Whole`]. A pending operation has only its
/// [`Step::Invoke`].
pub fn steps<O, R>(history: &History<O, R>) -> Vec<Step> {
    let mut events: Vec<(u64, Step)> = Vec::new();
    for (i, o) in history.operations.iter().enumerate() {
        match &o.response {
            Some((t, _)) if *t == o.call + 1 => events.push((o.call, Step::Whole(i))),
            Some((t, _)) => {
                events.push((o.call, Step::Invoke(i)));
                events.push((*t, Step::Respond(i)));
            }
            None => events.push((o.call, Step::Invoke(i))),
        }
    }
    // Clock values are unique, so this order is total.
    events.sort_by_key(|(t, _)| *t);
    events.into_iter().map(|(_, s)| s).collect()
}

/// Sorts goroutine names as they were spawned: `main`, `G1`, `G2`, ..., `G10`, then any other.
fn spawn_order(name: &str) -> (u8, u64, &str) {
    if name == "main" {
        return (0, 0, name);
    }
    match name.strip_prefix('G').and_then(|n| n.parse().ok()) {
        Some(n) => (1, n, name),
        None => (2, 0, name),
    }
}

fn cell<O: Display, R: Debug>(o: &Operation<O, R>) -> String {
    match &o.response {
        Some((_, r)) => format!("{}: {r:?}", o.op),
        None => format!("{}: -", o.op),
    }
}

/// Writes rows of cells between `|`, each column padded to `widths`.
fn row(f: &mut fmt::Formatter<'_>, cells: &[&str], widths: &[usize]) -> fmt::Result {
    f.write_str("|")?;
    for (c, w) in cells.iter().zip(widths) {
        write!(f, " {c:<w$} |")?;
    }
    f.write_str("\n")
}

impl Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.parallel.len().max(1);
        let heads: Vec<String> = (0..n)
            .map(|g| {
                self.heads
                    .get(g)
                    .cloned()
                    .unwrap_or_else(|| format!("G{}", g + 1))
            })
            .collect();
        let mut widths: Vec<usize> = (0..n)
            .map(|g| {
                let head = heads[g].chars().count();
                self.parallel
                    .get(g)
                    .into_iter()
                    .flatten()
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(head)
            })
            .collect();
        // The init and post rows span every column.
        let span = |w: &[usize]| w.iter().sum::<usize>() + 3 * (w.len() - 1);
        let whole = self
            .init
            .iter()
            .chain(&self.post)
            .map(|c| c.chars().count() + 6)
            .max()
            .unwrap_or(0);
        if whole > span(&widths) {
            let last = widths.len() - 1;
            widths[last] += whole - span(&widths);
        }
        let total = span(&widths);
        for c in &self.init {
            row(f, &[&format!("init: {c}")], &[total])?;
        }
        let heads: Vec<String> = (0..n).map(|g| format!("G{}", g + 1)).collect();
        row(
            f,
            &heads.iter().map(String::as_str).collect::<Vec<_>>(),
            &widths,
        )?;
        let rows = self.parallel.iter().map(Vec::len).max().unwrap_or(0);
        for r in 0..rows {
            let cells: Vec<&str> = (0..n)
                .map(|g| {
                    self.parallel
                        .get(g)
                        .and_then(|col| col.get(r))
                        .map_or("", String::as_str)
                })
                .collect();
            row(f, &cells, &widths)?;
        }
        for c in &self.post {
            row(f, &[&format!("post: {c}")], &[total])?;
        }
        Ok(())
    }
}

/// The interleaving of `history`: its invocations and responses in real-time order, one column
/// per goroutine. An operation that returned before anything else happened takes one row
/// (`op: result`); otherwise its invocation (`op ...`) and response (`... result`) take one each.
pub fn interleaving<O: Display, R: Debug>(history: &History<O, R>) -> String {
    let goroutines = goroutine_order(history);
    let column = |o: &Operation<O, R>| goroutines.iter().position(|g| *g == o.goroutine);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for step in steps(history) {
        let (i, text) = match step {
            Step::Whole(i) => (i, cell(&history.operations[i])),
            Step::Invoke(i) => (i, format!("{} ...", history.operations[i].op)),
            Step::Respond(i) => match &history.operations[i].response {
                Some((_, r)) => (i, format!("... {r:?}")),
                None => (i, String::new()),
            },
        };
        let mut cells = vec![String::new(); goroutines.len()];
        if let Some(c) = column(&history.operations[i]) {
            cells[c] = text;
        }
        rows.push(cells);
    }
    let widths: Vec<usize> = (0..goroutines.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([goroutines[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        out.push('|');
        for (c, w) in cells.iter().zip(&widths) {
            let _ = write!(out, " {c:<w$} |");
        }
        out.push('\n');
    };
    line(&goroutines);
    for r in &rows {
        line(&r.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out
}

/// Why the history is not linearizable, in one sentence: `get(3) in G2 returned None after
/// assign(3, 1) in main completed and nothing overlapped it; the longest linearization found
/// (assign(3, 1)) gives Some(1)`.
pub fn explain<O: Display, R: Debug>(history: &History<O, R>, v: &Violation<R>) -> String {
    let ops = &history.operations;
    let f = &ops[v.operation];
    let named = |o: &Operation<O, R>| format!("{} in {}", o.op, o.goroutine);
    let mut s = match &f.response {
        Some((_, r)) => format!("{} returned {r:?}", named(f)),
        None => format!("{} (pending)", named(f)),
    };
    let before: Vec<&Operation<O, R>> = v
        .operations
        .iter()
        .map(|&i| &ops[i])
        .filter(|o| o.precedes(f))
        .collect();
    // The last few that completed before it are the ones a reader needs.
    let recent: Vec<String> = before
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|o| named(o))
        .collect();
    if !recent.is_empty() {
        let more = if before.len() > recent.len() {
            "…, "
        } else {
            ""
        };
        let _ = write!(s, " after {more}{} completed", recent.join(", "));
    }
    let overlapping: Vec<String> = v
        .operations
        .iter()
        .filter(|&&i| i != v.operation)
        .map(|&i| &ops[i])
        .filter(|o| !o.precedes(f) && !f.precedes(o))
        .map(named)
        .collect();
    if overlapping.is_empty() {
        s.push_str(" and nothing overlapped it");
    } else {
        let _ = write!(s, " while {} overlapped it", overlapping.join(", "));
    }
    let prefix: Vec<String> = v.prefix.iter().map(|&i| ops[i].op.to_string()).collect();
    if prefix.is_empty() {
        let _ = write!(s, "; from the initial state it returns {:?}", v.expected);
    } else {
        let _ = write!(
            s,
            "; after the longest linearization found ({}) it returns {:?}",
            prefix.join(", "),
            v.expected
        );
    }
    s
}
