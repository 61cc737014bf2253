//! A striped map with a size counter: every method is safe, the map never corrupts, and yet
//! it is not linearizable. Shared by `tests/lincheck.rs` and maprace's `benches/lincheck.rs`
//! (each uses part of it).
#![allow(dead_code)]

use maprace::harness::sync::{AtomicU64, Mutex, Ordering};
use maprace::harness::{preempt_with, Op, Point};
use maprace::maps::SharedMap;
use std::collections::BTreeMap;

/// Where the subtle bug lives: the entry is in its stripe, the stripe is unlocked, and the
/// size counter does not know yet.
const UNCOUNTED: Point = Point::new(Op::User("counted map"), "stripe unlocked, not counted yet");

/// A map of two stripes, each behind its own lock, with an atomic size counter so that `len()`
/// is O(1) and takes no lock.
///
/// With `count_inside: false` (the bug) the counter is updated after the stripe's lock is
/// released: a goroutine can `get(k)` a fresh entry and then read a `len()` that does not
/// count it yet, an order no sequential map allows. With `count_inside: true` the counter
/// changes inside the same critical section as the entry, and the map is linearizable.
pub struct CountedMap {
    stripes: [Mutex<BTreeMap<u32, u64>>; 2],
    count: AtomicU64,
    count_inside: bool,
}

impl CountedMap {
    /// The map with the bug.
    pub fn new() -> Self {
        Self::with_fix(false)
    }

    /// The map with the counter updated inside the stripe's critical section.
    pub fn fixed() -> Self {
        Self::with_fix(true)
    }

    fn with_fix(count_inside: bool) -> Self {
        CountedMap {
            stripes: [Mutex::new(BTreeMap::new()), Mutex::new(BTreeMap::new())],
            count: AtomicU64::new(0),
            count_inside,
        }
    }

    fn stripe(&self, key: &u32) -> &Mutex<BTreeMap<u32, u64>> {
        &self.stripes[(*key % 2) as usize]
    }

    /// Applies `change` (+1, -1 or 0) to the counter, inside or after the critical section
    /// whose guard is `guard`.
    fn count<G>(&self, guard: G, key: u32, change: i64) {
        if self.count_inside {
            self.add(change);
            drop(guard);
        } else {
            drop(guard);
            preempt_with(UNCOUNTED, |n| {
                n.detail_pair("k", key);
            });
            self.add(change);
        }
    }

    fn add(&self, change: i64) {
        match change {
            1 => {
                self.count.fetch_add(1, Ordering::SeqCst);
            }
            -1 => {
                self.count.fetch_sub(1, Ordering::SeqCst);
            }
            _ => {}
        }
    }
}

impl SharedMap<u32, u64> for CountedMap {
    fn assign(&self, key: u32, value: u64) {
        let mut stripe = self.stripe(&key).lock();
        let new = stripe.insert(key, value).is_none();
        self.count(stripe, key, i64::from(new));
    }
    fn delete(&self, key: &u32) {
        let mut stripe = self.stripe(key).lock();
        let removed = stripe.remove(key).is_some();
        self.count(stripe, *key, -i64::from(removed));
    }
    fn get(&self, key: &u32) -> Option<u64> {
        self.stripe(key).lock().get(key).copied()
    }
    fn len(&self) -> usize {
        self.count.load(Ordering::SeqCst) as usize
    }
    fn range(&self, f: &mut dyn FnMut(&u32, &u64) -> bool) {
        // Stripe by stripe, like sync.Map's Range: not a snapshot (the lincheck spec of this
        // map leaves range out).
        for stripe in &self.stripes {
            let entries: Vec<(u32, u64)> = stripe.lock().iter().map(|(k, v)| (*k, *v)).collect();
            for (k, v) in entries {
                if !f(&k, &v) {
                    return;
                }
            }
        }
    }
    fn update(&self, key: u32, f: &mut dyn FnMut(Option<&u64>) -> u64) {
        let mut stripe = self.stripe(&key).lock();
        let old = stripe.get(&key).copied();
        stripe.insert(key, f(old.as_ref()));
        self.count(stripe, key, i64::from(old.is_none()));
    }
}
