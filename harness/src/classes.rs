//! The tally of an exploration's executions by [`Class`]: how many fell in each, and the first
//! of each, so that every class that occurred comes with a token.

use crate::failure::Class;
use crate::token::Token;
use std::collections::BTreeMap;

/// How many executions of an exploration fell in one class, and the first of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassCount {
    /// The class.
    pub class: Class,
    /// How many executions fell in it.
    pub count: u64,
    /// Index (0-based) of the first of them.
    pub execution: u64,
    /// The schedule token that replays the first of them.
    pub token: Token,
}

/// The first execution of a class, before its token is completed by a replay.
pub(crate) struct FirstOf {
    pub count: u64,
    pub execution: u64,
    pub seed: u64,
    pub steps: Vec<u32>,
}

/// Counts executions per class as they finish.
#[derive(Default)]
pub(crate) struct Tally(pub BTreeMap<Class, FirstOf>);

impl Tally {
    /// Counts execution `execution` (run from `seed`, taking `steps`) in `class`.
    pub fn note(&mut self, class: Class, execution: u64, seed: u64, steps: &[u32]) {
        self.0
            .entry(class)
            .and_modify(|f| f.count += 1)
            .or_insert_with(|| FirstOf {
                count: 1,
                execution,
                seed,
                steps: steps.to_vec(),
            });
    }
}

/// The count of `class` in `classes` (0 when it did not occur).
pub fn count_of(classes: &[ClassCount], class: Class) -> u64 {
    classes
        .iter()
        .find(|c| c.class == class)
        .map_or(0, |c| c.count)
}
