//! `e11-log-lock-hides-race`: a cache warmed by one goroutine and read by a request handler,
//! unguarded; both log through a logger with its own mutex, which orders the two map accesses
//! in some schedules, where `go test -race` says nothing.
//!
//! # The Go pattern
//!
//! ```go
//! var cache = map[string]int{}
//!
//! var logMu sync.Mutex
//! var logLines []string
//!
//! func logf(msg string) {
//!     logMu.Lock()
//!     logLines = append(logLines, msg)
//!     logMu.Unlock()
//! }
//!
//! func warm() {
//!     cache["config"] = 7
//!     logf("warmed")
//! }
//!
//! func handle() int {
//!     logf("request")
//!     return cache["config"]
//! }
//!
//! // the test
//! go warm()
//! go handle()
//! // ...join both
//! ```
//!
//! # Why it fails, and why `-race` often does not say so
//!
//! `warm` writes the map and `handle` reads it with nothing ordering them: a data race in
//! every schedule of the Go program, and `concurrent map read and map write` in the few where
//! the read lands inside the write. But the race detector reports only accesses that are
//! unordered *in the run it watches*, and the logger's mutex is a real happens-before edge:
//! when `warm` logs before `handle` does, `warm`'s write happens before its `Unlock`, which
//! happens before `handle`'s `Lock`, which happens before the read. In those runs `-race` is
//! silent; it fires only when `handle` logs first. The class table of `maprace explore` gives
//! the fraction of schedules in each class, with a token for each.
//!
//! # The fix
//!
//! Guard the cache with its own mutex, taken around the write and the read.

use super::common::{check_map, expect, kinds, Pair, Var};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::GoMap;

struct Server {
    cache: GoMap<&'static str, u64>,
    /// The fix's lock for `cache`.
    mu: Mutex<()>,
    log_mu: Mutex<()>,
    log_lines: Var<Vec<&'static str>>,
}

impl Server {
    fn logf(&self, msg: &'static str) {
        let _g = self.log_mu.lock();
        let mut lines = self.log_lines.get();
        lines.push(msg);
        self.log_lines.set(lines);
    }

    fn warm(&self, fixed: bool) {
        {
            let _g = fixed.then(|| self.mu.lock());
            self.cache.assign("config", 7);
        }
        self.logf("warmed");
    }

    fn handle(&self, fixed: bool) -> Option<u64> {
        self.logf("request");
        let _g = fixed.then(|| self.mu.lock());
        self.cache.get(&"config")
    }
}

fn run(fixed: bool) {
    let s = Arc::new(Server {
        cache: GoMap::new(),
        mu: Mutex::new(()),
        log_mu: Mutex::new(()),
        log_lines: Var::new(Vec::new()),
    });
    let w = Arc::clone(&s);
    let warmer = go("warm", move || w.warm(fixed));
    let h = Arc::clone(&s);
    // Either answer is right for the request: the cache may not be warm yet.
    let handler = go("handle", move || {
        let _ = h.handle(fixed);
    });
    warmer.join();
    handler.join();
    check_map(&s.cache);
    let lines = s.log_lines.get().len();
    expect(lines == 2, || format!("{lines} log lines, want 2"));
}

fn buggy() {
    run(false);
}

fn fixed() {
    run(true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "e11-log-lock-hides-race",
        description: "a handler reads a map another goroutine writes; a logging mutex orders the two in some schedules, where -race is silent",
        buggy,
        fixed,
        go_size: None, // the point is the ordering, not the size
        expected_kinds: &[kinds::RACE, kinds::READ_WRITE],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
