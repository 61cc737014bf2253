//! The exploration runner: runs a body under a strategy, collects distinct failures, and turns
//! each into a replayable token with its trace.

use crate::access::ObjectId;
use crate::classes::{ClassCount, Tally};
use crate::engine::{Engine as Driver, Finished, Recording};
use crate::failure::Class;
use crate::failure::{classify_payload, Failure, FailureKind};
use crate::loom_engine::Engine;
use crate::strategy::{self, Coverage, Reduction, Strategy};
use crate::token;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[cfg(feature = "loom")]
mod loom_checkpoint;
#[cfg(feature = "loom")]
pub use loom_checkpoint::loom_checkpoint_scenario;
mod conclude;
#[cfg(feature = "loom")]
mod loom_run;
mod parallel;
mod replay;
mod results;

pub(crate) use conclude::{group, outcome};

pub use results::{Exploration, FoundFailure, ReplayError, Replayed};

/// Configures and runs explorations of a body.
///
/// ```
/// use maprace_harness::{go, Explorer, Strategy};
/// let exploration = Explorer::new("doc/example")
///     .strategy(Strategy::Dfs { preemption_bound: Some(1) })
///     .run(|| {
///         let h = go("writer", || 1 + 1);
///         assert_eq!(h.join(), 2);
///     });
/// assert!(exploration.failures.is_empty());
/// assert!(exploration.exhausted);
/// ```
#[derive(Clone, Debug)]
pub struct Explorer {
    identity: String,
    strategy: Strategy,
    reduction: Reduction,
    seed: u64,
    iterations: u64,
    time_budget: Option<Duration>,
    max_steps: u64,
    step_bound_fails: bool,
    stop_on_first_failure: bool,
    trace_every_execution: bool,
    progress: Option<ProgressHook>,
    jobs: usize,
    race_detection: bool,
    /// Synchronisation objects every execution runs without (mutants, see `mutate`).
    disabled_sync: Vec<ObjectId>,
    /// The engine that runs the executions.
    engine: Engine,
}

/// How far an exploration has got, as reported to [`Explorer::on_progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Executions run so far.
    pub executions: u64,
    /// How many of them failed.
    pub failed: u64,
}

/// How often (in executions) progress is reported.
const PROGRESS_EVERY: u64 = 500;

/// A progress observer. It is only told what happened; nothing it does can change a schedule.
#[derive(Clone)]
struct ProgressHook(Arc<dyn Fn(Progress) + Send + Sync>);

impl fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHook")
    }
}

/// The body type: run once per execution as the main goroutine.
type Body = Arc<dyn Fn() + Send + Sync>;

/// What the executions of one exploration gathered, for [`Explorer::conclude`].
pub(crate) struct Collected {
    pub executions: u64,
    pub exhausted: bool,
    pub out_of_time: bool,
    /// Executions that only ran out of steps, not counted as failures.
    pub abandoned: u64,
    pub found: Vec<Found>,
    pub tally: Tally,
}

pub(crate) struct Found {
    execution: u64,
    count: u64,
    failure: Failure,
    seed: u64,
    steps: Vec<u32>,
}

impl Explorer {
    /// An explorer for the scenario `identity` (carried in tokens), with the defaults: random
    /// strategy, seed 0, 1,000 iterations, 100,000 steps per execution. Identities are
    /// `[A-Za-z0-9_./-]+`; others are made so (`module_path!()`'s `::` becomes `/`, any other
    /// character `_`; see [`crate::check::normalize_identity`]).
    pub fn new(identity: impl Into<String>) -> Self {
        let identity = identity.into();
        let identity = if token::valid_identity(&identity) {
            identity
        } else {
            crate::check::normalize_identity(&identity)
        };
        Explorer {
            identity,
            strategy: Strategy::Random,
            reduction: Reduction::default(),
            seed: 0,
            iterations: 1_000,
            time_budget: None,
            max_steps: 100_000,
            step_bound_fails: false,
            stop_on_first_failure: false,
            trace_every_execution: false,
            progress: None,
            jobs: 1,
            race_detection: true,
            disabled_sync: Vec::new(),
            engine: Engine::Shuttle,
        }
    }

    /// The engine that runs the executions (default: shuttle, driven by the strategy). Under
    /// [`Engine::Loom`] loom's own search replaces the strategy, `jobs` and `reduction` (see
    /// the `loom_engine` docs); check the options with [`Engine::check`] or use
    /// [`Explorer::try_run`] to get limits as errors.
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// Worker threads (default 1). Random walks split their executions between them and give
    /// the same result for any number (see the `parallel` module); other strategies run on one.
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// The strategy.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// How exhaustive search prunes equivalent schedules (default [`Reduction::Dpor`]; other
    /// strategies ignore it).
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// The seed every random choice derives from.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The largest number of executions.
    pub fn iterations(mut self, iterations: u64) -> Self {
        self.iterations = iterations;
        self
    }

