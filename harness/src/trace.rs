//! Traces: the ordered events of one execution, their canonical text and its hash.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// A snapshot of the state of the code under test at an event, as ordered `name = value` pairs.
///
/// The Go map model puts `B`, `count`, `flags`, `growing`, ... here. Order is kept as given, so
/// the canonical text (and the trace hash) never depends on a hash map's iteration order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State(pub Vec<(Cow<'static, str>, String)>);

impl State {
    /// An empty snapshot.
    pub fn new() -> Self {
        State(Vec::new())
    }

    /// Adds a field (builder style).
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.push(name, value);
        self
    }

    /// Adds a field.
    pub fn push(&mut self, name: &'static str, value: impl fmt::Display) {
        self.0.push((Cow::Borrowed(name), value.to_string()));
    }

    /// The value of a field, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the snapshot has no field.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

impl Serialize for State {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StateVisitor;
        impl<'de> Visitor<'de> for StateVisitor {
            type Value = State;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of state fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<State, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = access.next_entry::<String, String>()? {
                    fields.push((Cow::Owned(k), v));
                }
                Ok(State(fields))
            }
        }
        deserializer.deserialize_map(StateVisitor)
    }
}

/// One event of a trace: at scheduling step `step`, goroutine `goroutine` reached the point
/// `kind: label`, with an optional detail (`k=3`) and state snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The scheduling step (number of scheduling decisions made before this event).
    pub step: u64,
    /// The goroutine's name (`main`, `G1`, or the name given to `go`).
    pub goroutine: String,
    /// The operation (`assign`, `mutex`, `go`, ...).
    pub kind: Cow<'static, str>,
    /// The step inside the operation (`flag set`, `lock`, ...).
    pub label: Cow<'static, str>,
    /// What the operation works on (`k=3`), if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The state snapshot supplied by the code under test, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
}

impl Event {
    /// The event's operation and point as people read it: `assign k=3: flag set`.
    pub fn describe(&self) -> String {
        match &self.detail {
            Some(d) if !d.is_empty() => format!("{} {}: {}", self.kind, d, self.label),
            _ => format!("{}: {}", self.kind, self.label),
        }
    }
}

/// The ordered events of one execution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// Goroutine names in order of creation (`main` first).
    pub goroutines: Vec<String>,
    /// The events in execution order.
    pub events: Vec<Event>,
}

impl Trace {
    /// The canonical text: one line per event, `step goroutine kind: label [detail] {state}`.
    /// Everything in it is derived from the schedule, so it is identical on every run.
    pub fn canonical_text(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            let _ = write!(out, "{} {} {}", e.step, e.goroutine, e.describe());
            if let Some(state) = &e.state {
                let _ = write!(out, " {{{state}}}");
            }
            out.push('\n');
        }
        out
    }

    /// A stable 64-bit hash of [`Trace::canonical_text`] (FNV-1a, fixed key).
    pub fn hash(&self) -> u64 {
        crate::hash::fnv1a64(self.canonical_text().as_bytes())
    }

    /// The hash as the 16-digit lower-case hex string used in reports and the corpus.
    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(step: u64, g: &str, kind: &'static str, label: &'static str) -> Event {
        Event {
            step,
            goroutine: g.into(),
            kind: kind.into(),
            label: label.into(),
            detail: None,
            state: None,
        }
    }

    #[test]
    fn canonical_text_and_hash_follow_the_events() {
        let mut t = Trace {
            goroutines: vec!["main".into(), "G1".into()],
            events: vec![
                ev(0, "main", "go", "spawn"),
                ev(1, "G1", "assign", "flag set"),
            ],
        };
        t.events[1].detail = Some("k=1".into());
        t.events[1].state = Some(State::new().with("B", 0).with("count", 1));
        assert_eq!(
            t.canonical_text(),
            "0 main go: spawn\n1 G1 assign k=1: flag set {B=0 count=1}\n"
        );
        let h = t.hash();
        t.events[1].label = "flag cleared".into();
        assert_ne!(h, t.hash());
    }

    #[test]
    fn state_keeps_the_order_it_was_given() {
        let s = State::new().with("count", 3).with("B", 1);
        assert_eq!(s.to_string(), "count=3 B=1");
        assert_eq!(s.get("B"), Some("1"));
    }
}
