//! Happens-before and reversible races over one finished execution, for dynamic partial-order
//! reduction.
//!
//! An execution is a sequence of *events*: the step a goroutine ran after one scheduling
//! decision, with its footprint (every access the step declared or performed, from the
//! object/access record). Two events are dependent when their footprints conflict
//! ([`crate::Access::conflicts`]); happens-before is the transitive closure of program order and
//! dependence, kept as vector clocks (one entry per goroutine). A *race* is a pair of dependent
//! events of different goroutines with no third event ordering them: reversing it gives an
//! execution of another Mazurkiewicz trace. For each race `e ≲ e'`, source-DPOR (Abdulla,
//! Aronis, Jonsson, Sagonas, "Optimal dynamic partial order reduction", POPL 2014, Algorithm 1)
//! needs one of the *initials* of `v = notdep(e).e'` explored at the state before `e`; this
//! module computes the races and those initials, and the search ([`super::dpor`]) decides.

use crate::access::{Access, ObjectId};
use std::collections::BTreeMap;

/// What one step touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Footprint {
    /// Exactly these accesses (empty: nothing shared).
    Known(Vec<Access>),
    /// Not known (the goroutine was paused at a point that declared nothing): dependent with
    /// every other step, the sound fallback.
    Unknown,
}

impl Footprint {
    /// Whether the two steps are dependent.
    pub fn conflicts(&self, other: &Footprint) -> bool {
        match (self, other) {
            (Footprint::Known(a), Footprint::Known(b)) => {
                a.iter().any(|x| b.iter().any(|y| x.conflicts(y)))
            }
            _ => true,
        }
    }
}

/// One event: the goroutine that ran the step, and what the step touched.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    /// The goroutine number.
    pub thread: usize,
    /// The step's footprint.
    pub footprint: Footprint,
}

/// A reversible race `earlier ≲ later` of one execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Race {
    /// The earlier event's index (the state before it is where the race is reversed).
    pub earlier: usize,
    /// The later event's index (indices past the executed events name their `next` events).
    pub later: usize,
    /// The goroutines that can start `notdep(earlier).later`, in order of first appearance.
    pub initials: Vec<usize>,
}

/// A vector clock: for each goroutine, how many of its events happen before (or are) the event.
type Clock = Vec<u32>;

fn join(into: &mut Clock, other: &Clock) {
    if into.len() < other.len() {
        into.resize(other.len(), 0);
    }
    for (a, b) in into.iter_mut().zip(other) {
        *a = (*a).max(*b);
    }
}

/// Where the exclusive and shared accesses of one object stand.
#[derive(Default)]
struct ObjectState {
    /// The last event with an exclusive access to the object.
    exclusive: Option<usize>,
    /// The events with a shared access since then.
    shared: Vec<usize>,
}

/// The races of an execution: `events` ran in order; `next` are the steps goroutines would
/// run next at its end (their declared accesses), which race with executed events but are not
/// themselves executed.
pub(crate) fn races(events: &[Event], next: &[Event]) -> Vec<Race> {
    analyse(events, next, false)
}

/// Every pair `j < i` of dependent events of different goroutines where `j` does not happen
/// before the goroutine of `i` when it takes step `i`: Flanagan and Godefroid's condition for a
/// backtrack point (POPL 2005), a superset of the reversible races, which bounded POR needs
/// (Coons et al. build on it). No initials are computed.
pub(crate) fn dependent_pairs(events: &[Event], next: &[Event]) -> Vec<Race> {
    analyse(events, next, true)
}

