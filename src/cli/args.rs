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
    /// Combine the JSON outputs of `explore --shard K/N` runs into the summary one run gives.
    Merge(MergeArgs),
    /// The seed corpus CI replays: verify it, or record entries into it.
    #[command(subcommand)]
    Corpus(CorpusCommand),
    /// Drop each synchronisation (lock, channel, wait group, atomic) of fixed variants in turn
    /// for the race detector and check that exploring notices; prints the mutation score.
    Mutate(MutateArgs),
}

#[derive(Debug, Subcommand)]
pub enum CorpusCommand {
    /// Check the corpus is complete (one entry per registered variant), replay every buggy
    /// entry's token and re-run every entry's exploration.
    Verify(CorpusVerifyArgs),
    /// Explore scenarios (all when none is named) and write their entries.
    Record(CorpusRecordArgs),
}

#[derive(Debug, Args)]
pub struct CorpusVerifyArgs {
    /// The corpus file [default: scenarios/corpus.toml of the workspace holding the current
    /// directory, else of the workspace maprace was built from].
    #[arg(long, value_name = "PATH")]
    pub corpus: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CorpusRecordArgs {
    /// Scenarios to record: a name (both variants) or name/variant. All when none is given.
    pub scenarios: Vec<String>,
    /// The corpus file, created when missing [default: as for `corpus verify`].
    #[arg(long, value_name = "PATH")]
    pub corpus: Option<std::path::PathBuf>,
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

/// Engines selectable on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineName {
    /// shuttle, driven by maprace's strategies.
    Shuttle,
    /// loom: exhaustive DPOR with an optional preemption bound, and the C11 memory model.
    Loom,
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
    /// Delay-bounded depth-first search (see --delay-bound).
    Delay,
    /// Partial order sampling over the object/access record.
    Pos,
    /// Uniform random walk, weights refreshed from finished executions.
    Urw,
    /// Selectively uniform random walk over the object accesses.
    Surw,
    /// Executions take turns among urw, pos and pct (depth 3).
    Portfolio,
}

/// What an execution that runs into the step bound is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StepBound {
    /// Abandoned: counted, neither a pass nor a failure.
    Abandon,
    /// A `step-bound` failure (to hunt livelocks).
    Fail,
}

#[derive(Debug, Args)]
pub struct MutateArgs {
    /// Scenarios to mutate: a name or name/fixed (buggy variants are skipped). All when none is
    /// given.
    pub scenarios: Vec<String>,
    /// Random executions per mutant (each stops at its first failure).
    #[arg(long, default_value_t = 2_000)]
    pub iterations: u64,
    /// The seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
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
    #[arg(long, value_enum, default_value = "portfolio")]
    pub strategy: StrategyName,
    /// The engine that runs executions: shuttle (maprace's strategies) or loom (loom's
    /// exhaustive DPOR and weak-memory model; takes --preemption-bound [default: 2] and
    /// --loom-max-branches; at most 4 goroutines besides main).
    #[arg(long, value_enum, default_value = "shuttle")]
    pub engine: EngineName,
    /// Scheduling branches one loom execution may take (a spin loop) [default: 1000].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub loom_max_branches: Option<u64>,
    /// Seed every random choice derives from.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Largest number of executions per scenario variant (at least 1).
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_ITERATIONS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: u64,
    /// Bug depth targeted by --strategy pct (1 to 64) [default: 3].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_DEPTH as i64))]
    pub depth: Option<u32>,
    /// Preemption bound of --strategy dfs (0 to 64, or "none" for no bound) [default: 2].
    #[arg(long, value_parser = parse_bound)]
    pub preemption_bound: Option<Bound>,
    /// Partial-order reduction of --strategy dfs: none, sleep (sleep sets) or dpor
    /// (source-DPOR with sleep sets; bounded POR under a preemption bound) [default: dpor].
    #[arg(long, value_parser = parse_reduction)]
    pub reduction: Option<maprace_harness::Reduction>,
    /// Worker threads per exploration (default: the number of cores). Random walks split
    /// their executions and print the same output for any number; other strategies use one.
    #[arg(long, value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Explore only shard K of N (1 <= K <= N): the selected variants whose catalogue
    /// position is K - 1 modulo N. `maprace merge` combines the shards' JSON outputs.
    #[arg(long, value_name = "K/N", value_parser = super::shard::parse_shard)]
    pub shard: Option<super::shard::Shard>,
    /// Delay bound of --strategy delay (0 to 64) [default: 2].
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=64))]
    pub delay_bound: Option<u32>,
    /// An execution that runs into --max-steps is abandoned (counted) or a failure.
    #[arg(long, value_enum, default_value = "abandon")]
    pub step_bound: StepBound,
    /// Largest number of scheduling steps per execution (1 to 1,000,000).
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_MAX_STEPS, value_parser = max_steps)]
    pub max_steps: u64,
    /// Wall-clock budget per scenario variant in seconds: limits how many executions run,
    /// never what any execution does.
    #[arg(long)]
    pub time_budget: Option<f64>,
    /// Do not minimize the first failure of each buggy variant.
    #[arg(long)]
    pub no_minimize: bool,
    /// Do not check executions for data races (faster; no execution is then in class `race`).
    #[arg(long)]
    pub no_race: bool,
    /// Executions the minimization of each buggy variant's first failure may spend.
    #[arg(long, default_value_t = DEFAULT_EXPLORE_MINIMIZE_BUDGET, conflicts_with = "no_minimize")]
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
    /// Which variants of the selected scenarios: buggy, fixed or both.
    #[arg(long, value_enum, default_value = "both")]
    pub variant: VariantName,
    /// Which sizes of the scenarios: the catalogue's small defaults, a realistic Go program's
    /// (`name.gosize`: hundreds of keys, growing maps), or both.
    #[arg(long, value_enum, default_value = "small")]
    pub size: SizeName,
}

