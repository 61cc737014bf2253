//! An exploration under the loom engine (see `loom_engine`): loom's own search runs the body
//! until it has covered every execution (within its preemption bound) or found the first
//! failure; maprace records its events, judges each execution (its failure, then its data
//! race), and gives a found failure a shuttle token when shuttle can replay the same
//! execution.

use super::loom_checkpoint::capture;
use super::{drive, Body, Explorer, FoundFailure, Replayed};
use crate::access::StepAccess;
use crate::classes::ClassCount;
use crate::engine::{Engine as Driver, Finished};
use crate::failure::{classify_payload, Class, Failure, FailureKind};
use crate::loom_engine::{rt, LOOM_MAX_THREADS};
use crate::oracle::DataRace;
use crate::record;
use crate::strategy::{Coverage, Guided};
use crate::token::Token;
use crate::trace::Trace;
use crate::Exploration;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What loom found: the failing execution as maprace recorded it.
struct LoomFailure {
    failure: Failure,
    trace: Trace,
    /// loom's switches (the script a shuttle replay follows, see `strategy::Guided`).
    script: Vec<(u32, u32)>,
    accesses: Vec<StepAccess>,
    race: Option<DataRace>,
}

/// The first racing execution and how many raced: a race does not end an execution (it is
/// what `go test -race` would report, not a crash), so loom's search goes on past it.
#[derive(Default)]
struct Races {
    first: Option<(u64, LoomFailure)>,
    count: u64,
}

/// Why a loom exploration could not run the body.
pub(crate) struct LoomLimit(pub String);

/// Explores `body` under loom.
pub(super) fn run(
    explorer: &Explorer,
    body: &Body,
    preemption_bound: Option<usize>,
    max_branches: usize,
) -> Result<Exploration, LoomLimit> {
    crate::capture::install_hook();
    let executions = Arc::new(AtomicU64::new(0));
    let race_detection = explorer.race_detection;
    let mut builder = builder(preemption_bound, max_branches)?;
    builder.max_permutations = explorer
        .iterations
        .checked_add(1)
        .and_then(|n| usize::try_from(n).ok());
    builder.max_duration = explorer.time_budget;
    let races: Arc<std::sync::Mutex<Races>> = Arc::default();
    let outcome = {
        let races = Arc::clone(&races);
        let judge = move |index: u64| judge_race(race_detection, index, &races);
        check(builder, explorer, body, Arc::clone(&executions), judge)
    };
    let executions = executions.load(Ordering::Relaxed);
    let mut exhausted = false;
    match outcome {
        Ok(()) => {
            // The last execution is judged here, as the others were by the next one.
            judge_race(race_detection, executions, &races);
            exhausted = executions < explorer.iterations && explorer.time_budget.is_none();
        }
        Err(payload) => stopped(payload),
    }
    if let Some(limit) = record::with(|r| r.loom_state.limit.take()) {
        record::with(|r| {
            r.active = false;
            r.end_bindings();
        });
        return Err(LoomLimit(limit));
    }
    let found = record::with(|r| r.failure.is_some()).then(|| loom_failure(race_detection));
    record::with(|r| {
        r.active = false;
        r.end_bindings();
    });
    let races = std::mem::take(&mut *races.lock().unwrap_or_else(|p| p.into_inner()));
    let mut exploration = explorer.empty_exploration();
    exploration.executions = executions;
    exploration.exhausted = exhausted;
    // loom's DPOR runs one execution per equivalence class (of its own dependency relation).
    exploration.coverage = if exhausted {
        Coverage::Complete {
            preemption_bound: preemption_bound.map(|b| b as u32),
            up_to_equivalence: true,
        }
    } else {
        Coverage::Cut { executions }
    };
    let raw = |steps: Vec<u32>| Token {
        scenario: explorer.identity.clone(),
        seed: 0,
        steps,
        digests: Vec::new(),
        trace_hash: None,
    };
    let failed = u64::from(found.is_some());
    // The failing execution, if any, is the last one; it may have raced too.
    let racing_clean = races.count - u64::from(found.as_ref().is_some_and(|f| f.race.is_some()));
    let clean = executions - failed - racing_clean;
    let mut entries: Vec<(u64, LoomFailure)> = races.first.into_iter().collect();
    if let Some(f) = found {
        entries.push((executions - 1, f));
    }
    for (execution, mut f) in entries {
        // When shuttle follows loom's execution, the failure is reported as its replay shows
        // it: the token then replays to exactly this trace (same hash; steps are numbered by
        // shuttle's scheduling points, loom's differ).
        let (token, shuttle_replays) = match shuttle_replay(explorer, body, &f) {
            Some(r) => {
                f.trace = r.trace;
                if let Some(failure) = r.failure {
                    f.failure = failure;
                }
                f.accesses = r.accesses;
                (r.token, true)
            }
            None => (raw(Vec::new()), false),
        };
        // No shuttle schedule shows it: keep loom's own checkpoint of the execution instead.
        let loom_checkpoint = (!shuttle_replays)
            .then(|| {
                let hash = f.trace.hash();
                capture(
                    explorer,
                    body,
                    preemption_bound,
                    max_branches,
                    execution,
                    hash,
                )
            })
            .flatten();
        let class = Class::of(Some(&f.failure.kind), f.race.is_some());
        let count = if class == Class::Race {
            racing_clean
        } else {
            1
        };
        match exploration.classes.iter_mut().find(|c| c.class == class) {
            // A failing execution that also raced joins the racing ones (found earlier).
            Some(c) => c.count += count,
            None if count > 0 => exploration.classes.push(ClassCount {
                class,
                count,
                execution,
                token: token.clone(),
            }),
            None => {}
        }
        exploration.failures.push(FoundFailure {
            execution,
            count: if f.failure.kind == FailureKind::DATA_RACE {
                races.count
            } else {
                1
            },
            trace_hash: f.trace.hash(),
            failure: f.failure,
            token,
            trace: f.trace,
            accesses: f.accesses,
            race: f.race,
            shuttle_replays,
            loom_checkpoint,
        });
    }
    if clean > 0 {
        exploration.classes.push(ClassCount {
            class: Class::Clean,
            count: clean,
            execution: 0,
            token: raw(Vec::new()),
        });
    }
    // Worst class first, failures in order of their first execution, as under shuttle.
    exploration.classes.sort_by_key(|c| c.class);
    exploration.failures.sort_by_key(|f| f.execution);
    Ok(exploration)
}

