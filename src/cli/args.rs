//! The command-line grammar (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Deterministic exploration of Go-style map races: find them, replay them, read them.
#[derive(Debug, Parser)]
#[command(name = "maprace", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the registered scenarios.
    List(ListArgs),
    /// Explore scenarios (all when none is named) and check each against its expectation.
    Explore(ExploreArgs),
    /// Replay one schedule token and print its outcome, trace and trace hash.
    Replay(ReplayArgs),
    /// Find the failing schedule with the fewest preemptions that fails like TOKEN.
    Minimize(MinimizeArgs),
    /// The seed corpus CI replays: verify it, or record entries into it.
    #[command(subcommand)]
    Corpus(CorpusCommand),
}

#[derive(Debug, Subcommand)]
pub enum CorpusCommand {
    /// Replay every buggy entry's token and re-run every fixed entry's exploration.
    Verify(CorpusVerifyArgs),
    /// Explore scenarios (all when none is named) and write their entries.
    Record(CorpusRecordArgs),
}

#[derive(Debug, Args)]
pub struct CorpusVerifyArgs {
    /// The corpus file.
    #[arg(long, default_value = DEFAULT_CORPUS)]
    pub corpus: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CorpusRecordArgs {
    /// Scenarios to record: a name (both variants) or name/variant. All when none is given.
    pub scenarios: Vec<String>,
    /// The corpus file (created when missing).
    #[arg(long, default_value = DEFAULT_CORPUS)]
    pub corpus: std::path::PathBuf,
    /// Rewrite entries whose recorded outcome changed (otherwise they are kept and reported).
    #[arg(long)]
    pub update: bool,
}

/// Where the corpus lives, relative to the repository root.
pub const DEFAULT_CORPUS: &str = "scenarios/corpus.toml";

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// Versioned JSON.
    Json,
}

/// Output formats of the commands that print traces (explore, replay, minimize).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// Human-readable tables (the trace folded by context switch; see --full).
    Table,
    /// GitHub-flavoured Markdown, for bug reports.
    Markdown,
    /// Versioned JSON (see docs/json-format.md).
    Json,
    /// One self-contained HTML page with a swimlane timeline.
    Html,
}

/// When to colour terminal tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How traces are shown: shared by explore, replay and minimize.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Show every step of a trace instead of folding each goroutine's steps between two
    /// context switches into one row.
    #[arg(long)]
    pub full: bool,
    /// Colour terminal tables.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorWhen,
}

/// Strategies selectable on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StrategyName {
    /// Uniform random choice at every step.
    Random,
    /// Probabilistic concurrency testing (see --depth).
    Pct,
    /// Depth-first search, preemption-bounded (see --preemption-bound).
    Dfs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Scenarios to explore: a name (both variants) or name/variant. All when none is given.
    pub scenarios: Vec<String>,
    /// Scheduling strategy.
    #[arg(long, value_enum, default_value = "random")]
    pub strategy: StrategyName,
    /// Seed every random choice derives from.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Largest number of executions per scenario variant.
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_ITERATIONS)]
    pub iterations: u64,
    /// Bug depth targeted by --strategy pct.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub depth: u32,
    /// Preemption bound of --strategy dfs ("none" for no bound).
    #[arg(long, default_value = "2", value_parser = parse_bound)]
    pub preemption_bound: Bound,
    /// Largest number of scheduling steps per execution.
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_MAX_STEPS)]
    pub max_steps: u64,
    /// Wall-clock budget per scenario variant in seconds: limits how many executions run,
    /// never what any execution does.
    #[arg(long)]
    pub time_budget: Option<f64>,
    /// Do not minimize the first failure of each buggy variant.
    #[arg(long)]
    pub no_minimize: bool,
    /// Executions the minimization of each buggy variant's first failure may spend.
    #[arg(long, default_value_t = DEFAULT_EXPLORE_MINIMIZE_BUDGET)]
    pub minimize_budget: u64,
    /// Also write a report directory: index.html, summary.json, summary.md and one HTML
    /// timeline per failure (written atomically).
    #[arg(long, value_name = "DIR")]
    pub report: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TraceFormat,
    #[command(flatten)]
    pub trace: TraceArgs,
    /// Which sizes of the scenarios: the catalogue's small defaults, a realistic Go program's
    /// (`name.gosize`: hundreds of keys, growing maps), or both.
    #[arg(long, value_enum, default_value = "small")]
    pub size: SizeName,
}

/// Scenario sizes selectable on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SizeName {
    /// The default small sizes.
    Small,
    /// Realistic Go program sizes (scenarios named `name.gosize`).
    Go,
    /// Both.
    All,
}

impl SizeName {
    /// The sizes it selects.
    pub fn sizes(self) -> &'static [maprace_scenarios::Size] {
        use maprace_scenarios::Size;
        match self {
            SizeName::Small => &[Size::Small],
            SizeName::Go => &[Size::Go],
            SizeName::All => &[Size::Small, Size::Go],
        }
    }
}

/// The minimization budget of `explore` (per buggy variant): modest, so exploring the whole
/// catalogue stays quick.
pub const DEFAULT_EXPLORE_MINIMIZE_BUDGET: u64 = 3_000;
/// The budget of `maprace minimize`, which has only one token to work on.
pub const DEFAULT_MINIMIZE_BUDGET: u64 = 50_000;

/// A preemption bound, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound(pub Option<u32>);

fn parse_bound(s: &str) -> Result<Bound, String> {
    if s == "none" {
        return Ok(Bound(None));
    }
    s.parse::<u32>()
        .map(|b| Bound(Some(b)))
        .map_err(|_| format!("expected a number or \"none\", got {s:?}"))
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The schedule token (mr2:<scenario>:<schedule>).
    pub token: String,
    /// Largest number of scheduling steps.
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_MAX_STEPS)]
    pub max_steps: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TraceFormat,
    #[command(flatten)]
    pub trace: TraceArgs,
}

#[derive(Debug, Args)]
pub struct MinimizeArgs {
    /// The failing schedule's token (mr2:<scenario>:<schedule>).
    pub token: String,
    /// Executions the search may spend (bounded search, candidate replays and probes).
    #[arg(long, default_value_t = DEFAULT_MINIMIZE_BUDGET)]
    pub budget: u64,
    /// Largest number of scheduling steps per execution.
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_MAX_STEPS)]
    pub max_steps: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TraceFormat,
    #[command(flatten)]
    pub trace: TraceArgs,
}
