//! The reporting side of the `maprace` binary: trace formats, folding, colour, the report
//! directory and `maprace minimize`.

use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str], no_color: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maprace"));
    cmd.args(args).env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    cmd.output().expect("the maprace binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = run(args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("output is UTF-8")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The first failure's token of a quick exploration of `variant`.
fn first_token(variant: &str) -> String {
    let doc = json(&ok(&[
        "explore",
        variant,
        "--iterations",
        "200",
        "--no-minimize",
        "--format",
        "json",
    ]));
    doc["results"][0]["first_failure"]["token"]
        .as_str()
        .expect("the buggy variant fails")
        .to_string()
}

#[test]
fn minimize_gives_a_token_that_replays_to_the_same_failure_kind() {
    for variant in ["demo-flag-map/buggy", "e2-two-writers/buggy"] {
        let token = first_token(variant);
        let original = json(&ok(&["replay", &token, "--format", "json"]));
        let min = json(&ok(&["minimize", &token, "--format", "json"]));
        let m = &min["minimization"];
        assert_eq!(m["original_token"], token.as_str());
        assert_eq!(m["token"], min["token"]);
        let (before, after) = (
            m["preemptions_before"].as_u64().unwrap(),
            m["preemptions_after"].as_u64().unwrap(),
        );
        assert!(after <= before, "{variant}: {before} -> {after}");
        assert_eq!(
            m["proven_minimal"],
            m["lower_bound"] == m["preemptions_after"]
        );
        assert_eq!(min["outcome"]["kind"], original["outcome"]["kind"]);
        // The minimized token is an ordinary token: it replays to the same failure and trace.
        let again = json(&ok(&[
            "replay",
            min["token"].as_str().unwrap(),
            "--format",
            "json",
        ]));
        assert_eq!(again["outcome"]["kind"], original["outcome"]["kind"]);
        assert_eq!(again["trace_hash"], min["trace_hash"]);
        assert_eq!(again["trace"], min["trace"]);
        // And minimizing is deterministic.
        assert_eq!(
            ok(&["minimize", &token, "--format", "json"]),
            ok(&["minimize", &token, "--format", "json"])
        );
    }
}

#[test]
fn minimize_prints_the_token_the_trace_and_the_preemptions() {
    let token = first_token("e2-two-writers/buggy");
    let text = ok(&["minimize", &token]);
    let min = json(&ok(&["minimize", &token, "--format", "json"]));
    let m = &min["minimization"];
    let line = format!(
        "preemptions:    {} -> {} (",
        m["preemptions_before"], m["preemptions_after"]
    );
    assert!(text.contains(&line), "{text}");
    assert!(text.contains(&format!(
        "token:          {}",
        min["token"].as_str().unwrap()
    )));
    assert!(text.contains("│ step "), "{text}");
    assert!(text.contains("✗ concurrent-map-writes in "), "{text}");
}

#[test]
fn minimize_rejects_bad_tokens_with_one_line() {
    let out = run(&["minimize", "mr2:demo-flag-map/buggy:AAAA"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("malformed token"), "{stderr}");
}

#[test]
fn full_shows_every_step_and_the_default_folds_them() {
    let token = first_token("e2-two-writers/buggy");
    let folded = ok(&["replay", &token]);
    let full = ok(&["replay", &token, "--full"]);
    let doc = json(&ok(&["replay", &token, "--format", "json"]));
    let events = doc["trace"].as_array().unwrap().len();
    let rows = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("│ ") && !l.starts_with("│ step"))
            .count()
    };
    // Every event has its row with --full (state cells may wrap into more lines).
    assert!(rows(&full) >= events, "{full}");
    let switches = doc["trace"]
        .as_array()
        .unwrap()
        .windows(2)
        .filter(|w| w[0]["goroutine"] != w[1]["goroutine"])
        .count();
    assert!(rows(&folded) < rows(&full));
    // Folded: one row per run (a wrapped cell adds lines, never rows with a step number).
    let numbered = folded
        .lines()
        .filter(|l| l.starts_with("│ ") && l.chars().nth(2).is_some_and(|c| c.is_ascii_digit()))
        .count();
    assert_eq!(numbered, switches + 1, "{folded}");
}

#[test]
fn colour_follows_no_color_and_the_color_flag() {
    let token = first_token("demo-flag-map/buggy");
    let esc = |o: &Output| o.stdout.contains(&0x1b);
    // Not a terminal: no colour by default, with or without NO_COLOR.
    assert!(!esc(&run(&["replay", &token], None)));
    assert!(!esc(&run(&["replay", &token], Some("1"))));
    // Asked for explicitly, colour wins (an explicit flag overrides NO_COLOR).
    assert!(esc(&run(
        &["replay", &token, "--color", "always"],
        Some("1")
    )));
    assert!(!esc(&run(&["replay", &token, "--color", "never"], None)));
    // Colour never reaches machine formats.
    for format in ["json", "markdown", "html"] {
        let out = run(
            &["replay", &token, "--color", "always", "--format", format],
            None,
        );
        assert!(!esc(&out), "{format}");
    }
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    let args = |format: &'static str| {
        vec![
            "explore",
            "demo-flag-map",
            "e2-two-writers",
            "--iterations",
            "300",
            "--format",
            format,
        ]
    };
    for format in ["table", "markdown", "json", "html"] {
        let a = ok(&args(format));
        assert_eq!(a, ok(&args(format)), "{format}");
    }
    let md = ok(&args("markdown"));
    assert!(md.contains("| e2-two-writers | buggy   |"), "{md}");
    assert!(
        md.contains("### e2-two-writers/buggy: concurrent-map-writes"),
        "{md}"
    );
    let html = ok(&args("html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("id=\"e2-two-writers-buggy-1-minimized-failing-step\""));
}

#[test]
fn explore_summary_has_minimal_preemptions_totals_and_every_failure() {
    let text = ok(&["explore", "demo-flag-map", "--iterations", "300"]);
    let summary: Vec<&str> = text.split("\n\n").next().unwrap().lines().collect();
    assert!(summary[1].contains("minimal preemptions"));
    assert!(summary[3].contains("│ 1 (proven)"), "{text}");
    assert_eq!(summary[6], "2 variants of 1 scenario: 2 ok, 0 unexpected");
    assert!(summary[7].starts_with("failures (executions are numbered from #1"));
    assert!(summary[8].starts_with("  demo-flag-map/buggy concurrent-map-writes: "));
    let plain = ok(&[
        "explore",
        "demo-flag-map",
        "--iterations",
        "300",
        "--no-minimize",
    ]);
    assert!(!plain.contains("(proven)"));
    assert!(!plain.contains("preemptions:"));
}

#[test]
fn report_directory_has_an_index_a_page_per_failure_and_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        let path = dir.path().to_str().unwrap();
        ok(&[
            "explore",
            "demo-flag-map",
            "--iterations",
            "300",
            "--report",
            path,
        ]);
    }
    let mut files: Vec<String> = walk(a.path());
    files.sort();
    assert_eq!(
        files,
        [
            ".maprace-report",
            "index.html",
            "summary.json",
            "summary.md",
            "traces/demo-flag-map-buggy-1-minimized.html",
            "traces/demo-flag-map-buggy-1.html",
        ]
    );
    for f in &files {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f}"
        );
    }
    let summary = json(&std::fs::read_to_string(a.path().join("summary.json")).unwrap());
    assert_eq!(summary["version"], 1);
    assert_eq!(summary["results"].as_array().unwrap().len(), 2);
}

fn walk(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    out
}
