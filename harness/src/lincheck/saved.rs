//! The lincheck check as a `#[test]` runs it: `MAPRACE_REPLAY` first, then the saved regression
//! lines of `maprace-regressions/lincheck-<test>.txt`, then a fresh search whose failure is
//! saved — the same persistence ordinary checks have (see [`crate::check`]), with a
//! [`Regression`] line in place of a bare token, because a schedule means nothing without its
//! scenario.

use super::failure::{LincheckFailure, Origin};
use super::regression::{scenario_hash, Regression};
use super::run::{Found, Lincheck, Passed, Stale};
use super::scenario::{scenarios, Scenario};
use super::spec::Operations;
use crate::check::env::Overrides;
use crate::check::persist::Store;
use crate::check::{normalize_identity, Context};

impl<S: Operations> Lincheck<S> {
    /// Runs the check and panics with the report when it fails (for `#[test]`s); see
    /// [`Lincheck::try_check`].
    pub fn check(&self) {
        if let Err(failure) = self.try_check() {
            panic!("{failure}");
        }
    }

    /// [`Lincheck::run`] with the environment and persistence of every maprace check:
    ///
    /// 1. `MAPRACE_REPLAY` holding a regression line (as the failure's `replay:` command sets
    ///    it) replays that scenario and schedule instead of searching;
    /// 2. otherwise the lines saved in `maprace-regressions/lincheck-<test>.txt` (`<test>`: the
    ///    running test's name) are replayed first, and one that still fails is the failure; a
    ///    line that no longer reproduces is reported as stale (stderr and
    ///    [`Passed::stale`] / [`LincheckFailure::stale`]) and skipped;
    /// 3. then scenarios are searched as by [`Lincheck::run`], and a failure's line is appended
    ///    to the file.
    ///
    /// `MAPRACE_PERSIST=0` or [`Lincheck::persist`]`(false)` skips reading and writing the file.
    ///
    /// # Panics
    /// On an invalid `MAPRACE_*` variable, and when `MAPRACE_REPLAY` is not a regression line
    /// this check can replay (a usage error, not a finding).
    pub fn try_check(&self) -> Result<Passed, Box<LincheckFailure<S>>> {
        let env = Overrides::read().unwrap_or_else(|e| panic!("{e}"));
        if let Some(line) = env.replay {
            return self.replay_line(&line);
        }
        let test = Context::of_this_test()
            .test
            .unwrap_or_else(|| self.spec.name());
        let store = Store::new(
            self.persist && env.persist,
            self.regressions_dir.clone(),
            &format!("lincheck/{}", normalize_identity(&test)),
        );
        let mut stale = Vec::new();
        for line in store.tokens() {
            let why = match self.reproduce(&line) {
                Ok((scenario, found, regression)) if found.failure.is_some() => {
                    let mut failure = LincheckFailure::new(
                        scenario,
                        found,
                        regression,
                        Origin::Regression(store.path_text()),
                    );
                    failure.stale = stale;
                    return Err(Box::new(failure));
                }
                Ok(_) => "its schedule no longer fails its scenario".to_string(),
                Err(why) => why,
            };
            store.report_stale(&line, &why);
            stale.push(Stale { line, why });
        }
        match self.run() {
            Ok(mut passed) => {
                passed.stale = stale;
                Ok(passed)
            }
            Err(mut failure) => {
                store.save(&failure.regression.to_string());
                failure.stale = stale;
                Err(failure)
            }
        }
    }

    /// Replays a `MAPRACE_REPLAY` line: its failure, or a pass (said on stderr) when the
    /// schedule no longer fails.
    fn replay_line(&self, line: &str) -> Result<Passed, Box<LincheckFailure<S>>> {
        let (scenario, found, regression) = self
            .reproduce(line)
            .unwrap_or_else(|why| panic!("MAPRACE_REPLAY: {why}"));
        if found.failure.is_none() {
            eprintln!("maprace: replayed {line}: no failure");
            return Ok(Passed {
                scenarios: 1,
                executions: 1,
                stale: Vec::new(),
            });
        }
        Err(Box::new(LincheckFailure::new(
            scenario,
            found,
            regression,
            Origin::EnvReplay,
        )))
    }

    /// Rebuilds the scenario of a regression line and replays its token on it. `Err` says in
    /// one line why the line cannot be replayed by this check as the code now stands.
    #[allow(clippy::type_complexity)]
    fn reproduce(&self, line: &str) -> Result<(Scenario<S::Op>, Found<S>, Regression), String> {
        let regression = Regression::parse(line)?;
        let identity = self.explorer().identity().to_string();
        if regression.token.scenario != identity {
            return Err(format!(
                "it was recorded for another check ({}, not {identity})",
                regression.token.scenario
            ));
        }
        let scenario = super::cases::rebuild(
            &scenarios(&*self.spec, regression.shape),
            &self.config(),
            &regression.case_seed,
            &regression.path,
        )?;
        if scenario_hash(&scenario) != regression.scenario_hash {
            return Err(
                "its scenario is no longer generated from its seed (the operations \
                        or their generator changed)"
                    .into(),
            );
        }
        let found = self
            .replay(&scenario, &regression.token)
            .map_err(|e| e.to_string())?;
        Ok((scenario, found, regression))
    }
}
