//! `--engine loom` on the command line: options loom cannot honour are one-line usage errors,
//! and a failure only loom shows is saved as loom's checkpoint and replays to the same trace.

use std::process::{Command, Output};

fn maprace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maprace"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the maprace binary runs")
}

#[track_caller]
fn usage_error(args: &[&str], needle: &str) {
    let out = maprace(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    // One line says it (clap adds its `--help` hint below its own errors).
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains(needle), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

#[test]
fn options_loom_cannot_honour_are_usage_errors() {
    let e2 = ["explore", "e2-two-writers", "--engine", "loom"];
    let with =
        |extra: &[&'static str]| -> Vec<&'static str> { e2.iter().chain(extra).copied().collect() };
    usage_error(
        &with(&["--strategy", "pct"]),
        "--strategy pct does not apply",
    );
    usage_error(
        &with(&["--jobs", "2"]),
        "--jobs has no effect with --engine loom",
    );
    usage_error(
        &with(&["--reduction", "sleep"]),
        "loom's DPOR is its reduction",
    );
    usage_error(&with(&["--loom-max-branches", "0"]), "invalid value '0'");
    usage_error(
        &["explore", "e2-two-writers", "--loom-max-branches", "9"],
        "no effect with --engine shuttle",
    );
    // More goroutines than loom's threads: named, with loom's limit, not a loom panic.
    usage_error(
        &[
            "explore",
            "t2-ctx-cancel-shared-map.gosize/fixed",
            "--engine",
            "loom",
        ],
        "cannot run under loom",
    );
}

#[test]
fn a_loom_only_failure_is_saved_as_a_checkpoint_that_replays_to_its_trace() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    let out = maprace(&[
        "explore",
        "t6-interceptor-metadata/buggy",
        "--engine",
        "loom",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("summary.json")).unwrap())
            .unwrap();
    let failures = summary["results"][0]["failures"].as_array().unwrap();
    let loom_only: Vec<_> = failures
        .iter()
        .filter(|f| f.get("loom_only").is_some())
        .collect();
    assert!(
        !loom_only.is_empty(),
        "t6's wrong result is loom-only: {failures:?}"
    );
    for f in loom_only {
        let file = f["loom_only"]["checkpoint"]
            .as_str()
            .expect("the report saved it");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("--loom-checkpoint {file}")),
            "{stdout}"
        );
        let replayed = maprace(&["replay", "--loom-checkpoint", file, "--format", "json"]);
        assert_eq!(replayed.status.code(), Some(0));
        let doc: serde_json::Value = serde_json::from_slice(&replayed.stdout).unwrap();
        assert_eq!(doc["trace_hash"], f["trace_hash"]);
        assert_eq!(doc["outcome"]["kind"], f["kind"]);
        // An edited checkpoint is refused in one line, not replayed as something else.
        let edited = dir.path().join("edited.json");
        let text = std::fs::read_to_string(file).unwrap();
        std::fs::write(&edited, text.replace("t6-interceptor-metadata", "t6-nope")).unwrap();
        usage_error(
            &["replay", "--loom-checkpoint", edited.to_str().unwrap()],
            "not a catalogue scenario",
        );
    }
    usage_error(
        &["replay", "--loom-checkpoint", "Cargo.toml"],
        "not a maprace loom checkpoint",
    );
}
