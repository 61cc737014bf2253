//! Options are validated before anything runs: an option with no effect for the chosen
//! strategy, a number out of range or a token longer than the step limit is a one-line usage
//! error (exit 2); token errors say what is wrong in words.

use std::process::{Command, Output};

fn maprace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maprace"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the maprace binary runs")
}

#[track_caller]
fn usage_error(args: &[&str], needle: &str) -> String {
    let out = maprace(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    stderr
}

/// An exploration that would take hours if the options were accepted.
const ENDLESS: [&str; 4] = ["explore", "e2-two-writers", "--iterations", "1000000000"];

fn endless(extra: &[&str]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = ENDLESS.to_vec();
    for e in extra {
        v.push(Box::leak(e.to_string().into_boxed_str()));
    }
    v
}

#[test]
fn an_option_of_another_strategy_is_an_error() {
    let e = usage_error(&endless(&["--depth", "4"]), "--depth has no effect");
    assert!(
        e.contains("--strategy portfolio") && e.contains("--strategy pct"),
        "{e}"
    );
    usage_error(
        &endless(&["--strategy", "pct", "--preemption-bound", "1"]),
        "--preemption-bound has no effect with --strategy pct; it applies to --strategy dfs",
    );
    usage_error(
        &endless(&["--strategy", "dfs", "--depth", "2"]),
        "--depth has no effect",
    );
    usage_error(
        &endless(&["--reduction", "sleep"]),
        "--reduction has no effect with --strategy portfolio; it applies to --strategy dfs",
    );
    usage_error(
        &endless(&["--no-minimize", "--minimize-budget", "5"]),
        "cannot be used with",
    );
}

#[test]
fn numbers_out_of_range_are_errors() {
    usage_error(&["explore", "--iterations", "0"], "--iterations");
    usage_error(
        &["explore", "--strategy", "pct", "--depth", "4000000000"],
        "--depth",
    );
    usage_error(
        &["explore", "--strategy", "pct", "--depth", "65"],
        "--depth",
    );
    usage_error(
        &["explore", "--strategy", "dfs", "--preemption-bound", "65"],
        "from 0 to 64",
    );
    usage_error(&["explore", "--max-steps", "0"], "from 1 to 1000000");
    usage_error(
        &["replay", "mr2:x:AAAA", "--max-steps", "1000001"],
        "--max-steps",
    );
}

/// A token for `scenario` with `steps`, well formed (right checksum).
fn token(scenario: &str, steps: Vec<u32>) -> String {
    maprace_harness::Token {
        scenario: scenario.into(),
        seed: 1,
        steps,
        digests: vec![],
        trace_hash: None,
    }
    .to_string()
}

#[test]
fn a_token_longer_than_the_step_limit_is_refused_by_its_length() {
    let t = token("demo-flag-map/buggy", vec![0; 300]);
    usage_error(
        &["replay", &t, "--max-steps", "100"],
        "the schedule has 300 steps, more than the step limit of 100; raise --max-steps",
    );
    usage_error(
        &["minimize", &t, "--max-steps", "100"],
        "the schedule has 300 steps",
    );
}

#[test]
fn token_errors_are_in_words() {
    let e = usage_error(
        &[
            "replay",
            "mr2:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPeq",
        ],
        "malformed token",
    );
    assert!(!e.contains("symbol") && !e.contains("offset"), "{e}");
    let e = usage_error(
        &["replay", "mr2:demo-flag-map/buggy:AQ*P"],
        "'*' at position 3",
    );
    assert_eq!(e.lines().count(), 1, "{e}");
}

#[test]
fn a_token_edited_to_name_another_scenario_says_so() {
    let t = token("demo-flag-map/fixed", vec![0, 0, 1, 2]);
    let edited = t.replace("demo-flag-map/fixed", "demo-flag-map/buggy");
    usage_error(
        &["replay", &edited],
        "this token was made for demo-flag-map/fixed, but names demo-flag-map/buggy",
    );
}
