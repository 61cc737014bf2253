//! The recording scheduler: the shuttle `Scheduler` that every strategy runs behind. It asks the
//! strategy for each decision, records the choices (the schedule a token is made of), hands the
//! code under test its random values, bounds steps, and notices deadlocks and leaks.

use crate::access::Pending;
use crate::failure::FailureKind;
use crate::goroutine::stuck_failure;
use crate::record::{self, Record};
use crate::sentinel::{self, goroutine_of, task_of};
use crate::strategy::{Decision, Schedule as StrategySchedule};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many executions shuttle itself found deadlocked (in this process). The outcome is the
/// same deadlock or leak, but shuttle has printed its line, and it means goroutines blocked
/// somewhere the sentinel check does not see (a shuttle primitive used directly) or a gap in
/// that check: the sentinel tests require it to stay zero.
static SHUTTLE_DEADLOCKS: AtomicU64 = AtomicU64::new(0);

/// How many executions shuttle itself found deadlocked in this process (see the static).
#[doc(hidden)]
pub fn shuttle_deadlocks() -> u64 {
    SHUTTLE_DEADLOCKS.load(Ordering::Relaxed)
}

/// One finished execution, as the engine saw it.
pub(crate) struct Finished<'a> {
    pub seed: u64,
    pub steps: &'a [u32],
    pub digests: &'a [u8],
    pub failure: Option<crate::failure::Failure>,
    pub diverged: Option<(u64, String)>,
    /// Whether the execution's events were recorded (see [`Finished::trace`]).
    pub traced: bool,
    /// Whether the object/access record was kept (see [`Finished::accesses`]).
    pub accessed: bool,
}

impl Finished<'_> {
    /// The execution's trace, when it was traced. The events are recorded as the execution
    /// runs, but the `Trace` (a string per name, detail and field) is only built for the
    /// executions someone reads: this is called from the finish callback, before the next
    /// execution reuses the record.
    pub fn trace(&self) -> Option<crate::trace::Trace> {
        self.traced.then(|| record::with(|r| r.take_trace()))
    }

    /// The accesses the execution performed, in order, when the record was kept (empty
    /// otherwise). Like [`Finished::trace`], read it from the finish callback.
    pub fn accesses(&self) -> Vec<crate::access::StepAccess> {
        if self.accessed {
            record::with(|r| r.access_log.clone())
        } else {
            Vec::new()
        }
    }

    /// The execution's first data race (see `oracle`), when the record was kept. Read in
    /// place, like [`Finished::accesses`], without copying the log. The synchronisation
    /// objects the execution ran without (mutants, see `mutate`) order nothing.
    pub fn first_race(&self) -> Option<crate::oracle::DataRace> {
        if !self.accessed {
            return None;
        }
        record::with(|r| {
            if r.disabled.is_empty() {
                crate::oracle::first_race(&r.access_log, &r.internal)
            } else {
                let mut internal = r.internal.clone();
                internal.extend_from_slice(&r.disabled);
                crate::oracle::first_race(&r.access_log, &internal)
            }
        })
    }
}

