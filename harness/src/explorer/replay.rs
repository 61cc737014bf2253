//! Replaying one recorded schedule: the same execution, its trace and failure, or the step
//! where the code no longer takes the schedule.

use super::{drive, Body, Explorer, ReplayError, Replayed};
use crate::access::StepAccess;
use crate::engine::{Engine as Driver, Finished};
use crate::failure::Failure;
use crate::oracle::DataRace;
use crate::strategy::{self, Strategy};
use crate::token::Token;
use crate::trace::Trace;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// A replayed execution, kept past the engine's callback.
struct Completed {
    seed: u64,
    steps: Vec<u32>,
    digests: Vec<u8>,
    failure: Option<Failure>,
    diverged: Option<(u64, String)>,
    trace: Option<Trace>,
    accesses: Vec<StepAccess>,
    race: Option<DataRace>,
}

impl Explorer {
    /// Replays `token` against `body` with tracing: the same schedule, the same trace.
    pub fn replay<F>(&self, token: &Token, body: F) -> Result<Replayed, ReplayError>
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.replay_body(token, &(Arc::new(body) as Body))
    }

    pub(super) fn replay_body(&self, token: &Token, body: &Body) -> Result<Replayed, ReplayError> {
        if token.scenario != self.identity {
            return Err(ReplayError::WrongScenario {
                token: token.scenario.clone(),
                expected: self.identity.clone(),
            });
        }
        let result: Rc<RefCell<Option<Completed>>> = Rc::default();
        let race_detection = self.race_detection;
        let on_finish = {
            let result = Rc::clone(&result);
            Box::new(move |done: Finished<'_>| {
                let trace = done.trace();
                let accesses = done.accesses();
                let race = if race_detection {
                    done.first_race()
                } else {
                    None
                };
                let failure = done
                    .failure
                    .or_else(|| race.map(|r| r.failure(trace.as_ref())));
                *result.borrow_mut() = Some(Completed {
                    accesses,
                    race,
                    seed: done.seed,
                    steps: done.steps.to_vec(),
                    digests: done.digests.to_vec(),
                    failure,
                    diverged: done.diverged,
                    trace,
                });
                false
            }) as Box<dyn FnMut(Finished<'_>) -> bool>
        };
        let mut engine = Driver::new(
            strategy::build(&Strategy::Replay(token.clone()), self.seed),
            true,
            self.max_steps.max(token.len() as u64),
            on_finish,
        );
        engine.expect(token);
        engine.disabled.clone_from(&self.disabled_sync);
        let engine = Rc::new(RefCell::new(engine));
        drive(&engine, body);
        drop(engine);
        let done = result
            .borrow_mut()
            .take()
            .expect("a replay runs exactly one execution");
        if let Some((step, reason)) = done.diverged {
            return Err(ReplayError::Diverged { step, reason });
        }
        let trace = done.trace.unwrap_or_default();
        let trace_hash = trace.hash();
        if let Some(expected) = token.trace_hash {
            if expected != trace_hash {
                return Err(ReplayError::Diverged {
                    step: trace.events.last().map_or(0, |e| e.step),
                    reason: format!(
                        "the replayed trace (hash {trace_hash:016x}) differs from the recorded one ({expected:016x})"
                    ),
                });
            }
        }
        Ok(Replayed {
            failure: done.failure,
            token: Token {
                scenario: token.scenario.clone(),
                seed: done.seed,
                steps: done.steps,
                digests: done.digests,
                trace_hash: Some(trace_hash),
            },
            trace_hash,
            trace,
            accesses: done.accesses,
            race: done.race,
        })
    }
}
