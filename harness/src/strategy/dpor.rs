//! Exhaustive search with partial-order reduction: sleep sets alone, or source-DPOR with sleep
//! sets, over the object/access record.
//!
//! Stateless, as in shuttle and loom: every execution re-runs the body from the start, so the
//! exploration tree is data, the path of the current execution as a stack of branch frames
//! (the shape of loom's `rt/path.rs`). Each frame keeps the goroutines runnable at that
//! decision, the one chosen, its *backtrack* set (choices to explore there), the choices done
//! with the footprint of the step each took, and the *sleep set* (goroutines whose step from here
//! leads only to executions equivalent to ones explored already; Godefroid's sleep sets, as in
//! Flanagan & Godefroid, "Dynamic partial-order reduction for model checking software", POPL
//! 2005). Backtrack sets grow from the races of each finished execution ([`super::races`]).
//!
//! A step's footprint is its declared next access (when the goroutine declared one before the
//! scheduling point it was chosen at) plus every access the log places in that step: unlocks,
//! spawns, exits and the like are performed without being declared. A step that starts at a
//! plain `preempt` point is dependent with everything.
//!
//! With a preemption bound, a reduced search must not prune an execution whose only equivalent
//! explored representatives need more preemptions. Following Coons, Musuvathi and McKinley
//! ("Bounded partial-order reduction", OOPSLA 2013), every backtrack point added for a race is
//! also added at the start of the run of steps containing it (where switching costs no extra
//! preemption), and sleep sets are off (a sleeping goroutine's equivalent executions may lie
//! beyond the bound).

use super::races::{dependent_pairs, races, Event, Footprint};
use super::{Decision, Schedule};
use crate::access::{Access, StepAccess};

/// What the reduced search prunes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every choice at every step, minus sleeping goroutines.
    Sleep,
    /// Only the choices races call for, minus sleeping goroutines (when unbounded).
    Dpor,
}

struct Frame {
    runnable: Vec<usize>,
    current: Option<usize>,
    yielding: bool,
    /// Preemptions before this decision.
    preemptions: u32,
    chosen: usize,
    /// The access the chosen goroutine declared before this decision.
    declared: Option<Access>,
    /// The chosen step's footprint (known once the next decision or the end is reached).
    footprint: Footprint,
    /// Choices to explore here, in order (always holds `chosen` and every done choice).
    backtrack: Vec<usize>,
    /// Choices explored, with the footprint of the step each took.
    done: Vec<(usize, Footprint)>,
    /// Goroutines asleep on entry, with the step each would take.
    sleep: Vec<(usize, Footprint)>,
    /// Every runnable goroutine was asleep here or above: what follows is redundant, and no
    /// choice is explored from it.
    blocked: bool,
}

impl Frame {
    fn preempts(&self, task: usize) -> bool {
        super::preemption_cost(self.current, self.yielding, &self.runnable, task) > 0
    }
}

pub(crate) struct Reduced {
    seed: u64,
    bound: Option<u32>,
    mode: Mode,
    stack: Vec<Frame>,
    pos: usize,
    preemptions: u32,
    /// Where in the log the current step's accesses start.
    cursor: usize,
    started: bool,
    exhausted: bool,
}

impl Reduced {
    pub fn new(seed: u64, bound: Option<u32>, mode: Mode) -> Self {
        Reduced {
            seed,
            bound,
            mode,
            stack: Vec::new(),
            pos: 0,
            preemptions: 0,
            cursor: 0,
            started: false,
            exhausted: false,
        }
    }

    /// Sleep sets are sound only without a preemption bound (see the module docs).
    fn sleeping(&self) -> bool {
        self.bound.is_none()
    }

    fn within_bound(&self, frame: &Frame, task: usize) -> bool {
        self.bound
            .is_none_or(|b| frame.preemptions + u32::from(frame.preempts(task)) <= b)
    }

    /// Closes the footprint of the step chosen at decision `self.pos - 1`: its accesses are
    /// the log entries numbered `self.pos`, and `blocked_on`, the access its goroutine declared
    /// and then blocked on within the step (a lock held by another goroutine: shuttle blocks
    /// the goroutine without a decision that lets it try, so the attempt belongs to this step).
    fn close_step(&mut self, log: &[StepAccess], blocked_on: Option<Access>) {
        let Some(index) = self.pos.checked_sub(1) else {
            return;
        };
        let step = self.pos as u64;
        while self.cursor < log.len() && log[self.cursor].step < step {
            self.cursor += 1;
        }
        let frame = &mut self.stack[index];
        let mut accesses: Vec<Access> = frame.declared.into_iter().chain(blocked_on).collect();
        let mut unknown = accesses.iter().any(Access::is_unknown);
        while self.cursor < log.len() && log[self.cursor].step == step {
            let a = log[self.cursor].access;
            unknown |= a.is_unknown();
            if !accesses.contains(&a) {
                accesses.push(a);
            }
            self.cursor += 1;
        }
        frame.footprint = if unknown {
            Footprint::Unknown
        } else {
            Footprint::Known(accesses)
        };
    }

