//! Go channels: `make(chan T, n)`, send, receive, `close`, and the non-blocking receive of a
//! `select` with a `default` case.
//!
//! Built on the harness's traced mutex and condition variable, so every channel operation is
//! visible to the scheduler (a goroutine blocked on a channel is simply not runnable) and in the
//! trace. A goroutine blocked forever on a channel after `main` returns is reported as a
//! `goroutine-leak`; every goroutine blocked before `main` returns is a `deadlock`, as in Go.
//!
//! # Happens-before
//! The lock and condition variable inside are internal ([`Mutex::internal`]): they would order
//! every two operations on the channel, which Go's race detector does not. The channel records
//! Go's own edges on objects of its own instead (the Go memory model's channel rules): the k-th
//! `Send` is received by the k-th value `Receive`; a `Close` by every `Receive` that finds the
//! channel closed and drained; and on an unbuffered channel the k-th receive is ordered before
//! the k-th send completes (the receiver `Send`s on a second, rendezvous object that the
//! sender `Receive`s from when it returns). Not modelled: on a buffered channel of capacity
//! C, the k-th receive before the (k+C)-th send completes (the semaphore idiom).

use maprace_harness::sync::{Arc, Condvar, Mutex};
use maprace_harness::{record_access, AccessKind, Object, ObjectKind};
use std::collections::VecDeque;

/// A channel (Go's `chan T`). Cloning gives another reference to the same channel, as copying a
/// channel value does in Go.
pub struct Chan<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<T> {
    cap: usize,
    /// The channel as the race detector sees it.
    object: Object,
    /// Unbuffered channels: receive before the matching send completes.
    rendezvous: Object,
    state: Mutex<State<T>>,
    changed: Condvar,
}

struct State<T> {
    buf: VecDeque<T>,
    closed: bool,
    /// Values sent so far; a sender on an unbuffered channel waits until `received` passes its
    /// own ticket, which is what makes the send a rendezvous.
    sent: u64,
    received: u64,
}

/// The outcome of a receive that must not block (`select { case v := <-ch: ... default: }`).
#[derive(Debug, PartialEq, Eq)]
pub enum TryRecv<T> {
    /// A value was ready.
    Value(T),
    /// Nothing was ready and the channel is open: the `default` case runs.
    Empty,
    /// The channel is closed and drained (`v, ok := <-ch` gives `ok == false`).
    Closed,
}

impl<T: Send + 'static> Chan<T> {
    /// `make(chan T, capacity)`; capacity 0 makes an unbuffered channel.
    pub fn new(capacity: usize) -> Self {
        Chan::with_objects(capacity, Object::new)
    }

    /// A channel the runtime's own packages (`context`, `time`) make: it orders as any
    /// channel, but is not a mutant of the program (see [`Object::library`]).
    pub(crate) fn library(capacity: usize) -> Self {
        Chan::with_objects(capacity, Object::library)
    }

    fn with_objects(capacity: usize, object: fn(ObjectKind) -> Object) -> Self {
        Chan {
            inner: Arc::new(Inner {
                cap: capacity,
                object: object(ObjectKind::Channel),
                rendezvous: object(ObjectKind::Channel),
                state: Mutex::internal(State {
                    buf: VecDeque::new(),
                    closed: false,
                    sent: 0,
                    received: 0,
                }),
                changed: Condvar::internal(),
            }),
        }
    }

    /// `ch <- v`: blocks while the buffer is full (an unbuffered channel: until a receiver has
    /// taken the value). Panics with Go's message when the channel is closed.
    pub fn send(&self, value: T) {
        let inner = &*self.inner;
        let mut s = inner.state.lock();
        if inner.cap > 0 {
            s = inner
                .changed
                .wait_while(s, |s| !s.closed && s.buf.len() >= inner.cap);
        }
        if s.closed {
            // Release the lock before panicking: a panic under a lock can poison the next
            // execution (see engine notes).
            drop(s);
            panic!("send on closed channel");
        }
        s.buf.push_back(value);
        record_access(&inner.object, AccessKind::Send);
        s.sent += 1;
        let ticket = s.sent;
        inner.changed.notify_all();
        if inner.cap == 0 {
            s = inner
                .changed
                .wait_while(s, |s| !s.closed && s.received < ticket);
            if s.received < ticket {
                drop(s);
                panic!("send on closed channel");
            }
            record_access(&inner.rendezvous, AccessKind::Receive);
        }
        drop(s);
    }

    /// `v, ok := <-ch`: blocks until a value is ready (`Some`) or the channel is closed and
    /// drained (`None`).
    pub fn recv(&self) -> Option<T> {
        let inner = &*self.inner;
        let s = inner.state.lock();
        let mut s = inner
            .changed
            .wait_while(s, |s| s.buf.is_empty() && !s.closed);
        let v = s.buf.pop_front();
        inner.received(v.is_some());
        if v.is_some() {
            s.received += 1;
            inner.changed.notify_all();
        }
        drop(s);
        v
    }

    /// A receive that does not block: the `select` with a `default` case.
    pub fn try_recv(&self) -> TryRecv<T> {
        let inner = &*self.inner;
        let mut s = inner.state.lock();
        let out = match s.buf.pop_front() {
            Some(v) => {
                inner.received(true);
                s.received += 1;
                inner.changed.notify_all();
                TryRecv::Value(v)
            }
            None if s.closed => {
                inner.received(false);
                TryRecv::Closed
            }
            None => TryRecv::Empty,
        };
        drop(s);
        out
    }

    /// `close(ch)`: receivers drain what is buffered and then get `None`; senders panic.
    /// Closing twice panics with Go's message.
    pub fn close(&self) {
        let inner = &*self.inner;
        let mut s = inner.state.lock();
        if s.closed {
            drop(s);
            panic!("close of closed channel");
        }
        s.closed = true;
        record_access(&inner.object, AccessKind::Close);
        inner.changed.notify_all();
        drop(s);
    }
}

impl<T> Inner<T> {
    /// Records a receive: of a value (`true`), or of the closed signal.
    fn received(&self, value: bool) {
        record_access(&self.object, AccessKind::Receive);
        if value && self.cap == 0 {
            record_access(&self.rendezvous, AccessKind::Send);
        }
    }
}
