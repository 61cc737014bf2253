//! Where the `maprace` binary writes: every write error is an error, output locations are
//! checked before anything is explored, and files are written like a plain `File::create`.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn maprace_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maprace"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the maprace binary runs")
}

fn maprace(args: &[&str]) -> Output {
    maprace_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An exploration that would take hours: a command that reaches it has not checked its output
/// location first (the test would hang rather than pass).
const ENDLESS: &[&str] = &["explore", "e2-two-writers", "--iterations", "1000000000"];

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error() {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    let out = Command::new(env!("CARGO_BIN_EXE_maprace"))
        .args(["list", "--format", "json"])
        .stdout(full)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: cannot write to standard output"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_maprace"))
        .args(["list", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // Close the read end before maprace writes: every write sees a broken pipe.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn an_unwritable_report_location_is_refused_before_exploring() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let report = file.join("report");
    let mut args = ENDLESS.to_vec();
    args.extend(["--report", report.to_str().unwrap()]);
    let out = maprace(&args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: cannot write the report to"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_report_directory_with_foreign_files_is_refused_before_exploring() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.html"), "mine").unwrap();
    let mut args = ENDLESS.to_vec();
    args.extend(["--report", dir.path().to_str().unwrap()]);
    let out = maprace(&args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("did not write"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.html")).unwrap(),
        "mine"
    );
}

#[test]
fn an_unwritable_corpus_is_refused_before_exploring() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let corpus = file.join("corpus.toml");
    let out = maprace(&[
        "corpus",
        "record",
        "--corpus",
        corpus.to_str().unwrap(),
        // Recording the whole catalogue takes minutes; the refusal must come first.
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn report_files_get_the_mode_file_create_gives() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    let out = maprace(&[
        "explore",
        "demo-flag-map",
        "--iterations",
        "50",
        "--no-minimize",
        "--format",
        "json",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The test runs under the same umask as maprace did.
    let plain = dir.path().join("plain");
    std::fs::File::create(&plain).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for f in ["index.html", "summary.json", "summary.md"] {
        assert_eq!(mode(&report.join(f)), mode(&plain), "{f}");
    } // summary.md's replay commands work for how maprace was run (here: not installed).
    let md = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(md.contains("`cargo run --release -- replay mr2:"), "{md}");
}

#[test]
fn the_corpus_is_found_from_any_directory() {
    let elsewhere = tempfile::tempdir().unwrap();
    let sub = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/src");
    for dir in [elsewhere.path(), sub.as_path()] {
        let out = maprace_in(dir, &["corpus", "verify", "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            dir.display(),
            stderr(&out)
        );
    }
}
