//! The other renderings of a trace and a summary: JSON round trips, HTML structure, folding,
//! colour, and the report directory.

mod fixtures;

use maprace_reports::json::{self, ExploreDoc, ListDoc, ReplayDoc};
use maprace_reports::{
    fold, html, report_dir, summary, trace_table, FailureSummary, ListRow, Minimization,
    ReplayReport, SummaryRow, TraceOptions,
};

fn summary_rows() -> Vec<SummaryRow> {
    let min = Minimization {
        original_token: "mr2:demo-flag-map/buggy:AAAA".into(),
        token: "mr2:demo-flag-map/buggy:BBBB".into(),
        trace_hash: "2d8139836c60859b".into(),
        preemptions_before: 4,
        preemptions_after: 1,
        lower_bound: 1,
        proven_minimal: true,
        executions: 40,
    };
    let failure = FailureSummary {
        execution: 2,
        count: 35,
        kind: "concurrent-map-writes".into(),
        message: "fatal error: concurrent map writes".into(),
        goroutine: "G2".into(),
        step: 8,
        token: "mr2:demo-flag-map/buggy:AAAA".into(),
        trace_hash: "0000000000000001".into(),
        minimized: Some(min),
    };
    let wrong = FailureSummary {
        kind: "wrong-result".into(),
        message: "an insert was lost".into(),
        minimized: None,
        ..failure.clone()
    };
    vec![
        SummaryRow {
            scenario: "demo-flag-map".into(),
            variant: "buggy".into(),
            strategy: "random".into(),
            seed: 0,
            executions: 500,
            exhausted: false,
            expected: "fail".into(),
            verdict: "ok".into(),
            first_failure: Some(failure.clone()),
            failures: vec![failure, wrong],
            classes: vec![],
        },
        SummaryRow {
            scenario: "demo-flag-map".into(),
            variant: "fixed".into(),
            strategy: "dfs(preemption-bound=2)".into(),
            seed: 0,
            executions: 93,
            exhausted: true,
            expected: "pass".into(),
            verdict: "ok".into(),
            first_failure: None,
            failures: vec![],
            classes: vec![],
        },
    ]
}

#[test]
fn explore_json_round_trips_and_keeps_its_field_names() {
    let rows = summary_rows();
    let text = json::explore(&rows);
    let doc: ExploreDoc = json::parse(&text).unwrap();
    assert_eq!(doc.version, json::VERSION);
    assert_eq!(doc.results, rows);
    // Written again, the same bytes.
    assert_eq!(json::explore(&doc.results), text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = &v["results"][0];
    for field in [
        "scenario",
        "variant",
        "strategy",
        "seed",
        "executions",
        "exhausted",
        "expected",
        "verdict",
        "first_failure",
        "failures",
    ] {
        assert!(r.get(field).is_some(), "missing {field}");
    }
    let f = &r["first_failure"];
    for field in [
        "execution",
        "kind",
        "message",
        "token",
        "trace_hash",
        "minimized",
    ] {
        assert!(f.get(field).is_some(), "missing first_failure.{field}");
    }
    assert_eq!(f["minimized"]["preemptions_after"], 1);
    assert_eq!(r["failures"][1]["minimized"], serde_json::Value::Null);
    assert_eq!(v["results"][1]["first_failure"], serde_json::Value::Null);
}

#[test]
fn replay_json_round_trips_with_and_without_minimization() {
    for report in [fixtures::two_writers(), fixtures::map_read_during_write()] {
        let text = json::replay(&report);
        let doc: ReplayDoc = json::parse(&text).unwrap();
        assert_eq!(ReplayReport::from(doc), report);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v["outcome"]["kind"],
            report.outcome.as_ref().unwrap().kind.as_str()
        );
        // Optional fields are left out, not null.
        assert_eq!(
            v.get("minimization").is_some(),
            report.minimization.is_some()
        );
        assert!(v["trace"][0].get("detail").is_none());
        assert!(v["trace"][0].get("state").is_none());
    }
    // A passing execution has outcome kind "pass" and reads back as no failure.
    let mut pass = fixtures::two_writers();
    pass.outcome = None;
    let text = json::replay(&pass);
    assert!(text.contains("\"kind\": \"pass\""));
    let doc: ReplayDoc = json::parse(&text).unwrap();
    assert_eq!(ReplayReport::from(doc), pass);
}