    /// A wall-clock budget. It may only cut the number of executions, never change one: the
    /// executions that do run are the same as without it.
    pub fn time_budget(mut self, budget: Option<Duration>) -> Self {
        self.time_budget = budget;
        self
    }

    /// The largest number of scheduling steps in one execution (beyond it the execution is
    /// abandoned, or fails if [`Explorer::step_bound_fails`]).
    pub fn max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = max_steps.max(1);
        self
    }

    /// Whether an execution that runs into the step bound (and failed no other way) is a
    /// `step-bound` failure. By default it is *abandoned* instead: counted in
    /// [`Exploration::abandoned`], neither a pass nor a failure, since a long run usually
    /// means an unfair schedule of a correct spin-wait rather than a bug. Ask for failures to
    /// hunt livelocks.
    pub fn step_bound_fails(mut self, fails: bool) -> Self {
        self.step_bound_fails = fails;
        self
    }

    /// Stop at the first failing execution.
    pub fn stop_on_first_failure(mut self, stop: bool) -> Self {
        self.stop_on_first_failure = stop;
        self
    }

    /// Record the full trace of every execution, not only of failing ones: every event with its
    /// detail and state snapshot, as the execution runs (the owned [`Trace`](crate::trace::Trace) value is built
    /// only for executions whose trace is read). Exploration normally records just the schedule
    /// and re-runs a failing schedule with tracing, which gives the same trace for a fraction of
    /// the cost; this option exists to measure that cost, and for code under test whose event
    /// notes have side effects worth checking.
    pub fn trace_every_execution(mut self, on: bool) -> Self {
        self.trace_every_execution = on;
        self
    }

    /// Calls `observer` every few hundred executions and once at the end, for progress displays.
    /// The observer only watches: executions and their order are the same with or without it.
    pub fn on_progress(mut self, observer: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(ProgressHook(Arc::new(observer)));
        self
    }

    /// Check every execution for data races (on by default): an execution that races and
    /// does not otherwise fail fails with `data-race`, and every execution is counted in its
    /// [`Class`]. Off, no execution is in [`Class::Race`] and exploration runs faster.
    pub fn race_detection(mut self, on: bool) -> Self {
        self.race_detection = on;
        self
    }

    /// Runs every execution without the synchronisation object `object` (by its id in each
    /// execution): a mutant of the code under test. The object orders nothing for the race
    /// detector, and a lock or once that can stop excluding does (see [`crate::sync_disabled`]
    /// for what each kind of object does when disabled). Replays run the same mutant.
    /// See [`crate::sync_objects`].
    pub fn without_sync(mut self, object: ObjectId) -> Self {
        self.disabled_sync.push(object);
        self
    }

    /// The scenario identity.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Explores `body`, run as the main goroutine of every execution.
    ///
    /// With [`Strategy::Replay`], runs the token once (see [`Explorer::replay`] for the errors a
    /// replay can give; here a token that does not fit gives no failure and no execution).
    ///
    /// Panics with a one-line message when the engine cannot run the body (see
    /// [`Explorer::try_run`]).
    pub fn run<F>(&self, body: F) -> Exploration
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.try_run(body)
            .unwrap_or_else(|e| panic!("maprace: {e}"))
    }

    /// [`Explorer::run`], with an engine that cannot run the body as an error (one line): loom
    /// options this build or loom does not support, a body with more goroutines than loom
    /// allows.
    pub fn try_run<F>(&self, body: F) -> Result<Exploration, String>
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.engine.check()?;
        if self.engine.is_loom() && !self.disabled_sync.is_empty() {
            return Err("mutants (without_sync) run under the shuttle engine only".to_string());
        }
        let body: Body = Arc::new(body);
        #[cfg(feature = "loom")]
        if let Engine::Loom {
            preemption_bound,
            max_branches,
        } = self.engine
        {
            return loom_run::run(self, &body, preemption_bound, max_branches).map_err(|l| l.0);
        }
        Ok(self.run_body(body))
    }

    fn run_body(&self, body: Body) -> Exploration {
        if let Strategy::Replay(token) = &self.strategy {
            let mut exploration = self.empty_exploration();
            if let Ok(replayed) = self.replay_body(token, &body) {
                exploration.executions = 1;
                exploration.exhausted = true;
                exploration.coverage = Coverage::Sampled { executions: 1 };
                let class = Class::of(
                    replayed.failure.as_ref().map(|f| &f.kind),
                    replayed.race.is_some(),
                );
                exploration.classes.push(ClassCount {
                    class,
                    count: 1,
                    execution: 0,
                    token: replayed.token.clone(),
                });
                if let Some(failure) = replayed.failure {
                    exploration.failures.push(FoundFailure {
                        execution: 0,
                        count: 1,
                        failure,
                        token: replayed.token,
                        trace_hash: replayed.trace_hash,
                        trace: replayed.trace,
                        accesses: replayed.accesses,
                        race: replayed.race,
                        shuttle_replays: true,
                        loom_checkpoint: None,
                    });
                }
            }
            return exploration;
        }

        if let Some(exploration) = parallel::run(self, &body) {
            return exploration;
        }
        let found: Rc<RefCell<Vec<Found>>> = Rc::default();
        let executions = Rc::new(RefCell::new(0u64));
        let started = Instant::now();
        let out_of_time = Rc::new(RefCell::new(false));
        let tally: Rc<RefCell<Tally>> = Rc::default();
        let race_detection = self.race_detection;
        let abandoned = Rc::new(RefCell::new(0u64));
        let step_bound_fails = self.step_bound_fails;
        let on_finish = {
            let tally = Rc::clone(&tally);
            let abandoned = Rc::clone(&abandoned);
            let found = Rc::clone(&found);
            let executions = Rc::clone(&executions);
            let out_of_time = Rc::clone(&out_of_time);
            let (limit, budget, stop_first) = (
                self.iterations,
                self.time_budget,
                self.stop_on_first_failure,
            );
            let progress = self.progress.clone();
            let mut failed = 0u64;
            Box::new(move |done: Finished<'_>| {
                let index = {
                    let mut n = executions.borrow_mut();
                    *n += 1;
                    *n - 1
                };
                let (failure, class, gave_up) = outcome(&done, race_detection, step_bound_fails);
                *abandoned.borrow_mut() += u64::from(gave_up);
                tally.borrow_mut().note(class, index, done.seed, done.steps);
                failed += u64::from(failure.is_some());
                if let Some(p) = progress
                    .as_ref()
                    .filter(|_| (index + 1) % PROGRESS_EVERY == 0)
                {
                    (p.0)(Progress {
                        executions: index + 1,
                        failed,
                    });
                }
                if let Some(failure) = failure {
                    group(
                        &mut found.borrow_mut(),
                        index,
                        failure,
                        done.seed,
                        done.steps,
                    );
                    if stop_first {
                        return false;
                    }
                }
                if index + 1 >= limit {
                    return false;
                }
                if budget.is_some_and(|b| started.elapsed() >= b) {
                    *out_of_time.borrow_mut() = true;
                    return false;
                }
                true
            }) as Box<dyn FnMut(Finished<'_>) -> bool>
        };
        let mut engine = Driver::new(
            strategy::build_reduced(&self.strategy, self.seed, self.reduction),
            self.trace_every_execution,
            self.max_steps,
            on_finish,
        );
        engine.accesses |= self.race_detection;
        engine.disabled.clone_from(&self.disabled_sync);
        let engine = Rc::new(RefCell::new(engine));
        if self.iterations > 0 {
            drive(&engine, &body);
        }
        let exhausted = engine.borrow().strategy.exhausted();
        drop(engine);

        let executions = *executions.borrow();
        let collected = Collected {
            executions,
            exhausted,
            out_of_time: *out_of_time.borrow(),
            abandoned: *abandoned.borrow(),
            found: std::mem::take(&mut *found.borrow_mut()),
            tally: std::mem::take(&mut *tally.borrow_mut()),
        };
        self.conclude(&body, collected)
    }
}

