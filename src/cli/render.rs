//! Turning harness results into reports, and reports into the chosen output format.

use super::args::{ColorWhen, TraceArgs, TraceFormat};
use maprace_harness::{Failure, Minimized, Replayed, Token, Trace};
use maprace_reports::colour::{self, ColourChoice};
use maprace_reports::trace_table::MAPRACE_REPLAY;
use maprace_reports::{
    html, json, markdown, trace_table, Minimization, ReplayReport, TraceFailure, TraceOptions,
};
use std::io::IsTerminal;

/// The trace options `args` ask for, colour decided from stdout and `NO_COLOR`.
pub fn trace_options(args: &TraceArgs) -> TraceOptions {
    TraceOptions {
        full: args.full,
        colour: colour_on(args.color),
        replay: replay_command(),
        width: if args.full { None } else { terminal_width() },
    }
}

/// The width terminal tables fit into: `COLUMNS` when set to a number (at least 20), else the
/// terminal's width when stdout is one; `None` (no limit) when stdout is a pipe or a file, so
/// logs and `grep` see every cell whole.
pub fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        return Some(n.max(20));
    }
    let term = console::Term::stdout();
    if !term.is_term() {
        return None;
    }
    term.size_checked().map(|(_, cols)| usize::from(cols))
}

/// The command that replays a token, for how this maprace was run: `maprace replay` when the
/// running binary is the `maprace` found on `PATH`; `cargo run --release -- replay` when it is a
/// build in a cargo `target/` directory (debug builds too: a replay gives the same trace in
/// either profile, and debug and release reports stay byte-identical); else its full path.
pub fn replay_command() -> &'static str {
    static COMMAND: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    COMMAND.get_or_init(|| {
        let Some(exe) = std::env::current_exe()
            .ok()
            .and_then(|p| p.canonicalize().ok())
        else {
            return MAPRACE_REPLAY.to_string();
        };
        let on_path = std::env::var_os("PATH").is_some_and(|path| {
            std::env::split_paths(&path)
                .any(|d| d.join("maprace").canonicalize().is_ok_and(|p| p == exe))
        });
        let in_target = exe.parent().is_some_and(|d| {
            let profile = d.file_name().and_then(|n| n.to_str());
            matches!(profile, Some("release" | "debug"))
                && d.parent().and_then(|t| t.file_name()) == Some("target".as_ref())
        });
        match (on_path, in_target) {
            (true, _) => MAPRACE_REPLAY.to_string(),
            (false, true) => "cargo run --release -- replay".to_string(),
            _ => format!("{} replay", exe.display()),
        }
    })
}

/// Whether terminal output is coloured.
pub fn colour_on(when: ColorWhen) -> bool {
    let choice = match when {
        ColorWhen::Auto => ColourChoice::Auto,
        ColorWhen::Always => ColourChoice::Always,
        ColorWhen::Never => ColourChoice::Never,
    };
    colour::enabled(
        choice,
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// The report of one traced execution of `scenario`.
pub fn report(
    scenario: &str,
    token: &Token,
    failure: Option<&Failure>,
    trace: &Trace,
    trace_hash: u64,
) -> ReplayReport {
    ReplayReport {
        token: token.to_string(),
        scenario: scenario.to_string(),
        outcome: failure.map(TraceFailure::from),
        trace_hash: format!("{trace_hash:016x}"),
        goroutines: trace.goroutines.clone(),
        trace: trace.events.clone(),
        minimization: None,
        loom_only: None,
    }
}

/// The report of a replay.
pub fn replayed(scenario: &str, r: &Replayed) -> ReplayReport {
    report(
        scenario,
        &r.token,
        r.failure.as_ref(),
        &r.trace,
        r.trace_hash,
    )
}

/// What a minimization found, for reports.
pub fn minimization(original: &Token, m: &Minimized) -> Minimization {
    Minimization {
        original_token: original.to_string(),
        token: m.token.to_string(),
        trace_hash: format!("{:016x}", m.trace_hash),
        preemptions_before: m.preemptions_before,
        preemptions_after: m.preemptions_after,
        lower_bound: m.lower_bound,
        proven_minimal: m.proven_minimal,
        executions: m.executions,
    }
}

/// The report of a minimized schedule: its trace, with what it was minimized from.
pub fn minimized(scenario: &str, original: &Token, m: &Minimized) -> ReplayReport {
    let mut r = report(scenario, &m.token, Some(&m.failure), &m.trace, m.trace_hash);
    r.minimization = Some(minimization(original, m));
    r
}

/// One trace in the chosen format.
pub fn trace(report: &ReplayReport, format: TraceFormat, options: &TraceOptions) -> String {
    match format {
        TraceFormat::Table => trace_table::render(report, options),
        TraceFormat::Markdown => markdown::trace(report, options),
        TraceFormat::Json => json::replay(report),
        TraceFormat::Html => html::trace_page(report),
    }
}
