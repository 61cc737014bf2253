//! `t6-interceptor-metadata`: a gRPC-interceptor shape where the incoming metadata
//! (`map[string][]string`) and a custom tags map travel in the context and three goroutines
//! use them.
//!
//! # The Go pattern
//!
//! ```go
//! func interceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo,
//!     handler grpc.UnaryHandler) (any, error) {
//!     md, _ := metadata.FromIncomingContext(ctx)
//!     tags := tagsFrom(ctx) // map[string]string put in the context by an outer interceptor
//!     go logRequest(md, tags) // async request log
//!     md["x-request-id"] = append(md["x-request-id"], "r1")
//!     tags["grpc.method"] = info.FullMethod
//!     return handler(metadata.NewIncomingContext(ctx, md), req)
//! }
//!
//! func logRequest(md metadata.MD, tags map[string]string) {
//!     agent := md["user-agent"]
//!     for k, v := range tags { fields = append(fields, k, v) }
//!     log.Print(agent, fields)
//! }
//!
//! func handler(ctx context.Context, req any) (any, error) {
//!     tags := tagsFrom(ctx)
//!     go audit(tags) // tags["audit"] = "ok" once the audit record is written
//!     md, _ := metadata.FromIncomingContext(ctx)
//!     _ = md["authorization"]
//!     tags["user"] = "u1"
//!     return resp, nil
//! }
//! ```
//!
//! The main goroutine runs the interceptor and the handler; the logger and the audit are
//! goroutines; the test waits for both before checking.
//!
//! # Why it fails
//!
//! The interceptor hands `md` and `tags` to the logger and then keeps mutating them: the
//! `append` is a lookup and an assign on `md` (the logger's lookup of `"user-agent"` can meet
//! the assign: `concurrent map read and map write`), and `tags` is written by the interceptor,
//! the handler and the audit while the logger ranges over it (`concurrent map iteration and
//! map write`, `concurrent map writes`). Whatever `FromIncomingContext` returns, the map the
//! interceptor passes to the logger and then appends to is one map. In the schedules the
//! runtime does not catch, a tag disappears and the map's internals break, which the
//! invariant checker run at the end reports (`map-corrupted`).
//!
//! # The fix
//!
//! Copy the metadata before mutating it (`md = md.Copy()`): the logger keeps the original,
//! which nobody writes any more, and the interceptor appends to its own copy. Keep the tags in
//! a struct with a mutex and go through it everywhere, the logger's range included.

use super::common::{check_map, expect, expect_contents, kinds, Pair};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::context;
use crate::runtime::{go, Arc, Mutex, WaitGroup};
use crate::Scenario;
use maprace_maps::GoMap;

type Md = GoMap<&'static str, Vec<&'static str>>;
type Tags = GoMap<&'static str, &'static str>;

/// The context keys: `metadata`'s incoming key and the tags' key.
const MD: &str = "metadata";
const TAGS: &str = "tags";

const WANT_TAGS: [(&str, &str); 3] = [("audit", "ok"), ("grpc.method", "/svc/Get"), ("user", "u1")];

fn incoming() -> Md {
    let md = Md::new();
    md.assign("user-agent", vec!["grpc-go"]);
    md.assign("authorization", vec!["token"]);
    md
}

/// The tags' accesses: a bare map, or the fix's locked struct.
trait TagsAccess: Send + Sync + 'static {
    fn set(&self, k: &'static str, v: &'static str);
    fn fields(&self) -> Vec<String>;
    fn map(&self) -> &Tags;
}

impl TagsAccess for Tags {
    fn set(&self, k: &'static str, v: &'static str) {
        self.assign(k, v);
    }
    fn fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.range(|k, v| {
            out.push(format!("{k}={v}"));
            true
        });
        out
    }
    fn map(&self) -> &Tags {
        self
    }
}

struct LockedTags {
    mu: Mutex<()>,
    m: Tags,
}

impl TagsAccess for LockedTags {
    fn set(&self, k: &'static str, v: &'static str) {
        let _g = self.mu.lock();
        self.m.assign(k, v);
    }
    fn fields(&self) -> Vec<String> {
        let _g = self.mu.lock();
        self.m.fields()
    }
    fn map(&self) -> &Tags {
        &self.m
    }
}

/// One call through the interceptor; `copy_md` is the fix's `md.Copy()`.
fn call<T: TagsAccess>(tags: T, copy_md: bool) {
    // What the transport and an outer interceptor put in the request's context.
    let ctx = context::with_value(&context::background(), MD, Arc::new(incoming()));
    let ctx = context::with_value(&ctx, TAGS, Arc::new(tags));
    let background = Arc::new(WaitGroup::new()); // the test's view of the goroutines
    background.add(2);

    // The interceptor.
    let md: Arc<Md> = ctx.value(MD).expect("incoming metadata");
    let tags: Arc<T> = ctx.value(TAGS).expect("tags");
    let (log_md, log_tags, bg) = (Arc::clone(&md), Arc::clone(&tags), Arc::clone(&background));
    go("logger", move || {
        let agent = log_md.get(&"user-agent");
        let _fields = log_tags.fields();
        expect(agent.is_some(), || "the user agent is missing".into());
        bg.done();
    });
    let md = if copy_md {
        let copy = Md::new();
        md.range(|k, v| {
            copy.assign(k, v.clone());
            true
        });
        Arc::new(copy)
    } else {
        md
    };
    let mut ids = md.get(&"x-request-id").unwrap_or_default();
    ids.push("r1");
    md.assign("x-request-id", ids);
    tags.set("grpc.method", "/svc/Get");
    let ctx = context::with_value(&ctx, MD, Arc::clone(&md));

    // The handler.
    let tags: Arc<T> = ctx.value(TAGS).expect("tags");
    let (audit_tags, bg) = (Arc::clone(&tags), Arc::clone(&background));
    go("audit", move || {
        audit_tags.set("audit", "ok");
        bg.done();
    });
    let md: Arc<Md> = ctx.value(MD).expect("incoming metadata");
    let _auth = md.get(&"authorization");
    tags.set("user", "u1");

    background.wait();
    check_map(&md);
    check_map(tags.map());
    let ids = md.get(&"x-request-id");
    expect(ids.as_deref() == Some(&["r1"][..]), || {
        format!("x-request-id = {ids:?}")
    });
    expect_contents(tags.map(), "the tags", &WANT_TAGS);
}

fn buggy() {
    call(Tags::new(), false);
}

fn fixed() {
    call(
        LockedTags {
            mu: Mutex::new(()),
            m: Tags::new(),
        },
        true,
    );
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t6-interceptor-metadata",
        description: "an interceptor, its handler and a logging goroutine read, append to and write the metadata and tags maps from the context",
        buggy,
        fixed,
        expected_kinds: &[
            kinds::RACE,
            kinds::WRITES,
            kinds::READ_WRITE,
            kinds::ITER_WRITE,
            kinds::CORRUPTED,
        ],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
