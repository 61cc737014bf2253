//! One-line checks for `#[test]`s: explore a body with the default strategy and budget (or
//! the knobs given), honour the `MAPRACE_*` environment overrides, replay saved regressions
//! first, and on failure panic with everything needed to understand and replay it: the
//! failure, the folded trace, the token and the exact command that replays it.
//!
//! ```
//! use maprace_harness::check::Check;
//! use maprace_harness::go;
//! use maprace_harness::sync::{Arc, Mutex};
//! Check::new()
//!     .identity("doc/counter")
//!     .persist(false)
//!     .run(|| {
//!         let n = Arc::new(Mutex::new(0));
//!         let n2 = Arc::clone(&n);
//!         let h = go("adder", move || *n2.lock() += 1);
//!         *n.lock() += 1;
//!         h.join();
//!         assert_eq!(*n.lock(), 2);
//!     });
//! ```
//!
//! | variable | effect |
//! |---|---|
//! | `MAPRACE_SEED` | the seed (a `u64`) |
//! | `MAPRACE_ITERATIONS` | the largest number of executions (≥ 1) |
//! | `MAPRACE_STRATEGY` | `portfolio` (the default), `random`, `pos`, `urw`, `surw`, `pct[:<depth>]`, `dfs[:<preemption bound>\|none]`, `delay[:<delay bound>]` |
//! | `MAPRACE_MAX_STEPS` | the step bound of one execution (≥ 1) |
//! | `MAPRACE_REPLAY` | a token: replay it instead of exploring |
//! | `MAPRACE_PERSIST` | `0` to neither read nor write the regression file |
//!
//! Precedence: environment, then what the code set, then the defaults.

pub(crate) mod env;
pub(crate) mod persist;
mod render;

use crate::explorer::{Exploration, Explorer, FoundFailure};
use crate::strategy::Strategy;
use crate::token::Token;
pub use env::EnvError;
use std::fmt;
use std::path::PathBuf;

/// The default budget of a check: enough for the bugs seen in users' maps (found in 1-30
/// executions), small enough for a unit test.
pub const DEFAULT_ITERATIONS: u64 = 10_000;

/// A check of one body: the knobs of an [`Explorer`] plus where its regressions live.
#[derive(Clone, Debug, Default)]
pub struct Check {
    identity: Option<String>,
    strategy: Option<Strategy>,
    seed: Option<u64>,
    iterations: Option<u64>,
    max_steps: Option<u64>,
    persist: Option<bool>,
    regressions_dir: Option<PathBuf>,
}

impl Check {
    /// A check with the defaults: the portfolio strategy (the benchmark's winner), seed 0,
    /// [`DEFAULT_ITERATIONS`], identity
    /// from the running test's name, regressions saved.
    pub fn new() -> Self {
        Check::default()
    }

