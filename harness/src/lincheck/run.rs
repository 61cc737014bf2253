//! The checker as a test: generate scenarios, explore each, shrink the first failing one, and
//! report it with its token.

use super::failure::LincheckFailure;
use super::history::History;
use super::report::explain;
use super::scenario::{body, scenarios, Scenario, Shape, Slot};
use super::spec::Operations;
use crate::explorer::{Explorer, ReplayError};
use crate::failure::{Failure, FailureKind};
use crate::minimize::{minimize, Budget};
use crate::strategy::Strategy;
use crate::token::Token;
use crate::trace::Trace;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::{Cell, RefCell};
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
    spec: Arc<S>,
    shape: Shape,
    scenarios: u32,
    iterations: u64,
    seed: u64,
    strategy: Strategy,
    shrink_steps: u32,
    minimize_budget: u64,
}

/// What a passing check did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Passed {
    /// Scenarios explored.
    pub scenarios: u32,
    /// Executions run, over every scenario.
    pub executions: u64,
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
    /// failing scenario found.
    ///
    /// # Panics
    /// If the spec's name makes an invalid scenario identity (before any scenario runs).
    pub fn run(&self) -> Result<Passed, Box<LincheckFailure<S>>> {
        // A bad name panics here, with the explorer's message, rather than inside proptest
        // (which would take the panic for a failing scenario).
        let _ = self.explorer();
        let config = Config {
            cases: self.scenarios,
            max_shrink_iters: self.shrink_steps,
            failure_persistence: None,
            rng_algorithm: RngAlgorithm::ChaCha,
            ..Config::default()
        };
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&self.seed.to_le_bytes());
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        // The first failure fixes the kind shrinking must keep: a smaller scenario that fails
        // some other way is another bug.
        let kind: RefCell<Option<FailureKind>> = RefCell::new(None);
        let executions = Cell::new(0u64);
        let first = Cell::new(None::<(u64, u32, String)>);
        let tried = Cell::new(0u32);
        let outcome = runner.run(&scenarios(&*self.spec, self.shape), |scenario| {
            let (found, ran) = self.explore(&scenario);
            let Some(failure) = found.and_then(|f| f.failure) else {
                if kind.borrow().is_none() {
                    executions.set(executions.get() + ran);
                    tried.set(tried.get() + 1);
                }
                return Ok(());
            };
            let mut kind = kind.borrow_mut();
            match &*kind {
                None => {
                    tried.set(tried.get() + 1);
                    first.set(Some((executions.get() + ran, tried.get(), scenario.size())));
                    *kind = Some(failure.kind.clone());
                }
                Some(k) if *k != failure.kind => return Ok(()),
                Some(_) => {}
            }
            Err(TestCaseError::fail(failure.to_string()))
        });
        let scenario = match outcome {
            Ok(()) => {
                return Ok(Passed {
                    scenarios: self.scenarios,
                    executions: executions.get(),
                })
            }
            Err(TestError::Fail(_, scenario)) => scenario,
            Err(TestError::Abort(why)) => panic!("lincheck: proptest aborted: {why}"),
        };
        let (executions_to_first, scenarios_to_first, original_size) =
            first.take().expect("a failing scenario was recorded");
        let (found, _) = self.explore(&scenario);
        let found = found.expect("the shrunk scenario fails: proptest keeps only failing ones");
        let found = self.minimized(&scenario, found);
        debug_assert!(found.failure.is_some());
        Err(Box::new(LincheckFailure {
            failure: found.failure.expect("the shrunk scenario fails"),
            scenario,
            original_size,
            token: found.token,
            trace: found.trace,
            history: found.history,
            executions_to_first,
            scenarios_to_first,
        }))
    }

    /// Runs the check and panics with the report when it fails (for `#[test]`s).
    pub fn check(&self) {
        if let Err(failure) = self.run() {
            panic!("{failure}");
        }
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
