//! Atomics for code under test, std-shaped: every std atomic type with its full method set and
//! `Ordering`. Created inside an execution, an atomic is shuttle's, each access a labelled
//! scheduling point recorded in the object/access record (load = read, store = write,
//! read-modify-write = update, a failed compare-exchange = read); created outside one, it is
//! std's, so the same structure also works in a plain `#[test]` or in production-like use. The
//! choice is made once, when the value is created: one branch per access is the whole cost.
//!
//! Shuttle runs sequentially consistent executions: under it every ordering behaves as
//! `SeqCst` (weak-memory effects need the loom engine).

use crate::access::{AccessKind, Object, ObjectKind};
use crate::note::EventNote;
use crate::point::{Op, Point};
use crate::preempt::mark_in;
use crate::record;

pub use std::sync::atomic::Ordering;

const LOAD: Point = Point::new(Op::Atomic, "load");
const STORE: Point = Point::new(Op::Atomic, "store");
const SWAP: Point = Point::new(Op::Atomic, "swap");
const COMPARE_EXCHANGE: Point = Point::new(Op::Atomic, "compare-exchange");
const FETCH_ADD: Point = Point::new(Op::Atomic, "fetch-add");
const FETCH_SUB: Point = Point::new(Op::Atomic, "fetch-sub");
const FETCH_AND: Point = Point::new(Op::Atomic, "fetch-and");
const FETCH_NAND: Point = Point::new(Op::Atomic, "fetch-nand");
const FETCH_OR: Point = Point::new(Op::Atomic, "fetch-or");
const FETCH_XOR: Point = Point::new(Op::Atomic, "fetch-xor");
const FETCH_MAX: Point = Point::new(Op::Atomic, "fetch-max");
const FETCH_MIN: Point = Point::new(Op::Atomic, "fetch-min");

/// Marks `point` and declares the access before shuttle's scheduling point; after the
/// operation, records what it did (`after` maps its result to the access performed).
#[inline]
fn traced<R>(
    point: Point,
    object: &Object,
    kind: AccessKind,
    note: impl FnOnce(&mut EventNote),
    op: impl FnOnce() -> R,
    after: impl FnOnce(&R) -> AccessKind,
) -> R {
    let touch = record::with(|r| {
        if mark_in(r, point, note) {
            r.declare(object, kind);
        }
        LoomTouch::of(r, object, kind)
    });
    touch.run();
    let result = op();
    let done = after(&result);
    record::with(|r| {
        if r.active {
            r.perform(object, done);
        }
    });
    result
}

