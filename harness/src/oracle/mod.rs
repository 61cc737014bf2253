//! Oracles: what an execution's object/access record says beyond the failure it ended in.
//!
//! The one oracle here is a happens-before data-race detector, which answers "would
//! `go test -race` have failed this run?" for every explored schedule. It reads only the
//! access record (see [`crate::StepAccess`]): [`hb`] turns its synchronising accesses into
//! vector clocks per goroutine, and [`fasttrack`] checks every access to a data object
//! ([`crate::ObjectKind::is_data`]: maps, cells, resources) against the object's shadow
//! state, in FastTrack's epoch-based form (Flanagan & Freund, PLDI 2009). A race is two
//! accesses to one data object, at least one a write, that happens-before does not order;
//! the first one in log order is reported, with the earlier access it races with.

mod fasttrack;
mod hb;
#[cfg(test)]
mod reference;
mod report;
#[cfg(test)]
mod tests;
mod vclock;

pub use report::DataRace;

use crate::access::{ObjectId, StepAccess};
use fasttrack::Shadow;
use hb::HappensBefore;
use std::cell::RefCell;

/// The detector's state, kept between executions so that its allocations are reused.
#[derive(Default)]
struct RaceDetector {
    hb: HappensBefore,
    /// Per data object kind, by index.
    shadows: Vec<Vec<Shadow>>,
}

impl RaceDetector {
    fn first_race(&mut self, log: &[StepAccess], internal: &[ObjectId]) -> Option<DataRace> {
        self.hb.reset(internal);
        for per_kind in &mut self.shadows {
            per_kind.clear();
        }
        for (at, a) in log.iter().enumerate() {
            let id = a.access.object;
            if !id.kind.is_data() {
                self.hb.apply(a);
                continue;
            }
            let kind = id.kind as usize;
            if self.shadows.len() <= kind {
                self.shadows.resize_with(kind + 1, Vec::new);
            }
            let per_kind = &mut self.shadows[kind];
            if per_kind.len() <= id.index as usize {
                per_kind.resize_with(id.index as usize + 1, Shadow::default);
            }
            let shadow = &mut per_kind[id.index as usize];
            let now = self.hb.clock(a.goroutine);
            let at32 = at as u32;
            let raced = if a.access.kind.writes() {
                shadow.write(a.goroutine, now, at32)
            } else {
                shadow.read(a.goroutine, now, at32)
            };
            if let Some(previous) = raced {
                return Some(DataRace {
                    current: *a,
                    previous: log[previous.at as usize],
                });
            }
        }
        None
    }
}

thread_local! {
    static DETECTOR: RefCell<RaceDetector> = RefCell::new(RaceDetector::default());
}

/// The first data race in `log` (in log order of its second access), where `internal` lists
/// the objects whose accesses order nothing.
pub(crate) fn first_race(log: &[StepAccess], internal: &[ObjectId]) -> Option<DataRace> {
    DETECTOR.with(|d| d.borrow_mut().first_race(log, internal))
}