/// A loom model builder for `explorer`'s options. Everything loom would read from `LOOM_*`
/// variables is set here: an exploration is a function of its options, not of the environment.
pub(super) fn builder(
    preemption_bound: Option<usize>,
    max_branches: usize,
) -> Result<loom::model::Builder, LoomLimit> {
    catch_unwind(move || {
        let mut b = loom::model::Builder::new();
        b.max_threads = LOOM_MAX_THREADS;
        b.max_branches = max_branches;
        b.preemption_bound = preemption_bound;
        b.checkpoint_file = None;
        // Limits are checked every `checkpoint_interval` executions: every one, so the
        // budget is exact (with no checkpoint file this costs nothing).
        b.checkpoint_interval = 1;
        b.max_permutations = None;
        b.max_duration = None;
        b.log = false;
        b.location = false;
        b
    })
    .map_err(|p| LoomLimit(format!("loom: {}", classify_payload(p.as_ref()).1)))
}

/// Runs loom's search with `builder`, each execution a fresh run of `body` recorded by maprace
/// (numbered by `executions`); `before` sees the previous execution's record before the next
/// one resets it. Returns how loom's search ended (a panic payload when it stopped early).
pub(super) fn check(
    builder: loom::model::Builder,
    explorer: &Explorer,
    body: &Body,
    executions: Arc<AtomicU64>,
    before: impl Fn(u64) + Send + Sync + 'static,
) -> std::thread::Result<()> {
    let (race_detection, max_steps) = (explorer.race_detection, explorer.max_steps);
    let body = Arc::clone(body);
    catch_unwind(AssertUnwindSafe(move || {
        builder.check(move || {
            before(executions.load(Ordering::Relaxed));
            record::with(|r| {
                r.reset(true, false, race_detection);
                r.loom = true;
                r.max_steps = max_steps;
                r.loom_state.reset();
            });
            executions.fetch_add(1, Ordering::Relaxed);
            rt::set_me(0);
            crate::goroutine::run_main(&*body);
        })
    }))
}

/// Records why loom's search stopped early: maprace's own stop after a failure, or loom's
/// deadlock, branch cap or any other panic as the failure it is.
pub(super) fn stopped(payload: Box<dyn std::any::Any + Send>) {
    if payload.is::<rt::Stop>() {
        return;
    }
    record::with(|r| {
        let (_, message) = classify_payload(payload.as_ref());
        r.stopping = true;
        if rt::is_loom_deadlock(&message) {
            crate::goroutine::stuck_failure(r);
        } else if rt::is_branch_limit(&message) {
            rt::branch_limit_failure(r);
        } else {
            r.fail(FailureKind::PANIC, format!("engine: loom: {message}"), None);
        }
    })
}

