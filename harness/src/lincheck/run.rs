//! The checker as a test: generate scenarios, explore each, shrink the first failing one, and
//! report it with its token.

use super::cases;
use super::failure::{LincheckFailure, Origin};
use super::history::History;
use super::regression::{scenario_hash, Regression};
use super::report::explain;
use super::scenario::{body, scenarios, Scenario, Shape, Slot};
use super::spec::Operations;
use crate::explorer::{Explorer, ReplayError};
use crate::failure::{Failure, FailureKind};
use crate::minimize::{minimize, Budget};
use crate::strategy::Strategy;
use crate::token::Token;
use crate::trace::Trace;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Tests an object for linearizability, Lincheck-style: generates scenarios of its operations
/// (an init part, goroutines × operations, a post part), explores each with the harness's
/// strategy, checks every execution's history against the sequential specification, and on the
/// first failure shrinks the scenario (proptest) and the schedule (the harness's minimizer).
///
/// Everything is deterministic: the same spec, settings and seed give the same scenarios,
/// schedules and report. See `docs/lincheck.md`.
///
/// ```
/// use maprace_harness::lincheck::{Lincheck, Operations, Sequential};
/// use maprace_harness::lincheck::proptest::prelude::*;
/// use maprace_harness::sync::{AtomicU64, Ordering};
///
/// /// A counter whose `add` is a load then a store: two goroutines can lose an add.
/// struct Racy;
/// #[derive(Clone, Debug)]
/// struct Add;
/// impl std::fmt::Display for Add {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("add()")
///     }
/// }
/// impl Sequential for Racy {
///     type Op = Add;
///     type Ret = u64; // the value before the add
///     type State = u64;
///     type Key = ();
///     fn init(&self) -> u64 { 0 }
///     fn step(&self, n: &mut u64, _: &Add) -> u64 { *n += 1; *n - 1 }
/// }
/// impl Operations for Racy {
///     type Imp = AtomicU64;
///     fn name(&self) -> String { "racy-counter".into() }
///     fn implementation(&self) -> AtomicU64 { AtomicU64::new(0) }
///     fn generate(&self) -> BoxedStrategy<Add> { Just(Add).boxed() }
///     fn apply(&self, n: &AtomicU64, _: &Add) -> u64 {
///         let old = n.load(Ordering::SeqCst);
///         n.store(old + 1, Ordering::SeqCst);
///         old
///     }
/// }
/// let failure = Lincheck::new(Racy).run().unwrap_err();
/// assert_eq!(failure.failure.kind.as_str(), "not-linearizable");
/// assert_eq!(failure.scenario.size(), "2×1"); // two goroutines, one add each
/// ```
pub struct Lincheck<S: Operations> {
    pub(super) spec: Arc<S>,
    shape: Shape,
    scenarios: u32,
    iterations: u64,
    seed: u64,
    strategy: Strategy,
    shrink_steps: u32,
    minimize_budget: u64,
    pub(super) persist: bool,
    pub(super) regressions_dir: Option<PathBuf>,
}

/// What a passing check did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passed {
    /// Scenarios explored.
    pub scenarios: u32,
    /// Executions run, over every scenario.
    pub executions: u64,
    /// Saved regression lines that no longer reproduce (see [`Lincheck::try_check`]).
    pub stale: Vec<Stale>,
}

/// A saved regression line that no longer reproduces: the code changed. Reported (on stderr
/// and here), never a pass of that line and never a crash; delete the line from the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The line.
    pub line: String,
    /// Why it no longer reproduces, in one line.
    pub why: String,
}

impl<S: Operations> Lincheck<S> {
    /// A check of `spec` with the defaults: 2 goroutines × 3 operations, init and post parts of
    /// up to 2 operations, 40 scenarios, 300 random executions each, seed 0.
    pub fn new(spec: S) -> Self {
        Lincheck {
            spec: Arc::new(spec),
            shape: Shape {
                goroutines: 2,
                operations: 3,
                init: 2,
                post: 2,
            },
            scenarios: 40,
            iterations: 300,
            seed: 0,
            strategy: Strategy::Random,
            shrink_steps: 256,
            minimize_budget: 2_000,
            persist: true,
            regressions_dir: None,
        }
    }

