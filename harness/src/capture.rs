//! Keeping panics inside executions quiet and attributable.
//!
//! Shuttle installs its panic hook once per process and prints to stderr on every task panic.
//! maprace catches goroutine panics itself, so on a thread running a maprace execution our hook
//! (installed over shuttle's) only notes that a panic is unwinding, which tells the scheduler to
//! keep the panicking goroutine running until its catch, and prints nothing. Other threads keep
//! the previous hook's behaviour.

use crate::record;
use std::sync::Once;

pub(crate) fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Make shuttle install its hook first, so ours wraps it rather than being replaced.
        let mut config = shuttle::Config::new();
        config.silence_warnings = true;
        config.failure_persistence = shuttle::FailurePersistence::None;
        shuttle::Runner::new(shuttle::scheduler::RoundRobinScheduler::new(1), config).run(|| {});
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = record::try_with(|r| {
                if r.active {
                    if !r.stopping {
                        r.unwinding = true;
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
