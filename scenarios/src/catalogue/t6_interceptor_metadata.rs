//! `t6-interceptor-metadata`: a gRPC interceptor fans a request out to several goroutines
//! that each append to the same metadata key and bump a per-method counter, while a logger
//! ranges over the metadata.
//!
//! # The Go pattern
//!
//! ```go
//! func interceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo,
//!     handler grpc.UnaryHandler) (any, error) {
//!     md, _ := metadata.FromIncomingContext(ctx) // metadata.MD: map[string][]string
//!     tags := tagsFrom(ctx)                      // map[string]int from an outer interceptor
//!     go logRequest(md)                          // async request log
//!     var wg sync.WaitGroup
//!     for _, backend := range backends {         // fan-out
//!         wg.Add(1)
//!         go func(b string) {
//!             defer wg.Done()
//!             span := call(ctx, b)
//!             md["x-span"] = append(md["x-span"], span) // read, append, write back
//!             tags[info.FullMethod]++
//!         }(backend)
//!     }
//!     wg.Wait()
//!     return handler(metadata.NewIncomingContext(ctx, md), req)
//! }
//!
//! func logRequest(md metadata.MD) {
//!     for k, v := range md {
//!         log.Print(k, v)
//!     }
//! }
//! ```
//!
//! Two backends at the default size; 20 at Go size, with 60 metadata entries for the logger
//! to range over.
//!
//! # Why it fails
//!
//! `metadata.MD` is a plain `map[string][]string` with no lock (the seed article's claim that
//! the metadata package synchronises it is wrong: `type MD map[string][]string`, and its
//! methods are plain map operations). Whatever `FromIncomingContext` hands back, the one `md`
//! the interceptor holds is then shared by every goroutine it starts. So:
//!
//! - the main real failure is silent: two fan-out goroutines read the same `md["x-span"]`,
//!   each appends its span to what it read and writes its slice back, and one span is lost;
//!   `tags[method]++` is `mapassign` followed by a plain load and store of the value, and
//!   loses increments the same way. No runtime check sees either: the final check reports
//!   `wrong-result`;
//! - the write-back and the `++` are `mapassign`s, so two of them at once can meet the
//!   `hashWriting` check (`fatal error: concurrent map writes`), the read of `md["x-span"]`
//!   can meet another goroutine's write-back (`concurrent map read and map write`), and the
//!   logger's `range` can meet any write (`concurrent map iteration and map write`);
//! - where two writers slip past the checks, the map's internals break (`map-corrupted`).
//!
//! The keys are strings: `mapassign_faststr` stores a new cell's tophash, then the key's
//! length, then its data pointer (map_faststr.go 283-289). A lookup that passed its check
//! before the writer set the flag and compares a key of the same length with the half-written
//! one calls `memequal` on the nil pointer: `panic: runtime error: invalid memory address or
//! nil pointer dereference [signal SIGSEGV ...]` inside the runtime (kind `fault`).
//!
//! # The fix
//!
//! Copy the metadata for the logger before the fan-out (`md.Copy()`), and have the fan-out
//! goroutines go through one mutex for the read-append-write and the counter.

use super::common::{check_map, expect, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::context;
use crate::runtime::{go, Arc, Mutex, WaitGroup};
use crate::Scenario;
use maprace_maps::GoMap;

type Md = GoMap<String, Vec<String>>;
type Tags = GoMap<&'static str, u64>;

/// The context keys: `metadata`'s incoming key and the tags' key.
const MD: &str = "metadata";
const TAGS: &str = "tags";
const SPAN: &str = "x-span";
const METHOD: &str = "/svc/Get";

/// The incoming metadata: a user agent, an authorization, and (at Go size) more headers.
fn incoming(size: Sizes) -> Md {
    let md = Md::new();
    md.assign("user-agent".into(), vec!["grpc-go".into()]);
    md.assign("authorization".into(), vec!["token".into()]);
    let extra = if size == GO { size.ops } else { 0 };
    for i in 0..extra {
        md.assign(format!("x-header-{i}"), vec![i.to_string()]);
    }
    md
}

/// One call through the interceptor; `fixed` copies the metadata for the logger and locks
/// the fan-out's updates.
fn call(size: Sizes, fixed: bool) {
    let backends = if size == GO { size.requests } else { 2 };
    // What the transport and an outer interceptor put in the request's context.
    let ctx = context::with_value(&context::background(), MD, Arc::new(incoming(size)));
    let ctx = context::with_value(&ctx, TAGS, Arc::new(Tags::new()));

    // The interceptor.
    let md: Arc<Md> = ctx.value(MD).expect("incoming metadata");
    let tags: Arc<Tags> = ctx.value(TAGS).expect("tags");
    let log_md = if fixed {
        let copy = Md::new();
        md.range(|k, v| {
            copy.assign(k.clone(), v.clone());
            true
        });
        Arc::new(copy)
    } else {
        Arc::clone(&md)
    };
    let logger = go("logger", move || {
        let mut fields = 0;
        log_md.range(|_, v| {
            fields += v.len();
            true
        });
        fields
    });
    let mu = Arc::new(Mutex::new(()));
    let wg = Arc::new(WaitGroup::new());
    for b in 0..backends {
        wg.add(1);
        let (md, tags, mu, wg) = (
            Arc::clone(&md),
            Arc::clone(&tags),
            Arc::clone(&mu),
            Arc::clone(&wg),
        );
        go(format!("backend{b}"), move || {
            let span = format!("span-{b}");
            let _g = fixed.then(|| mu.lock());
            let mut spans = md.get(&SPAN.to_string()).unwrap_or_default();
            spans.push(span);
            md.assign(SPAN.to_string(), spans);
            tags.update(METHOD, |n| n.copied().unwrap_or(0) + 1);
            wg.done();
        });
    }
    wg.wait();
    let _ = logger.join();

    // The handler and the test's checks.
    check_map(&md);
    check_map(&tags);
    let mut spans = md.get(&SPAN.to_string()).unwrap_or_default();
    spans.sort();
    let mut want: Vec<String> = (0..backends).map(|b| format!("span-{b}")).collect();
    want.sort();
    expect(spans == want, || {
        format!("x-span = {spans:?}, want {want:?}")
    });
    let n = tags.get(&METHOD);
    expect(n == Some(backends as u64), || {
        format!("tags[{METHOD}] = {n:?}, want {backends}")
    });
}

fn buggy() {
    call(SMALL, false);
}

fn fixed() {
    call(SMALL, true);
}

fn buggy_go() {
    call(GO, false);
}

fn fixed_go() {
    call(GO, true);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t6-interceptor-metadata",
        description: "an interceptor fans out goroutines that each read-append-write one metadata key and bump a tags counter while a logger ranges over the metadata",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::READ_WRITE, kinds::ITER_WRITE, kinds::WRONG, kinds::FAULT],
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
    .scenarios_pinning(kinds::WRONG)
}
