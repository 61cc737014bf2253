//! Go's `context`: `Background`, `WithCancel` and `WithValue`.
//!
//! Contexts form a tree. `with_cancel` registers the new context with its nearest cancelable
//! ancestor (Go's `propagateCancel`), so cancelling a context closes its `Done` channel and
//! those of all its descendants. `with_value` stores a **reference** (an `Arc`), never a copy:
//! a map put in a context is the very same map for everyone who gets it back out, which is
//! exactly why Go maps in contexts race.

use super::chan::{Chan, TryRecv};
use maprace_harness::sync::{Arc, Mutex};
use std::any::Any;

/// Go's `context.Canceled` error text.
pub const CANCELED: &str = "context canceled";

/// A context (Go's `context.Context`). Cloning gives the same context.
#[derive(Clone)]
pub struct Context(Arc<Node>);

struct Node {
    parent: Option<Context>,
    kind: Kind,
}

enum Kind {
    Background,
    Cancel(Arc<CancelCtx>),
    Value {
        key: &'static str,
        value: Arc<dyn Any + Send + Sync>,
    },
}

struct CancelCtx {
    done: Chan<()>,
    state: Mutex<CancelState>,
}

#[derive(Default)]
struct CancelState {
    err: Option<&'static str>,
    children: Vec<Arc<CancelCtx>>,
}

impl CancelCtx {
    fn cancel(&self) {
        let mut s = self.state.lock();
        if s.err.is_some() {
            return;
        }
        s.err = Some(CANCELED);
        let children = std::mem::take(&mut s.children);
        self.done.close();
        drop(s);
        for child in children {
            child.cancel();
        }
    }
}

/// The function `WithCancel` returns: calling it cancels the context and its descendants.
/// Calling it again does nothing.
#[derive(Clone)]
pub struct CancelFunc(Arc<CancelCtx>);

impl CancelFunc {
    /// `cancel()`.
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

/// `context.Background()`: never cancelled, carries no value.
pub fn background() -> Context {
    Context(Arc::new(Node {
        parent: None,
        kind: Kind::Background,
    }))
}

/// `context.WithCancel(parent)`: a child whose `Done` closes when `cancel` is called or the
/// parent is cancelled.
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    let ctx = Arc::new(CancelCtx {
        done: Chan::library(0),
        state: Mutex::library(CancelState::default()),
    });
    if let Some(p) = parent.nearest_cancel() {
        let mut s = p.state.lock();
        if s.err.is_some() {
            drop(s);
            ctx.cancel();
        } else {
            s.children.push(Arc::clone(&ctx));
            drop(s);
        }
    }
    let child = Context(Arc::new(Node {
        parent: Some(parent.clone()),
        kind: Kind::Cancel(Arc::clone(&ctx)),
    }));
    (child, CancelFunc(ctx))
}

/// `context.WithValue(parent, key, value)`: a child carrying `value` under `key`. The value is
/// shared, not copied.
pub fn with_value<T: Any + Send + Sync>(
    parent: &Context,
    key: &'static str,
    value: Arc<T>,
) -> Context {
    Context(Arc::new(Node {
        parent: Some(parent.clone()),
        kind: Kind::Value { key, value },
    }))
}

impl Context {
    fn nearest_cancel(&self) -> Option<&Arc<CancelCtx>> {
        let mut node = &self.0;
        loop {
            if let Kind::Cancel(c) = &node.kind {
                return Some(c);
            }
            node = &node.parent.as_ref()?.0;
        }
    }

    /// `ctx.Done()`: a channel closed when the context is cancelled. For a context that can
    /// never be cancelled it is a channel nobody closes (Go returns a nil channel: receiving
    /// from either blocks forever).
    pub fn done(&self) -> Chan<()> {
        match self.nearest_cancel() {
            Some(c) => c.done.clone(),
            None => Chan::library(0),
        }
    }

    /// `select { case <-ctx.Done(): true; default: false }`.
    pub fn is_done(&self) -> bool {
        match self.nearest_cancel() {
            Some(c) => matches!(c.done.try_recv(), TryRecv::Closed),
            None => false,
        }
    }

    /// `ctx.Err()`: `Some("context canceled")` once cancelled.
    pub fn err(&self) -> Option<&'static str> {
        let c = self.nearest_cancel()?;
        let s = c.state.lock();
        let err = s.err;
        drop(s);
        err
    }

    /// `ctx.Value(key).(T)`: the value stored under `key` by the nearest ancestor that has one,
    /// if it is a `T`. The same `Arc` that was stored, not a copy.
    pub fn value<T: Any + Send + Sync>(&self, key: &'static str) -> Option<Arc<T>> {
        let mut node = &self.0;
        loop {
            if let Kind::Value { key: k, value } = &node.kind {
                if *k == key {
                    return Arc::clone(value).downcast::<T>().ok();
                }
            }
            node = &node.parent.as_ref()?.0;
        }
    }
}
