//! The `maprace` binary end to end: output formats, determinism and exit codes.

use serde_json::Value;
use std::process::{Command, Output};

fn maprace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maprace"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the maprace binary runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

const DEMO: &[&str] = &[
    "explore",
    "demo-flag-map",
    "--iterations",
    "300",
    "--format",
    "json",
];

#[test]
fn explore_json_is_byte_identical_across_runs() {
    let a = maprace(DEMO);
    let b = maprace(DEMO);
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(a.stdout, b.stdout);
    let doc = json(&a);
    assert_eq!(doc["version"], 1);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let buggy = &results[0];
    assert_eq!(buggy["scenario"], "demo-flag-map");
    assert_eq!(buggy["variant"], "buggy");
    assert_eq!(buggy["expected"], "fail");
    assert_eq!(buggy["verdict"], "ok");
    assert_eq!(buggy["executions"], 300);
    let first = &buggy["first_failure"];
    assert_eq!(first["kind"], "concurrent-map-writes");
    assert_eq!(first["message"], "fatal error: concurrent map writes");
    assert!(first["token"]
        .as_str()
        .unwrap()
        .starts_with("mr2:demo-flag-map/buggy:"));
    assert_eq!(first["trace_hash"].as_str().unwrap().len(), 16);
    let fixed = &results[1];
    assert_eq!(fixed["variant"], "fixed");
    assert_eq!(fixed["first_failure"], Value::Null);
    assert_eq!(fixed["verdict"], "ok");
}

