//! A small key-value store spec shared by the lincheck tests: `put(k, v)` (returns the old
//! value), `get(k)` and `size()`, with a correct and a check-then-act implementation.
#![allow(dead_code)]

use maprace_harness::lincheck::proptest::prelude::*;
use maprace_harness::lincheck::{Operations, Sequential};
use maprace_harness::sync::Mutex;
use maprace_harness::{preempt, Op, Point};
use std::collections::BTreeMap;
use std::fmt;

/// An operation of the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvOp {
    /// `put(k, v)`: stores `v`, returns the old value.
    Put(u8, u8),
    /// `get(k)`
    Get(u8),
    /// `size()`: the number of keys.
    Size,
}

impl fmt::Display for KvOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvOp::Put(k, v) => write!(f, "put({k}, {v})"),
            KvOp::Get(k) => write!(f, "get({k})"),
            KvOp::Size => f.write_str("size()"),
        }
    }
}

/// What an operation returns: a value or a size.
pub type KvRet = Option<u8>;

/// The store's sequential spec, with the implementation chosen by `racy`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Kv {
    /// `put` reads under one lock and writes under another (a lost update).
    pub racy: bool,
    /// Whether `size()` is generated (it makes histories unpartitionable).
    pub with_size: bool,
}

impl Sequential for Kv {
    type Op = KvOp;
    type Ret = KvRet;
    type State = BTreeMap<u8, u8>;
    type Key = u8;

    fn init(&self) -> Self::State {
        BTreeMap::new()
    }

    fn step(&self, m: &mut Self::State, op: &KvOp) -> KvRet {
        match op {
            KvOp::Put(k, v) => m.insert(*k, *v),
            KvOp::Get(k) => m.get(k).copied(),
            KvOp::Size => Some(m.len() as u8),
        }
    }

    fn partition(&self, op: &KvOp) -> Option<u8> {
        match op {
            KvOp::Put(k, _) | KvOp::Get(k) => Some(*k),
            KvOp::Size => None,
        }
    }
}

const BETWEEN: Point = Point::new(Op::User("kv"), "between read and write");

impl Operations for Kv {
    type Imp = Mutex<BTreeMap<u8, u8>>;

    fn name(&self) -> String {
        format!("kv{}", if self.racy { "-racy" } else { "" })
    }

    fn implementation(&self) -> Self::Imp {
        Mutex::new(BTreeMap::new())
    }

    fn generate(&self) -> BoxedStrategy<KvOp> {
        let put = (0u8..2, 0u8..3).prop_map(|(k, v)| KvOp::Put(k, v));
        let get = (0u8..2).prop_map(KvOp::Get);
        if self.with_size {
            prop_oneof![put, get, Just(KvOp::Size)].boxed()
        } else {
            prop_oneof![put, get].boxed()
        }
    }

    fn apply(&self, m: &Self::Imp, op: &KvOp) -> KvRet {
        match op {
            KvOp::Put(k, v) if self.racy => {
                let old = m.lock().get(k).copied();
                preempt(BETWEEN);
                m.lock().insert(*k, *v);
                old
            }
            KvOp::Put(k, v) => m.lock().insert(*k, *v),
            KvOp::Get(k) => m.lock().get(k).copied(),
            KvOp::Size => Some(m.lock().len() as u8),
        }
    }
}
