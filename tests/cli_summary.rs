//! What `maprace explore` says: honest verdicts, exact coverage, every failure's token, and a
//! replay command that works for how maprace was run.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run_with_path(path: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_maprace"));
    c.args(args).env("NO_COLOR", "1");
    if let Some(p) = path {
        c.env("PATH", p);
    }
    c.output().expect("the maprace binary runs")
}

fn maprace(args: &[&str]) -> Output {
    run_with_path(None, args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn a_buggy_variant_that_only_hits_the_step_bound_is_unexpected_with_a_hint() {
    // Abandoned at the step bound (the default) or failed there (--step-bound fail): either
    // way the bug was not shown, and the hint says why.
    for fail in [false, true] {
        let mut args = vec![
            "explore",
            "e2-two-writers/buggy",
            "--max-steps",
            "1",
            "--iterations",
            "20",
            "--no-minimize",
            "--format",
            "json",
        ];
        if fail {
            args.extend(["--step-bound", "fail"]);
        }
        let out = maprace(&args);
        assert_eq!(out.status.code(), Some(1));
        let row = &json(&out)["results"][0];
        if fail {
            assert_eq!(row["failures"][0]["kind"], "step-bound");
        } else {
            assert!(row["failures"].as_array().unwrap().is_empty());
        }
        assert_eq!(row["verdict"], "unexpected");
        let hint = row["hint"].as_str().expect("a hint");
        assert!(
            hint.starts_with("only step-bound") && hint.contains("--max-steps"),
            "{hint}"
        );
    }
    // The table says it too, under the totals.
    let table = stdout(&maprace(&[
        "explore",
        "e2-two-writers/buggy",
        "--max-steps",
        "1",
        "--iterations",
        "20",
        "--no-minimize",
    ]));
    assert!(
        table.contains("\n  e2-two-writers/buggy: only step-bound"),
        "{table}"
    );
}

#[test]
fn coverage_is_stated_exactly() {
    let coverage = |args: &[&str]| {
        let mut all = vec!["explore", "demo-flag-map/fixed", "--format", "json"];
        all.extend(args);
        let out = maprace(&all);
        assert_eq!(out.status.code(), Some(0));
        json(&out)["results"][0]["coverage"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // DFS prunes equivalent schedules by default (DPOR), and says so.
    let bounded = coverage(&["--strategy", "dfs"]);
    assert!(
        bounded.starts_with("every schedule with ≤ 2 preemptions up to equivalence ("),
        "{bounded}"
    );
    let plain = coverage(&["--strategy", "dfs", "--reduction", "none"]);
    assert!(
        plain.starts_with("every schedule with ≤ 2 preemptions ("),
        "{plain}"
    );
    assert_eq!(
        coverage(&[
            "--strategy",
            "dfs",
            "--preemption-bound",
            "none",
            "--iterations",
            "5"
        ]),
        "not exhaustive: cut at 5 executions"
    );
    assert_eq!(
        coverage(&["--iterations", "1200"]),
        "1,200 sampled schedules"
    );
}

#[test]
fn every_failure_found_has_its_token_in_the_terminal_summary() {
    let args = [
        "explore",
        "t7-afterfunc-global/buggy",
        "--iterations",
        "300",
    ];
    let mut with_json = args.to_vec();
    with_json.extend(["--format", "json"]);
    let doc = json(&maprace(&with_json));
    let failures = doc["results"][0]["failures"].as_array().unwrap();
    assert!(failures.len() > 1, "t7 fails several ways: {failures:?}");
    let table = stdout(&maprace(&args));
    let list = table.split("failures (").nth(1).expect("a failures list");
    for f in failures {
        let token = f["token"].as_str().unwrap();
        let kind = f["kind"].as_str().unwrap();
        assert!(
            list.contains(&format!(" {kind}: ")),
            "{kind} missing: {table}"
        );
        assert!(list.contains(token), "{token} missing: {table}");
        if let Some(m) = f["minimized"]["token"].as_str() {
            assert!(m == token || list.contains(m), "{m} missing: {table}");
        }
    }
}

#[test]
fn the_replay_command_works_for_how_maprace_was_run() {
    let replay_line = |path: Option<&Path>| {
        let out = run_with_path(
            path,
            &["explore", "demo-flag-map/buggy", "--iterations", "50"],
        );
        let text = stdout(&out);
        text.lines()
            .find(|l| l.starts_with("replay:"))
            .unwrap_or_else(|| panic!("no replay line: {text}"))
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ")
    };
    // The test binary lives in target/debug and no `maprace` on PATH is it: a checkout, where
    // the release build replays the same (and debug and release print the same reports).
    let empty = tempfile::tempdir().unwrap();
    assert!(
        replay_line(Some(empty.path())).starts_with("cargo run --release -- replay mr2:"),
        "{}",
        replay_line(Some(empty.path()))
    );
    #[cfg(unix)]
    {
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_maprace"), bin.path().join("maprace"))
            .unwrap();
        assert!(replay_line(Some(bin.path())).starts_with("maprace replay mr2:"));
    }
}

#[test]
fn the_summary_counts_variants_of_scenarios_and_shows_expectations() {
    let text = stdout(&maprace(&[
        "explore",
        "demo-flag-map",
        "--iterations",
        "50",
    ]));
    assert!(text.contains("│ expected │"), "{text}");
    assert!(
        text.contains("\n2 variants of 1 scenario: 2 ok, 0 unexpected\n"),
        "{text}"
    );
    let none = stdout(&maprace(&[
        "explore",
        "demo-flag-map/buggy",
        "--strategy",
        "random",
        "--iterations",
        "50",
        "--minimize-budget",
        "0",
    ]));
    assert!(!none.contains("(reduced)"), "{none}");
    assert!(none.contains("│ 1 (not reduced)"), "{none}");
}

/// The step cells of a trace table: `7` or `4-29`, as ranges.
fn step_ranges(table: &str) -> Vec<(u64, u64)> {
    table
        .lines()
        .filter_map(|l| l.strip_prefix("│ "))
        .filter_map(|l| l.split(' ').next())
        .filter_map(|cell| {
            let (a, b) = cell.split_once('-').unwrap_or((cell, cell));
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

#[test]
fn the_failing_step_in_the_message_is_a_row_of_the_trace() {
    let doc = json(&maprace(&[
        "explore",
        "t7-afterfunc-global/buggy",
        "e2-two-writers/buggy",
        "--iterations",
        "300",
        "--no-minimize",
        "--format",
        "json",
    ]));
    let mut checked = 0;
    for row in doc["results"].as_array().unwrap() {
        for f in row["failures"].as_array().unwrap() {
            let token = f["token"].as_str().unwrap();
            let text = stdout(&maprace(&["replay", token, "--full"]));
            let step = f["step"].as_u64().unwrap();
            assert!(text.contains(&format!(" at step {step}: ")), "{text}");
            let failing_row = text
                .lines()
                .find(|l| l.contains('✗') && l.starts_with('│'))
                .unwrap_or_else(|| panic!("no failing row: {text}"));
            // A data race is found after the fact: its rows are the two racing accesses'
            // (marked where each goroutine paused before its access), not a last row.
            if f["kind"] != "data-race" {
                let (_, last) = step_ranges(failing_row)[0];
                assert_eq!(last, step, "{text}");
            }
            assert!(
                text.contains("step N = after N scheduling decisions"),
                "{text}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked}");
}
