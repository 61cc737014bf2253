//! Terminal tables fit the terminal: `COLUMNS` (or the terminal's size) bounds every table
//! line; piped output without `COLUMNS`, `--full` and JSON keep every cell whole.

use std::process::{Command, Output};

fn maprace(columns: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_maprace"));
    c.args(args).env("NO_COLOR", "1").env_remove("COLUMNS");
    if let Some(n) = columns {
        c.env("COLUMNS", n);
    }
    c.output().expect("the maprace binary runs")
}

/// The widest line of a table (box-drawing lines) in `out`'s stdout, in characters.
fn widest_table_line(out: &Output) -> usize {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└']))
        .map(|l| l.chars().count())
        .max()
        .expect("a table")
}

const EXPLORE: &[&str] = &[
    "explore",
    "t4-middleware-context-map",
    "--iterations",
    "200",
    "--strategy",
    "pct",
];

#[test]
fn tables_fit_80_columns() {
    let replay_token = {
        let out = maprace(None, &[EXPLORE, &["--format", "json"]].concat());
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["results"][0]["first_failure"]["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let corpus = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(corpus.path(), "version = 1\n").unwrap();
    let commands: Vec<Vec<&str>> = vec![
        EXPLORE.to_vec(),
        vec!["list"],
        vec!["replay", &replay_token],
        vec![
            "corpus",
            "verify",
            "--corpus",
            corpus.path().to_str().unwrap(),
        ],
    ];
    for args in &commands {
        let wide = widest_table_line(&maprace(None, args));
        assert!(
            wide > 80,
            "{args:?}: the test needs a table wider than 80 ({wide})"
        );
        assert!(
            widest_table_line(&maprace(Some("80"), args)) <= 80,
            "{args:?}"
        );
        assert!(
            widest_table_line(&maprace(Some("120"), args)) <= 120,
            "{args:?}"
        );
    }
    // --full asks for every cell whole.
    let full = maprace(Some("80"), &["replay", &replay_token, "--full"]);
    assert!(widest_table_line(&full) > 80);
}