#[test]
fn list_json_round_trips_and_other_versions_are_refused() {
    let rows = vec![ListRow {
        name: "demo-flag-map".into(),
        variant: "buggy".into(),
        description: "two writers".into(),
        expected: "fail".into(),
    }];
    let text = json::list(&rows);
    let doc: ListDoc = json::parse(&text).unwrap();
    assert_eq!(doc.scenarios, rows);
    let newer = text.replace("\"version\": 1", "\"version\": 2");
    let err = json::parse::<ListDoc>(&newer).unwrap_err();
    assert!(err.contains("unsupported document version 2"), "{err}");
}

#[test]
fn folding_gives_one_row_per_run_and_full_one_per_event() {
    let r = fixtures::map_read_during_write();
    let lanes = fold::Lanes::of(&r);
    let folded = fold::rows(&r, &lanes, false);
    assert_eq!(folded.len(), 3, "main, then writer, then reader");
    assert_eq!(
        folded.iter().map(|r| r.lane).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    let full = fold::rows(&r, &lanes, true);
    assert_eq!(full.len(), r.trace.len());
    // Exactly one row is marked in each, the reader's last.
    for rows in [&folded, &full] {
        let marked: Vec<_> = rows.iter().filter(|r| r.failing).collect();
        assert_eq!(marked.len(), 1);
        assert_eq!(marked[0].lane, 2);
        assert_eq!(marked[0].events.last(), r.trace.last());
    }
    let text = trace_table::table(&r, &TraceOptions::default());
    let full_text = trace_table::table(
        &r,
        &TraceOptions {
            full: true,
            colour: false,
        },
    );
    assert!(full_text.lines().count() > text.lines().count() + 10);
}

#[test]
fn a_deadlock_marks_every_blocked_goroutine() {
    let mut r = fixtures::two_writers();
    let f = r.outcome.as_mut().unwrap();
    f.kind = "deadlock".into();
    f.goroutine = "G1, G2".into();
    let lanes = fold::Lanes::of(&r);
    let marked: Vec<usize> = fold::rows(&r, &lanes, false)
        .iter()
        .filter(|r| r.failing)
        .map(|r| r.lane)
        .collect();
    assert_eq!(marked, vec![1, 2]);
    // The timeline highlights both, and gives the page's one failing-step id to the last.
    let page = html::trace_page(&r);
    assert_eq!(attrs(&page, "failing", "data-lane"), vec!["G1", "G2"]);
    assert_eq!(page.matches("id=\"failing-step\"").count(), 1);
    // A failure naming no goroutine of the trace marks the last row.
    r.outcome.as_mut().unwrap().goroutine = "engine".into();
    let rows = fold::rows(&r, &lanes, false);
    assert!(rows.last().unwrap().failing);
    assert_eq!(rows.iter().filter(|r| r.failing).count(), 1);
}

#[test]
fn colour_only_when_asked() {
    let r = fixtures::two_writers();
    let plain = trace_table::render(
        &r,
        &TraceOptions {
            full: false,
            colour: false,
        },
    );
    assert!(!plain.contains('\u{1b}'));
    let coloured = trace_table::render(
        &r,
        &TraceOptions {
            full: false,
            colour: true,
        },
    );
    assert!(coloured.contains("\u{1b}[1;31m✗ concurrent-map-writes"));
    // Without the escapes, the coloured table is the plain one.
    let stripped = strip_ansi(&coloured);
    assert_eq!(stripped, plain);
    let rows = summary_rows();
    assert!(!summary::table(&rows, false).contains('\u{1b}'));
    assert!(summary::table(&rows, true).contains("\u{1b}[32mok"));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn summary_table_has_the_issue_columns_and_totals_last() {
    let text = summary::table(&summary_rows(), false);
    let header = text.lines().nth(1).unwrap();
    for col in summary::HEADER {
        assert!(header.contains(col), "{col} missing from {header}");
    }
    assert!(text.contains("│ 1 (proven)"));
    assert!(text.contains("concurrent-map-writes, wrong-result"));
    assert!(text.contains("93 (all)"));
    assert_eq!(
        text.lines().last().unwrap(),
        "2 scenarios, 2 ok, 0 unexpected"
    );
}

/// Attribute values of `attr` on elements whose class list contains `class`.
fn attrs(page: &str, class: &str, attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in page.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let has_class = tag
            .split("class=\"")
            .nth(1)
            .and_then(|c| c.split('"').next())
            .is_some_and(|c| c.split(' ').any(|x| x == class));
        if has_class {
            if let Some(v) = tag
                .split(&format!(" {attr}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
            {
                out.push(v.to_string());
            }
        }
    }
    out
}

#[test]
fn html_trace_page_has_every_lane_every_step_and_the_failing_step() {
    let r = fixtures::map_read_during_write();
    let page = html::trace_page(&r);
    assert_eq!(attrs(&page, "lane", "data-lane"), r.goroutines);
    assert_eq!(attrs(&page, "lane-head", "data-lane"), r.goroutines);
    assert_eq!(attrs(&page, "event", "data-step").len(), r.trace.len());
    assert_eq!(page.matches("id=\"failing-step\"").count(), 1);
    assert_eq!(attrs(&page, "failing", "data-lane"), vec!["reader"]);
    // One arrow per context switch (main -> writer -> reader).
    assert_eq!(page.matches("class=\"switch\"").count(), 2);
    // The token and replay command at the top, before the timeline.
    let token_at = page.find(&r.token).unwrap();
    assert!(token_at < page.find("class=\"timeline\"").unwrap());
    assert!(page.contains(&format!("maprace replay {}", r.token)));
    // The state of every step is in the page, for the hover card.
    assert!(page.contains("<td>nevacuate</td>"));
    // Self-contained: nothing to fetch, nothing to run.
    for banned in [
        "<script", "<link", "http://", "https://", " src=", "@import",
    ] {
        assert!(!page.contains(banned), "{banned}");
    }
}

#[test]
fn html_escapes_what_it_shows() {
    let mut r = fixtures::two_writers();
    r.trace[8].detail = Some("k=\"<b>&</b>\"".into());
    let page = html::trace_page(&r);
    assert!(page.contains("k=&quot;&lt;b&gt;&amp;&lt;/b&gt;&quot;"));
    assert!(!page.contains("<b>&</b>"));
}

#[test]
fn report_directory_is_complete_deterministic_and_drops_stale_pages() {
    let dir = tempfile::tempdir().unwrap();
    let rows = summary_rows();
    let pages = vec![
        report_dir::TracePage {
            row: 0,
            label: "concurrent-map-writes".into(),
            stem: report_dir::file_stem(&["demo-flag-map", "buggy", "1"]),
            report: fixtures::two_writers(),
        },
        report_dir::TracePage {
            row: 0,
            label: "concurrent-map-writes (minimized)".into(),
            stem: report_dir::file_stem(&["demo-flag-map", "buggy", "1", "minimized"]),
            report: fixtures::map_read_during_write(),
        },
    ];
    std::fs::create_dir_all(dir.path().join("traces")).unwrap();
    std::fs::write(dir.path().join("traces/old-run.html"), "stale").unwrap();
    let written = report_dir::write(dir.path(), &rows, &pages).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "traces/demo-flag-map-buggy-1.html",
            "traces/demo-flag-map-buggy-1-minimized.html",
            "summary.json",
            "summary.md",
            "index.html",
        ]
    );
    assert!(!dir.path().join("traces/old-run.html").exists());
    let index = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(index.contains("href=\"traces/demo-flag-map-buggy-1-minimized.html\""));
    let doc: ExploreDoc =
        json::parse(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(doc.results, rows);
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("| demo-flag-map | buggy   |"));
    assert!(md.contains("(traces/demo-flag-map-buggy-1.html): `maprace replay mr2:"));
    // Written again: the same bytes.
    let again = tempfile::tempdir().unwrap();
    report_dir::write(again.path(), &rows, &pages).unwrap();
    for n in &names {
        assert_eq!(
            std::fs::read(dir.path().join(n)).unwrap(),
            std::fs::read(again.path().join(n)).unwrap(),
            "{n}"
        );
    }
}
