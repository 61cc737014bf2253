//! `std::sync::atomic`, std-shaped: every std atomic type (`AtomicPtr` included) with its method
//! set and `const fn new`, `Ordering` and `fence`.
//!
//! Outside an execution an atomic is std's. Inside one, its first access makes the execution's
//! twin (the harness's atomic: shuttle's or loom's, every access a labelled scheduling point)
//! holding the value the atomic has outside; the execution works on the twin, and the next
//! execution starts again from the value outside. So a `static` atomic starts every execution
//! from its initial value (unless code outside explorations changed it).
//!
//! ```
//! use maprace_harness::std_shaped::sync::atomic::{AtomicUsize, Ordering};
//! static NEXT_ID: AtomicUsize = AtomicUsize::new(1);
//! assert_eq!(NEXT_ID.fetch_add(1, Ordering::Relaxed), 1);
//! ```

use crate::std_shaped::bind::Bind;
use crate::std_shaped::simulated;
use std::fmt;

mod ptr;
pub use ptr::AtomicPtr;

pub use std::sync::atomic::Ordering;

/// A memory fence (see [`crate::sync::fence`]: a no-op under shuttle, loom's under loom, std's
/// outside an execution).
pub fn fence(order: Ordering) {
    crate::atomic::fence(order);
}

/// The methods every atomic has, over a twin of type `$twin` (the harness's atomic).
macro_rules! atomic_common {
    ($name:ident, $t:ty, $twin:ty) => {
        impl $name {
            /// A new atomic holding `v` (usable in a `static`).
            pub const fn new(v: $t) -> Self {
                $name {
                    bind: Bind::new(),
                    home: std::sync::atomic::$name::new(v),
                }
            }

            /// This execution's twin, made from the value outside.
            #[inline]
            fn twin(&self) -> Option<&$twin> {
                if simulated() {
                    Some(
                        self.bind
                            .twin(|| <$twin>::new(self.home.load(Ordering::Relaxed))),
                    )
                } else {
                    None
                }
            }

            /// Loads the value.
            pub fn load(&self, order: Ordering) -> $t {
                match self.twin() {
                    Some(a) => a.load(order),
                    None => self.home.load(order),
                }
            }

            /// Stores `v`.
            pub fn store(&self, v: $t, order: Ordering) {
                match self.twin() {
                    Some(a) => a.store(v, order),
                    None => self.home.store(v, order),
                }
            }

            /// Stores `v`, returning the previous value.
            pub fn swap(&self, v: $t, order: Ordering) -> $t {
                match self.twin() {
                    Some(a) => a.swap(v, order),
                    None => self.home.swap(v, order),
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
                match self.twin() {
                    Some(a) => a.compare_exchange(current, new, success, failure),
                    None => self.home.compare_exchange(current, new, success, failure),
                }
            }

            /// [`Self::compare_exchange`], allowed to fail spuriously (inside an execution it
            /// never does: failures are explored through schedules instead).
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                match self.twin() {
                    Some(a) => a.compare_exchange_weak(current, new, success, failure),
                    None => self
                        .home
                        .compare_exchange_weak(current, new, success, failure),
                }
            }

            /// Applies `f` until its compare-exchange succeeds (std's loop: a load, then a
            /// compare-exchange per attempt, each a scheduling point inside an execution).
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: F,
            ) -> Result<$t, $t>
            where
                F: FnMut($t) -> Option<$t>,
            {
                match self.twin() {
                    Some(a) => a.fetch_update(set_order, fetch_order, f),
                    None => self.home.fetch_update(set_order, fetch_order, f),
                }
            }

            /// The value, through exclusive access (no scheduling point). Inside an execution
            /// the twin's value comes home first, and the next access makes a new twin from it.
            pub fn get_mut(&mut self) -> &mut $t {
                if simulated() {
                    if let Some(a) = self.bind.existing_mut::<$twin>() {
                        let v = a.value_mut();
                        *self.home.get_mut() = v;
                        self.bind.unbind();
                    }
                }
                self.home.get_mut()
            }

            /// Consumes the atomic, returning the value.
            pub fn into_inner(mut self) -> $t {
                *self.get_mut()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
            }
        }
    };
}

/// A read-modify-write method, forwarded to the twin or to std.
macro_rules! rmw {
    ($(#[$doc:meta])* $method:ident, $t:ty) => {
        $(#[$doc])*
        pub fn $method(&self, v: $t, order: Ordering) -> $t {
            match self.twin() {
                Some(a) => a.$method(v, order),
                None => self.home.$method(v, order),
            }
        }
    };
}

macro_rules! atomic_int {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        pub struct $name {
            bind: Bind,
            home: std::sync::atomic::$name,
        }

        atomic_common!($name, $t, crate::atomic::$name);

        impl $name {
            rmw!(/// Adds (wrapping), returning the previous value.
                fetch_add, $t);
            rmw!(/// Subtracts (wrapping), returning the previous value.
                fetch_sub, $t);
            rmw!(/// Bitwise and, returning the previous value.
                fetch_and, $t);
            rmw!(/// Bitwise nand, returning the previous value.
                fetch_nand, $t);
            rmw!(/// Bitwise or, returning the previous value.
                fetch_or, $t);
            rmw!(/// Bitwise xor, returning the previous value.
                fetch_xor, $t);
            rmw!(/// Maximum, returning the previous value.
                fetch_max, $t);
            rmw!(/// Minimum, returning the previous value.
                fetch_min, $t);
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

/// An atomic `bool` (see the module docs).
pub struct AtomicBool {
    bind: Bind,
    home: std::sync::atomic::AtomicBool,
}

atomic_common!(AtomicBool, bool, crate::atomic::AtomicBool);

impl AtomicBool {
    rmw!(/// Logical and, returning the previous value.
        fetch_and, bool);
    rmw!(/// Logical nand, returning the previous value.
        fetch_nand, bool);
    rmw!(/// Logical or, returning the previous value.
        fetch_or, bool);
    rmw!(/// Logical xor, returning the previous value.
        fetch_xor, bool);

    /// Logical not, returning the previous value.
    pub fn fetch_not(&self, order: Ordering) -> bool {
        self.fetch_xor(true, order)
    }
}

impl Default for AtomicBool {
    fn default() -> Self {
        AtomicBool::new(false)
    }
}

impl From<bool> for AtomicBool {
    fn from(v: bool) -> Self {
        AtomicBool::new(v)
    }
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
