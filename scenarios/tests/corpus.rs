//! The committed corpus holds, and the corpus library loads, saves, verifies and records the
//! way `maprace corpus verify|record` relies on.

use maprace_harness::Strategy;
use maprace_scenarios::corpus::{
    self, parse_strategy, ChangeKind, CheckStatus, Corpus, Entry, DEFAULT_PATH,
};
use maprace_scenarios::run::DEFAULT_ITERATIONS;
use maprace_scenarios::{all, select, Expected, Scenario, Variant};
use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_PATH)
}

/// CI's seed replay: every buggy token still fails the recorded way with the recorded trace,
/// every fixed exploration (10,000 random executions) still passes.
#[test]
fn committed_corpus_verifies() {
    let corpus = corpus::load(committed_path()).expect("corpus.toml loads");
    let checks = corpus::verify_all(&corpus);
    let bad: Vec<String> = checks
        .iter()
        .filter(|c| !c.status.is_ok())
        .map(ToString::to_string)
        .collect();
    assert!(bad.is_empty(), "corpus mismatches:\n{}", bad.join("\n"));
    assert_eq!(checks.len(), corpus.entries.len());
    assert_eq!(corpus.entries.len(), maprace_scenarios::all().len());
}

#[test]
fn a_missing_or_doubled_entry_makes_the_corpus_incomplete() {
    let full = corpus::load(committed_path()).expect("corpus.toml loads");
    assert_eq!(corpus::completeness(&full), []);
    let mut missing = full.clone();
    let gone = missing.entries.remove(3);
    let checks = corpus::completeness(&missing);
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0].scenario, gone.scenario);
    assert_eq!(checks[0].status, CheckStatus::Error);
    assert!(
        checks[0].explanation.contains("corpus record"),
        "{}",
        checks[0]
    );
    let mut doubled = full.clone();
    doubled.entries.push(full.entries[0].clone());
    let checks = corpus::completeness(&doubled);
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert!(
        checks[0].explanation.contains("second entry"),
        "{}",
        checks[0]
    );
}

#[test]
fn a_buggy_entry_with_an_edited_seed_or_kind_fails_verification() {
    let mut c = recorded_demo();
    buggy_entry(&mut c).seed += 1;
    let got = corpus::verify(&c).remove(0);
    assert_eq!(got.status, CheckStatus::Mismatch, "{got}");
    assert!(got.explanation.contains("seed 1"), "{got}");

    let mut c = recorded_demo();
    buggy_entry(&mut c).iterations = 0;
    let got = corpus::verify(&c).remove(0);
    assert!(!got.status.is_ok(), "{got}");
}

#[test]
fn committed_corpus_has_one_default_entry_per_variant() {
    let corpus = corpus::load(committed_path()).expect("corpus.toml loads");
    let ids: Vec<String> = corpus.entries.iter().map(|e| e.scenario.clone()).collect();
    let want: Vec<String> = all().iter().map(Scenario::id).collect();
    assert_eq!(ids, want);
    for (e, s) in corpus.entries.iter().zip(all()) {
        assert_eq!(e.expected, s.expected(), "{}", e.scenario);
        if s.variant == Variant::Fixed {
            // The fixed variants' default-strategy check: 10,000 random executions.
            assert_eq!(parse_strategy(&e.strategy), Ok(Strategy::Random));
            assert!(e.iterations >= DEFAULT_ITERATIONS, "{}", e.scenario);
        } else {
            let kind = e.kind.as_deref().unwrap_or_default();
            assert!(s.expects_kind(kind), "{}: recorded kind {kind}", e.scenario);
            if let Some(pinned) = s.corpus_kind {
                assert_eq!(kind, pinned, "{}: the scenario pins {pinned}", e.scenario);
            }
        }
    }
}

/// e7 is about a lost update that exploration often meets after a `concurrent map writes`:
/// recording it pins the lost update, and the pinned entry verifies.
#[test]
fn a_scenario_pinning_a_kind_records_a_failure_of_that_kind() {
    let e7 = select("e7-lost-update/buggy").expect("e7 registered");
    assert_eq!(e7[0].corpus_kind, Some("wrong-result"));
    let mut c = Corpus::default();
    let changes = corpus::record(&mut c, &e7, false);
    assert_eq!(changes[0].kind, ChangeKind::Added, "{changes:?}");
    assert_eq!(c.entries[0].kind.as_deref(), Some("wrong-result"));
    assert!(corpus::verify(&c).iter().all(|check| check.status.is_ok()));
}

fn demo() -> Vec<Scenario> {
    select("demo-flag-map").expect("demo registered")
}

