//! What the key type decides about Go's compiled map code: which `mapassign` variant stores a
//! new key (and so in which order), and the string header a torn key leaves behind.

use std::any::{Any, TypeId};

/// The order in which `mapassign` stores a new cell, by the variant the compiler picks for
/// the key type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InsertOrder {
    /// Generic `mapassign` (map.go 671-681): `typedmemmove` of the key, then `*inserti = top`.
    KeyThenTophash,
    /// `mapassign_fast32`/`fast64` (map_fast32.go 163-171, map_fast64.go 163-171): the
    /// tophash, then the key in one store.
    TophashThenKey,
    /// `mapassign_faststr` (map_faststr.go 283-289): the tophash, then the string header,
    /// which the compiled code stores as the length and then the data pointer.
    TophashLenPointer,
}

impl InsertOrder {
    /// The variant for key type `K`.
    pub(crate) fn of<K: 'static>() -> Self {
        let k = TypeId::of::<K>();
        if k == TypeId::of::<String>() || k == TypeId::of::<&'static str>() {
            return InsertOrder::TophashLenPointer;
        }
        let fast = [
            TypeId::of::<u32>(),
            TypeId::of::<u64>(),
            TypeId::of::<i32>(),
            TypeId::of::<i64>(),
            TypeId::of::<usize>(),
            TypeId::of::<isize>(),
        ];
        if fast.contains(&k) {
            InsertOrder::TophashThenKey
        } else {
            InsertOrder::KeyThenTophash
        }
    }
}

/// The length of a string key (`String` or `&'static str`), `None` for other key types.
pub(crate) fn str_len<K: 'static>(key: &K) -> Option<usize> {
    let any = key as &dyn Any;
    if let Some(s) = any.downcast_ref::<String>() {
        return Some(s.len());
    }
    any.downcast_ref::<&'static str>().map(|s| s.len())
}
