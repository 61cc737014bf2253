//! Measures the catalogue: for each buggy variant, how many of the seeds 0..20 the default
//! strategy finds failing (and after how many executions), and which failure kinds a full
//! default exploration finds; for each fixed variant, the default exploration and the bounded
//! DFS (executions, whether it exhausted the space). With timings, so run it in release:
//!
//! ```text
//! cargo run --release -p maprace-scenarios --example survey [SCENARIO...]
//! ```

use maprace_harness::kinds;
use maprace_scenarios::run::{self, Options};
use maprace_scenarios::{all, select, Variant};
use std::time::Instant;

fn main() {
    let names: Vec<String> = std::env::args().skip(1).collect();
    let scenarios = if names.is_empty() {
        all()
    } else {
        names
            .iter()
            .flat_map(|n| select(n).unwrap_or_else(|| panic!("no scenario {n}")))
            .collect()
    };
    for s in &scenarios {
        let t = Instant::now();
        let full = run::explore(s, &Options::default());
        let secs = t.elapsed().as_secs_f64();
        let rate = full.executions as f64 / secs;
        let found: Vec<String> = kinds(&full.failures)
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        match s.variant {
            Variant::Buggy => {
                let mut seeds = 0;
                let mut firsts = Vec::new();
                for seed in 0..20 {
                    let o = Options {
                        seed,
                        ..Options::default()
                    };
                    let e = o.explorer(s).stop_on_first_failure(true).run(s.body);
                    if let Some(f) = e.first_failure() {
                        seeds += 1;
                        firsts.push(f.execution);
                    }
                }
                let unexpected: Vec<_> = full
                    .failures
                    .iter()
                    .filter(|f| !s.expects_kind(f.failure.kind.as_str()))
                    .map(|f| f.failure.to_string())
                    .collect();
                println!(
                    "{:<40} {:>6.0} exec/s {:>5.2}s  seeds {seeds}/20 first@{:?}  kinds {}{}",
                    s.id(),
                    rate,
                    secs,
                    firsts,
                    found.join(" "),
                    if unexpected.is_empty() {
                        String::new()
                    } else {
                        format!("  UNEXPECTED {unexpected:?}")
                    }
                );
            }
            Variant::Fixed => {
                let t = Instant::now();
                let dfs = run::explore(s, &Options::dfs(s));
                let dsecs = t.elapsed().as_secs_f64();
                println!(
                    "{:<40} {:>6.0} exec/s {:>5.2}s  random {}  dfs {} executions exhausted={} {:.2}s {}",
                    s.id(),
                    rate,
                    secs,
                    if full.failures.is_empty() { "pass".to_string() } else { format!("FAIL {}", found.join(" ")) },
                    dfs.executions,
                    dfs.exhausted,
                    dsecs,
                    if dfs.failures.is_empty() { "pass".to_string() } else { format!("FAIL {}", dfs.failures[0].failure) }
                );
            }
        }
    }
}