fn recorded_demo() -> Corpus {
    let mut c = Corpus::default();
    let changes = corpus::record(&mut c, &demo(), false);
    assert!(
        changes.iter().all(|c| c.kind == ChangeKind::Added),
        "{changes:?}"
    );
    c
}

fn buggy_entry(c: &mut Corpus) -> &mut Entry {
    c.entries
        .iter_mut()
        .find(|e| e.expected == Expected::Fail)
        .expect("a buggy entry")
}

#[test]
fn record_writes_entries_in_catalogue_order_and_they_verify() {
    let c = recorded_demo();
    let ids: Vec<_> = c.entries.iter().map(|e| e.scenario.as_str()).collect();
    assert_eq!(ids, ["demo-flag-map/buggy", "demo-flag-map/fixed"]);
    let buggy = &c.entries[0];
    assert_eq!(buggy.kind.as_deref(), Some("concurrent-map-writes"));
    assert_eq!(
        buggy.message.as_deref(),
        Some("fatal error: concurrent map writes")
    );
    assert_eq!(buggy.trace_hash.as_ref().map(String::len), Some(16));
    assert!(c.entries[1].token.is_none());
    assert!(corpus::verify(&c).iter().all(|c| c.status.is_ok()));
}

#[test]
fn record_again_changes_nothing() {
    let mut c = recorded_demo();
    let before = c.clone();
    let changes = corpus::record(&mut c, &demo(), false);
    assert!(
        changes.iter().all(|c| c.kind == ChangeKind::Unchanged),
        "{changes:?}"
    );
    assert_eq!(c, before);
}

#[test]
fn record_keeps_a_changed_entry_unless_asked_to_update() {
    let mut c = recorded_demo();
    buggy_entry(&mut c).trace_hash = Some("0123456789abcdef".into());
    buggy_entry(&mut c).minimized_token = Some("mr2:stale".into());
    let tampered = c.clone();

    let changes = corpus::record(&mut c, &demo(), false);
    assert_eq!(changes[0].kind, ChangeKind::Kept);
    assert!(
        changes[0].detail.contains("0123456789abcdef"),
        "{}",
        changes[0]
    );
    assert_eq!(changes[1].kind, ChangeKind::Unchanged);
    assert_eq!(c, tampered, "an entry was overwritten without update");

    let changes = corpus::record(&mut c, &demo(), true);
    assert_eq!(changes[0].kind, ChangeKind::Updated);
    assert!(changes[0].detail.starts_with("was "), "{}", changes[0]);
    let e = buggy_entry(&mut c);
    assert_ne!(e.trace_hash.as_deref(), Some("0123456789abcdef"));
    let minimized = e.minimized_token.as_deref();
    assert_ne!(
        minimized,
        Some("mr2:stale"),
        "a re-recorded token replaces the stale minimized one"
    );
    assert!(minimized.is_some_and(|t| t.starts_with("mr2:demo-flag-map/buggy:")));
    assert!(corpus::verify(&c).iter().all(|c| c.status.is_ok()));
}

#[test]
fn record_keeps_the_exploration_parameters_of_an_existing_entry() {
    let mut c = recorded_demo();
    let e = buggy_entry(&mut c);
    e.seed = 7;
    e.strategy = "pct(depth=2)".into();
    let changes = corpus::record(&mut c, &demo(), true);
    assert_ne!(changes[0].kind, ChangeKind::Kept);
    let e = buggy_entry(&mut c);
    assert_eq!((e.seed, e.strategy.as_str()), (7, "pct(depth=2)"));
    assert!(e
        .token
        .as_deref()
        .unwrap_or_default()
        .contains("demo-flag-map/buggy"));
    assert!(corpus::verify(&c).iter().all(|c| c.status.is_ok()));
}

#[test]
fn verify_reports_each_kind_of_mismatch() {
    let c = recorded_demo();
    let check = |edit: &dyn Fn(&mut Entry)| {
        let mut c = c.clone();
        edit(buggy_entry(&mut c));
        corpus::verify(&c).remove(0)
    };

    let wrong_hash = check(&|e| e.trace_hash = Some("0000000000000000".into()));
    assert_eq!(wrong_hash.status, CheckStatus::Mismatch);
    assert!(wrong_hash.explanation.contains("trace"), "{wrong_hash}");

    let wrong_message = check(&|e| e.message = Some("fatal error: something else".into()));
    assert_eq!(wrong_message.status, CheckStatus::Mismatch);
    assert!(
        wrong_message.explanation.contains("message"),
        "{wrong_message}"
    );

    let wrong_kind = check(&|e| e.kind = Some("deadlock".into()));
    assert_eq!(wrong_kind.status, CheckStatus::Mismatch);
    assert!(
        wrong_kind.explanation.contains("instead of deadlock"),
        "{wrong_kind}"
    );

    let unknown = check(&|e| e.scenario = "no-such/buggy".into());
    assert_eq!(unknown.status, CheckStatus::Error);

    let other_token = check(&|e| {
        let t = e.token.clone().unwrap_or_default();
        e.token = Some(t.replace("demo-flag-map/buggy", "demo-flag-map/fixed"));
    });
    assert_ne!(other_token.status, CheckStatus::Ok, "{other_token}");

    // An entry expecting the buggy variant to pass contradicts the variant.
    let mut wrong_variant = c.entries[1].clone();
    wrong_variant.scenario = "demo-flag-map/buggy".into();
    let got = corpus::verify_entry(&wrong_variant);
    assert_eq!(got.status, CheckStatus::Error, "{got}");
    assert!(got.explanation.contains("must fail"), "{got}");
}

