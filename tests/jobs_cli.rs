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

#[test]
fn merged_shards_equal_one_full_run() {
    let explore = |extra: &[&str]| {
        let mut args = vec![
            "explore",
            "--iterations",
            "100",
            "--minimize-budget",
            "50",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = maprace(&args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let full = explore(&[]);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut files = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let path = dir.path().join(format!("shard-{k}.json"));
        std::fs::write(&path, explore(&["--shard", &shard])).expect("written");
        files.push(path.to_string_lossy().into_owned());
    }
    // Any order of inputs.
    files.reverse();
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    let merged = maprace(&args);
    assert!(matches!(merged.status.code(), Some(0 | 1)));
    assert_eq!(
        String::from_utf8_lossy(&merged.stdout),
        String::from_utf8_lossy(&full)
    );
    // The same shard twice is an input error.
    let twice = maprace(&["merge", &files[0], &files[0]]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("more than one input"));
}

#[test]
fn shards_that_do_not_exist_are_usage_errors() {
    for shard in ["3/2", "0/2", "1/0", "2", "a/b"] {
        let out = maprace(&["explore", "--shard", shard]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{shard}: {stderr}");
        assert!(stderr.contains("K/N"), "{shard}: {stderr}");
    }
}