fn analyse(events: &[Event], next: &[Event], every_pair: bool) -> Vec<Race> {
    let threads = events
        .iter()
        .chain(next)
        .map(|e| e.thread + 1)
        .max()
        .unwrap_or(0);
    let total = events.len() + next.len();
    let mut clocks: Vec<Clock> = Vec::with_capacity(total);
    let mut local: Vec<u32> = Vec::with_capacity(total);
    let mut last_of: Vec<Option<usize>> = vec![None; threads];
    let mut counts: Vec<u32> = vec![0; threads];
    let mut objects: BTreeMap<ObjectId, ObjectState> = BTreeMap::new();
    let mut last_unknown: Option<usize> = None;
    let mut since_unknown: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (i, event) in events.iter().chain(next).enumerate() {
        let executed = i < events.len();
        let p = event.thread;
        // The frontier of earlier events this one directly depends on: every other dependent
        // event happens before one of them (exclusive accesses of an object are totally ordered,
        // shared ones follow the last exclusive, and an unknown step follows everything).
        let mut frontier: Vec<usize> = last_unknown.into_iter().collect();
        match &event.footprint {
            Footprint::Unknown => frontier.extend(&since_unknown),
            Footprint::Known(accesses) => {
                for a in accesses {
                    if let Some(state) = objects.get(&a.object) {
                        frontier.extend(state.exclusive);
                        if !a.kind.is_shared() {
                            frontier.extend(&state.shared);
                        }
                    }
                }
            }
        }
        frontier.sort_unstable();
        frontier.dedup();
        let base: Clock = last_of[p].map_or_else(|| vec![0; threads], |e| clocks[e].clone());
        let mut clock = base.clone();
        for &j in &frontier {
            join(&mut clock, &clocks[j]);
        }
        let me = counts[p] + 1;
        clock[p] = me;
        if every_pair {
            for (j, earlier) in events[..i.min(events.len())].iter().enumerate() {
                if earlier.thread != p
                    && base[earlier.thread] < local[j]
                    && earlier.footprint.conflicts(&event.footprint)
                {
                    out.push((j, i));
                }
            }
        }
        if !every_pair {
            // `j` races with `i` unless it happens before `i` through `i`'s own goroutine or
            // another frontier event: joins of the frontier's prefixes and suffixes give each
            // "everything but j" in one pass.
            let n = frontier.len();
            let mut suffix: Vec<Clock> = vec![base.clone(); n + 1];
            for x in (0..n).rev() {
                let mut c = suffix[x + 1].clone();
                join(&mut c, &clocks[frontier[x]]);
                suffix[x] = c;
            }
            let mut prefix = base.clone();
            for (x, &j) in frontier.iter().enumerate() {
                let t = events[j].thread;
                if t != p && prefix[t].max(suffix[x + 1][t]) < local[j] {
                    out.push((j, i));
                }
                join(&mut prefix, &clocks[j]);
            }
        }
        clocks.push(clock);
        local.push(me);
        if executed {
            counts[p] = me;
            last_of[p] = Some(i);
            record(
                &mut objects,
                &mut last_unknown,
                &mut since_unknown,
                i,
                event,
            );
        }
    }
    out.into_iter()
        .map(|(earlier, later)| Race {
            earlier,
            later,
            initials: if every_pair {
                Vec::new()
            } else {
                initials(events, next, &clocks, &local, earlier, later)
            },
        })
        .collect()
}

/// Notes event `i` as the latest access of everything it touched.
fn record(
    objects: &mut BTreeMap<ObjectId, ObjectState>,
    last_unknown: &mut Option<usize>,
    since_unknown: &mut Vec<usize>,
    i: usize,
    event: &Event,
) {
    match &event.footprint {
        Footprint::Unknown => {
            *last_unknown = Some(i);
            since_unknown.clear();
        }
        Footprint::Known(accesses) => {
            since_unknown.push(i);
            for a in accesses.iter().filter(|a| a.kind.is_shared()) {
                let state = objects.entry(a.object).or_default();
                if state.shared.last() != Some(&i) {
                    state.shared.push(i);
                }
            }
            for a in accesses.iter().filter(|a| !a.kind.is_shared()) {
                let state = objects.entry(a.object).or_default();
                state.exclusive = Some(i);
                state.shared.clear();
            }
        }
    }
}

