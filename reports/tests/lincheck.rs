//! Lincheck failures as JSON and HTML: the document's shape, its round trip, and the page's
//! tables.

use maprace_harness::lincheck::proptest::prelude::*;
use maprace_harness::lincheck::{Lincheck, LincheckFailure, Operations, Sequential};
use maprace_harness::sync::{AtomicU64, Ordering};
use maprace_reports::json;
use maprace_reports::lincheck::{self, LincheckReport};
use maprace_reports::lincheck_html;
use serde_json::Value;

/// A counter whose `add` is a load then a store (a lost update); `boom` panics in `add`.
struct Counter {
    boom: bool,
}

#[derive(Clone, Debug)]
struct Add;

impl std::fmt::Display for Add {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("add()")
    }
}

impl Sequential for Counter {
    type Op = Add;
    type Ret = u64;
    type State = u64;
    type Key = ();
    fn init(&self) -> u64 {
        0
    }
    fn step(&self, n: &mut u64, _: &Add) -> u64 {
        *n += 1;
        *n - 1
    }
}

impl Operations for Counter {
    type Imp = AtomicU64;
    fn name(&self) -> String {
        "reports/counter".into()
    }
    fn implementation(&self) -> AtomicU64 {
        AtomicU64::new(0)
    }
    fn generate(&self) -> BoxedStrategy<Add> {
        Just(Add).boxed()
    }
    fn apply(&self, n: &AtomicU64, _: &Add) -> u64 {
        let old = n.load(Ordering::SeqCst);
        assert!(!self.boom, "boom");
        n.store(old + 1, Ordering::SeqCst);
        old
    }
}

fn failure(boom: bool) -> Box<LincheckFailure<Counter>> {
    Lincheck::new(Counter { boom })
        .init(1)
        .post(1)
        .run()
        .expect_err("the counter fails")
}

#[test]
fn the_json_has_lincheck_layout_and_reads_back() {
    let f = failure(false);
    let report = LincheckReport::of(&f);
    let text = lincheck::json(&report);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["kind"], "not-linearizable");
    assert_eq!(v["scenario"], "lincheck/reports/counter");
    assert_eq!(v["message"], f.failure.message.as_str());
    assert_eq!(v["token"], f.token.to_string().as_str());
    assert_eq!(v["regression"], f.regression.to_string().as_str());
    assert_eq!(v["replay_command"], f.replay_command.as_str());
    // One column per goroutine, one cell per operation with its result.
    let heads = v["goroutines"].as_array().unwrap();
    let columns = v["parallel"].as_array().unwrap();
    assert_eq!(heads.len(), columns.len());
    assert_eq!(heads[0], "G1");
    let history = f.history.as_ref().unwrap();
    let cells: usize = [&v["init"], &v["post"]]
        .iter()
        .map(|p| p.as_array().unwrap().len())
        .sum::<usize>()
        + columns
            .iter()
            .map(|c| c.as_array().unwrap().len())
            .sum::<usize>();
    assert_eq!(cells, history.len());
    for c in columns.iter().flat_map(|c| c.as_array().unwrap()) {
        assert_eq!(c["op"], "add()");
        assert!(c["result"].is_string(), "{c}");
    }
    // The interleaving: an invoke and a respond per operation, or one whole step.
    let steps = v["interleaving"].as_array().unwrap();
    let count = |e: &str| steps.iter().filter(|s| s["event"] == e).count();
    assert_eq!(count("invoke"), count("respond"));
    assert_eq!(count("invoke") + count("whole"), history.len());
    assert!(
        count("invoke") >= 1,
        "a lost update needs an overlap: {text}"
    );
    assert!(steps
        .iter()
        .all(|s| s["event"] != "invoke" || s["result"].is_null()));
    // The failing execution's trace, as `maprace replay --format json` has it.
    assert_eq!(v["execution"]["outcome"]["kind"], "not-linearizable");
    assert_eq!(v["execution"]["trace_hash"], f.trace.hash_hex().as_str());
    assert!(!v["execution"]["trace"].as_array().unwrap().is_empty());
    // Byte-stable, and it reads back.
    assert_eq!(text, lincheck::json(&LincheckReport::of(&failure(false))));
    assert_eq!(json::parse::<LincheckReport>(&text), Ok(report));
}

#[test]
fn the_html_holds_the_tables_the_sentence_and_the_replay_command() {
    let f = failure(false);
    let report = LincheckReport::of(&f);
    let page = lincheck_html::page(&report);
    if let Ok(path) = std::env::var("LINCHECK_HTML_OUT") {
        std::fs::write(&path, &page).unwrap();
        std::fs::write(format!("{path}.json"), lincheck::json(&report)).unwrap();
    }
    let esc = maprace_reports::html::escape;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>maprace: lincheck/reports/counter: not-linearizable</title>"));
    assert!(page.contains(&esc(&f.failure.message)));
    assert!(page.contains(&esc(&f.replay_command)));
    assert!(page.contains(&esc(&f.regression.to_string())));
    // The scenario table: a head per goroutine, a cell per operation with its result.
    let table = section(
        &page,
        "<table class=\"lincheck\" id=\"scenario\">",
        "</table>",
    );
    for g in &report.goroutines {
        assert!(table.contains(&format!("<th>{g}</th>")), "{table}");
    }
    let n = report.goroutines.len();
    let cells = table.matches("<code>add()</code>").count();
    assert_eq!(cells, f.history.as_ref().unwrap().len(), "{table}");
    // Init and post rows span every goroutine's column (shrinking usually removes them: add
    // some by hand).
    let main = |result: &str| lincheck::LincheckCell {
        op: "get()".into(),
        result: Some(result.into()),
    };
    let framed = LincheckReport {
        init: vec![main("0")],
        post: vec![main("2")],
        ..report.clone()
    };
    let framed = lincheck_html::page(&framed);
    for (part, result) in [("init", "0"), ("post", "2")] {
        let row = format!(
            "<tr class=\"main {part}\"><th class=\"part\">{part}</th><td colspan=\"{n}\">\
             <code>get()</code>: <code><span class=\"result\">{result}</span></code></td></tr>"
        );
        assert!(framed.contains(&row), "{framed}");
    }
    // The interleaving table: a row per step.
    let steps = section(&page, "id=\"interleaving\"", "</table>");
    assert_eq!(
        steps.matches("<tr><th class=\"part\">").count(),
        report.interleaving.len()
    );
    assert!(steps.contains("<code>add()</code> …"), "{steps}");
    // The execution's timeline, as on trace pages; no script anywhere.
    assert!(page.contains("id=\"trace-timeline\""));
    assert!(!page.contains("<script"));
}

#[test]
fn a_failure_before_the_history_is_judged_shows_the_scenario_without_results() {
    let f = failure(true);
    assert_eq!(f.failure.kind.as_str(), "panic");
    assert!(f.history.is_none());
    let report = LincheckReport::of(&f);
    assert!(report.interleaving.is_empty());
    let cells = report
        .init
        .iter()
        .chain(report.parallel.iter().flatten())
        .chain(&report.post);
    assert!(cells.clone().all(|c| c.op == "add()" && c.result.is_none()));
    assert_eq!(cells.count(), f.scenario.len());
    let page = lincheck_html::page(&report);
    assert!(page.contains("<span class=\"pending\">–</span>"));
    assert!(!page.contains("id=\"interleaving\""));
}

/// The text of `page` from `start` to the next `end`.
fn section<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("no {start}"));
    let to = page[from..].find(end).unwrap() + from;
    &page[from..to]
}
