//! The other renderings of a trace and a summary: JSON round trips, HTML structure, folding,
//! colour, and the report directory.

mod fixtures;

use maprace_reports::json::{self, ExploreDoc, ListDoc, ReplayDoc};
use maprace_reports::{
    fold, html, markdown, report_dir, summary, trace_table, FailureSummary, ListRow, LoomOnly,
    Minimization, ReplayReport, SummaryRow, TraceOptions,
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
        loom_only: None,
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
            coverage: "500 sampled schedules".into(),
            expected: "fail".into(),
            verdict: "ok".into(),
            hint: None,
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
            coverage: "every schedule with ≤ 2 preemptions (93)".into(),
            expected: "pass".into(),
            verdict: "ok".into(),
            hint: None,
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
            replay: trace_table::MAPRACE_REPLAY,
            width: None,
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
            replay: trace_table::MAPRACE_REPLAY,
            width: None,
        },
    );
    assert!(!plain.contains('\u{1b}'));
    let coloured = trace_table::render(
        &r,
        &TraceOptions {
            full: false,
            colour: true,
            replay: trace_table::MAPRACE_REPLAY,
            width: None,
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
    assert!(text.contains("every schedule with ≤ 2 preemptions (93)"));
    assert!(text.contains("│ expected │"));
    assert_eq!(
        text.lines().last().unwrap(),
        "2 variants of 1 scenario: 2 ok, 0 unexpected"
    );
}

#[test]
fn an_unexpected_verdict_is_explained_in_every_summary_format() {
    let mut rows = summary_rows();
    rows[0].verdict = "unexpected".into();
    rows[0].hint = Some("only step-bound: raise --max-steps".into());
    let hint = "demo-flag-map/buggy: only step-bound: raise --max-steps";
    let table = summary::table(&rows, false);
    assert!(table.ends_with(&format!("  {hint}\n")), "{table}");
    assert!(markdown::summary(&rows).contains(&format!("- {hint}")));
    assert!(html::summary_page(&rows, &[], &[]).contains(&format!("<li>{hint}</li>")));
    let doc: ExploreDoc = json::parse(&json::explore(&rows)).unwrap();
    assert_eq!(
        doc.results[0].hint.as_deref(),
        Some("only step-bound: raise --max-steps")
    );
}

#[test]
fn the_failures_list_has_every_failure_with_its_token() {
    let rows = summary_rows();
    let list = summary::failures(&rows, "cargo run --release -- replay");
    let failures: usize = rows.iter().map(|r| r.failures.len()).sum();
    assert_eq!(
        list.matches("cargo run --release -- replay mr2:").count(),
        failures + 1, // the minimized token of the first failure
        "{list}"
    );
    assert!(list.contains("demo-flag-map/buggy wrong-result:"), "{list}");
    assert!(
        list.starts_with("failures (executions are numbered from #1"),
        "{list}"
    );
    assert_eq!(summary::failures(&rows[1..], "maprace replay"), "");
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
    // One marked context switch per switch (main -> writer -> reader).
    assert_eq!(attrs(&page, "switched", "data-step").len(), 2);
    // The failing step shows the map state it saw, inline, not only on hover.
    let failing = page.split("id=\"failing-step\"").nth(1).unwrap();
    let failing = &failing[..failing.find("</div>").unwrap()];
    assert!(
        failing.contains("class=\"inline-state mono\">B=0 count=3 flags=hashWriting"),
        "{failing}"
    );
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
            checkpoint: None,
        },
        report_dir::TracePage {
            row: 0,
            label: "concurrent-map-writes (minimized)".into(),
            stem: report_dir::file_stem(&["demo-flag-map", "buggy", "1", "minimized"]),
            report: fixtures::map_read_during_write(),
            checkpoint: None,
        },
    ];
    // An earlier run wrote a page this run does not write; someone else put a file beside it.
    let mut earlier = pages.clone();
    earlier[0].stem = "old-run".into();
    report_dir::write(dir.path(), &rows, &earlier).unwrap();
    std::fs::write(dir.path().join("traces/notes.html"), "someone's").unwrap();
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
    assert_eq!(
        std::fs::read_to_string(dir.path().join("traces/notes.html")).unwrap(),
        "someone's",
        "a file maprace did not write is never removed"
    );
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

