//! `--shard K/N` (one CI job's part of a run) and `maprace merge` (the parts back into the
//! summary one run gives).
//!
//! A run is split by scenario variant: shard K of N explores the selected variants whose
//! position in catalogue order is K - 1 modulo N. Every exploration is deterministic, so the
//! shards' rows are the rows a single run prints, and merging them in catalogue order gives
//! its JSON byte for byte.

use super::args::MergeArgs;
use super::{print, CliError, EXIT_OK, EXIT_UNEXPECTED};
use maprace_reports::json::{self, ExploreDoc};
use maprace_reports::SummaryRow;
use maprace_scenarios::Scenario;

/// One shard of a run: the `index`-th (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

/// Parses `K/N` with 1 ≤ K ≤ N.
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N (shard K of N), got {s:?}"))?;
    let number = |v: &str| {
        v.parse::<u32>()
            .map_err(|_| format!("expected K/N with whole numbers, got {s:?}"))
    };
    let (index, count) = (number(k)?, number(n)?);
    if count == 0 || index == 0 || index > count {
        return Err(format!("shard {s} does not exist: K/N needs 1 <= K <= N"));
    }
    Ok(Shard { index, count })
}

/// The scenarios of `shard` among `scenarios` (all of them without a shard).
pub fn select(scenarios: Vec<Scenario>, shard: Option<Shard>) -> Vec<Scenario> {
    match shard {
        None => scenarios,
        Some(sh) => scenarios
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i as u64 % u64::from(sh.count) == u64::from(sh.index - 1))
            .map(|(_, s)| s)
            .collect(),
    }
}

/// `maprace merge a.json b.json ...`.
pub fn merge(args: &MergeArgs) -> Result<i32, CliError> {
    let order: Vec<(String, String)> = maprace_scenarios::all()
        .iter()
        .map(|s| (s.name.to_string(), s.variant.to_string()))
        .collect();
    let mut rows: Vec<(usize, SummaryRow)> = Vec::new();
    for path in &args.files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
        let doc: ExploreDoc =
            json::parse(&text).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
        for row in doc.results {
            let key = (row.scenario.clone(), row.variant.clone());
            let at = order.iter().position(|k| *k == key).ok_or_else(|| {
                CliError::usage(format!(
                    "{}: unknown scenario {}/{}",
                    path.display(),
                    key.0,
                    key.1
                ))
            })?;
            if rows.iter().any(|(i, _)| *i == at) {
                return Err(CliError::usage(format!(
                    "{}: {}/{} is in more than one input",
                    path.display(),
                    key.0,
                    key.1
                )));
            }
            rows.push((at, row));
        }
    }
    rows.sort_by_key(|(i, _)| *i);
    let rows: Vec<SummaryRow> = rows.into_iter().map(|(_, r)| r).collect();
    let all_ok = rows.iter().all(|r| r.verdict == "ok");
    print(&json::explore(&rows))?;
    Ok(if all_ok { EXIT_OK } else { EXIT_UNEXPECTED })
}