pub(crate) struct Engine {
    pub strategy: Box<dyn StrategySchedule>,
    pub tracing: bool,
    /// Keeping the object/access record even if the strategy does not read it (replays report
    /// it; oracles read it).
    pub accesses: bool,
    /// Computing the digests of runs (replays: they check the token's and complete it).
    digesting: bool,
    pub max_steps: u64,
    /// The synchronisation objects every execution runs without (mutants, see `mutate`).
    pub disabled: Vec<crate::access::ObjectId>,
    /// Digests the replayed token recorded, one per run of steps, checked as each run ends.
    expected_digests: Vec<u8>,
    /// The step at which each of the token's runs ends.
    expected_ends: Vec<u64>,
    /// Fold of the points the running goroutine paused at during the open run.
    run_fold: u64,
    /// The stream the body's random values come from, made on the first draw (most bodies
    /// draw none, and seeding ChaCha costs more than a scheduling decision).
    data: Option<ChaCha8Rng>,
    seed: u64,
    steps: Vec<u32>,
    /// Runs of consecutive steps given to one goroutine, begun so far.
    runs: usize,
    digests: Vec<u8>,
    runnable: Vec<usize>,
    diverged: Option<(u64, String)>,
    in_execution: bool,
    /// Asked to start no further execution (budget spent, failure found, ...).
    pub stop: bool,
    /// Called with every finished execution; returns false to stop exploring.
    pub on_finish: Box<dyn FnMut(Finished<'_>) -> bool>,
}

impl Engine {
    pub fn new(
        strategy: Box<dyn StrategySchedule>,
        tracing: bool,
        max_steps: u64,
        on_finish: Box<dyn FnMut(Finished<'_>) -> bool>,
    ) -> Self {
        Engine {
            strategy,
            tracing,
            accesses: tracing,
            digesting: false,
            max_steps,
            disabled: Vec::new(),
            expected_digests: Vec::new(),
            expected_ends: Vec::new(),
            run_fold: 0,
            data: None,
            seed: 0,
            steps: Vec::new(),
            runs: 0,
            digests: Vec::new(),
            runnable: Vec::new(),
            diverged: None,
            in_execution: false,
            stop: false,
            on_finish,
        }
    }

    /// Closes the execution in progress, if any. `escaped` is a panic that got out of shuttle.
    pub fn finish(&mut self, escaped: Option<(FailureKind, String)>) {
        if !self.in_execution {
            return;
        }
        self.in_execution = false;
        if self.digesting && self.diverged.is_none() && self.digests.len() < self.runs {
            let last = *self.steps.last().expect("a begun run has a step") as usize;
            if let Err(why) = record::with(|r| self.close_run(r, last)) {
                self.diverged = Some((self.steps.len() as u64, why));
            }
        }
        let (failure, traced, accessed) = record::with(|r| {
            match escaped {
                // Shuttle found every task blocked: the sentinel should have been spawned to let
                // the engine see it, but the outcome is the same deadlock or leak either way.
                Some((_, message)) if message.starts_with("deadlock!") => {
                    SHUTTLE_DEADLOCKS.fetch_add(1, Ordering::Relaxed);
                    stuck_failure(r)
                }
                Some((kind, message)) => r.fail(kind, format!("engine: {message}"), None),
                None => {}
            }
            r.active = false;
            r.end_bindings();
            (r.failure.take(), r.tracing, r.accesses_wanted)
        });
        if self.diverged.is_none() {
            if let Err(why) = self.strategy.end(self.steps.len() as u64) {
                self.diverged = Some((self.steps.len() as u64, why));
            }
        }
        let done = Finished {
            seed: self.seed,
            steps: &self.steps,
            digests: &self.digests,
            failure,
            diverged: self.diverged.take(),
            traced,
            accessed,
        };
        let go_on = (self.on_finish)(done);
        self.steps.clear();
        self.digests.clear();
        self.runs = 0;
        if !go_on {
            self.stop = true;
        }
    }

    fn start(&mut self) -> Option<Schedule> {
        self.finish(None);
        if self.stop {
            return None;
        }
        let seed = self.strategy.begin()?;
        self.seed = seed;
        self.data = None;
        self.in_execution = true;
        let tracing = self.tracing;
        let labels = self.digesting || self.strategy.wants_labels();
        // A mutant needs object ids, which only the record gives.
        let accesses = self.accesses || self.strategy.wants_accesses() || !self.disabled.is_empty();
        record::with(|r| {
            r.reset(tracing, labels, accesses);
            r.disabled.clone_from(&self.disabled);
        });
        Some(Schedule::new(seed))
    }

    fn decide(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        yielding: bool,
    ) -> Option<TaskId> {
        // One borrow of the record for the whole decision: this runs at every scheduling point.
        record::with(|r| self.decide_in(r, runnable, current, yielding))
    }

    fn decide_in(
        &mut self,
        r: &mut Record,
        runnable: &[&Task],
        current: Option<TaskId>,
        yielding: bool,
    ) -> Option<TaskId> {
        if r.hidden {
            // The sentinel's spawn: the spawning goroutine goes on, and nothing is recorded.
            return current;
        }
        let s = r.sentinel;
        let current = current.map(usize::from);
        let mut running = None;
        let mut mask = 0u64;
        self.runnable.clear();
        for t in runnable {
            let t = usize::from(t.id());
            if Some(t) == s {
                continue;
            }
            let g = goroutine_of(t, s);
            if Some(t) == current {
                running = Some(g);
            }
            mask |= sentinel::bit(g);
            self.runnable.push(g);
        }
        let current = running;
        let step = self.steps.len() as u64;
        if r.failure.is_some() {
            return halt(r);
        }
        if step >= self.max_steps {
            r.fail(
                FailureKind::STEP_BOUND,
                format!(
                    "exceeded the step bound ({} steps): a spin loop or an unfair schedule?",
                    self.max_steps
                ),
                None,
            );
            return halt(r);
        }
        // Every task runs on this OS thread, so `panicking` says whether the goroutine that just
        // switched out is unwinding (a destructor reached a scheduling point). Let it reach its
        // catch before anything else runs: other goroutines would see a half-torn state. If it
        // cannot go on (a destructor blocks), the panic is the failure.
        let forced = if std::thread::panicking() {
            if current.is_none() {
                let (kind, message) = r
                    .panicked
                    .take()
                    .unwrap_or((FailureKind::PANIC, "panic while unwinding".to_string()));
                r.fail(kind, message, None);
                return halt(r);
            }
            current
        } else {
            None
        };
        if self.runnable.is_empty() {
            // Only the sentinel can run: goroutines are stuck, or all have finished and the
            // sentinel may end too (unrecorded, like its spawn).
            if r.live() > 0 {
                stuck_failure(r);
                return halt(r);
            }
            return s.map(TaskId::from);
        }
        if self.digesting {
            if let Some(&prev) = self.steps.last() {
                self.fold_pause(r, prev as usize);
                let run = self.digests.len();
                if self.expected_ends.get(run) == Some(&step) {
                    if let Err(why) = self.close_run(r, prev as usize) {
                        self.diverged = Some((step, why));
                        return halt(r);
                    }
                }
            }
        }
        let single;
        let options: &[usize] = match forced {
            Some(t) => {
                single = [t];
                &single
            }
            None => &self.runnable,
        };
        let decision = Decision {
            step,
            runnable: options,
            current,
            yielding,
            pending: Pending(&r.pending),
            log: &r.access_log,
            events: r.events.len(),
        };
        let choice = match self.strategy.choose(&decision) {
            Ok(c) => c,
            Err(why) => {
                self.diverged = Some((step, why));
                return halt(r);
            }
        };
        if self.digesting {
            let prev = self.steps.last().map(|&p| p as usize);
            if prev != Some(choice) && self.digests.len() < self.runs {
                if let Err(why) = self.close_run(r, prev.unwrap_or(0)) {
                    self.diverged = Some((step, why));
                    return halt(r);
                }
            }
            if prev != Some(choice) {
                self.runs += 1;
            }
        }
        self.steps.push(choice as u32);
        r.step = step + 1;
        r.running = choice;
        r.runnable_at_decision = mask;
        Some(TaskId::from(task_of(choice, s)))
    }

    /// Checks a replay against the token's digests as it goes.
    pub fn expect(&mut self, token: &crate::token::Token) {
        self.digesting = true;
        self.expected_digests = token.digests.clone();
        let mut end = 0u64;
        self.expected_ends = crate::token::runs(&token.steps)
            .iter()
            .map(|(_, n)| {
                end += u64::from(*n);
                end
            })
            .collect();
    }

    /// Folds the point `task` paused at into the open run's digest.
    fn fold_pause(&mut self, r: &Record, task: usize) {
        let d = r.label(task).map_or(0, |p| p.digest());
        self.run_fold = crate::hash::mix64(self.run_fold ^ u64::from(d));
    }

    /// Ends the open run: its digest is the fold of every point its goroutine paused at, so a
    /// replay notices code that moved, added or removed points, not just changed switches.
    fn close_run(&mut self, r: &Record, task: usize) -> Result<(), String> {
        let digest = (self.run_fold ^ (self.run_fold >> 8) ^ (self.run_fold >> 32)) as u8;
        self.run_fold = 0;
        let run = self.digests.len();
        self.digests.push(digest);
        match self.expected_digests.get(run) {
            Some(&want) if want != digest => {
                let (start, end) = {
                    let runs = crate::token::runs(&self.steps);
                    let start: u64 = runs.iter().take(run).map(|(_, n)| u64::from(*n)).sum();
                    (
                        start,
                        start + runs.get(run).map_or(0, |(_, n)| u64::from(*n)),
                    )
                };
                let at = r
                    .label(task)
                    .map_or("its start".to_string(), |p| format!("`{p}`"));
                let who = r.name(task);
                Err(format!(
                    "{who} went through other preemption points in steps {start}..{end} than when the token was recorded (it is now at {at})"
                ))
            }
            _ => Ok(()),
        }
    }
}

/// Stops the execution: the scheduler returns no task.
fn halt(r: &mut Record) -> Option<TaskId> {
    r.stopping = true;
    None
}

/// The shuttle-facing handle; the engine is shared with the explorer, which outlives runners.
pub(crate) struct Recording(pub Rc<RefCell<Engine>>);

impl Scheduler for Recording {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.0.borrow_mut().start()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        yielding: bool,
    ) -> Option<TaskId> {
        self.0.borrow_mut().decide(runnable, current, yielding)
    }

    fn next_u64(&mut self) -> u64 {
        let mut engine = self.0.borrow_mut();
        let seed = engine.seed;
        engine
            .data
            .get_or_insert_with(|| ChaCha8Rng::seed_from_u64(seed))
            .next_u64()
    }
}
