//! The engine choice, and the loom engine: the same bodies run under
//! [loom](https://docs.rs/loom)'s exhaustive dynamic partial-order reduction (Flanagan &
//! Godefroid, POPL 2005) and its C11 memory model, where `Relaxed`/`Acquire`/`Release` atomics
//! can show stale values (shuttle's executions are sequentially consistent).
//!
//! Selected at run time ([`crate::Explorer::engine`], `--engine loom`): every harness primitive
//! chooses its backend when it is created, from the execution it is created in, so the shuttle
//! path pays one branch per operation and no rebuild or `--cfg loom` is needed. Under loom:
//! goroutines are loom threads; `Mutex`, `RwLock`, `Condvar` and atomics (with their
//! `Ordering`) are loom's; labelled preemption points become operations on per-object conflict
//! cells (see [`rt`]); `random_u64` draws from a fixed stream per execution.
//!
//! loom searches on its own (its DPOR with an optional preemption bound), stops at the first
//! failure, and caps threads at [`LOOM_MAX_THREADS`] (main included) and branches per
//! execution at `max_branches`. Failures keep maprace's kinds, messages and traces: maprace
//! records its own events under either engine.

#[cfg(feature = "loom")]
pub(crate) mod rt;

use std::fmt;

/// loom's thread limit, the main thread included: a body may start at most
/// `LOOM_MAX_THREADS - 1` goroutines.
pub const LOOM_MAX_THREADS: usize = 5;

/// maprace's default cap on loom's scheduling branches in one execution. loom's own default
/// is 1,000, but every step of the Go map model is a branch: growing a map and evacuating it
/// takes thousands (`e5-grow-window` needs about 2,000).
pub const LOOM_DEFAULT_MAX_BRANCHES: usize = 10_000;

/// The largest preemption bound loom accepts.
pub const LOOM_MAX_PREEMPTION_BOUND: usize = 255;

/// Which engine runs the executions of an exploration.
///
/// ```
/// use maprace_harness::{go, Engine, Explorer};
/// use maprace_harness::sync::{Arc, AtomicUsize, Ordering};
/// # #[cfg(feature = "loom")] {
/// let exploration = Explorer::new("doc/loom")
///     .engine(Engine::loom(None))
///     .run(|| {
///         let n = Arc::new(AtomicUsize::new(0));
///         let m = Arc::clone(&n);
///         let h = go("adder", move || m.fetch_add(1, Ordering::SeqCst));
///         n.fetch_add(1, Ordering::SeqCst);
///         h.join();
///         assert_eq!(n.load(Ordering::SeqCst), 2);
///     });
/// assert!(exploration.failures.is_empty());
/// assert!(exploration.exhausted);
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// shuttle, driven by maprace's strategies (the default).
    #[default]
    Shuttle,
    /// loom's exhaustive DPOR and weak-memory model; maprace's strategy is not used.
    Loom {
        /// Preemptions per execution loom explores (`None`: unbounded, fully exhaustive).
        preemption_bound: Option<usize>,
        /// Scheduling branches one execution may take before loom gives up on it (a spin
        /// loop); reported as a `step-bound` failure.
        max_branches: usize,
    },
}

impl Engine {
    /// loom with `preemption_bound` and the default branch cap.
    pub fn loom(preemption_bound: Option<usize>) -> Engine {
        Engine::Loom {
            preemption_bound,
            max_branches: LOOM_DEFAULT_MAX_BRANCHES,
        }
    }

    /// The engine's name: `shuttle` or `loom`.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Shuttle => "shuttle",
            Engine::Loom { .. } => "loom",
        }
    }

    /// Whether this is the loom engine.
    pub fn is_loom(&self) -> bool {
        matches!(self, Engine::Loom { .. })
    }

    /// Whether this build can run the engine with these options; the error is one line.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Engine::Shuttle => Ok(()),
            Engine::Loom {
                preemption_bound,
                max_branches,
            } => {
                if !cfg!(feature = "loom") {
                    return Err(
                        "this build has no loom engine (build maprace with its `loom` feature)"
                            .into(),
                    );
                }
                if preemption_bound.is_some_and(|b| b > LOOM_MAX_PREEMPTION_BOUND) {
                    return Err(format!(
                        "loom supports preemption bounds up to {LOOM_MAX_PREEMPTION_BOUND}"
                    ));
                }
                if *max_branches == 0 {
                    return Err("loom's branch cap must be at least 1".into());
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Shuttle => f.write_str("shuttle"),
            Engine::Loom {
                preemption_bound: Some(b),
                ..
            } => write!(f, "loom(preemption-bound={b})"),
            Engine::Loom { .. } => f.write_str("loom"),
        }
    }
}

/// Spawns goroutine `start` as a loom thread; gives loom's handle and the goroutine's number.
/// Past loom's thread limit, the execution stops with the limit named (no loom panic).
#[cfg(feature = "loom")]
pub(crate) fn spawn<T: 'static>(
    start: impl FnOnce() -> Option<T> + Send + 'static,
) -> (loom::thread::JoinHandle<Option<T>>, usize) {
    let g = crate::record::with(|r| {
        let g = r.loom_state.next_goroutine;
        if g >= LOOM_MAX_THREADS {
            r.loom_state.limit = Some(format!(
                "the body starts more than {} goroutines besides main, and loom runs at most \
                 {LOOM_MAX_THREADS} threads (its limit)",
                LOOM_MAX_THREADS - 1
            ));
            r.stopping = true;
            return None;
        }
        r.loom_state.next_goroutine += 1;
        Some(g)
    });
    let Some(g) = g else { rt::stop() };
    rt::before_op();
    let handle = loom::thread::spawn(move || {
        rt::set_me(g);
        crate::record::with(|r| rt::switched_to(r, g));
        start()
    });
    rt::resync();
    (handle, g)
}

/// A goroutine's body panicked under loom: the execution is over. A [`rt::Stop`] goes on
/// unwinding; loom's own deadlock report becomes maprace's deadlock or leak; anything else
/// is given back for the caller to record.
#[cfg(feature = "loom")]
pub(crate) fn goroutine_failed(
    payload: Box<dyn std::any::Any + Send>,
) -> Box<dyn std::any::Any + Send> {
    if payload.is::<rt::Stop>() {
        std::panic::resume_unwind(payload);
    }
    let (_, message) = crate::failure::classify_payload(payload.as_ref());
    if rt::is_loom_deadlock(&message) {
        crate::record::with(|r| {
            r.panicked = None;
            crate::goroutine::stuck_failure(r);
        });
        rt::stop();
    }
    if rt::is_branch_limit(&message) {
        crate::record::with(|r| {
            r.panicked = None;
            rt::branch_limit_failure(r);
        });
        rt::stop();
    }
    payload
}