    /// Goroutines per scenario (at most; shrinking may remove some).
    pub fn goroutines(mut self, n: usize) -> Self {
        self.shape.goroutines = n.max(1);
        self
    }

    /// Operations per goroutine (at most).
    pub fn operations(mut self, n: usize) -> Self {
        self.shape.operations = n.max(1);
        self
    }

    /// Operations of the init part (at most).
    pub fn init(mut self, n: usize) -> Self {
        self.shape.init = n;
        self
    }

    /// Operations of the post part (at most).
    pub fn post(mut self, n: usize) -> Self {
        self.shape.post = n;
        self
    }

    /// Scenarios to generate.
    pub fn scenarios(mut self, n: u32) -> Self {
        self.scenarios = n.max(1);
        self
    }

    /// Executions per scenario.
    pub fn iterations(mut self, n: u64) -> Self {
        self.iterations = n.max(1);
        self
    }

    /// The seed of the scenario generator and of every exploration.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The exploration strategy (default: [`Strategy::Random`], the harness's default).
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// The most shrinking steps proptest may take.
    pub fn shrink_steps(mut self, n: u32) -> Self {
        self.shrink_steps = n;
        self
    }

    /// The executions the schedule minimizer may spend on the final token (0: keep the token
    /// as found).
    pub fn minimize_budget(mut self, executions: u64) -> Self {
        self.minimize_budget = executions;
        self
    }

    /// Whether [`Lincheck::check`] saves failing scenarios to (and replays them first from)
    /// `maprace-regressions/lincheck-<test>.txt` beside the crate (default: yes;
    /// `MAPRACE_PERSIST=0` turns it off too).
    pub fn persist(mut self, persist: bool) -> Self {
        self.persist = persist;
        self
    }