    /// The identity carried in tokens (`module_path!()`-style names are accepted: `::`
    /// becomes `/`). Defaults to the running test's name.
    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// The strategy.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = Some(strategy);
        self
    }

    /// The seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The largest number of executions.
    pub fn iterations(mut self, iterations: u64) -> Self {
        self.iterations = Some(iterations);
        self
    }

    /// The step bound of one execution.
    pub fn max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = Some(max_steps);
        self
    }

    /// Whether failing tokens are saved to (and replayed first from)
    /// `maprace-regressions/<identity>.txt` beside the crate (default: yes).
    pub fn persist(mut self, persist: bool) -> Self {
        self.persist = Some(persist);
        self
    }

    /// Where regression files go (default: `maprace-regressions` in the crate's directory,
    /// `CARGO_MANIFEST_DIR`, or the working directory).
    pub fn regressions_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.regressions_dir = Some(dir.into());
        self
    }

    /// Runs the check; panics with a [`CheckFailure`]'s text when a failure is found (or a
    /// saved regression still fails), and on an invalid `MAPRACE_*` variable.
    pub fn run<F>(self, body: F)
    where
        F: Fn() + Send + Sync + Clone + 'static,
    {
        if let Err(failure) = self.try_run(body) {
            panic!("{failure}");
        }
    }

    /// [`Check::run`] returning the failure instead of panicking (an invalid environment
    /// variable still panics: it is a usage error, not a finding).
    pub fn try_run<F>(self, body: F) -> Result<Exploration, Box<CheckFailure>>
    where
        F: Fn() + Send + Sync + Clone + 'static,
    {
        let env = env::Overrides::read().unwrap_or_else(|e| panic!("{e}"));
        let identity = self.resolved_identity();
        let mut explorer = Explorer::new(identity.clone())
            .strategy(
                env.strategy
                    .clone()
                    .or(self.strategy.clone())
                    .unwrap_or(Strategy::Portfolio),
            )
            .seed(env.seed.or(self.seed).unwrap_or(0))
            .iterations(
                env.iterations
                    .or(self.iterations)
                    .unwrap_or(DEFAULT_ITERATIONS),
            );
        if let Some(m) = env.max_steps.or(self.max_steps) {
            explorer = explorer.max_steps(m);
        }
        let context = Context::of_this_test();
        if let Some(token) = env.replay {
            return replay_one(&explorer, &token, body, &context, Origin::EnvReplay);
        }
        let store = persist::Store::new(
            self.persist.unwrap_or(true) && env.persist,
            self.regressions_dir.clone(),
            &identity,
        );
        for saved in store.tokens() {
            match Token::parse(&saved) {
                Ok(token) if token.scenario == identity => {
                    match explorer.replay(&token, body.clone()) {
                        Ok(r) => {
                            if let Some(failure) = r.failure {
                                let found = FoundFailure {
                                    execution: 0,
                                    count: 1,
                                    failure,
                                    token: r.token,
                                    trace: r.trace,
                                    trace_hash: r.trace_hash,
                                    accesses: r.accesses,
                                    race: r.race,
                                    shuttle_replays: true,
                                    loom_checkpoint: None,
                                };
                                return Err(Box::new(CheckFailure::new(
                                    found,
                                    &explorer,
                                    &context,
                                    Origin::Regression(store.path_text()),
                                )));
                            }
                        }
                        Err(why) => store.report_stale(&saved, &why.to_string()),
                    }
                }
                Ok(_) => store.report_stale(&saved, "it was recorded for another check"),
                Err(why) => store.report_stale(&saved, &why.to_string()),
            }
        }
        let exploration = explorer.run(body);
        match exploration.failures.first() {
            None => Ok(exploration),
            Some(first) => {
                for f in &exploration.failures {
                    store.save(&f.token.to_string());
                }
                Err(Box::new(CheckFailure::with_all(
                    first.clone(),
                    &exploration,
                    &explorer,
                    &context,
                )))
            }
        }
    }

    fn resolved_identity(&self) -> String {
        let raw = self
            .identity
            .clone()
            .or_else(|| std::thread::current().name().map(str::to_string))
            .filter(|n| n != "main")
            .unwrap_or_else(|| "check".to_string());
        normalize_identity(&raw)
    }
}

/// An identity every token can carry: `a::b` becomes `a/b`, and any other character outside
/// `[A-Za-z0-9_./-]` becomes `_`.
pub fn normalize_identity(raw: &str) -> String {
    let s = raw.replace("::", "/");
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        "check".to_string()
    } else {
        out
    }
}

/// Explores `body` with the default strategy and budget (and the environment's overrides);
/// panics with the failure, its trace, token and replay command if one is found.
pub fn check<F>(body: F)
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    Check::new().run(body)
}

/// [`check`] with the random strategy and `iterations` executions.
pub fn check_random<F>(iterations: u64, body: F)
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    Check::new()
        .strategy(Strategy::Random)
        .iterations(iterations)
        .run(body)
}

/// [`check`] with PCT at `depth` and `iterations` executions.
pub fn check_pct<F>(depth: u32, iterations: u64, body: F)
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    Check::new()
        .strategy(Strategy::Pct { depth })
        .iterations(iterations)
        .run(body)
}

/// [`check`] with depth-first search bounded by `preemption_bound` (`None`: unbounded), up to
/// `iterations` executions.
pub fn check_dfs<F>(preemption_bound: Option<u32>, iterations: u64, body: F)
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    Check::new()
        .strategy(Strategy::Dfs { preemption_bound })
        .iterations(iterations)
        .run(body)
}

