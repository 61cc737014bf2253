//! [`Condvar`]: Go's `sync.Cond`, used with [`Mutex`](super::Mutex).

use super::*;

/// A condition variable, used with [`Mutex`].
#[derive(Debug)]
pub struct Condvar {
    object: Object,
    inner: engine_sync::Condvar,
}

impl Default for Condvar {
    fn default() -> Self {
        Condvar::new()
    }
}

impl Condvar {
    /// A new condition variable.
    pub fn new() -> Self {
        Condvar {
            object: Object::new(ObjectKind::Condvar),
            inner: engine_sync::Condvar::new(),
        }
    }

    /// A condition variable whose notifications order nothing for the race detector (see
    /// [`Mutex::internal`]).
    pub fn internal() -> Self {
        Condvar {
            object: Object::internal(ObjectKind::Condvar),
            inner: engine_sync::Condvar::new(),
        }
    }

    /// Releases the guard's lock, waits for a notification, and locks again.
    ///
    /// With a disabled mutex (a mutant, see [`crate::sync_disabled`]) the wait still needs a
    /// lock to release: it takes the real one for the wait alone, and returns a guard that
    /// holds none, as the mutant's other guards.
    pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let unlocked = std::mem::replace(&mut guard.unlocked, false);
        let g = match guard.inner.take() {
            Some(g) => g,
            None if unlocked => guard.mutex.inner.lock(),
            None => panic!("guard is held"),
        };
        let lock = guard.mutex;
        let mutex = &lock.object;
        // Shuttle releases the mutex inside `wait`, after a scheduling point this wrapper
        // cannot see; nothing of the goroutine runs in between, so the release is recorded
        // here, in the step that starts the wait.
        done(WAIT, &self.object, AccessKind::Wait);
        performed(mutex, AccessKind::Unlock);
        let g = Blocking::during(|| self.inner.wait(g));
        done(WOKEN, &self.object, AccessKind::Woken);
        performed(mutex, AccessKind::Lock);
        if unlocked {
            g.release();
            return MutexGuard {
                mutex: lock,
                inner: None,
                unlocked: true,
            };
        }
        lock.held(g)
    }

    /// Waits until `condition` is false, re-checking after every wake-up.
    pub fn wait_while<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        while condition(&mut guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) {
        before(NOTIFY_ONE, &self.object, AccessKind::Notify);
        self.inner.notify_one();
        performed(&self.object, AccessKind::Notify);
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        before(NOTIFY_ALL, &self.object, AccessKind::Notify);
        self.inner.notify_all();
        performed(&self.object, AccessKind::Notify);
    }
}
