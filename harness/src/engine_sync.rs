//! The lock types underneath `sync`: shuttle's or loom's, chosen when the value is created
//! (from the engine of the execution it is created in). `sync` adds the labels, the trace and
//! the object/access record on top, the same for both engines.
//!
//! Locks never report poisoning (see `sync`). Under loom a guard dropped while its goroutine
//! unwinds is leaked instead of released: the execution is over at that point (maprace stops
//! at the first failure), and loom may already have torn its state down (after its own
//! deadlock report), when releasing would panic inside a destructor.

#[cfg(feature = "loom")]
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

#[cfg(feature = "loom")]
use crate::loom_engine::rt as loom_rt;

fn ok<G>(r: Result<G, std::sync::PoisonError<G>>) -> G {
    r.unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn try_ok<G>(r: std::sync::TryLockResult<G>) -> Option<G> {
    match r {
        Ok(g) => Some(g),
        Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => None,
    }
}

/// Whether a value created now belongs to a loom execution.
#[inline]
fn loom_now() -> bool {
    #[cfg(feature = "loom")]
    {
        crate::record::with(|r| loom_rt::active(r))
    }
    #[cfg(not(feature = "loom"))]
    {
        false
    }
}

#[cfg(feature = "loom")]
use loom_rt::op as loom_op;

/// Drops a loom guard, or leaks it while unwinding (see the module comment).
#[cfg(feature = "loom")]
fn release<G>(mut g: ManuallyDrop<G>) {
    if !std::thread::panicking() {
        // SAFETY: `g` is dropped exactly once, here, and not used afterwards.
        unsafe { ManuallyDrop::drop(&mut g) }
    }
}

/// Declares an enum over the engines' versions of one type, with `Deref` to the data.
macro_rules! guard {
    ($name:ident, $shuttle:ty, $loom:ty, mut: $deref_mut:tt) => {
        #[derive(Debug)]
        pub(crate) enum $name<'a, T> {
            Shuttle($shuttle),
            #[cfg(feature = "loom")]
            Loom(ManuallyDrop<$loom>),
        }

        impl<'a, T> $name<'a, T> {
            /// Releases the lock (or leaks the guard while unwinding under loom).
            pub fn release(self) {
                match self {
                    $name::Shuttle(g) => drop(g),
                    #[cfg(feature = "loom")]
                    $name::Loom(g) => release(g),
                }
            }
        }

        impl<T> Deref for $name<'_, T> {
            type Target = T;
            fn deref(&self) -> &T {
                match self {
                    $name::Shuttle(g) => g,
                    #[cfg(feature = "loom")]
                    $name::Loom(g) => g,
                }
            }
        }

        guard!(@mut $deref_mut $name);
    };
    (@mut yes $name:ident) => {
        impl<T> DerefMut for $name<'_, T> {
            fn deref_mut(&mut self) -> &mut T {
                match self {
                    $name::Shuttle(g) => g,
                    #[cfg(feature = "loom")]
                    $name::Loom(g) => g,
                }
            }
        }
    };
    (@mut no $name:ident) => {};
}

guard!(MutexGuard, shuttle::sync::MutexGuard<'a, T>, loom::sync::MutexGuard<'a, T>, mut: yes);
guard!(ReadGuard, shuttle::sync::RwLockReadGuard<'a, T>, loom::sync::RwLockReadGuard<'a, T>, mut: no);
guard!(WriteGuard, shuttle::sync::RwLockWriteGuard<'a, T>, loom::sync::RwLockWriteGuard<'a, T>, mut: yes);

/// A mutex of either engine.
#[derive(Debug)]
pub(crate) enum Mutex<T> {
    Shuttle(shuttle::sync::Mutex<T>),
    #[cfg(feature = "loom")]
    Loom(loom::sync::Mutex<T>),
}

impl<T> Mutex<T> {
    pub fn new(value: T) -> Self {
        #[cfg(feature = "loom")]
        if loom_now() {
            return Mutex::Loom(loom::sync::Mutex::new(value));
        }
        let _ = loom_now;
        Mutex::Shuttle(shuttle::sync::Mutex::new(value))
    }

    pub fn lock(&self) -> MutexGuard<'_, T> {
        match self {
            Mutex::Shuttle(m) => MutexGuard::Shuttle(ok(m.lock())),
            #[cfg(feature = "loom")]
            Mutex::Loom(m) => MutexGuard::Loom(ManuallyDrop::new(ok(loom_op(|| m.lock())))),
        }
    }

    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        match self {
            Mutex::Shuttle(m) => try_ok(m.try_lock()).map(MutexGuard::Shuttle),
            #[cfg(feature = "loom")]
            Mutex::Loom(m) => {
                try_ok(loom_op(|| m.try_lock())).map(|g| MutexGuard::Loom(ManuallyDrop::new(g)))
            }
        }
    }

    pub fn get_mut(&mut self) -> &mut T {
        match self {
            Mutex::Shuttle(m) => ok(m.get_mut()),
            #[cfg(feature = "loom")]
            Mutex::Loom(m) => ok(m.get_mut()),
        }
    }

    pub fn into_inner(self) -> T {
        match self {
            Mutex::Shuttle(m) => ok(m.into_inner()),
            #[cfg(feature = "loom")]
            Mutex::Loom(m) => ok(m.into_inner()),
        }
    }
}