/// Where the running test is, for the replay command.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    package: Option<String>,
    pub(crate) test: Option<String>,
}

impl Context {
    pub(crate) fn of_this_test() -> Self {
        Context {
            package: std::env::var("CARGO_PKG_NAME").ok(),
            test: std::thread::current()
                .name()
                .filter(|n| *n != "main")
                .map(str::to_string),
        }
    }

    /// The command that replays `token` (or a lincheck regression line) where it came from.
    pub(crate) fn replay_command(&self, token: &impl fmt::Display) -> String {
        let mut cmd = format!("MAPRACE_REPLAY='{token}' cargo test");
        if let Some(p) = &self.package {
            cmd.push_str(&format!(" -p {p}"));
        }
        if let Some(t) = &self.test {
            cmd.push_str(&format!(" {t} -- --exact"));
        }
        cmd
    }
}

/// Where a reported failure came from.
#[derive(Clone, Debug)]
enum Origin {
    Exploration { executions: u64, strategy: String },
    Regression(String),
    EnvReplay,
}

/// A failure a check found, with what it takes to replay it. Its `Display` is the panic
/// message of [`Check::run`].
#[derive(Clone, Debug)]
pub struct CheckFailure {
    /// The failure (its first occurrence).
    pub found: FoundFailure,
    /// Other distinct failures of the same exploration.
    pub others: Vec<FoundFailure>,
    /// The command that replays the token.
    pub replay_command: String,
    origin: Origin,
}

impl CheckFailure {
    fn new(found: FoundFailure, _explorer: &Explorer, context: &Context, origin: Origin) -> Self {
        CheckFailure {
            replay_command: context.replay_command(&found.token),
            found,
            others: Vec::new(),
            origin,
        }
    }

    fn with_all(
        found: FoundFailure,
        exploration: &Exploration,
        explorer: &Explorer,
        context: &Context,
    ) -> Self {
        let mut f = CheckFailure::new(
            found,
            explorer,
            context,
            Origin::Exploration {
                executions: exploration.executions,
                strategy: format!("{} (seed {})", exploration.strategy, exploration.seed),
            },
        );
        f.others = exploration.failures.iter().skip(1).cloned().collect();
        f
    }
}

fn replay_one<F>(
    explorer: &Explorer,
    token: &str,
    body: F,
    context: &Context,
    origin: Origin,
) -> Result<Exploration, Box<CheckFailure>>
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    let token = Token::parse(token).unwrap_or_else(|e| panic!("MAPRACE_REPLAY: {e}"));
    let replayed = explorer
        .replay(&token, body)
        .unwrap_or_else(|e| panic!("MAPRACE_REPLAY: {e}"));
    match replayed.failure {
        None => {
            eprintln!("maprace: replayed {token}: no failure");
            Ok(Explorer::new(explorer.identity()).run(|| {}))
        }
        Some(failure) => Err(Box::new(CheckFailure::new(
            FoundFailure {
                execution: 0,
                count: 1,
                failure,
                token: replayed.token,
                trace: replayed.trace,
                trace_hash: replayed.trace_hash,
                accesses: replayed.accesses,
                race: replayed.race,
                shuttle_replays: true,
                loom_checkpoint: None,
            },
            explorer,
            context,
            origin,
        ))),
    }
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = &self.found;
        writeln!(
            f,
            "maprace: {} failed: {}",
            found.token.scenario, found.failure
        )?;
        match &self.origin {
            Origin::Exploration {
                executions,
                strategy,
            } => writeln!(
                f,
                "found by {strategy} in execution {} of {executions} ({} failing)",
                found.execution + 1,
                found.count
            )?,
            Origin::Regression(path) => {
                writeln!(f, "a saved regression still fails (from {path})")?
            }
            Origin::EnvReplay => writeln!(f, "replayed from MAPRACE_REPLAY")?,
        }
        writeln!(f)?;
        render::folded_trace(f, &found.trace, found.failure.step)?;
        writeln!(f)?;
        writeln!(f, "token:  {}", found.token)?;
        writeln!(f, "replay: {}", self.replay_command)?;
        for other in &self.others {
            writeln!(f, "also:   {} (token {})", other.failure, other.token)?;
        }
        Ok(())
    }
}

impl std::error::Error for CheckFailure {}
