//! Terminal tables (tabled): plain grids and the scenario list.

use crate::model::{ListRow, SummaryRow};
use tabled::builder::Builder;
use tabled::settings::peaker::PriorityMax;
use tabled::settings::{Style, Width};
use tabled::Table;

/// Fits `t` into `width` terminal columns, when a width is given, by wrapping the widest
/// columns first at word boundaries (a table narrower than `width` is left as it is). The full
/// text of every cell stays available through `--full` and the JSON formats.
pub fn fit(t: &mut Table, width: Option<usize>) {
    if let Some(w) = width {
        t.with(
            Width::wrap(w)
                .priority(PriorityMax::new(false))
                .keep_words(true),
        );
    }
}

/// Re-wraps the cells of `records` (the header first) so that a sharp-style table of them fits
/// `width` columns: the widest column gives up a column at a time, first down to its longest
/// word, then to its longest hyphen-separated part (`concurrent-map-` / `writes`), and only then
/// are words cut. Narrow columns (a verdict, a variant) keep their width as long as possible,
/// so a table stays readable at 80 columns.
pub fn fit_cells(records: &mut [Vec<String>], width: Option<usize>) {
    let Some(width) = width else { return };
    let columns = records.iter().map(Vec::len).max().unwrap_or(0);
    let widest = |f: &dyn Fn(&str) -> usize, c: usize| {
        records
            .iter()
            .filter_map(|r| r.get(c))
            .map(|cell| f(cell))
            .max()
            .unwrap_or(0)
    };
    let line_width = |cell: &str| cell.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let longest = |parts: Vec<&str>| parts.iter().map(|p| p.chars().count()).max().unwrap_or(0);
    let word_width = |cell: &str| longest(cell.split([' ', '\n']).collect());
    let part_width = |cell: &str| {
        longest(
            cell.split_inclusive([' ', '\n', '-'])
                .map(str::trim_end)
                .collect(),
        )
    };
    let natural: Vec<usize> = (0..columns).map(|c| widest(&line_width, c)).collect();
    let mut widths = natural.clone();
    // Each column costs its text plus a space either side and one border; one more border.
    let total = |w: &[usize]| w.iter().sum::<usize>() + 3 * w.len() + 1;
    let floors_by: [&dyn Fn(&str) -> usize; 3] = [&word_width, &part_width, &|_| 4];
    for floor_of in floors_by {
        let floors: Vec<usize> = (0..columns).map(|c| widest(floor_of, c).max(1)).collect();
        while total(&widths) > width {
            let Some(c) = (0..columns)
                .filter(|&c| widths[c] > floors[c])
                .max_by_key(|&c| (widths[c], std::cmp::Reverse(c)))
            else {
                break;
            };
            widths[c] -= 1;
        }
    }
    for r in records.iter_mut() {
        for (c, cell) in r.iter_mut().enumerate() {
            if widths[c] < natural[c] && line_width(cell) > widths[c] {
                *cell = wrap_hard(&cell.replace('\n', " "), widths[c]);
            }
        }
    }
}

/// Word wrap at `width` characters that breaks a word too long for the line after a hyphen, or
/// anywhere when it must.
fn wrap_hard(text: &str, width: usize) -> String {
    let mut pieces: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if word.chars().count() <= width {
            pieces.push(word.to_string());
            continue;
        }
        let mut line = String::new();
        for part in word.split_inclusive('-') {
            if !line.is_empty() && line.chars().count() + part.chars().count() > width {
                pieces.push(std::mem::take(&mut line));
            }
            line.push_str(part);
            while line.chars().count() > width {
                let rest: String = line.chars().skip(width).collect();
                pieces.push(line.chars().take(width).collect());
                line = rest;
            }
        }
        if !line.is_empty() {
            pieces.push(line);
        }
    }
    // Pieces of one word join without a space; the greedy wrap joins with spaces, so re-pack.
    let mut out = String::new();
    let mut len = 0;
    let mut prev_hyphen = false;
    for p in pieces {
        let n = p.chars().count();
        let glue = usize::from(len > 0 && !prev_hyphen);
        if len > 0 && len + glue + n > width {
            out.push('\n');
            len = 0;
        } else if glue == 1 {
            out.push(' ');
            len += 1;
        }
        prev_hyphen = p.ends_with('-');
        out.push_str(&p);
        len += n;
    }
    out
}

/// A plain grid fitted into `width` columns (see [`fit_cells`] and [`fit`]).
pub fn grid_sized(header: &[&str], rows: Vec<Vec<String>>, width: Option<usize>) -> String {
    let mut records: Vec<Vec<String>> =
        std::iter::once(header.iter().map(|h| h.to_string()).collect())
            .chain(rows)
            .collect();
    fit_cells(&mut records, width);
    let header: Vec<String> = records.remove(0);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    grid_with(&header, records, |t| fit(t, width))
}

/// A plain grid: a header row, then the rows.
pub fn grid(header: &[&str], rows: Vec<Vec<String>>) -> String {
    grid_with(header, rows, |_| {})
}

/// A plain grid, with `style` applied to the built table (colours, widths) before printing.
pub fn grid_with(
    header: &[&str],
    rows: Vec<Vec<String>>,
    style: impl FnOnce(&mut Table),
) -> String {
    let mut b = Builder::default();
    b.push_record(header.iter().map(|h| h.to_string()));
    for r in rows {
        b.push_record(r);
    }
    let mut t = b.build();
    t.with(Style::sharp());
    style(&mut t);
    let mut s = t.to_string();
    s.push('\n');
    s
}

/// The scenario list.
pub fn list(rows: &[ListRow]) -> String {
    list_sized(rows, None)
}

/// The scenario list fitted into `width` columns (see [`fit`]).
pub fn list_sized(rows: &[ListRow], width: Option<usize>) -> String {
    grid_sized(
        &["scenario", "variant", "expected", "description"],
        rows.iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.variant.clone(),
                    r.expected.clone(),
                    r.description.clone(),
                ]
            })
            .collect(),
        width,
    )
}

/// The exploration summary without colour (see [`crate::summary::table`]).
pub fn summary(rows: &[SummaryRow]) -> String {
    crate::summary::table(rows, false)
}

/// `N scenarios, N ok, N unexpected`.
pub fn totals(rows: &[SummaryRow]) -> String {
    crate::summary::totals(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_wrapped_to_fit_and_narrow_columns_keep_their_width() {
        let mut records = vec![
            vec!["kinds".to_string(), "verdict".to_string()],
            vec![
                "concurrent-map-writes, concurrent-map-read-and-map-write".to_string(),
                "ok".to_string(),
            ],
        ];
        fit_cells(&mut records, Some(40));
        let lines: Vec<&str> = records[1][0].lines().collect();
        assert!(lines
            .iter()
            .all(|l| l.chars().count() <= 40 - 3 * 2 - 1 - 7));
        assert_eq!(
            records[1][0].replace('\n', ""),
            "concurrent-map-writes,concurrent-map-read-and-map-write"
        );
        assert_eq!(records[0][1], "verdict");
        let t = grid_sized(
            &["a", "b"],
            vec![vec!["x y z ".repeat(30), "ok".into()]],
            Some(50),
        );
        assert!(t.lines().all(|l| l.chars().count() <= 50), "{t}");
    }
}