/// What the record holds of a finished loom execution.
pub(super) struct Taken {
    /// Its failure: its own, else its first data race's (when race detection is on).
    pub failure: Option<Failure>,
    pub trace: Trace,
    /// loom's switches (the script a shuttle replay follows, see `strategy::Guided`).
    pub script: Vec<(u32, u32)>,
    pub accesses: Vec<StepAccess>,
    pub race: Option<DataRace>,
}

/// Takes the execution the record holds (its trace included: call it once, after the
/// execution).
pub(super) fn take_execution(race_detection: bool) -> Taken {
    let (failure, script, accesses, race) = record::with(|r| {
        let race = if race_detection {
            crate::oracle::first_race(&r.access_log, &r.internal)
        } else {
            None
        };
        (
            r.failure.take(),
            r.loom_state.switches.clone(),
            r.access_log.clone(),
            race,
        )
    });
    let trace = record::with(|r| r.take_trace());
    // A race's message names the points of its two accesses, which the trace now holds.
    let failure = failure.or_else(|| race.as_ref().map(|x| x.failure(Some(&trace))));
    Taken {
        failure,
        trace,
        script,
        accesses,
        race,
    }
}

/// The execution the record holds, as a found failure (see [`take_execution`]).
fn loom_failure(race_detection: bool) -> LoomFailure {
    let t = take_execution(race_detection);
    LoomFailure {
        failure: t.failure.expect("a loom failure is a failure or a race"),
        trace: t.trace,
        script: t.script,
        accesses: t.accesses,
        race: t.race,
    }
}

/// Judges the finished loom execution the record holds (numbered `index`) for a data race,
/// when race detection is on: the first racing one is kept whole, the others counted.
fn judge_race(race_detection: bool, index: u64, races: &std::sync::Mutex<Races>) {
    let raced = record::with(|r| {
        r.active
            && r.loom
            && r.failure.is_none()
            && race_detection
            && crate::oracle::first_race(&r.access_log, &r.internal).is_some()
    });
    if !raced {
        return;
    }
    let mut races = races.lock().unwrap_or_else(|p| p.into_inner());
    races.count += 1;
    if races.first.is_none() {
        races.first = Some((index - 1, loom_failure(race_detection)));
    }
}

/// Follows loom's failing execution under shuttle (see `strategy::Guided`) and keeps the
/// replay when shuttle reproduced it: the same events by the same goroutines, and the same
/// failure.
fn shuttle_replay(explorer: &Explorer, body: &Body, found: &LoomFailure) -> Option<Replayed> {
    let steps: Rc<RefCell<Option<Vec<u32>>>> = Rc::default();
    let on_finish = {
        let steps = Rc::clone(&steps);
        Box::new(move |done: Finished<'_>| {
            *steps.borrow_mut() = Some(done.steps.to_vec());
            false
        }) as Box<dyn FnMut(Finished<'_>) -> bool>
    };
    let driver = Driver::new(
        Box::new(Guided::new(found.script.clone())),
        true,
        explorer.max_steps,
        on_finish,
    );
    let driver = Rc::new(RefCell::new(driver));
    drive(&driver, body);
    drop(driver);
    let steps = steps.borrow_mut().take()?;
    let raw = Token {
        scenario: explorer.identity.clone(),
        seed: 0,
        steps,
        digests: Vec::new(),
        trace_hash: None,
    };
    let replayed = explorer.replay_body(&raw, body).ok()?;
    let same_failure = replayed
        .failure
        .as_ref()
        .is_some_and(|f| f.kind == found.failure.kind && f.cause() == found.failure.cause());
    (same_failure && same_events(&replayed.trace, &found.trace)).then_some(replayed)
}

/// Whether two traces record the same events by the same goroutines in the same order (the
/// step numbers differ between engines: each counts its own scheduling points).
fn same_events(a: &Trace, b: &Trace) -> bool {
    a.events.len() == b.events.len()
        && a.events.iter().zip(&b.events).all(|(x, y)| {
            x.goroutine == y.goroutine
                && x.kind == y.kind
                && x.label == y.label
                && x.detail == y.detail
        })
}
