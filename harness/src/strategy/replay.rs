//! Replays a recorded list of scheduling choices, reporting the first step that no longer fits.

use super::{Decision, Schedule};

pub(crate) struct ReplaySteps {
    seed: u64,
    steps: Vec<u32>,
    started: bool,
}

impl ReplaySteps {
    pub fn new(seed: u64, steps: Vec<u32>) -> Self {
        ReplaySteps {
            seed,
            steps,
            started: false,
        }
    }
}

impl Schedule for ReplaySteps {
    fn begin(&mut self) -> Option<u64> {
        if self.started {
            return None;
        }
        self.started = true;
        Some(self.seed)
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        let Some(&want) = self.steps.get(d.step as usize) else {
            return Err(format!(
                "the token's schedule ends after {} steps but the execution goes on",
                self.steps.len()
            ));
        };
        let want = want as usize;
        if d.runnable.contains(&want) {
            Ok(want)
        } else {
            Err(format!(
                "the token runs task {want}, which is not runnable here (runnable: {:?})",
                d.runnable
            ))
        }
    }

    fn end(&mut self, steps: u64) -> Result<(), String> {
        if steps as usize == self.steps.len() {
            Ok(())
        } else {
            Err(format!(
                "the execution ended after {steps} steps but the token has {}",
                self.steps.len()
            ))
        }
    }

    fn exhausted(&self) -> bool {
        self.started
    }
}