/// Under loom, the conflict cell an atomic load touches first (see
/// `loom_engine::rt::touch_before_load`: loom's DPOR would miss some reorderings of loads).
/// Nothing under shuttle, nor without the `loom` feature.
struct LoomTouch(#[cfg(feature = "loom")] Option<crate::access::ObjectId>);

impl LoomTouch {
    #[inline]
    #[cfg_attr(not(feature = "loom"), allow(unused_variables))]
    fn of(r: &mut record::Record, object: &Object, kind: AccessKind) -> Self {
        #[cfg(feature = "loom")]
        return LoomTouch(
            (kind == AccessKind::Read && crate::loom_engine::rt::active(r))
                .then(|| object.id_in(r)),
        );
        #[cfg(not(feature = "loom"))]
        LoomTouch()
    }

    #[inline]
    fn run(self) {
        #[cfg(feature = "loom")]
        if let Some(id) = self.0 {
            crate::loom_engine::rt::touch_before_load(id);
        }
    }
}

/// The backend an atomic was created with.
#[derive(Debug)]
enum Backend<S, T> {
    Sim(S),
    Std(T),
}

/// The engine a simulated atomic belongs to: shuttle's atomic or loom's (whose `Ordering`
/// matters: loom's C11 model lets `Relaxed` and `Acquire` loads see stale values).
#[derive(Debug)]
enum Sim<S, L> {
    Shuttle(S),
    #[cfg_attr(not(feature = "loom"), allow(dead_code))]
    Loom(L),
}

/// loom's version of atomic type `$name` (uninhabited without the `loom` feature).
#[cfg(feature = "loom")]
macro_rules! loom_atomic {
    ($name:ident) => {
        loom::sync::atomic::$name
    };
}
#[cfg(not(feature = "loom"))]
macro_rules! loom_atomic {
    ($name:ident) => {
        std::convert::Infallible
    };
}

/// Calls a method on a simulated atomic of either engine, `$order` being the access's ordering
/// (a loom call is a loom operation: its step is counted and the running goroutine re-read
/// after it; see `loom_engine::rt::seq_cst` for what `SeqCst` costs there).
macro_rules! sim {
    ($a:expr, $order:expr; $method:ident($($arg:expr),*)) => {
        match $a {
            Sim::Shuttle(x) => x.$method($($arg),*),
            #[cfg(feature = "loom")]
            Sim::Loom(x) => crate::loom_engine::rt::op(|| {
                crate::loom_engine::rt::seq_cst($order, || x.$method($($arg),*))
            }),
            #[cfg(not(feature = "loom"))]
            Sim::Loom(x) => match *x {},
        }
    };
}

/// A new simulated atomic of the running execution's engine.
macro_rules! sim_new {
    ($name:ident, $v:expr) => {{
        #[cfg(feature = "loom")]
        if record::with(|r| r.loom) {
            Sim::Loom(loom::sync::atomic::$name::new($v))
        } else {
            Sim::Shuttle(shuttle::sync::atomic::$name::new($v))
        }
        #[cfg(not(feature = "loom"))]
        Sim::Shuttle(shuttle::sync::atomic::$name::new($v))
    }};
}

macro_rules! atomic_common {
    ($name:ident, $t:ty) => {
        impl $name {
            /// A new atomic holding `v`: shuttle's inside an execution, std's outside.
            pub fn new(v: $t) -> Self {
                let inner = if record::in_execution() {
                    Backend::Sim(sim_new!($name, v))
                } else {
                    Backend::Std(std::sync::atomic::$name::new(v))
                };
                $name {
                    object: Object::new(ObjectKind::Atomic),
                    inner,
                }
            }

            /// A new atomic whose accesses order nothing for the race detector, for a runtime
            /// that records the edges of the object it builds on it (see
            /// [`crate::sync::Mutex::internal`]).
            pub fn internal(v: $t) -> Self {
                let mut a = Self::new(v);
                a.object = Object::internal(ObjectKind::Atomic);
                a
            }

            /// Loads the value.
            pub fn load(&self, order: Ordering) -> $t {
                match &self.inner {
                    Backend::Sim(a) => traced(
                        LOAD,
                        &self.object,
                        AccessKind::Read,
                        |_| {},
                        || sim!(a, order; load(order)),
                        |_| AccessKind::Read,
                    ),
                    Backend::Std(a) => a.load(order),
                }
            }

            /// Stores `v`.
            pub fn store(&self, v: $t, order: Ordering) {
                match &self.inner {
                    Backend::Sim(a) => traced(
                        STORE,
                        &self.object,
                        AccessKind::Write,
                        |n| {
                            n.detail(v);
                        },
                        || sim!(a, order; store(v, order)),
                        |_| AccessKind::Write,
                    ),
                    Backend::Std(a) => a.store(v, order),
                }
            }

            /// Stores `v`, returning the previous value.
            pub fn swap(&self, v: $t, order: Ordering) -> $t {
                match &self.inner {
                    Backend::Sim(a) => traced(
                        SWAP,
                        &self.object,
                        AccessKind::Update,
                        |n| {
                            n.detail(v);
                        },
                        || sim!(a, order; swap(v, order)),
                        |_| AccessKind::Update,
                    ),
                    Backend::Std(a) => a.swap(v, order),
                }
            }

            /// Stores `new` if the value is `current`; the previous value either way.
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                match &self.inner {
                    Backend::Sim(a) => traced(
                        COMPARE_EXCHANGE,
                        &self.object,
                        AccessKind::Update,
                        |n| {
                            n.detail(format!("{current}->{new}"));
                        },
                        || sim!(a, success; compare_exchange(current, new, success, failure)),
                        // A failed compare-exchange only reads.
                        |r| {
                            if r.is_ok() {
                                AccessKind::Update
                            } else {
                                AccessKind::Read
                            }
                        },
                    ),
                    Backend::Std(a) => a.compare_exchange(current, new, success, failure),
                }
            }

            /// [`Self::compare_exchange`], allowed to fail spuriously (under shuttle it never
            /// does: failures are explored through schedules instead).
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                match &self.inner {
                    Backend::Sim(_) => self.compare_exchange(current, new, success, failure),
                    Backend::Std(a) => a.compare_exchange_weak(current, new, success, failure),
                }
            }

            /// Applies `f` until its compare-exchange succeeds (std's loop: a load, then a
            /// compare-exchange per attempt, each a scheduling point).
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                mut f: F,
            ) -> Result<$t, $t>
            where
                F: FnMut($t) -> Option<$t>,
            {
                let mut prev = self.load(fetch_order);
                while let Some(next) = f(prev) {
                    match self.compare_exchange_weak(prev, next, set_order, fetch_order) {
                        Ok(x) => return Ok(x),
                        Err(now) => prev = now,
                    }
                }
                Err(prev)
            }

            /// The value, through exclusive access (no scheduling point).
            pub fn get_mut(&mut self) -> &mut $t {
                match &mut self.inner {
                    Backend::Sim(Sim::Shuttle(a)) => a.get_mut(),
                    Backend::Sim(Sim::Loom(_)) => panic!(
                        "maprace: get_mut on an atomic under loom (loom has no get_mut): use into_inner or load"
                    ),
                    Backend::Std(a) => a.get_mut(),
                }
            }

            /// The value, through exclusive access, under either engine (no scheduling point).
            pub(crate) fn value_mut(&mut self) -> $t {
                match &mut self.inner {
                    Backend::Sim(Sim::Shuttle(a)) => *a.get_mut(),
                    // SAFETY: `&mut self` excludes every concurrent access, as `unsync_load` asks.
                    #[cfg(feature = "loom")]
                    Backend::Sim(Sim::Loom(a)) => unsafe { a.unsync_load() },
                    #[cfg(not(feature = "loom"))]
                    Backend::Sim(Sim::Loom(a)) => match *a {},
                    Backend::Std(a) => *a.get_mut(),
                }
            }

            /// Consumes the atomic, returning the value.
            pub fn into_inner(self) -> $t {
                match self.inner {
                    Backend::Sim(Sim::Shuttle(a)) => a.into_inner(),
                    #[cfg(feature = "loom")]
                    Backend::Sim(Sim::Loom(a)) => a.into_inner(),
                    #[cfg(not(feature = "loom"))]
                    Backend::Sim(Sim::Loom(a)) => match a {},
                    Backend::Std(a) => a.into_inner(),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new(<$t>::default())
            }
        }

        impl From<$t> for $name {
            fn from(v: $t) -> Self {
                $name::new(v)
            }
        }
    };
}