    /// A new frame for a decision past the replayed prefix.
    fn open(&mut self, d: &Decision<'_>) -> usize {
        let (sleep, blocked) = match self.pos.checked_sub(1).map(|i| &self.stack[i]) {
            Some(parent) if self.sleeping() => {
                let sleep = parent
                    .sleep
                    .iter()
                    .chain(&parent.done)
                    .filter(|(q, f)| *q != parent.chosen && !f.conflicts(&parent.footprint))
                    .cloned()
                    .collect();
                (sleep, parent.blocked)
            }
            Some(parent) => (Vec::new(), parent.blocked),
            None => (Vec::new(), false),
        };
        let current = d.current.filter(|c| d.runnable.contains(c));
        let mut frame = Frame {
            runnable: d.runnable.to_vec(),
            current,
            yielding: d.yielding,
            preemptions: self.preemptions,
            chosen: 0,
            declared: None,
            footprint: Footprint::Unknown,
            backtrack: Vec::new(),
            done: Vec::new(),
            sleep,
            blocked,
        };
        // DFS's order: the running goroutine first, then by number; a goroutine that yielded
        // goes last (running a spinner again first would explore its spin until the step
        // bound).
        let mut options: Vec<usize> = current.filter(|_| !d.yielding).into_iter().collect();
        options.extend(d.runnable.iter().filter(|&&t| Some(t) != current));
        if d.yielding {
            options.extend(current);
        }
        options.retain(|&t| self.within_bound(&frame, t));
        let awake = options
            .iter()
            .copied()
            .find(|t| !frame.sleep.iter().any(|(q, _)| q == t));
        let chosen = awake.unwrap_or_else(|| {
            frame.blocked = true;
            options[0]
        });
        frame.chosen = chosen;
        frame.backtrack = if self.mode == Mode::Sleep && !frame.blocked {
            options
        } else {
            vec![chosen]
        };
        self.stack.push(frame);
        chosen
    }

    /// Grows backtrack sets from the races of the execution that just ended.
    fn backtrack(&mut self, next: Vec<Event>) {
        let events: Vec<Event> = self
            .stack
            .iter()
            .map(|f| Event {
                thread: f.chosen,
                footprint: f.footprint.clone(),
            })
            .collect();
        let bounded = !self.sleeping();
        let found = if bounded {
            dependent_pairs(&events, &next)
        } else {
            races(&events, &next)
        };
        for race in found {
            let later = if race.later < events.len() {
                events[race.later].thread
            } else {
                next[race.later - events.len()].thread
            };
            let frame = &self.stack[race.earlier];
            // Not co-enabled (a spawn and the child's start, an exit and the join, a notify
            // and the wake-up): nothing to reverse here. A goroutine blocked on a lock took a
            // step that declared the lock, and that step races with the holder's acquire.
            if frame.blocked || !frame.runnable.contains(&later) {
                continue;
            }
            if !bounded && race.initials.iter().any(|q| frame.backtrack.contains(q)) {
                continue;
            }
            // Bounded: the racing goroutine itself (Flanagan and Godefroid's choice, which
            // Coons et al. prove sound with the extra point below). Unbounded: one initial.
            let pick: Vec<usize> = if bounded {
                vec![later]
            } else {
                match race
                    .initials
                    .iter()
                    .copied()
                    .filter(|q| frame.runnable.contains(q))
                    .min()
                {
                    Some(q) => vec![q],
                    None => frame.runnable.clone(),
                }
            };
            self.add(race.earlier, &pick);
            if bounded {
                // The start of the run of steps the race's earlier event belongs to.
                let mut start = race.earlier;
                while start > 0 && self.stack[start - 1].chosen == self.stack[start].chosen {
                    start -= 1;
                }
                let at = &self.stack[start];
                let pick: Vec<usize> = if pick.iter().all(|q| at.runnable.contains(q)) {
                    pick
                } else {
                    at.runnable.clone()
                };
                self.add(start, &pick);
            }
        }
    }

