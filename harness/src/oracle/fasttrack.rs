//! FastTrack's shadow state for data objects (Flanagan & Freund, PLDI 2009, figure 2): the last
//! write as an epoch, the reads as one epoch while they are totally ordered and as a vector of
//! epochs once two unordered reads share the object. Every check is then O(1) except a write
//! after shared reads. Each epoch keeps the log index of its access, for the report.

use super::vclock::{Epoch, VectorClock};

/// An access as the shadow keeps it: its epoch and where it is in the access log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    pub epoch: Epoch,
    pub at: u32,
}

/// The reads of one object since its last write.
#[derive(Clone, Debug, Default)]
enum Reads {
    /// None since the last write.
    #[default]
    None,
    /// Totally ordered so far: the last one stands for all.
    One(Seen),
    /// Shared: the last read of each goroutine, by goroutine number.
    Many(Vec<Option<Seen>>),
}

/// One data object's shadow.
#[derive(Clone, Debug, Default)]
pub(crate) struct Shadow {
    write: Option<Seen>,
    reads: Reads,
}

impl Shadow {
    /// A read by the goroutine whose clock is `now`, at log index `at`: the earlier access it
    /// races with, if any.
    pub fn read(&mut self, g: u32, now: &VectorClock, at: u32) -> Option<Seen> {
        let epoch = Epoch {
            goroutine: g,
            clock: now.get(g),
        };
        let here = Seen { epoch, at };
        // [FT READ SAME EPOCH] / [FT READ SHARED SAME EPOCH]
        match &self.reads {
            Reads::One(s) if s.epoch == epoch => return None,
            Reads::Many(v)
                if v.get(g as usize).copied().flatten().map(|s| s.epoch) == Some(epoch) =>
            {
                return None
            }
            _ => {}
        }
        if let Some(w) = self.write.filter(|w| !w.epoch.le(now)) {
            return Some(w);
        }
        match &mut self.reads {
            // [FT READ EXCLUSIVE]
            Reads::None => self.reads = Reads::One(here),
            Reads::One(s) if s.epoch.le(now) => *s = here,
            // [FT READ SHARE]
            Reads::One(s) => {
                let mut v = Vec::new();
                for seen in [*s, here] {
                    let i = seen.epoch.goroutine as usize;
                    if v.len() <= i {
                        v.resize(i + 1, None);
                    }
                    v[i] = Some(seen);
                }
                self.reads = Reads::Many(v);
            }
            // [FT READ SHARED]
            Reads::Many(v) => {
                let i = g as usize;
                if v.len() <= i {
                    v.resize(i + 1, None);
                }
                v[i] = Some(here);
            }
        }
        None
    }

    /// A write by the goroutine whose clock is `now`, at log index `at`: the earlier access it
    /// races with, if any (the write, else the latest unordered read).
    pub fn write(&mut self, g: u32, now: &VectorClock, at: u32) -> Option<Seen> {
        let epoch = Epoch {
            goroutine: g,
            clock: now.get(g),
        };
        // [FT WRITE SAME EPOCH]
        if self.write.map(|w| w.epoch) == Some(epoch) {
            return None;
        }
        if let Some(w) = self.write.filter(|w| !w.epoch.le(now)) {
            return Some(w);
        }
        match &self.reads {
            Reads::None => {}
            // [FT WRITE EXCLUSIVE]
            Reads::One(s) => {
                if !s.epoch.le(now) {
                    return Some(*s);
                }
            }
            // [FT WRITE SHARED]
            Reads::Many(v) => {
                let unordered = v
                    .iter()
                    .flatten()
                    .filter(|s| !s.epoch.le(now))
                    .max_by_key(|s| s.at);
                if let Some(s) = unordered {
                    return Some(*s);
                }
            }
        }
        self.reads = Reads::None;
        self.write = Some(Seen { epoch, at });
        None
    }
}
