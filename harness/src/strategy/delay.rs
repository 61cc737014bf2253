//! Delay bounding: Emmi, Qadeer, Rakamarić, "Delay-Bounded Scheduling", POPL 2011.
//!
//! The deterministic scheduler underneath is non-preemptive round-robin over goroutine numbers:
//! the goroutine that ran last goes on while it can (and has not yielded); otherwise the next
//! runnable goroutine after it in cyclic order runs. A *delay* skips the goroutine that
//! scheduler would pick, so the `i`-th goroutine in that order costs `i` delays. Thomson,
//! Donaldson and Betts (PPoPP 2014) found delay bounding exposes more SCTBench bugs than
//! preemption bounding at small bounds; the search itself is [`super::dfs`], counting delays.

use super::Decision;

/// The choices at a step in the deterministic scheduler's order, each with its cost in delays.
/// `last` is the goroutine chosen at the previous step (`None` at the first step).
pub(super) fn options(d: &Decision<'_>, last: Option<usize>) -> Vec<(usize, u32)> {
    let n = d.runnable.len();
    // Where the cyclic order starts: the last goroutine itself when it goes on, else the first
    // runnable goroutine numbered after it.
    let after = |g: usize| d.runnable.iter().position(|&t| t > g).unwrap_or(0);
    // A yielder starts the cycle after itself, so it comes last.
    let start = match last {
        None => 0,
        Some(g) => match d.runnable.iter().position(|&t| t == g) {
            Some(i) if !d.yielding => i,
            Some(i) => (i + 1) % n,
            None => after(g),
        },
    };
    (0..n)
        .map(|k| (d.runnable[(start + k) % n], k as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Pending;

    fn decision(runnable: &[usize], current: Option<usize>, yielding: bool) -> Decision<'_> {
        Decision {
            step: 1,
            runnable,
            current,
            yielding,
            pending: Pending(&[]),
            log: &[],
            events: 0,
        }
    }

    #[test]
    fn round_robin_costs_one_delay_per_skipped_goroutine() {
        let r = [0, 1, 2, 3];
        let costs = options(&decision(&r, Some(2), false), Some(2));
        assert_eq!(costs, vec![(2, 0), (3, 1), (0, 2), (1, 3)]);
        // The last goroutine blocked: the next one after it is free.
        let r = [0, 1, 3];
        let costs = options(&decision(&r, None, false), Some(2));
        assert_eq!(costs, vec![(3, 0), (0, 1), (1, 2)]);
        // A yielder goes last.
        let r = [0, 1, 2];
        let costs = options(&decision(&r, Some(1), true), Some(1));
        assert_eq!(costs, vec![(2, 0), (0, 1), (1, 2)]);
    }
}
