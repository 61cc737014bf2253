//! Lincheck's regression lines: a failing check saves one, the next run replays it before
//! searching, a line the code no longer reproduces is reported stale, and persistence can be
//! turned off. (The `MAPRACE_*` variables are tested in `lincheck_env.rs`, alone in their
//! binary.)

mod lincheck_common;

use lincheck_common::{Kv, KvOp, KvRet};
use maprace_harness::lincheck::proptest::prelude::*;
use maprace_harness::lincheck::{Lincheck, Operations, Origin, Regression, Sequential};
use maprace_harness::Token;
use std::path::{Path, PathBuf};

const RACY: Kv = Kv {
    racy: true,
    with_size: false,
};
const CORRECT: Kv = Kv {
    racy: false,
    with_size: false,
};

/// The racy store after its fix: the same name, so the lines the racy one saved are its own,
/// and a correct `put`.
struct Fixed;

impl Sequential for Fixed {
    type Op = KvOp;
    type Ret = KvRet;
    type State = <Kv as Sequential>::State;
    type Key = u8;
    fn init(&self) -> Self::State {
        CORRECT.init()
    }
    fn step(&self, state: &mut Self::State, op: &KvOp) -> KvRet {
        CORRECT.step(state, op)
    }
    fn partition(&self, op: &KvOp) -> Option<u8> {
        CORRECT.partition(op)
    }
}

impl Operations for Fixed {
    type Imp = <Kv as Operations>::Imp;
    fn name(&self) -> String {
        RACY.name()
    }
    fn implementation(&self) -> Self::Imp {
        CORRECT.implementation()
    }
    fn generate(&self) -> BoxedStrategy<KvOp> {
        CORRECT.generate()
    }
    fn apply(&self, imp: &Self::Imp, op: &KvOp) -> KvRet {
        CORRECT.apply(imp, op)
    }
}

/// A fresh directory for one test's regression files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("maprace-lincheck-persist-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn check<S: Operations>(spec: S, dir: &Path) -> Lincheck<S> {
    Lincheck::new(spec)
        .scenarios(20)
        .iterations(100)
        .regressions_dir(dir)
}

/// The saved lines of a regression file (comments left out).
fn lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_failure_is_saved_then_replayed_first() {
    let dir = scratch("saved");
    let first = check(RACY, &dir).try_check().expect_err("a lost update");
    assert_eq!(first.origin, Origin::Exploration);
    // The file is named after the running test and holds the failure's line.
    let file = dir.join("lincheck-a_failure_is_saved_then_replayed_first.txt");
    assert_eq!(lines(&file), [first.regression.to_string()]);
    let text = first.to_string();
    assert!(
        text.contains(&format!("MAPRACE_REPLAY='{}' cargo test", first.regression)),
        "{text}"
    );
    // The next run replays the line before any search: the same scenario, schedule and
    // history, reported as a saved regression.
    let again = check(RACY, &dir).try_check().expect_err("still failing");
    assert_eq!(again.origin, Origin::Regression(file.display().to_string()));
    assert!(again.to_string().contains("a saved regression still fails"));
    assert_eq!(again.scenario, first.scenario);
    assert_eq!(again.token.to_string(), first.token.to_string());
    assert_eq!(again.history, first.history);
    assert_eq!(again.failure, first.failure);
    assert_eq!(again.executions_to_first, 0, "nothing was searched");
    // Saving is idempotent.
    assert_eq!(lines(&file).len(), 1);
}

#[test]
fn lines_the_code_no_longer_reproduces_are_stale() {
    let dir = scratch("stale");
    let first = check(RACY, &dir).try_check().expect_err("a lost update");
    let file = dir.join("lincheck-lines_the_code_no_longer_reproduces_are_stale.txt");
    let line = first.regression.to_string();
    // A line whose scenario hash no longer matches (the generator changed), a line of another
    // check, and a line that is no regression line at all.
    let other_hash = Regression {
        scenario_hash: first.regression.scenario_hash ^ 1,
        ..first.regression.clone()
    };
    let foreign = Regression {
        token: Token {
            scenario: "lincheck/kv".into(),
            ..first.regression.token.clone()
        },
        ..first.regression.clone()
    }
    .to_string();
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(&format!("{other_hash}\n{foreign}\nnot-a-line\n"));
    std::fs::write(&file, &text).unwrap();
    // The fix: the saved schedule no longer fails (or no longer fits) its scenario.
    let passed = check(Fixed, &dir)
        .try_check()
        .expect("stale lines are reported, not failures");
    let stale: Vec<&str> = passed.stale.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        stale,
        [
            line.as_str(),
            &other_hash.to_string(),
            &foreign,
            "not-a-line"
        ]
    );
    let whys: Vec<&str> = passed.stale.iter().map(|s| s.why.as_str()).collect();
    assert!(
        whys[1].contains("no longer generated from its seed"),
        "{whys:?}"
    );
    assert!(whys[2].contains("another check"), "{whys:?}");
    assert!(
        whys[3].contains("not a lincheck regression line"),
        "{whys:?}"
    );
    assert!(whys.iter().all(|w| !w.contains('\n')), "{whys:?}");
    assert!(passed.executions > 0, "then the search ran: {passed:?}");
    // Stale lines are reported, not deleted: the file is the user's.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    // The racy code still fails from its first line: stale lines after it do not matter.
    let again = check(RACY, &dir).try_check().expect_err("still failing");
    assert!(matches!(again.origin, Origin::Regression(_)));
}

#[test]
fn persistence_can_be_turned_off() {
    let dir = scratch("off");
    let file = dir.join("lincheck-persistence_can_be_turned_off.txt");
    let first = check(RACY, &dir)
        .persist(false)
        .try_check()
        .expect_err("a lost update");
    assert!(!file.exists(), "nothing is written");
    // Nor read: a saved line is not replayed.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&file, format!("{}\n", first.regression)).unwrap();
    let again = check(RACY, &dir)
        .persist(false)
        .try_check()
        .expect_err("a lost update");
    assert_eq!(again.origin, Origin::Exploration);
    // `run` never touches the file either.
    std::fs::remove_file(&file).unwrap();
    let run = check(RACY, &dir).run().expect_err("a lost update");
    assert_eq!(run.regression, first.regression);
    assert!(!file.exists());
}
