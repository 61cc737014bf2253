//! `std::sync::mpsc`, std-shaped: `channel`, `sync_channel` (a bound of 0 is a rendezvous), on
//! the std-shaped mutex and condition variable. Errors are std's own types.

use super::{Arc, Condvar, Mutex};
use std::collections::VecDeque;
pub use std::sync::mpsc::{RecvError, SendError, TryRecvError, TrySendError};
use std::sync::PoisonError;

struct State<T> {
    queue: VecDeque<T>,
    senders: usize,
    receiver: bool,
    /// Values sent and received so far: a rendezvous sender waits until `received` passes
    /// its own ticket.
    sent: u64,
    received: u64,
}

struct Shared<T> {
    bound: Option<usize>,
    state: Mutex<State<T>>,
    changed: Condvar,
}

impl<T> Shared<T> {
    fn lock(&self) -> super::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The sending half of [`channel`].
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The sending half of [`sync_channel`].
pub struct SyncSender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving half.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

fn make<T>(bound: Option<usize>) -> Arc<Shared<T>> {
    Arc::new(Shared {
        bound,
        state: Mutex::new(State {
            queue: VecDeque::new(),
            senders: 1,
            receiver: true,
            sent: 0,
            received: 0,
        }),
        changed: Condvar::new(),
    })
}

/// An unbounded channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = make(None);
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

/// A channel holding at most `bound` values (0: every send waits for its receive).
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let shared = make(Some(bound));
    (
        SyncSender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

fn send<T>(shared: &Shared<T>, t: T, block: bool) -> Result<(), TrySendError<T>> {
    let mut s = shared.lock();
    if let Some(bound) = shared.bound {
        let full = |s: &State<T>| s.receiver && s.queue.len() >= bound.max(1);
        if full(&s) {
            if !block {
                return Err(TrySendError::Full(t));
            }
            s = shared
                .changed
                .wait_while(s, |s| full(s))
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
    if !s.receiver {
        return Err(TrySendError::Disconnected(t));
    }
    s.queue.push_back(t);
    s.sent += 1;
    let ticket = s.sent;
    shared.changed.notify_all();
    if shared.bound == Some(0) && block {
        let s = shared
            .changed
            .wait_while(s, |s| s.receiver && s.received < ticket)
            .unwrap_or_else(PoisonError::into_inner);
        drop(s);
    }
    Ok(())
}

fn blocking<T>(r: Result<(), TrySendError<T>>) -> Result<(), SendError<T>> {
    r.map_err(|e| match e {
        TrySendError::Full(t) | TrySendError::Disconnected(t) => SendError(t),
    })
}

impl<T> Sender<T> {
    /// Sends `t`; fails only when the receiver is gone.
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        blocking(send(&self.shared, t, true))
    }
}

impl<T> SyncSender<T> {
    /// Sends `t`, waiting while the channel is full.
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        blocking(send(&self.shared, t, true))
    }

    /// Sends `t` if there is room now.
    pub fn try_send(&self, t: T) -> Result<(), TrySendError<T>> {
        send(&self.shared, t, false)
    }
}

macro_rules! sender_lifecycle {
    ($t:ident) => {
        impl<T> Clone for $t<T> {
            fn clone(&self) -> Self {
                self.shared.lock().senders += 1;
                $t {
                    shared: Arc::clone(&self.shared),
                }
            }
        }

        impl<T> Drop for $t<T> {
            fn drop(&mut self) {
                let mut s = self.shared.lock();
                s.senders -= 1;
                if s.senders == 0 {
                    self.shared.changed.notify_all();
                }
            }
        }
    };
}

sender_lifecycle!(Sender);
sender_lifecycle!(SyncSender);

impl<T> Receiver<T> {
    /// Receives a value, waiting for one; fails once every sender is gone and the channel is
    /// empty.
    pub fn recv(&self) -> Result<T, RecvError> {
        let s = self.shared.lock();
        let mut s = self
            .shared
            .changed
            .wait_while(s, |s| s.queue.is_empty() && s.senders > 0)
            .unwrap_or_else(PoisonError::into_inner);
        let v = s.queue.pop_front().ok_or(RecvError)?;
        s.received += 1;
        self.shared.changed.notify_all();
        Ok(v)
    }

    /// Receives a value if one is there now.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut s = self.shared.lock();
        match s.queue.pop_front() {
            Some(v) => {
                s.received += 1;
                self.shared.changed.notify_all();
                Ok(v)
            }
            None if s.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// The values received until every sender is gone.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(|| self.recv().ok())
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.lock().receiver = false;
        self.shared.changed.notify_all();
    }
}
