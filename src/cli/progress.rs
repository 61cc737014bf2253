//! The progress bar of long explorations: on stderr, and only when stderr is a terminal, so
//! CI logs and redirected output stay clean. It reports, never decides: it is fed by the
//! explorer's progress observer, which cannot change what executions run.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    executions: u64,
    failures: u64,
}

impl Progress {
    /// A bar over `variants` scenario variants (hidden when stderr is not a terminal).
    pub fn new(variants: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(variants as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg} {elapsed}")
                    .expect("the template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            executions: 0,
            failures: 0,
        }
    }

    fn show(&self, doing: &str) {
        if let Some(bar) = &self.bar {
            let secs = self.started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{doing} · {} executions · {} failing · {:.0} executions/s",
                self.executions,
                self.failures,
                self.executions as f64 / secs
            ));
        }
    }

    /// Exploring `scenario` now.
    pub fn exploring(&self, scenario: &str) {
        self.show(&format!("exploring {scenario}"));
    }

    /// An observer for the explorer of `scenario` that keeps the bar's message current while
    /// it runs (a no-op when there is no bar).
    pub fn observer(&self, scenario: &str) -> impl Fn(maprace_harness::Progress) + Send + Sync {
        let bar = self.bar.clone();
        let (started, before, failures_before) = (self.started, self.executions, self.failures);
        let scenario = scenario.to_string();
        move |p| {
            if let Some(bar) = &bar {
                let executions = before + p.executions;
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!(
                    "exploring {scenario} · {executions} executions · {} failing · {:.0} executions/s",
                    failures_before + p.failed,
                    executions as f64 / secs
                ));
            }
        }
    }

    /// Minimizing `scenario`'s first failure now.
    pub fn minimizing(&self, scenario: &str) {
        self.show(&format!("minimizing {scenario}"));
    }

    /// A scenario variant is done: it ran `executions`, of which `failures` failed.
    pub fn done(&mut self, executions: u64, failures: u64) {
        self.executions += executions;
        self.failures += failures;
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.show("done");
    }

    /// Removes the bar before the report is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