/// Scenario variants selectable on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VariantName {
    /// The buggy variants.
    Buggy,
    /// The fixed variants.
    Fixed,
    /// Both.
    Both,
}

impl VariantName {
    /// Whether it selects `v`.
    pub fn selects(self, v: maprace_scenarios::Variant) -> bool {
        use maprace_scenarios::Variant;
        matches!(
            (self, v),
            (VariantName::Both, _)
                | (VariantName::Buggy, Variant::Buggy)
                | (VariantName::Fixed, Variant::Fixed)
        )
    }
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

/// The largest `--depth` (PCT's bug depth): deeper bugs than this are not a realistic target,
/// and every unit of depth costs a priority change point per execution.
pub const MAX_DEPTH: u32 = 64;
/// The largest `--preemption-bound`: a bound above this is "none" in all but cost.
pub const MAX_PREEMPTION_BOUND: u32 = 64;

/// A preemption bound, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound(pub Option<u32>);

fn parse_bound(s: &str) -> Result<Bound, String> {
    if s == "none" {
        return Ok(Bound(None));
    }
    match s.parse::<u32>() {
        Ok(b) if b <= MAX_PREEMPTION_BOUND => Ok(Bound(Some(b))),
        _ => Err(format!(
            "expected a number from 0 to {MAX_PREEMPTION_BOUND} or \"none\", got {s:?}"
        )),
    }
}

/// A step bound: at least 1, at most the longest schedule a token can carry.
fn max_steps(s: &str) -> Result<u64, String> {
    let max = maprace_harness::Token::MAX_STEPS;
    match s.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a number from 1 to {max}, got {s:?}")),
    }
}

fn parse_reduction(s: &str) -> Result<maprace_harness::Reduction, String> {
    s.parse()
}

fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("expected at least 1 job, got 0".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("expected a number of jobs, got {s:?}")),
    }
}

/// The number of worker threads when --jobs is not given: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON outputs of `maprace explore --format json`, typically one per shard.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The schedule token (mr2:<scenario>:<schedule>).
    #[arg(required_unless_present = "loom_checkpoint")]
    pub token: Option<String>,
    /// Replay loom's checkpoint of a failure only the loom engine shows, instead of a token
    /// (`explore --engine loom --report DIR` saves it and names the file).
    #[arg(long, value_name = "FILE", conflicts_with = "token")]
    pub loom_checkpoint: Option<std::path::PathBuf>,
    /// Largest number of scheduling steps (1 to 1,000,000; at least the token's length).
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_MAX_STEPS, value_parser = max_steps)]
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
    /// Largest number of scheduling steps per execution (1 to 1,000,000; at least the token's
    /// length).
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_MAX_STEPS, value_parser = max_steps)]
    pub max_steps: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TraceFormat,
    #[command(flatten)]
    pub trace: TraceArgs,
}