    /// Where regression files go (default: `maprace-regressions` in the crate's directory).
    pub fn regressions_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.regressions_dir = Some(dir.into());
        self
    }

    /// The explorer every scenario runs under (its identity is `lincheck/<name>`), with the
    /// `MAPRACE_SEED`, `MAPRACE_ITERATIONS`, `MAPRACE_STRATEGY` and `MAPRACE_MAX_STEPS`
    /// overrides applied as for every check (see [`crate::check`]).
    pub fn explorer(&self) -> Explorer {
        let env = crate::check::env::Overrides::read().unwrap_or_else(|e| panic!("{e}"));
        let mut explorer = Explorer::new(format!("lincheck/{}", self.spec.name()))
            .strategy(env.strategy.unwrap_or_else(|| self.strategy.clone()))
            .seed(env.seed.unwrap_or(self.seed))
            .iterations(env.iterations.unwrap_or(self.iterations))
            .stop_on_first_failure(true);
        if let Some(m) = env.max_steps {
            explorer = explorer.max_steps(m);
        }
        explorer
    }

    /// Explores one scenario: its first failure (with the history, for `not-linearizable`)
    /// and the executions run.
    pub fn explore(&self, scenario: &Scenario<S::Op>) -> (Option<Found<S>>, u64) {
        let slot: Slot<S> = Arc::new(Mutex::new(None));
        let body = body(
            Arc::clone(&self.spec),
            Arc::new(scenario.clone()),
            Arc::clone(&slot),
        );
        let exploration = self.explorer().run(body);
        let found = exploration.failures.into_iter().next().map(|f| Found {
            failure: Some(f.failure),
            token: f.token,
            trace: f.trace,
            history: slot.lock().unwrap_or_else(PoisonError::into_inner).take(),
        });
        (found, exploration.executions)
    }

    /// Replays `token` against `scenario`: the same schedule, the same history.
    pub fn replay(
        &self,
        scenario: &Scenario<S::Op>,
        token: &Token,
    ) -> Result<Found<S>, ReplayError> {
        let slot: Slot<S> = Arc::new(Mutex::new(None));
        let body = body(
            Arc::clone(&self.spec),
            Arc::new(scenario.clone()),
            Arc::clone(&slot),
        );
        let replayed = self.explorer().replay(token, body)?;
        let history = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        Ok(Found {
            failure: replayed.failure,
            token: replayed.token,
            trace: replayed.trace,
            history,
        })
    }

    /// Runs the check: `Ok` when no execution of any scenario failed, else the smallest
    /// failing scenario found. Neither reads nor writes regression lines and ignores
    /// `MAPRACE_REPLAY` (measurements and tests that expect a failure want exactly this run);
    /// [`Lincheck::check`] and [`Lincheck::try_check`] do both.
    ///
    /// # Panics
    /// If the spec's name makes an invalid scenario identity (before any scenario runs).
    pub fn run(&self) -> Result<Passed, Box<LincheckFailure<S>>> {
        // A bad name panics here, with the explorer's message, rather than mid-search.
        let _ = self.explorer();
        // The first failure fixes the kind shrinking must keep: a smaller scenario that fails
        // some other way is another bug.
        let mut kind: Option<FailureKind> = None;
        let mut executions = 0u64;
        let mut first = None::<(u64, u32, String)>;
        let mut tried = 0u32;
        let outcome = cases::run(
            &scenarios(&*self.spec, self.shape),
            &self.config(),
            self.seed,
            |scenario| {
                let (found, ran) = self.explore(&scenario);
                let Some(failure) = found.and_then(|f| f.failure) else {
                    if kind.is_none() {
                        executions += ran;
                        tried += 1;
                    }
                    return false;
                };
                match &kind {
                    None => {
                        tried += 1;
                        first = Some((executions + ran, tried, scenario.size()));
                        kind = Some(failure.kind.clone());
                        true
                    }
                    Some(k) => *k == failure.kind,
                }
            },
        )
        .unwrap_or_else(|why| panic!("lincheck: proptest aborted: {why}"));
        let Some(shrunk) = outcome else {
            return Ok(Passed {
                scenarios: self.scenarios,
                executions,
                stale: Vec::new(),
            });
        };
        let (executions_to_first, scenarios_to_first, original_size) =
            first.expect("a failing scenario was recorded");
        let scenario = shrunk.value;
        let (found, _) = self.explore(&scenario);
        let found = found.expect("the shrunk scenario fails: shrinking keeps only failing ones");
        let found = self.minimized(&scenario, found);
        let regression = Regression {
            case_seed: shrunk.case_seed,
            shape: self.shape,
            path: shrunk.path,
            scenario_hash: scenario_hash(&scenario),
            token: found.token.clone(),
        };
        let mut failure = LincheckFailure::new(scenario, found, regression, Origin::Exploration);
        failure.original_size = original_size;
        failure.executions_to_first = executions_to_first;
        failure.scenarios_to_first = scenarios_to_first;
        Err(Box::new(failure))
    }

    /// The proptest configuration of this check's scenario search.
    pub(super) fn config(&self) -> proptest::test_runner::Config {
        cases::config(self.scenarios, self.shrink_steps)
    }

    /// `found` with its schedule minimized to the fewest preemptions the budget finds.
    fn minimized(&self, scenario: &Scenario<S::Op>, found: Found<S>) -> Found<S> {
        if self.minimize_budget == 0 {
            return found;
        }
        let slot: Slot<S> = Arc::new(Mutex::new(None));
        let body = body(
            Arc::clone(&self.spec),
            Arc::new(scenario.clone()),
            Arc::clone(&slot),
        );
        match minimize(
            &self.explorer(),
            &found.token,
            body,
            Budget::new(self.minimize_budget),
        ) {
            Ok(m) => self.replay(scenario, &m.token).unwrap_or(found),
            Err(_) => found,
        }
    }
}

/// One execution of a scenario.
pub struct Found<S: Operations> {
    /// Its failure (`None` for a replayed schedule that passes).
    pub failure: Option<Failure>,
    /// Its token.
    pub token: Token,
    /// Its trace.
    pub trace: Trace,
    /// Its history, when the failure is `not-linearizable`.
    pub history: Option<History<S::Op, S::Ret>>,
}

impl<S: Operations> Found<S> {
    /// Why the history is not linearizable, recomputed from the history.
    pub fn why(&self, spec: &S) -> Option<String> {
        let h = self.history.as_ref()?;
        super::checker::check(spec, h).err().map(|v| explain(h, &v))
    }
}

/// Checks `S::default()` with the default settings, panicking with the report on failure.
///
/// ```no_run
/// # use maprace_harness::lincheck::Operations;
/// # fn demo<MySpec: Operations + Default>() {
/// maprace_harness::lincheck::check::<MySpec>();
/// # }
/// ```
pub fn check<S: Operations + Default>() {
    Lincheck::new(S::default()).check();
}
