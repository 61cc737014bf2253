//! The linearizability checker.
//!
//! A history is *linearizable* (Herlihy & Wing, *Linearizability: a correctness condition for
//! concurrent objects*, TOPLAS 1990) when its operations can be put in one sequential order
//! that respects real time (an operation that returned before another was invoked comes first)
//! and in which the sequential specification returns what every completed operation returned.
//! Pending operations (invoked, never returned) may be placed anywhere after their invocation
//! or left out.
//!
//! The search is Wing & Gong's (*Testing and verifying concurrent objects*, JPDC 1993) with
//! Lowe's memoisation (*Testing for linearizability*, CCPE 2017): depth-first, it linearizes one
//! *minimal* operation at a time (one invoked before every not-yet-linearized operation
//! returned), applies it to the model, and backtracks on a wrong result; every visited pair of
//! (set of linearized operations, model state) is remembered, so no configuration is searched
//! twice. For specifications whose operations fall into independent partitions (a map's keys),
//! each partition's sub-history is checked on its own (Horn & Kroening, *Faster linearizability
//! checking via P-compositionality*, FORTE 2015), which turns one search over the whole history
//! into several small ones.

use super::history::{History, Operation};
use super::spec::Sequential;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasherDefault;

/// Why a history is not linearizable: the deepest point the search reached, and the operation
/// no order could explain there.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation<R> {
    /// The partition (a map's key, `Debug`-formatted) whose sub-history is not linearizable, or
    /// `None` when the whole history was checked at once.
    pub partition: Option<String>,
    /// The index (in the history) of the operation whose result no order explains.
    pub operation: usize,
    /// What the specification returns for it after [`Violation::prefix`].
    pub expected: R,
    /// The longest linearization the search found (history indices, in order); the operation
    /// cannot come next, and no other order got further.
    pub prefix: Vec<usize>,
    /// The operations checked together (the partition's, or all), as history indices.
    pub operations: Vec<usize>,
}

type Memo<S> = HashSet<(Vec<u64>, S), BuildHasherDefault<DefaultHasher>>;

/// Checks `history` against `spec`: per partition when every operation has one (see
/// [`Sequential::partition`]), as a whole otherwise.
pub fn check<S: Sequential>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
) -> Result<(), Violation<S::Ret>> {
    match partitions(spec, history) {
        Some(parts) => check_parts(spec, history, parts),
        None => check_whole(spec, history),
    }
}

/// Checks `history` as one, ignoring partitions.
pub fn check_whole<S: Sequential>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
) -> Result<(), Violation<S::Ret>> {
    let all: Vec<usize> = (0..history.len()).collect();
    search(spec, history, &all, None)
}

/// Checks `history` partition by partition when every operation has one; as a whole otherwise.
pub fn check_partitioned<S: Sequential>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
) -> Result<(), Violation<S::Ret>> {
    check(spec, history)
}

/// The history's operation indices by partition, or `None` when an operation has none.
fn partitions<S: Sequential>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
) -> Option<BTreeMap<S::Key, Vec<usize>>> {
    let mut parts: BTreeMap<S::Key, Vec<usize>> = BTreeMap::new();
    for (i, o) in history.operations.iter().enumerate() {
        parts.entry(spec.partition(&o.op)?).or_default().push(i);
    }
    Some(parts)
}

fn check_parts<S: Sequential>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
    parts: BTreeMap<S::Key, Vec<usize>>,
) -> Result<(), Violation<S::Ret>> {
    for (key, ops) in parts {
        search(spec, history, &ops, Some(format!("{key:?}")))?;
    }
    Ok(())
}

/// Searches for a linearization of the operations `subset` (history indices in call order).
fn search<S: Sequential>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
    subset: &[usize],
    partition: Option<String>,
) -> Result<(), Violation<S::Ret>> {
    let ops: Vec<&Operation<S::Op, S::Ret>> =
        subset.iter().map(|&i| &history.operations[i]).collect();
    let left = ops.iter().filter(|o| o.completed()).count();
    let mut s = Search {
        spec,
        linearized: vec![0; ops.len().div_ceil(64)],
        ops,
        order: Vec::new(),
        memo: Memo::<S::State>::default(),
        deepest: None,
    };
    if s.dfs(&spec.init(), left) {
        return Ok(());
    }
    let (prefix, op, expected) = s
        .deepest
        .expect("a failed search has met an operation it could not linearize");
    Err(Violation {
        partition,
        operation: subset[op],
        expected,
        prefix: prefix.into_iter().map(|i| subset[i]).collect(),
        operations: subset.to_vec(),
    })
}

struct Search<'a, S: Sequential> {
    spec: &'a S,
    ops: Vec<&'a Operation<S::Op, S::Ret>>,
    /// Bitset of the linearized operations (indices into `ops`).
    linearized: Vec<u64>,
    order: Vec<usize>,
    memo: Memo<S::State>,
    /// The longest prefix that led nowhere, with the completed operation that could not follow
    /// it and the result the model gave for it there.
    deepest: Option<(Vec<usize>, usize, S::Ret)>,
}

impl<S: Sequential> Search<'_, S> {
    fn is_linearized(&self, i: usize) -> bool {
        self.linearized[i / 64] & (1 << (i % 64)) != 0
    }

    fn flip(&mut self, i: usize) {
        self.linearized[i / 64] ^= 1 << (i % 64);
    }

    /// Whether the operations not yet linearized can follow `order` from `state`; `left` is the
    /// number of completed ones among them.
    fn dfs(&mut self, state: &S::State, left: usize) -> bool {
        if left == 0 {
            return true;
        }
        // Only an operation invoked before every pending-in-the-search operation returned can
        // be linearized next; operations are in call order, so the candidates are a prefix.
        let horizon = (0..self.ops.len())
            .filter(|&i| !self.is_linearized(i))
            .map(|i| self.ops[i].returned())
            .min()
            .unwrap_or(u64::MAX);
        let mut stuck: Option<(usize, S::Ret)> = None;
        for i in 0..self.ops.len() {
            if self.ops[i].call > horizon {
                break;
            }
            if self.is_linearized(i) {
                continue;
            }
            let mut next = state.clone();
            let got = self.spec.step(&mut next, &self.ops[i].op);
            if let Some((_, ret)) = &self.ops[i].response {
                if *ret != got {
                    // Of the operations that cannot go next, the one that returned first is
                    // the one that forces the failure.
                    let earlier = stuck
                        .as_ref()
                        .is_none_or(|(j, _)| self.ops[i].returned() < self.ops[*j].returned());
                    if earlier {
                        stuck = Some((i, got));
                    }
                    continue;
                }
            }
            self.flip(i);
            if self.memo.insert((self.linearized.clone(), next.clone())) {
                self.order.push(i);
                let done = usize::from(self.ops[i].completed());
                if self.dfs(&next, left - done) {
                    return true;
                }
                self.order.pop();
            }
            self.flip(i);
        }
        if let Some((op, expected)) = stuck {
            let deeper = self
                .deepest
                .as_ref()
                .is_none_or(|(prefix, _, _)| self.order.len() > prefix.len());
            if deeper {
                self.deepest = Some((self.order.clone(), op, expected));
            }
        }
        false
    }
}
