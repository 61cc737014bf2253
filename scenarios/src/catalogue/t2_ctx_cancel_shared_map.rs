//! `t2-ctx-cancel-shared-map`: workers started under `context.WithCancel`, every closure
//! capturing the same map.
//!
//! # The Go pattern
//!
//! ```go
//! func runJob() map[string]int {
//!     ctx, cancel := context.WithCancel(context.Background())
//!     progress := make(map[string]int)
//!     var wg sync.WaitGroup
//!     for w := 0; w < 2; w++ {
//!         wg.Add(1)
//!         go func(w int) {
//!             defer wg.Done()
//!             for i := 0; ; i++ {
//!                 select {
//!                 case <-ctx.Done():
//!                     progress[fmt.Sprintf("w%d-cleanup", w)] = i // cleanup entry
//!                     return
//!                 default:
//!                     progress[fmt.Sprintf("w%d", w)] = i // progress entry
//!                     step(w, i)
//!                 }
//!             }
//!         }(w)
//!     }
//!     cancel() // the job's deadline, a signal, a failed sibling...
//!     wg.Wait()
//!     return progress
//! }
//! ```
//!
//! Here each worker has two units of work; with no more work it blocks on `<-ctx.Done()`, as
//! a real worker blocks waiting for its next job, and writes its cleanup entry when that
//! fires.
//!
//! Two workers with two units of work each at the default size; 20 workers with three units
//! at Go size.
//!
//! # Why it fails
//!
//! Every closure captures the same `progress` map, and nothing orders the workers' writes:
//! two `mapassign`s overlap and the second to enter (or the first to leave) finds the
//! `hashWriting` bit in the wrong state, `fatal error: concurrent map writes`. Cancellation
//! changes nothing about that: `Done` fires in every worker at once, so the cleanup writes race
//! each other just as the progress writes did. When both writers slip past the best-effort
//! check (each toggles the bit with a plain load and store, so a toggle can be lost), the map
//! is silently corrupted: an entry lost, or `count` out of step with the cells, which the
//! invariant checker run at the end reports as `map-corrupted`.
//!
//! Where both writers slip past the checks, `count++` is a plain load and store (map.go 682)
//! and the first bucket's allocation a separate check and store (603-605): an insert or an
//! increment of `count` can be lost with the map's internals still consistent, and the final
//! check reports the missing key (`wrong-result`).
//!
//! # The fix
//!
//! Give the map one owner. Either a single goroutine owns it and the workers send it their
//! updates over a channel, or, as here, every access goes through one mutex. Cancellation and
//! the wait group stay as they were: they were never the problem.

use super::common::{check_map, expect, kinds, work, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::context::{self, Context};
use crate::runtime::{go_deferring, Arc, Mutex, WaitGroup};
use crate::Scenario;
use maprace_maps::GoMap;

type Progress = GoMap<String, u64>;

/// The map's accesses, unguarded or under the fix's mutex.
trait Writes: Send + Sync + 'static {
    fn set(&self, k: String, v: u64);
    fn map(&self) -> &Progress;
}

impl Writes for Progress {
    fn set(&self, k: String, v: u64) {
        self.assign(k, v);
    }
    fn map(&self) -> &Progress {
        self
    }
}

/// The fix: the map and the mutex that owns it.
struct Guarded {
    mu: Mutex<()>,
    m: Progress,
}

impl Writes for Guarded {
    fn set(&self, k: String, v: u64) {
        let _g = self.mu.lock();
        self.m.assign(k, v);
    }
    fn map(&self) -> &Progress {
        &self.m
    }
}

fn worker(ctx: &Context, progress: &impl Writes, w: u64, units: u64) {
    for i in 0..=units {
        if i == units {
            // Out of work: wait for cancellation like a worker waiting for its next job.
            let _ = ctx.done().recv();
        }
        if ctx.is_done() {
            progress.set(format!("w{w}-cleanup"), i);
            return;
        }
        progress.set(format!("w{w}"), i);
        work("step");
    }
}

fn run_job(size: Sizes, progress: Arc<impl Writes>) {
    let workers = size.pick(2, GO.requests) as u64;
    let units = size.pick(2, 3) as u64;
    let (ctx, cancel) = context::with_cancel(&context::background());
    let wg = Arc::new(WaitGroup::new());
    for w in 0..workers {
        wg.add(1);
        let (ctx, progress, wg) = (ctx.clone(), Arc::clone(&progress), Arc::clone(&wg));
        go_deferring("worker", move |d| {
            d.defer(move || wg.done());
            worker(&ctx, &*progress, w, units);
        });
    }
    cancel.cancel();
    wg.wait();

    let m = progress.map();
    check_map(m);
    // Every worker left its cleanup entry; progress entries exist for those that got to work.
    for w in 0..workers {
        expect(m.get(&format!("w{w}-cleanup")).is_some(), || {
            format!("worker {w}'s cleanup entry is missing")
        });
    }
    let mut keys = Vec::new();
    m.range(|k, _| {
        keys.push(k.clone());
        true
    });
    expect(
        keys.iter().all(|k| k.starts_with('w')) && keys.len() <= 2 * workers as usize,
        || format!("unexpected entries {keys:?}"),
    );
}

fn buggy() {
    run_job(SMALL, Arc::new(Progress::new()));
}

fn fixed() {
    run_job(SMALL, Arc::new(guarded()));
}

fn buggy_go() {
    run_job(GO, Arc::new(Progress::new()));
}

fn fixed_go() {
    run_job(GO, Arc::new(guarded()));
}

fn guarded() -> Guarded {
    Guarded {
        mu: Mutex::new(()),
        m: Progress::new(),
    }
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t2-ctx-cancel-shared-map",
        description: "workers under context.WithCancel write progress and cleanup entries into one captured map",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::WRONG],
        }),
        expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::CORRUPTED, kinds::WRONG],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
