//! Vector clocks and epochs, the two representations of "what a goroutine has seen" that
//! FastTrack (Flanagan & Freund, *FastTrack: Efficient and Precise Dynamic Race Detection*,
//! PLDI 2009) combines: a full vector clock per goroutine and per synchronisation object, and
//! an epoch (`clock@goroutine`) for the last write to a data object and, while reads are
//! totally ordered, for its last read. The shape follows loom's `rt/vv.rs`.

/// A vector clock: for each goroutine (by number: main 0, then spawn order), how many of its
/// synchronisation steps are known. Missing entries are zero.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VectorClock(Vec<u32>);

impl VectorClock {
    /// Goroutine `g`'s entry.
    #[inline]
    pub fn get(&self, g: u32) -> u32 {
        self.0.get(g as usize).copied().unwrap_or(0)
    }

    /// Sets goroutine `g`'s entry.
    pub fn set(&mut self, g: u32, value: u32) {
        let g = g as usize;
        if self.0.len() <= g {
            self.0.resize(g + 1, 0);
        }
        self.0[g] = value;
    }

    /// Advances goroutine `g`'s own entry (after it releases: later steps are new).
    pub fn tick(&mut self, g: u32) {
        let v = self.get(g);
        self.set(g, v + 1);
    }

    /// Joins `other` in: every entry becomes the larger of the two (an acquire).
    pub fn join(&mut self, other: &VectorClock) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// Makes this clock a copy of `other`, reusing its allocation.
    pub fn assign(&mut self, other: &VectorClock) {
        self.0.clear();
        self.0.extend_from_slice(&other.0);
    }

    /// Whether every entry is at most `other`'s (this clock happens before or equals it).
    #[cfg_attr(not(test), allow(dead_code))] // the reference detector's check
    pub fn le(&self, other: &VectorClock) -> bool {
        self.0
            .iter()
            .enumerate()
            .all(|(g, &v)| v <= other.get(g as u32))
    }
}

/// An epoch `clock@goroutine`: one step of one goroutine, the compact stand-in for a vector
/// clock that FastTrack keeps for most accesses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Epoch {
    /// The goroutine.
    pub goroutine: u32,
    /// Its own clock entry at the access.
    pub clock: u32,
}

impl Epoch {
    /// Whether the step this epoch names happens before (or is) the point `vc` has seen.
    #[inline]
    pub fn le(self, vc: &VectorClock) -> bool {
        self.clock <= vc.get(self.goroutine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vc(entries: &[u32]) -> VectorClock {
        VectorClock(entries.to_vec())
    }

    #[test]
    fn join_takes_the_larger_entry_and_missing_entries_are_zero() {
        let mut a = vc(&[1, 4]);
        a.join(&vc(&[3, 2, 5]));
        assert_eq!(a, vc(&[3, 4, 5]));
        assert_eq!(a.get(9), 0);
    }

    #[test]
    fn order_is_entrywise() {
        assert!(vc(&[1, 2]).le(&vc(&[1, 2, 0])));
        assert!(vc(&[1, 2, 0]).le(&vc(&[1, 2])));
        assert!(!vc(&[1, 3]).le(&vc(&[2, 2])));
        assert!(Epoch {
            goroutine: 1,
            clock: 2
        }
        .le(&vc(&[0, 2])));
        assert!(!Epoch {
            goroutine: 2,
            clock: 1
        }
        .le(&vc(&[5, 5])));
    }

    #[test]
    fn tick_advances_one_entry() {
        let mut a = vc(&[1]);
        a.tick(2);
        a.tick(0);
        assert_eq!(a, vc(&[2, 0, 1]));
    }
}
