//! Keeping panics inside executions quiet and attributable.
//!
//! Shuttle installs its panic hook once per process and prints to stderr on every task panic.
//! maprace catches goroutine panics itself, so on a thread running a maprace execution our hook
//! (installed in place of shuttle's) only notes the panic's kind and message, for the case where
//! the goroutine never gets back to its catch, and prints nothing.
//! Elsewhere panics go to the hook that was installed before maprace's.

use crate::failure::classify_payload;
use crate::record;
use std::sync::Once;

pub(crate) fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Keep the hook that was there before shuttle's (the standard one, usually): outside
        // executions panics print as they would without maprace. Shuttle's own hook only
        // matters inside shuttle executions, where ours takes over; outside them it prints a
        // confusing "Task failed ... ExecutionState NotSet" for every ordinary test failure.
        let previous = std::panic::take_hook();
        // Make shuttle install its hook now (it does so once per process, on its first
        // execution), so that it cannot replace ours later; then drop it.
        let mut config = shuttle::Config::new();
        config.silence_warnings = true;
        config.failure_persistence = shuttle::FailurePersistence::None;
        shuttle::Runner::new(shuttle::scheduler::RoundRobinScheduler::new(1), config).run(|| {});
        drop(std::panic::take_hook());
        std::panic::set_hook(Box::new(move |info| {
            let ours = record::try_with(|r| {
                if r.active {
                    if !r.stopping {
                        r.panicked = Some(classify_payload(info.payload()));
                        r.panic_location = info
                            .location()
                            .map(|l| format!("{}:{}", l.file(), l.line()));
                    }
                    true
                } else {
                    false
                }
            })
            .unwrap_or(true);
            if !ours {
                previous(info);
            }
        }));
    });
}