/// The initials of `v = notdep(e).e'`: the events after `e` that do not depend on it, then
/// `e'`; a goroutine is an initial when its first event in `v` has no predecessor in `v`.
fn initials(
    events: &[Event],
    next: &[Event],
    clocks: &[Clock],
    local: &[u32],
    e: usize,
    later: usize,
) -> Vec<usize> {
    let thread_of = |k: usize| {
        if k < events.len() {
            events[k].thread
        } else {
            next[k - events.len()].thread
        }
    };
    let te = events[e].thread;
    let independent = |k: usize| clocks[k].get(te).copied().unwrap_or(0) < local[e];
    // The first event of each goroutine within v, by local index.
    let mut first: BTreeMap<usize, u32> = BTreeMap::new();
    let mut out = Vec::new();
    let in_v = (e + 1..later.min(events.len()))
        .filter(|&k| independent(k))
        .chain(std::iter::once(later));
    for k in in_v {
        let q = thread_of(k);
        if first.contains_key(&q) {
            continue;
        }
        let clock = &clocks[k];
        let preceded = first
            .iter()
            .any(|(&t, &l)| clock.get(t).copied().unwrap_or(0) >= l);
        if !preceded {
            out.push(q);
        }
        first.insert(q, local[k]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{AccessKind, ObjectKind};

    fn ev(thread: usize, accesses: &[(u32, AccessKind)]) -> Event {
        Event {
            thread,
            footprint: Footprint::Known(
                accesses
                    .iter()
                    .map(|&(index, kind)| Access {
                        object: ObjectId {
                            kind: ObjectKind::Cell,
                            index,
                        },
                        kind,
                    })
                    .collect(),
            ),
        }
    }

    use AccessKind::{Read, Write};

    #[test]
    fn independent_writers_do_not_race() {
        let e = [ev(0, &[(0, Write)]), ev(1, &[(1, Write)])];
        assert!(races(&e, &[]).is_empty());
    }

    #[test]
    fn two_writers_race_once() {
        let e = [ev(0, &[(0, Write)]), ev(1, &[(0, Write)])];
        let r = races(&e, &[]);
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].earlier, r[0].later, r[0].initials.clone()),
            (0, 1, vec![1])
        );
    }

    #[test]
    fn a_race_ordered_through_a_third_event_is_not_reversible_directly() {
        // w0 by g0, then w by g1, then w by g2: g0's write is ordered before g2's by g1's.
        let e = [
            ev(0, &[(0, Write)]),
            ev(1, &[(0, Write)]),
            ev(2, &[(0, Write)]),
        ];
        let pairs: Vec<(usize, usize)> = races(&e, &[])
            .iter()
            .map(|r| (r.earlier, r.later))
            .collect();
        assert_eq!(pairs, vec![(0, 1), (1, 2)]);
    }

    #[test]
    fn readers_race_with_the_writer_but_not_each_other() {
        let e = [
            ev(1, &[(0, Read)]),
            ev(2, &[(0, Read)]),
            ev(0, &[(0, Write)]),
        ];
        let pairs: Vec<(usize, usize)> = races(&e, &[])
            .iter()
            .map(|r| (r.earlier, r.later))
            .collect();
        assert_eq!(pairs, vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn initials_skip_goroutines_whose_first_event_depends_on_another() {
        // g0 writes x; g1 writes y then g2 reads y and x: race (0, 3) has v = [g1: y, g2: y x]
        // and only g1 starts it.
        let e = [
            ev(0, &[(0, Write)]),
            ev(1, &[(1, Write)]),
            ev(2, &[(1, Read), (0, Read)]),
        ];
        let r = races(&e, &[]);
        let race = r
            .iter()
            .find(|r| r.earlier == 0 && r.later == 2)
            .expect("race");
        assert_eq!(race.initials, vec![1]);
    }

    #[test]
    fn unknown_steps_depend_on_everything_and_next_events_race() {
        let e = [
            ev(0, &[(0, Write)]),
            Event {
                thread: 1,
                footprint: Footprint::Unknown,
            },
        ];
        assert_eq!(races(&e, &[]).len(), 1);
        let r = races(&[ev(0, &[(0, Write)])], &[ev(1, &[(0, Read)])]);
        assert_eq!((r[0].earlier, r[0].later), (0, 1));
    }
}
