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
//! At Go size the request carries 61 attributes: the enrichment also adds 28 tags
//! (`geo.tag0`...) and the handler 29 annotations (`handler.note0`...), so the map grows from
//! B = 0 to B = 4 while both goroutines write it. One request is the unit: every request has
//! its own map and its own enrichment goroutine, so concurrent requests never share a map and
//! add nothing but more of the same race.
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
//! At Go size the two writers also meet inside the grows: both evacuate one old bucket
//! (`fatal error: bad map state`), one reads an array the other's half-committed grow made
//! inconsistent (`map-corrupted`: a bucket index outside its array, where Go reads unrelated
//! memory), or, rarely, a lost `count++` leaves `count` below the live keys of the one-bucket
//! map and the next insert restarts a same-size grow for ever (`hang`: Go prints nothing).
//!
//! # The fix
//!
//! Put a struct with a mutex in the context instead of a bare map, and go through it
//! everywhere (enrichment, handler, access log). Copying the map before handing it to the
//! goroutine works too, when the request does not need the enrichment's results.

use super::common::{
    check_map, expect_contents, kinds, static_names, work, GoSized, Pair, Sizes, GO, SMALL,
};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::context::{self, Context};
use crate::runtime::{go, Arc, Mutex, WaitGroup};
use crate::Scenario;
use maprace_maps::GoMap;
use std::sync::OnceLock;

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

/// The attributes each side adds beyond the small shape's: none at the default size; at Go
/// size the enrichment's tags and the handler's annotations, about half of the request's
/// operations each, so the map grows from B = 0 to B = 4 under the two goroutines.
struct Extra {
    enrich: &'static [&'static str],
    handler: &'static [&'static str],
}

impl Extra {
    fn of(size: Sizes) -> Extra {
        if size == SMALL {
            return Extra {
                enrich: &[],
                handler: &[],
            };
        }
        static ENRICH: OnceLock<Vec<&'static str>> = OnceLock::new();
        static HANDLER: OnceLock<Vec<&'static str>> = OnceLock::new();
        Extra {
            enrich: static_names(&ENRICH, "geo.tag", size.ops / 2 - 2),
            handler: static_names(&HANDLER, "handler.note", size.ops / 2 - 1),
        }
    }

    /// What the attributes hold at the end, sorted by name.
    fn want(&self) -> Vec<(&'static str, &'static str)> {
        let mut want = WANT.to_vec();
        want.extend(self.enrich.iter().chain(self.handler).map(|&k| (k, "v")));
        want.sort();
        want
    }
}

fn enrich<A: AttrsAccess>(ctx: &Context, extra: &'static [&'static str]) {
    let attrs: Arc<A> = ctx
        .value(KEY)
        .expect("the middleware put the attributes in");
    work("geo lookup");
    attrs.set("geo", "eu");
    work("user lookup");
    attrs.set("user", "u1");
    for &k in extra {
        attrs.set(k, "v");
    }
}

fn handler<A: AttrsAccess>(ctx: &Context, extra: &'static [&'static str]) {
    let attrs: Arc<A> = ctx
        .value(KEY)
        .expect("the middleware put the attributes in");
    attrs.set("route", "/items");
    for &k in extra {
        attrs.set(k, "v");
    }
    let _anonymous = attrs.get("user").is_none();
}

/// The middleware around the handler, for one request; the test then waits for the
/// enrichment and checks the attributes.
fn request<A: AttrsAccess>(size: Sizes, attrs: A) {
    let extra = Extra::of(size);
    let attrs = Arc::new(attrs);
    attrs.set("request_id", "r1");
    let ctx = context::with_value(&context::background(), KEY, Arc::clone(&attrs));
    let enrichment = Arc::new(WaitGroup::new()); // the test's view of the goroutine
    enrichment.add(1);
    let (c, done, tags) = (ctx.clone(), Arc::clone(&enrichment), extra.enrich);
    go("enrich", move || {
        enrich::<A>(&c, tags);
        done.done();
    });
    handler::<A>(&ctx, extra.handler);
    let _access_log = attrs.log();

    enrichment.wait();
    check_map(attrs.map());
    expect_contents(attrs.map(), "the request attributes", &extra.want());
}

fn locked() -> Locked {
    Locked {
        mu: Mutex::new(()),
        m: Attrs::new(),
    }
}

fn buggy() {
    request(SMALL, Attrs::new());
}

fn fixed() {
    request(SMALL, locked());
}

fn buggy_go() {
    request(GO, Attrs::new());
}

fn fixed_go() {
    request(GO, locked());
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t4-middleware-context-map",
        description: "middleware stores an attributes map with context.WithValue; an async enrichment writes it while the handler reads and writes it",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[
                kinds::RACE,
                kinds::WRITES,
                kinds::READ_WRITE,
                kinds::ITER_WRITE,
                kinds::CORRUPTED,
                kinds::WRONG,
                kinds::FAULT,
                kinds::BAD_MAP_STATE,
                kinds::HANG,
            ],
        }),
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
