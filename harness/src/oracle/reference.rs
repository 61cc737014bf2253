//! The detector FastTrack refines, with a full vector clock for the writes and for the reads of
//! every data object (DJIT+, Pozniansky & Schuster, PPoPP 2003): slower, obviously right, and
//! what the property tests compare FastTrack's verdicts against.

use super::hb::HappensBefore;
use super::vclock::VectorClock;
use crate::access::{ObjectId, StepAccess};
use std::collections::BTreeMap;

/// The log index of the first access that races with an earlier one, if any.
pub(crate) fn first_race(log: &[StepAccess], internal: &[ObjectId]) -> Option<usize> {
    let mut hb = HappensBefore::default();
    hb.reset(internal);
    let mut writes: BTreeMap<ObjectId, VectorClock> = BTreeMap::new();
    let mut reads: BTreeMap<ObjectId, VectorClock> = BTreeMap::new();
    for (at, a) in log.iter().enumerate() {
        let id = a.access.object;
        if !id.kind.is_data() {
            hb.apply(a);
            continue;
        }
        let g = a.goroutine;
        let now = hb.clock(g).clone();
        let w = writes.entry(id).or_default();
        let r = reads.entry(id).or_default();
        if !w.le(&now) || (a.access.kind.writes() && !r.le(&now)) {
            return Some(at);
        }
        if a.access.kind.writes() {
            w.set(g, now.get(g));
        } else {
            r.set(g, now.get(g));
        }
    }
    None
}