/// A reader-writer lock of either engine.
#[derive(Debug)]
pub(crate) enum RwLock<T> {
    Shuttle(shuttle::sync::RwLock<T>),
    #[cfg(feature = "loom")]
    Loom(loom::sync::RwLock<T>),
}

impl<T> RwLock<T> {
    pub fn new(value: T) -> Self {
        #[cfg(feature = "loom")]
        if loom_now() {
            return RwLock::Loom(loom::sync::RwLock::new(value));
        }
        RwLock::Shuttle(shuttle::sync::RwLock::new(value))
    }

    pub fn read(&self) -> ReadGuard<'_, T> {
        match self {
            RwLock::Shuttle(l) => ReadGuard::Shuttle(ok(l.read())),
            #[cfg(feature = "loom")]
            RwLock::Loom(l) => ReadGuard::Loom(ManuallyDrop::new(ok(loom_op(|| l.read())))),
        }
    }

    pub fn write(&self) -> WriteGuard<'_, T> {
        match self {
            RwLock::Shuttle(l) => WriteGuard::Shuttle(ok(l.write())),
            #[cfg(feature = "loom")]
            RwLock::Loom(l) => WriteGuard::Loom(ManuallyDrop::new(ok(loom_op(|| l.write())))),
        }
    }

    pub fn try_read(&self) -> Option<ReadGuard<'_, T>> {
        match self {
            RwLock::Shuttle(l) => try_ok(l.try_read()).map(ReadGuard::Shuttle),
            #[cfg(feature = "loom")]
            RwLock::Loom(l) => {
                try_ok(loom_op(|| l.try_read())).map(|g| ReadGuard::Loom(ManuallyDrop::new(g)))
            }
        }
    }

    pub fn try_write(&self) -> Option<WriteGuard<'_, T>> {
        match self {
            RwLock::Shuttle(l) => try_ok(l.try_write()).map(WriteGuard::Shuttle),
            #[cfg(feature = "loom")]
            RwLock::Loom(l) => {
                try_ok(loom_op(|| l.try_write())).map(|g| WriteGuard::Loom(ManuallyDrop::new(g)))
            }
        }
    }

    pub fn get_mut(&mut self) -> &mut T {
        match self {
            RwLock::Shuttle(l) => ok(l.get_mut()),
            #[cfg(feature = "loom")]
            RwLock::Loom(l) => ok(l.get_mut()),
        }
    }

    pub fn into_inner(self) -> T {
        match self {
            RwLock::Shuttle(l) => ok(l.into_inner()),
            #[cfg(feature = "loom")]
            RwLock::Loom(l) => ok(l.into_inner()),
        }
    }
}

/// A condition variable of either engine.
#[derive(Debug)]
pub(crate) enum Condvar {
    Shuttle(shuttle::sync::Condvar),
    #[cfg(feature = "loom")]
    Loom(loom::sync::Condvar),
}

impl Condvar {
    pub fn new() -> Self {
        #[cfg(feature = "loom")]
        if loom_now() {
            return Condvar::Loom(loom::sync::Condvar::new());
        }
        Condvar::Shuttle(shuttle::sync::Condvar::new())
    }

    /// Waits with the guard's lock released; panics if the guard comes from the other engine
    /// (values created in different executions).
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        match (self, guard) {
            (Condvar::Shuttle(c), MutexGuard::Shuttle(g)) => MutexGuard::Shuttle(ok(c.wait(g))),
            #[cfg(feature = "loom")]
            (Condvar::Loom(c), MutexGuard::Loom(g)) => {
                let g = ManuallyDrop::into_inner(g);
                MutexGuard::Loom(ManuallyDrop::new(ok(loom_op(|| c.wait(g)))))
            }
            #[cfg(feature = "loom")]
            _ => panic!("maprace: a Condvar used with a Mutex created under another engine"),
        }
    }

    pub fn notify_one(&self) {
        match self {
            Condvar::Shuttle(c) => c.notify_one(),
            #[cfg(feature = "loom")]
            Condvar::Loom(c) => loom_op(|| c.notify_one()),
        }
    }

    pub fn notify_all(&self) {
        match self {
            Condvar::Shuttle(c) => c.notify_all(),
            #[cfg(feature = "loom")]
            Condvar::Loom(c) => loom_op(|| c.notify_all()),
        }
    }
}
