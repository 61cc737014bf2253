//! `t4-middleware-context-map`: HTTP middleware puts a per-request attributes map into the
//! request context and starts an async enrichment that writes into it while the handler uses
//! the same map.
//!
//! # The Go pattern
//!
//! ```go
//! type attrsKey struct{}
//!
//! func withAttrs(next http.Handler) http.Handler {
//!     return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//!         attrs := map[string]string{"request_id": newID()}
//!         ctx := context.WithValue(r.Context(), attrsKey{}, attrs)
//!         go enrich(ctx) // geo and user lookups, off the request path
//!         next.ServeHTTP(w, r.WithContext(ctx))
//!         for k, v := range attrs { // access log
//!             log.Printf("%s=%s", k, v)
//!         }
//!     })
//! }
//!
//! func enrich(ctx context.Context) {
//!     attrs := ctx.Value(attrsKey{}).(map[string]string)
//!     attrs["geo"] = geoLookup()
//!     attrs["user"] = userLookup()
//! }
//!
//! func handler(w http.ResponseWriter, r *http.Request) {
//!     attrs := r.Context().Value(attrsKey{}).(map[string]string)
//!     attrs["route"] = "/items"
//!     if attrs["user"] == "" { /* anonymous */ }
//! }
//! ```
//!
//! No server runs here: the main goroutine is the request's goroutine (middleware, then
//! handler, then the access log), and the test waits for the enrichment before checking.
//!
//! # Why it fails
//!
//! `context.WithValue` stores a reference: the map the enrichment goroutine gets back out of
//! the context is the very map the handler gets. So the two goroutines write one map with no
//! lock. Depending on the schedule: the handler's write meets the enrichment's write (`fatal
//! error: concurrent map writes`), the handler's read of `"user"` meets a write (`concurrent
//! map read and map write`), or the access log's `range` meets one (`concurrent map iteration
//! and map write`). When the writers slip past the best-effort check, an attribute silently
//! disappears and the map's internals disagree, which the invariant checker run once the
//! enrichment is done reports (`map-corrupted`).
//!
//! Where both writers slip past the checks, `count++` is a plain load and store (map.go 682)
//! and the first bucket's allocation a separate check and store (603-605): an insert or an
//! increment of `count` can be lost with the map's internals still consistent, and the final
//! check reports the missing key (`wrong-result`).
//!
//! The keys are strings: `mapassign_faststr` stores a new cell's tophash, then the key's
//! length, then its data pointer (map_faststr.go 283-289). A lookup that passed its check
//! before the writer set the flag and compares a key of the same length with the half-written
//! one calls `memequal` on the nil pointer: `panic: runtime error: invalid memory address or
//! nil pointer dereference [signal SIGSEGV ...]` inside the runtime (kind `fault`).
//!
//! # The fix
//!
//! Put a struct with a mutex in the context instead of a bare map, and go through it
//! everywhere (enrichment, handler, access log). Copying the map before handing it to the
//! goroutine works too, when the request does not need the enrichment's results.

use super::common::{check_map, expect_contents, kinds, work, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::context::{self, Context};
use crate::runtime::{go, Arc, Mutex, WaitGroup};
use crate::Scenario;
use maprace_maps::GoMap;

type Attrs = GoMap<&'static str, &'static str>;

const KEY: &str = "attrs";

const WANT: [(&str, &str); 4] = [
    ("geo", "eu"),
    ("request_id", "r1"),
    ("route", "/items"),
    ("user", "u1"),
];

/// The map's accesses, bare or through the fix's locked struct.
trait AttrsAccess: Send + Sync + 'static {
    fn set(&self, k: &'static str, v: &'static str);
    fn get(&self, k: &'static str) -> Option<&'static str>;
    fn log(&self) -> Vec<String>;
    fn map(&self) -> &Attrs;
}

impl AttrsAccess for Attrs {
    fn set(&self, k: &'static str, v: &'static str) {
        self.assign(k, v);
    }
    fn get(&self, k: &'static str) -> Option<&'static str> {
        GoMap::get(self, &k)
    }
    fn log(&self) -> Vec<String> {
        let mut lines = Vec::new();
        self.range(|k, v| {
            lines.push(format!("{k}={v}"));
            true
        });
        lines
    }
    fn map(&self) -> &Attrs {
        self
    }
}

/// The fix: `type Attrs struct { mu sync.Mutex; m map[string]string }`.
struct Locked {
    mu: Mutex<()>,
    m: Attrs,
}

impl AttrsAccess for Locked {
    fn set(&self, k: &'static str, v: &'static str) {
        let _g = self.mu.lock();
        self.m.assign(k, v);
    }
    fn get(&self, k: &'static str) -> Option<&'static str> {
        let _g = self.mu.lock();
        self.m.get(&k)
    }
    fn log(&self) -> Vec<String> {
        let _g = self.mu.lock();
        self.m.log()
    }
    fn map(&self) -> &Attrs {
        &self.m
    }
}

fn enrich<A: AttrsAccess>(ctx: &Context) {
    let attrs: Arc<A> = ctx
        .value(KEY)
        .expect("the middleware put the attributes in");
    work("geo lookup");
    attrs.set("geo", "eu");
    work("user lookup");
    attrs.set("user", "u1");
}

fn handler<A: AttrsAccess>(ctx: &Context) {
    let attrs: Arc<A> = ctx
        .value(KEY)
        .expect("the middleware put the attributes in");
    attrs.set("route", "/items");
    let _anonymous = attrs.get("user").is_none();
}

/// The middleware around the handler, for one request; the test then waits for the
/// enrichment and checks the attributes.
fn request<A: AttrsAccess>(attrs: A) {
    let attrs = Arc::new(attrs);
    attrs.set("request_id", "r1");
    let ctx = context::with_value(&context::background(), KEY, Arc::clone(&attrs));
    let enrichment = Arc::new(WaitGroup::new()); // the test's view of the goroutine
    enrichment.add(1);
    let (c, done) = (ctx.clone(), Arc::clone(&enrichment));
    go("enrich", move || {
        enrich::<A>(&c);
        done.done();
    });
    handler::<A>(&ctx);
    let _access_log = attrs.log();

    enrichment.wait();
    check_map(attrs.map());
    expect_contents(attrs.map(), "the request attributes", &WANT);
}

fn buggy() {
    request(Attrs::new());
}

fn fixed() {
    request(Locked {
        mu: Mutex::new(()),
        m: Attrs::new(),
    });
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t4-middleware-context-map",
        description: "middleware stores an attributes map with context.WithValue; an async enrichment writes it while the handler reads and writes it",
        buggy,
        fixed,
        go_size: None,
        expected_kinds: &[
            kinds::RACE,
            kinds::WRITES,
            kinds::READ_WRITE,
            kinds::ITER_WRITE,
            kinds::CORRUPTED,
            kinds::WRONG,
            kinds::FAULT,
        ],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
