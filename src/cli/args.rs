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
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

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
    /// The schedule token (mr1:<scenario>:<schedule>).
    pub token: String,
    /// Largest number of scheduling steps.
    #[arg(long, default_value_t = maprace_scenarios::run::DEFAULT_MAX_STEPS)]
    pub max_steps: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}
