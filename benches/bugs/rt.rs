//! The few primitives the bug programs use, over two runtimes: maprace's (`go`, `sync::Mutex`,
//! `sync::AtomicI64`, `yield_now`), explored by maprace's strategies, and bare shuttle's
//! (`thread::spawn`, `sync::Mutex`, `sync::atomic::AtomicI64`, `thread::yield_now`), run by
//! stock shuttle schedulers. A program is written once, generic over [`Rt`], so both sides run
//! the same logic with the same scheduling points: every atomic operation, lock, unlock, spawn,
//! join and yield (maprace's primitives wrap shuttle's and add no scheduling point of their own).

use std::sync::Arc;

/// A runtime: spawn, join, yield, a shared integer and a lock.
pub trait Rt: 'static {
    /// A shared integer (every access a scheduling point).
    type Int: Send + Sync + 'static;
    /// A mutual-exclusion lock.
    type Lock: Send + Sync + 'static;
    /// A goroutine / thread to join.
    type Handle;
    fn int(v: i64) -> Self::Int;
    fn get(x: &Self::Int) -> i64;
    fn set(x: &Self::Int, v: i64);
    /// Adds atomically, returning the old value.
    fn add(x: &Self::Int, v: i64) -> i64;
    /// Compare-and-swap; true when it stored `new`.
    fn cas(x: &Self::Int, old: i64, new: i64) -> bool;
    fn lock() -> Self::Lock;
    fn with<T>(l: &Self::Lock, f: impl FnOnce() -> T) -> T;
    fn spawn(f: impl FnOnce() + Send + 'static) -> Self::Handle;
    fn join(h: Self::Handle);
    fn yield_now();
}

/// Shared integers in an `Arc`, for handing to goroutines.
pub fn ints<R: Rt>(n: usize, v: i64) -> Arc<Vec<R::Int>> {
    Arc::new((0..n).map(|_| R::int(v)).collect())
}

/// maprace's primitives.
pub struct Maprace;

impl Rt for Maprace {
    type Int = maprace_harness::sync::AtomicI64;
    type Lock = maprace_harness::sync::Mutex<()>;
    type Handle = maprace_harness::JoinHandle<()>;
    fn int(v: i64) -> Self::Int {
        maprace_harness::sync::AtomicI64::new(v)
    }
    fn get(x: &Self::Int) -> i64 {
        x.load(SEQ)
    }
    fn set(x: &Self::Int, v: i64) {
        x.store(v, SEQ)
    }
    fn add(x: &Self::Int, v: i64) -> i64 {
        x.fetch_add(v, SEQ)
    }
    fn cas(x: &Self::Int, old: i64, new: i64) -> bool {
        x.compare_exchange(old, new, SEQ, SEQ).is_ok()
    }
    fn lock() -> Self::Lock {
        maprace_harness::sync::Mutex::new(())
    }
    fn with<T>(l: &Self::Lock, f: impl FnOnce() -> T) -> T {
        let _g = l.lock();
        f()
    }
    fn spawn(f: impl FnOnce() + Send + 'static) -> Self::Handle {
        maprace_harness::spawn(f)
    }
    fn join(h: Self::Handle) {
        h.join()
    }
    fn yield_now() {
        maprace_harness::yield_now()
    }
}

/// Bare shuttle's primitives.
pub struct Shuttle;

const SEQ: std::sync::atomic::Ordering = std::sync::atomic::Ordering::SeqCst;

impl Rt for Shuttle {
    type Int = shuttle::sync::atomic::AtomicI64;
    type Lock = shuttle::sync::Mutex<()>;
    type Handle = shuttle::thread::JoinHandle<()>;
    fn int(v: i64) -> Self::Int {
        shuttle::sync::atomic::AtomicI64::new(v)
    }
    fn get(x: &Self::Int) -> i64 {
        x.load(SEQ)
    }
    fn set(x: &Self::Int, v: i64) {
        x.store(v, SEQ)
    }
    fn add(x: &Self::Int, v: i64) -> i64 {
        x.fetch_add(v, SEQ)
    }
    fn cas(x: &Self::Int, old: i64, new: i64) -> bool {
        x.compare_exchange(old, new, SEQ, SEQ).is_ok()
    }
    fn lock() -> Self::Lock {
        shuttle::sync::Mutex::new(())
    }
    fn with<T>(l: &Self::Lock, f: impl FnOnce() -> T) -> T {
        let _g = l.lock().unwrap();
        f()
    }
    fn spawn(f: impl FnOnce() + Send + 'static) -> Self::Handle {
        shuttle::thread::spawn(f)
    }
    fn join(h: Self::Handle) {
        h.join().unwrap()
    }
    fn yield_now() {
        shuttle::thread::yield_now()
    }
}