#[test]
fn a_loom_only_failure_is_replayed_from_its_saved_checkpoint_not_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = summary_rows();
    let stem = report_dir::file_stem(&["demo-flag-map", "buggy", "1"]);
    let saved = dir.path().join(report_dir::checkpoint_file(&stem));
    let loom_only = Some(LoomOnly {
        checkpoint: Some(saved.display().to_string()),
    });
    rows[0].failures[0].loom_only.clone_from(&loom_only);
    let mut report = fixtures::two_writers();
    report.loom_only.clone_from(&loom_only);
    let page = report_dir::TracePage {
        row: 0,
        label: "concurrent-map-writes".into(),
        stem: stem.clone(),
        report: report.clone(),
        checkpoint: Some("{\"format\": \"maprace-loom-checkpoint/1\"}".into()),
    };
    let written = report_dir::write(dir.path(), &rows, &[page]).unwrap();
    assert!(written.contains(&saved), "{written:?}");
    assert!(std::fs::read_to_string(&saved)
        .unwrap()
        .contains("maprace-loom-checkpoint"));
    let line = format!("maprace replay --loom-checkpoint {}", saved.display());
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains(&line), "{md}");
    assert!(summary::failures(&rows, "maprace replay").contains(&line));
    let facts = trace_table::facts(&report, "maprace replay");
    assert!(
        facts.iter().any(|(k, v)| *k == "replay" && *v == line),
        "{facts:?}"
    );
    // The JSON keeps it; a failure shuttle replays has no such field.
    let doc: ExploreDoc =
        json::parse(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(doc.results[0].failures[0].loom_only, loom_only);
    assert!(!json::explore(&summary_rows()).contains("loom_only"));
    // The marker owns the checkpoint: a run without it removes it.
    report_dir::write(dir.path(), &summary_rows(), &[]).unwrap();
    assert!(!saved.exists());
    // Not saved: the line says how to save it.
    let unsaved = LoomOnly { checkpoint: None };
    assert!(unsaved
        .replay_line("maprace replay")
        .contains("--report DIR"));
}

#[test]
fn a_directory_with_files_maprace_did_not_write_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
    let err = report_dir::prepare(dir.path()).unwrap_err();
    assert!(err.to_string().contains("did not write"), "{err}");
    let err = report_dir::write(dir.path(), &summary_rows(), &[]).unwrap_err();
    assert!(err.to_string().contains("did not write"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A missing or empty directory becomes maprace's (marked) and can be written again.
    let fresh = dir.path().join("report");
    report_dir::prepare(&fresh).unwrap();
    assert!(fresh.join(report_dir::MARKER).is_file());
    report_dir::write(&fresh, &summary_rows(), &[]).unwrap();
    report_dir::write(&fresh, &summary_rows(), &[]).unwrap();
}

#[test]
fn step_numbers_without_a_row_are_explained() {
    let mut r = fixtures::two_writers();
    assert_eq!(
        fold::step_legend(&r),
        "step N = after N scheduling decisions"
    );
    // Step 4's event gone: a decision that left nothing to show.
    r.trace.retain(|e| e.step != 4);
    let legend = fold::step_legend(&r);
    assert!(legend.ends_with("; 1 step number without a row: the goroutine resumed there had nothing new to record before its next point"), "{legend}");
    assert!(trace_table::render(&r, &TraceOptions::default()).contains(&legend));
}

#[test]
fn html_folds_long_runs_and_marks_the_conflicting_step() {
    let mut r = fixtures::two_writers();
    // G1 takes 20 more steps before G2 starts: a long run to fold.
    let extra: Vec<_> = (0..20)
        .map(|k| {
            let mut e = r.trace[6].clone();
            e.detail = Some(format!("k={k}"));
            e
        })
        .collect();
    r.trace.splice(7..7, extra);
    let page = html::trace_page(&r);
    assert_eq!(page.matches("<details class=\"fold\"").count(), 1);
    assert!(page.contains("more steps of G1"));
    // Every step is still in the page (inside the fold).
    assert_eq!(attrs(&page, "event", "data-step").len(), r.trace.len());
    // The failing write ran into G1's last map step: highlighted as conflicting.
    assert_eq!(attrs(&page, "conflicting", "data-lane"), vec!["G1"]);
    assert_eq!(attrs(&page, "failing", "data-lane"), vec!["G2"]);
    // A report directory's trace page links back to its index.
    assert!(html::trace_page_linked(&r, Some("../index.html")).contains("href=\"../index.html\""));
    assert!(!page.contains("../index.html"));
}