/// A read-modify-write method forwarded to the backend.
macro_rules! rmw {
    ($(#[$doc:meta])* $method:ident, $point:ident, $t:ty) => {
        $(#[$doc])*
        pub fn $method(&self, v: $t, order: Ordering) -> $t {
            match &self.inner {
                Backend::Sim(a) => traced($point, &self.object, AccessKind::Update,
                    |n| { n.detail(v); }, || sim!(a, order; $method(v, order)), |_| AccessKind::Update),
                Backend::Std(a) => a.$method(v, order),
            }
        }
    };
}

macro_rules! atomic_int {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            object: Object,
            inner: Backend<Sim<shuttle::sync::atomic::$name, loom_atomic!($name)>, std::sync::atomic::$name>,
        }

        atomic_common!($name, $t);

        impl $name {
            rmw!(/// Adds (wrapping), returning the previous value.
                fetch_add, FETCH_ADD, $t);
            rmw!(/// Subtracts (wrapping), returning the previous value.
                fetch_sub, FETCH_SUB, $t);
            rmw!(/// Bitwise and, returning the previous value.
                fetch_and, FETCH_AND, $t);
            rmw!(/// Bitwise nand, returning the previous value.
                fetch_nand, FETCH_NAND, $t);
            rmw!(/// Bitwise or, returning the previous value.
                fetch_or, FETCH_OR, $t);
            rmw!(/// Bitwise xor, returning the previous value.
                fetch_xor, FETCH_XOR, $t);
            rmw!(/// Maximum, returning the previous value.
                fetch_max, FETCH_MAX, $t);
            rmw!(/// Minimum, returning the previous value.
                fetch_min, FETCH_MIN, $t);
        }
    };
}

/// An atomic `bool` (see the module docs for its two backends).
#[derive(Debug)]
pub struct AtomicBool {
    object: Object,
    inner: Backend<
        Sim<shuttle::sync::atomic::AtomicBool, loom_atomic!(AtomicBool)>,
        std::sync::atomic::AtomicBool,
    >,
}

atomic_common!(AtomicBool, bool);

impl AtomicBool {
    rmw!(/// Logical and, returning the previous value.
        fetch_and, FETCH_AND, bool);
    rmw!(/// Logical nand, returning the previous value.
        fetch_nand, FETCH_NAND, bool);
    rmw!(/// Logical or, returning the previous value.
        fetch_or, FETCH_OR, bool);
    rmw!(/// Logical xor, returning the previous value.
        fetch_xor, FETCH_XOR, bool);
}

atomic_int!(/// An atomic `i8`.
    AtomicI8, i8);
atomic_int!(/// An atomic `i16`.
    AtomicI16, i16);
atomic_int!(/// An atomic `i32`.
    AtomicI32, i32);
atomic_int!(/// An atomic `i64`.
    AtomicI64, i64);
atomic_int!(/// An atomic `isize`.
    AtomicIsize, isize);
atomic_int!(/// An atomic `u8`.
    AtomicU8, u8);
atomic_int!(/// An atomic `u16`.
    AtomicU16, u16);
atomic_int!(/// An atomic `u32`.
    AtomicU32, u32);
atomic_int!(/// An atomic `u64`.
    AtomicU64, u64);
atomic_int!(/// An atomic `usize`.
    AtomicUsize, usize);

/// A memory fence. Shuttle's executions are sequentially consistent, so inside one it orders
/// nothing more; under loom it is loom's fence; outside an execution it is std's.
pub fn fence(order: Ordering) {
    #[cfg(feature = "loom")]
    if record::with(|r| r.active && r.loom) {
        crate::loom_engine::rt::op(|| loom::sync::atomic::fence(order));
        return;
    }
    if !record::in_execution() {
        std::sync::atomic::fence(order);
    }
}
