//! Concluding an exploration: what each execution ended in, failures grouped by kind and
//! cause, and the exploration's result built from what its executions gathered (each failure
//! replayed for its trace and token).

use super::{Body, Collected, Exploration, Explorer, Found, FoundFailure, Progress};
use crate::classes::ClassCount;
use crate::engine::Finished;
use crate::failure::{Class, Failure, FailureKind};
use crate::strategy::Coverage;
use crate::token::Token;
use crate::trace::Trace;
use std::sync::Arc;

impl Explorer {
    /// The exploration, from what the executions found: the first occurrence of each failure
    /// re-run with tracing for its trace, and a complete token for each class that occurred.
    /// Shared by the single-threaded loop and the parallel workers.
    pub(super) fn conclude(&self, body: &Body, collected: Collected) -> Exploration {
        let Collected {
            executions,
            exhausted,
            out_of_time,
            abandoned,
            found,
            tally,
        } = collected;
        let body = Arc::clone(body);
        let mut exploration = self.empty_exploration();
        exploration.executions = executions;
        exploration.exhausted = exhausted;
        exploration.coverage = Coverage::of(
            &self.strategy,
            self.reduction,
            exhausted,
            exploration.executions,
        );
        if let Some(p) = &self.progress {
            (p.0)(Progress {
                executions: exploration.executions,
                failed: found.iter().map(|f| f.count).sum(),
            });
        }
        exploration.out_of_time = out_of_time;
        exploration.abandoned = abandoned;
        for f in found {
            let raw = Token {
                scenario: self.identity.clone(),
                seed: f.seed,
                steps: f.steps,
                digests: Vec::new(),
                trace_hash: None,
            };
            // Re-run the failing schedule with tracing on: exploration itself records only
            // the schedule, which keeps it fast; the replay is deterministic, so it is the same
            // execution, now with its trace.
            let (token, trace, accesses, race, replayed) = match self.replay_body(&raw, &body) {
                Ok(r) => (r.token, r.trace, r.accesses, r.race, r.failure),
                Err(_) => (raw, Trace::default(), Vec::new(), None, None),
            };
            // A race's message names the points of its two accesses, which only the traced
            // replay knows.
            let failure = match replayed {
                Some(r) if f.failure.kind == FailureKind::DATA_RACE && r.kind == f.failure.kind => {
                    r
                }
                _ => f.failure,
            };
            exploration.failures.push(FoundFailure {
                execution: f.execution,
                count: f.count,
                failure,
                trace_hash: trace.hash(),
                token,
                trace,
                accesses,
                race,
                shuttle_replays: true,
                loom_checkpoint: None,
            });
        }
        for (class, first) in tally.0 {
            let raw = Token {
                scenario: self.identity.clone(),
                seed: first.seed,
                steps: first.steps,
                digests: Vec::new(),
                trace_hash: None,
            };
            // The first fatal execution is always a failure's first occurrence, and often
            // the first racing or silent one is too: its token is already complete.
            let found = exploration
                .failures
                .iter()
                .find(|f| f.execution == first.execution);
            let token = match found {
                Some(f) => f.token.clone(),
                None => match self.replay_body(&raw, &body) {
                    Ok(r) => r.token,
                    Err(_) => raw,
                },
            };
            exploration.classes.push(ClassCount {
                class,
                count: first.count,
                execution: first.execution,
                token,
            });
        }
        exploration
    }

    pub(super) fn empty_exploration(&self) -> Exploration {
        Exploration {
            identity: self.identity.clone(),
            strategy: self.strategy.clone(),
            reduction: self.reduction.effective(&self.strategy),
            coverage: Coverage::Sampled { executions: 0 },
            seed: self.seed,
            executions: 0,
            exhausted: false,
            out_of_time: false,
            abandoned: 0,
            failures: Vec::new(),
            classes: Vec::new(),
            engine: self.engine.clone(),
        }
    }
}

/// A systematic strategy that finds the body taking a different path on a replayed prefix.
fn nondeterminism(step: u64, why: String) -> Failure {
    Failure {
        kind: FailureKind::NONDETERMINISM,
        message: format!("nondeterministic body at step {step}: {why}"),
        goroutine: "?".into(),
        step,
        location: None,
    }
}

/// What one execution ended in: its failure (the engine's, a divergence, or else its first
/// data race when race detection is on) and its class.
///
/// An execution that only ran out of steps is abandoned (the third value), not failed, unless
/// `step_bound_fails`: a spin loop that the strategy kept running is not a bug of the body.
pub(crate) fn outcome(
    done: &Finished<'_>,
    race_detection: bool,
    step_bound_fails: bool,
) -> (Option<Failure>, Class, bool) {
    let race = if race_detection {
        done.first_race()
    } else {
        None
    };
    let failure = done
        .failure
        .clone()
        .or_else(|| {
            done.diverged
                .clone()
                .map(|(step, why)| nondeterminism(step, why))
        })
        .or_else(|| race.as_ref().map(|r| r.failure(None)));
    let (failure, abandoned) = match failure {
        Some(f) if f.kind == FailureKind::STEP_BOUND && !step_bound_fails => {
            (race.as_ref().map(|r| r.failure(None)), true)
        }
        other => (other, false),
    };
    let class = Class::of(failure.as_ref().map(|f| &f.kind), race.is_some());
    (failure, class, abandoned)
}

/// Counts a failing execution in `found`: one entry per kind and cause (see
/// [`Failure::cause`]). Messages often carry execution-specific detail (which key, which
/// bucket), and a list of near-identical corruptions helps nobody, but two failed asserts are
/// two bugs. The entry keeps the first occurrence and counts the rest.
pub(crate) fn group(
    found: &mut Vec<Found>,
    index: u64,
    failure: Failure,
    seed: u64,
    steps: &[u32],
) {
    let cause = failure.cause();
    match found
        .iter_mut()
        .find(|f| f.failure.kind == failure.kind && f.failure.cause() == cause)
    {
        Some(f) => f.count += 1,
        None => found.push(Found {
            execution: index,
            count: 1,
            failure,
            seed,
            steps: steps.to_vec(),
        }),
    }
}
