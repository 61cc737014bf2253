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
                // The message is cut at its end on a narrow terminal: the rate and counts come
                // first, the scenario name (which the position also tells) last.
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed} {wide_msg}")
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
            bar.set_message(message(
                doing,
                self.executions,
                self.failures,
                self.started.elapsed(),
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
                bar.set_message(message(
                    &format!("exploring {scenario}"),
                    before + p.executions,
                    failures_before + p.failed,
                    started.elapsed(),
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

/// The bar's message: rate, executions and failures first, what is being done last, so a
/// narrow terminal cuts the scenario name rather than the rate.
fn message(doing: &str, executions: u64, failures: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    format!(
        "{:.0} executions/s · {executions} executions · {failures} failing · {doing}",
        executions as f64 / secs
    )
}

#[cfg(test)]
mod tests {
    use super::message;
    use std::time::Duration;

    #[test]
    fn the_rate_survives_an_80_column_terminal() {
        // `⠁ [34/34] 12m ` takes 15 columns before the message.
        let m = message(
            "exploring t4-middleware-context-map/buggy",
            1_234_567,
            98_765,
            Duration::from_secs(100),
        );
        let visible: String = m.chars().take(80 - 15).collect();
        assert!(visible.starts_with("12346 executions/s"), "{visible}");
        assert!(visible.contains("1234567 executions"), "{visible}");
    }
}
