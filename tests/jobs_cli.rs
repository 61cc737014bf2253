//! `--jobs` and `--reduction` end to end: any number of jobs prints the same bytes, and bad
//! values are usage errors.

use std::process::{Command, Output};

fn maprace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maprace"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the maprace binary runs")
}

#[test]
fn one_and_two_jobs_print_byte_identical_json() {
    let run = |jobs: &str| {
        let out = maprace(&[
            "explore",
            "--iterations",
            "150",
            "--minimize-budget",
            "100",
            "--jobs",
            jobs,
            "--format",
            "json",
        ]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"), "--jobs 2 changed the output");
}

#[test]
fn a_reduced_exhaustive_search_names_its_reduction() {
    let out = maprace(&[
        "explore",
        "demo-flag-map/fixed",
        "--strategy",
        "dfs",
        "--format",
        "json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("dfs(preemption-bound=2, reduction=dpor)"),
        "{text}"
    );
    let plain = maprace(&[
        "explore",
        "demo-flag-map/fixed",
        "--strategy",
        "dfs",
        "--reduction",
        "none",
        "--format",
        "json",
    ]);
    assert!(String::from_utf8_lossy(&plain.stdout).contains("\"dfs(preemption-bound=2)\""));
}

#[test]
fn bad_jobs_and_reductions_are_usage_errors() {
    for (args, needle) in [
        (&["explore", "--jobs", "0"][..], "at least 1 job"),
        (&["explore", "--jobs", "many"][..], "number of jobs"),
        (&["explore", "--reduction", "half"][..], "unknown reduction"),
    ] {
        let out = maprace(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