#[test]
fn save_then_load_round_trips_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("corpus.toml");
    let c = recorded_demo();
    corpus::save(&path, &c).expect("saves");
    corpus::save(&path, &c).expect("saves over an existing file");
    assert_eq!(corpus::load(&path), Ok(c));
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("lists")
        .map(|f| f.expect("entry").file_name())
        .collect();
    assert_eq!(files, ["corpus.toml"]);
    let text = std::fs::read_to_string(&path).expect("reads");
    assert!(text.starts_with("# maprace seed corpus"), "{text}");
}

#[cfg(unix)]
#[test]
fn save_writes_like_file_create_through_links_and_leaves_an_unchanged_file_alone() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain");
    std::fs::File::create(&plain).expect("creates");
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode();
    let real = dir.path().join("real.toml");
    let c = recorded_demo();
    corpus::save(&real, &c).expect("saves");
    assert_eq!(
        mode(&real) & 0o777,
        mode(&plain) & 0o777,
        "umask mode, not 0600"
    );
    let inode = std::fs::metadata(&real).expect("stat").ino();
    corpus::save(&real, &c).expect("saves again");
    assert_eq!(
        std::fs::metadata(&real).expect("stat").ino(),
        inode,
        "not rewritten"
    );
    let link = dir.path().join("corpus.toml");
    std::os::unix::fs::symlink("real.toml", &link).expect("links");
    let mut changed = c.clone();
    changed.entries.pop();
    corpus::save(&link, &changed).expect("saves through the link");
    assert!(std::fs::symlink_metadata(&link)
        .expect("stat")
        .file_type()
        .is_symlink());
    assert_eq!(corpus::load(&real), Ok(changed));
    corpus::check_writable(&link).expect("a writable directory");
    let err = corpus::check_writable(plain.join("corpus.toml")).expect_err("not a directory");
    assert!(err.contains("cannot write"), "{err}");
}

#[test]
fn load_errors_are_one_line_and_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("corpus.toml");
    let load = |text: &str| {
        std::fs::write(&path, text).expect("writes");
        corpus::load(&path).expect_err("must not load")
    };
    let entry = "[[entry]]\nscenario = \"demo-flag-map/fixed\"\nstrategy = \"random\"\nseed = 0\niterations = 10\nexpected = \"pass\"\n";
    let cases = [
        ("version = 1\n[[entry]\n".to_string(), "line 2"),
        ("version = 2\n".to_string(), "version 2"),
        (format!("version = 1\n{entry}bogus = 1\n"), "bogus"),
        (
            format!("version = 1\n{}", entry.replace("random", "bfs")),
            "invalid strategy \"bfs\"",
        ),
        (
            format!("version = 1\n{}", entry.replace("pass", "fail")),
            "`token` is missing",
        ),
        (
            format!("version = 1\n{entry}token = \"mr2:x\"\n"),
            "`token` is set",
        ),
        (format!("version = 1\n{entry}{entry}"), "listed twice"),
        (
            format!("version = 1\n{}", entry.replace("seed = 0\n", "")),
            "seed",
        ),
    ];
    for (text, want) in cases {
        let err = load(&text);
        assert!(!err.contains('\n'), "multi-line error: {err}");
        assert!(err.contains(want), "{err:?} should mention {want:?}");
        assert!(err.starts_with(&path.display().to_string()), "{err}");
    }
    let missing = corpus::load(dir.path().join("absent.toml")).expect_err("no file");
    assert!(missing.contains("cannot read corpus"), "{missing}");
}

#[test]
fn strategies_parse_as_they_print() {
    for s in [
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Dfs {
            preemption_bound: Some(2),
        },
        Strategy::Dfs {
            preemption_bound: None,
        },
    ] {
        assert_eq!(parse_strategy(&s.to_string()), Ok(s));
    }
    assert!(parse_strategy("pct(depth=x)").is_err());
}