    fn add(&mut self, at: usize, tasks: &[usize]) {
        let frame = &mut self.stack[at];
        if frame.blocked {
            return;
        }
        for &q in tasks {
            if !frame.backtrack.contains(&q) {
                frame.backtrack.push(q);
            }
        }
    }
}

impl Schedule for Reduced {
    fn begin(&mut self) -> Option<u64> {
        if self.started {
            // An execution that diverged on a replayed prefix ends without `end`.
            self.stack.truncate(self.pos);
            loop {
                let sleeping = self.sleeping();
                let Some(top) = self.stack.last() else {
                    self.exhausted = true;
                    return None;
                };
                let done_now = (top.chosen, top.footprint.clone());
                let next = top.backtrack.iter().copied().find(|&q| {
                    q != top.chosen
                        && !top.done.iter().any(|(d, _)| *d == q)
                        && !(sleeping && top.sleep.iter().any(|(s, _)| *s == q))
                        && self.within_bound(top, q)
                });
                let top = self.stack.last_mut().expect("checked above");
                top.done.push(done_now);
                match next {
                    Some(q) => {
                        top.chosen = q;
                        top.footprint = Footprint::Unknown;
                        break;
                    }
                    None => {
                        self.stack.pop();
                    }
                }
            }
        }
        self.started = true;
        self.pos = 0;
        self.preemptions = 0;
        self.cursor = 0;
        // Every execution draws the same data values, as with plain DFS.
        Some(crate::hash::mix64(self.seed))
    }

    fn choose(&mut self, d: &Decision<'_>) -> Result<usize, String> {
        let blocked_on = self
            .pos
            .checked_sub(1)
            .map(|i| self.stack[i].chosen)
            .filter(|g| !d.runnable.contains(g))
            .and_then(|g| d.pending.of(g));
        self.close_step(d.log, blocked_on);
        let choice = if let Some(frame) = self.stack.get(self.pos) {
            let c = frame.chosen;
            if !d.runnable.contains(&c) {
                return Err(format!(
                    "the body is not deterministic: task {c} is not runnable at step {} on a replayed prefix",
                    d.step
                ));
            }
            c
        } else {
            self.open(d)
        };
        self.stack[self.pos].declared = d.pending.of(choice);
        self.pos += 1;
        self.preemptions += super::preemption_cost(d.current, d.yielding, d.runnable, choice);
        Ok(choice)
    }

    fn end(&mut self, _steps: u64) -> Result<(), String> {
        // The record still holds this execution: the last step's accesses, and what every
        // goroutine left unfinished would do next.
        let next = crate::record::with(|r| {
            let last = self.pos.checked_sub(1).map(|i| self.stack[i].chosen);
            let blocked_on = last.and_then(|g| r.pending.get(g).copied().flatten());
            self.close_step(&r.access_log, blocked_on);
            // Goroutines spawned but not started yet are not in `unfinished`: the log's spawns
            // and exits say which are alive. Nothing is known of what such a goroutine does,
            // so it depends on everything (an execution cut by a failure before a spawned
            // goroutine ran must still try running it first).
            let mut alive: Vec<bool> = r.unfinished.clone();
            for a in &r.access_log {
                if a.access.object.kind == crate::access::ObjectKind::Goroutine {
                    let g = a.access.object.index as usize;
                    if alive.len() <= g {
                        alive.resize(g + 1, false);
                    }
                    match a.access.kind {
                        crate::access::AccessKind::Spawn => alive[g] = true,
                        crate::access::AccessKind::Exit => alive[g] = false,
                        _ => {}
                    }
                }
            }
            let mut next = Vec::new();
            for g in 0..r.pending.len().max(alive.len()) {
                let pending = r.pending.get(g).copied().flatten();
                let unfinished = alive.get(g).copied().unwrap_or(false);
                let footprint = match pending {
                    Some(a) if a.is_unknown() => Footprint::Unknown,
                    Some(a) => Footprint::Known(vec![a]),
                    None if unfinished => Footprint::Unknown,
                    None => continue,
                };
                next.push(Event {
                    thread: g,
                    footprint,
                });
            }
            next
        });
        self.stack.truncate(self.pos);
        if self.mode == Mode::Dpor {
            self.backtrack(next);
        }
        Ok(())
    }

    fn wants_accesses(&self) -> bool {
        true
    }

    fn exhausted(&self) -> bool {
        self.exhausted
    }
}