#[test]
fn a_token_from_explore_replays_to_the_same_trace_hash() {
    let doc = json(&maprace(DEMO));
    let first = &doc["results"][0]["first_failure"];
    let token = first["token"].as_str().unwrap();
    let out = maprace(&["replay", token, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let replay = json(&out);
    assert_eq!(replay["version"], 1);
    assert_eq!(replay["token"], token);
    assert_eq!(replay["trace_hash"], first["trace_hash"]);
    assert_eq!(replay["outcome"]["kind"], first["kind"]);
    assert_eq!(replay["outcome"]["message"], first["message"]);
    let trace = replay["trace"].as_array().unwrap();
    assert!(!trace.is_empty());
    assert!(trace
        .iter()
        .all(|e| e["goroutine"].is_string() && e["kind"].is_string()));
}

#[test]
fn list_json_names_every_variant_with_its_expectation() {
    let out = maprace(&["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    let scenarios = doc["scenarios"].as_array().unwrap();
    assert!(scenarios.iter().any(|s| s["name"] == "demo-flag-map"
        && s["variant"] == "buggy"
        && s["expected"] == "fail"));
    for s in scenarios {
        let expected = if s["variant"] == "buggy" {
            "fail"
        } else {
            "pass"
        };
        assert_eq!(s["expected"], expected);
        assert!(!s["description"].as_str().unwrap().is_empty());
    }
}

fn assert_usage_error(args: &[&str], needle: &str) {
    let out = maprace(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(!stderr.contains("backtrace"), "{args:?}: {stderr}");
}

#[test]
fn bad_input_is_a_one_line_usage_error() {
    assert_usage_error(&["explore", "no-such-scenario"], "unknown scenario");
    assert_usage_error(&["replay", "not-a-token"], "malformed token");
    assert_usage_error(
        &["replay", "mr2:demo-flag-map/buggy:AAAA"],
        "malformed token",
    );
    assert_usage_error(&["explore", "--strategy", "bogus"], "invalid value");
    assert_usage_error(&["explore", "--preemption-bound", "x"], "invalid value");
    let out = maprace(&["replay", "not-a-token"]);
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn strategy_options_are_checked_in_one_line() {
    for (args, needle) in [
        (
            &["--strategy", "pct", "--depth", "0"][..],
            "0 is not in 1..=64",
        ),
        (
            &["--strategy", "pct", "--depth", "1000000000"],
            "1000000000 is not in 1..=64",
        ),
        (
            &["--strategy", "random", "--depth", "3"],
            "--depth has no effect with --strategy random; it applies to --strategy pct",
        ),
        (
            &["--strategy", "pct", "--preemption-bound", "1"],
            "it applies to --strategy dfs",
        ),
        (
            &["--strategy", "dfs", "--delay-bound", "1"],
            "it applies to --strategy delay",
        ),
    ] {
        let mut all = vec!["explore", "demo-flag-map/buggy"];
        all.extend_from_slice(args);
        assert_usage_error(&all, needle);
        // The error is its first line (clap follows a value error with its usual
        // "For more information, try '--help'").
        let out = maprace(&all);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let first = stderr.lines().next().unwrap_or_default();
        assert!(first.contains(needle), "{all:?}: {stderr}");
    }
}

#[test]
fn a_token_for_an_unknown_scenario_is_rejected() {
    // A well-formed token (right checksum) naming a scenario that does not exist.
    let token = maprace_harness::Token {
        scenario: "no-such-scenario/buggy".into(),
        seed: 1,
        steps: vec![0, 0, 2],
        digests: vec![],
        trace_hash: None,
    };
    assert_usage_error(&["replay", &token.to_string()], "not a catalogue scenario");
    // Both replay and minimize say how to replay it where it came from, in one line.
    for command in ["replay", "minimize"] {
        let out = maprace(&[command, &token.to_string()]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!(
                "MAPRACE_REPLAY='{token}' cargo test no-such-scenario::buggy -- --exact"
            )),
            "{err}"
        );
    }
}

#[test]
fn a_variant_that_misses_its_expectation_makes_explore_exit_1() {
    // Without preemptions each writer runs its whole assignment alone, so the buggy variant
    // passes every schedule: it did not fail as expected, verdict unexpected, exit 1.
    let out = maprace(&[
        "explore",
        "demo-flag-map/buggy",
        "--strategy",
        "dfs",
        "--preemption-bound",
        "0",
        "--format",
        "json",
    ]);
    let doc = json(&out);
    let row = &doc["results"][0];
    assert_eq!(row["exhausted"], true);
    assert_eq!(row["verdict"], "unexpected", "{row}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn explore_counts_every_execution_in_one_class_with_a_token() {
    let out = maprace(&[
        "explore",
        "e7-lost-update",
        "--iterations",
        "300",
        "--no-minimize",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    for r in v["results"].as_array().expect("results") {
        let classes = r["classes"].as_array().expect("classes");
        let total: u64 = classes.iter().map(|c| c["count"].as_u64().unwrap()).sum();
        assert_eq!(Some(total), r["executions"].as_u64());
        for c in classes {
            let token = c["token"].as_str().unwrap();
            assert!(token.starts_with("mr2:e7-lost-update/"), "{token}");
        }
    }
    let buggy = &v["results"][0]["classes"];
    assert!(
        buggy
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["class"] == "race"),
        "the lost update races: {buggy}"
    );
    // Without the detector, no execution is in the race class.
    let off = json(&maprace(&[
        "explore",
        "e7-lost-update/fixed",
        "--iterations",
        "50",
        "--no-race",
        "--format",
        "json",
    ]));
    assert_eq!(off["results"][0]["classes"][0]["class"], "clean");
}

#[test]
fn mutate_scores_the_mutants_of_a_fixed_variant() {
    let out = maprace(&["mutate", "e2-two-writers", "--iterations", "200"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("mutation score: 1/1 mutants caught (100%), 0 exempt"),
        "{text}"
    );
    // Without its mutex the fix's two writers overlap: the runtime's check fires.
    assert!(
        text.contains("mutex#0") && text.contains("concurrent-map-writes"),
        "{text}"
    );
}

#[test]
fn mutate_says_why_an_object_is_exempt() {
    let out = maprace(&["mutate", "e8-syncmap-range-spawn"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("exempt: close(start) publishes nothing"),
        "{text}"
    );
    assert!(
        text.contains("0/0 mutants caught (100%), 2 exempt"),
        "{text}"
    );
}