/// Runs executions until the engine stops: a panic that escapes shuttle ends one runner, and
/// the next runner carries on with the same engine.
pub(crate) fn drive(engine: &Rc<RefCell<Driver>>, body: &Body) {
    crate::capture::install_hook();
    let mut config = shuttle::Config::new();
    config.max_steps = shuttle::MaxSteps::None;
    config.failure_persistence = shuttle::FailurePersistence::None;
    config.silence_warnings = true;
    loop {
        let runner = shuttle::Runner::new(Recording(Rc::clone(engine)), config.clone());
        let body = Arc::clone(body);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            runner.run(move || crate::goroutine::run_main(&*body))
        }));
        let mut e = engine.borrow_mut();
        match outcome {
            Ok(_) => {
                e.finish(None);
                return;
            }
            Err(payload) => {
                let (kind, message) = classify_payload(payload.as_ref());
                e.finish(Some((kind, message)));
                if e.stop {
                    return;
                }
            }
        }
    }
}

/// Groups failures by kind, in kind order (for summaries).
pub fn kinds(failures: &[FoundFailure]) -> BTreeMap<FailureKind, u64> {
    let mut out = BTreeMap::new();
    for f in failures {
        *out.entry(f.failure.kind.clone()).or_insert(0) += f.count;
    }
    out
}
