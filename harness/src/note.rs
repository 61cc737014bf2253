//! What code under test says about an event while an execution is traced: a detail and state
//! fields, written into a buffer the execution's record reuses, and turned into text only when
//! the trace is built.
//!
//! Numbers, booleans and strings are kept as they are (a string is copied); only values that are
//! merely `Display` are formatted on the spot. So describing an event at every preemption point
//! allocates nothing and formats little, and tracing every execution stays cheap.

use crate::trace::State;
use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// A value as an event note takes it: see [`FieldValue`].
#[derive(Clone, Copy)]
pub enum Kept<'a> {
    /// An unsigned integer.
    Unsigned(u64),
    /// A signed integer.
    Signed(i64),
    /// A boolean.
    Bool(bool),
    /// Text, copied into the trace buffer.
    Text(&'a str),
    /// Anything else that displays, formatted into the trace buffer at once.
    Shown(&'a dyn fmt::Display),
}

/// A value for an event's detail or a state field. Integers, `bool`, `str`, `String` and
/// `format_args!(…)` are implemented; wrap any other `Display` value in [`Shown`].
pub trait FieldValue {
    /// How the note keeps the value.
    fn kept(&self) -> Kept<'_>;
}

/// Any `Display` value as a [`FieldValue`] (formatted when the note is written).
pub struct Shown<T: fmt::Display>(pub T);

impl<T: fmt::Display> FieldValue for Shown<T> {
    fn kept(&self) -> Kept<'_> {
        Kept::Shown(&self.0)
    }
}

macro_rules! kept_as {
    ($variant:ident, $as:ty: $($t:ty),*) => {$(
        impl FieldValue for $t {
            fn kept(&self) -> Kept<'_> {
                Kept::$variant(*self as $as)
            }
        }
    )*};
}
kept_as!(Unsigned, u64: u8, u16, u32, u64, usize);
kept_as!(Signed, i64: i8, i16, i32, i64, isize);

impl FieldValue for bool {
    fn kept(&self) -> Kept<'_> {
        Kept::Bool(*self)
    }
}

impl FieldValue for str {
    fn kept(&self) -> Kept<'_> {
        Kept::Text(self)
    }
}

impl FieldValue for String {
    fn kept(&self) -> Kept<'_> {
        Kept::Text(self)
    }
}

impl FieldValue for fmt::Arguments<'_> {
    fn kept(&self) -> Kept<'_> {
        Kept::Shown(self)
    }
}

impl<T: FieldValue + ?Sized> FieldValue for &T {
    fn kept(&self) -> Kept<'_> {
        (**self).kept()
    }
}

impl fmt::Display for Kept<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kept::Unsigned(v) => v.fmt(f),
            Kept::Signed(v) => v.fmt(f),
            Kept::Bool(v) => v.fmt(f),
            Kept::Text(v) => f.write_str(v),
            Kept::Shown(v) => v.fmt(f),
        }
    }
}

/// A value as stored in the buffer: text lives in the buffer's text.
#[derive(Clone, Copy, Debug)]
enum Stored {
    Unsigned(u64),
    Signed(i64),
    Bool(bool),
    Text(u32, u32),
}

/// What an entry of the buffer is: the event's detail (`name=` first, for a pair) or a state
/// field, whose name is static or (from a deserialized `State`) text in the buffer.
#[derive(Clone, Copy, Debug)]
enum Entry {
    Detail,
    DetailPair(&'static str),
    Field(&'static str),
    OwnedField(u32, u32),
}

/// An event's note as recorded: its entries in the buffer, and whether it has a state snapshot
/// (an empty one still shows, as `{}`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NoteSpan {
    start: u32,
    end: u32,
    has_state: bool,
}

/// Where events' details and state fields are written while an execution is traced: one text
/// and one entry list per execution, reused by the next. Events keep only a [`NoteSpan`], so a
/// traced event stays small.
#[derive(Debug)]
pub(crate) struct NoteBuf {
    text: String,
    entries: Vec<(Entry, Stored)>,
}

impl NoteBuf {
    pub const fn new() -> Self {
        NoteBuf {
            text: String::new(),
            entries: Vec::new(),
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
    }

    // Inlined: it runs for every detail and field, and the common cases are a move.
    #[inline]
    fn store(&mut self, value: Kept<'_>) -> Stored {
        match value {
            Kept::Unsigned(v) => Stored::Unsigned(v),
            Kept::Signed(v) => Stored::Signed(v),
            Kept::Bool(v) => Stored::Bool(v),
            Kept::Text(t) => {
                let (start, end) = self.push_text(t);
                Stored::Text(start, end)
            }
            Kept::Shown(v) => self.format(v),
        }
    }

    /// Copies `t` into the text; its range there.
    #[inline]
    fn push_text(&mut self, t: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(t);
        (start, self.text.len() as u32)
    }

    /// Formats a value that is only `Display` (kept out of line: it is the rare, slow case).
    #[inline(never)]
    fn format(&mut self, v: &dyn fmt::Display) -> Stored {
        let start = self.text.len() as u32;
        let _ = write!(self.text, "{v}");
        Stored::Text(start, self.text.len() as u32)
    }

    fn text(&self, start: u32, end: u32) -> &str {
        &self.text[start as usize..end as usize]
    }

    fn show(&self, value: Stored, out: &mut String) {
        let _ = match value {
            Stored::Unsigned(v) => write!(out, "{v}"),
            Stored::Signed(v) => write!(out, "{v}"),
            Stored::Bool(v) => write!(out, "{v}"),
            Stored::Text(start, end) => {
                out.push_str(self.text(start, end));
                Ok(())
            }
        };
    }

    /// The detail and state snapshot of the event whose note is `span`.
    pub fn materialize(&self, span: NoteSpan) -> (Option<String>, Option<State>) {
        let mut detail = None;
        let mut fields = Vec::new();
        for &(entry, value) in &self.entries[span.start as usize..span.end as usize] {
            let mut text = String::new();
            let name = match entry {
                Entry::Detail | Entry::DetailPair(_) => {
                    if let Entry::DetailPair(name) = entry {
                        text.push_str(name);
                        text.push('=');
                    }
                    self.show(value, &mut text);
                    detail = Some(text);
                    continue;
                }
                Entry::Field(name) => Cow::Borrowed(name),
                Entry::OwnedField(start, end) => Cow::Owned(self.text(start, end).to_string()),
            };
            self.show(value, &mut text);
            fields.push((name, text));
        }
        (detail, span.has_state.then_some(State(fields)))
    }
}

/// What the code under test adds to an event: a detail and a state snapshot. Only built when the
/// execution is being traced, so describing an event costs nothing during plain exploration.
///
/// ```
/// use maprace_harness::{preempt_with, Op, Point, Shown, State};
/// const SCAN: Point = Point::new(Op::Assign, "scan");
/// let (key, bucket, count) = (7u32, 2usize, 3usize);
/// preempt_with(SCAN, |n| {
///     // Shows as `assign k=7: scan {bucket=2 count=3 phase=grow}`.
///     n.detail_pair("k", key)
///         .field("bucket", bucket)
///         .field("count", count)
///         .field("phase", Shown(format_args!("{}", "grow")));
/// });
/// ```
#[derive(Debug)]
pub struct EventNote<'a> {
    buf: &'a mut NoteBuf,
    start: u32,
    has_state: bool,
}

impl<'a> EventNote<'a> {
    pub(crate) fn new(buf: &'a mut NoteBuf) -> Self {
        let start = buf.entries.len() as u32;
        EventNote {
            buf,
            start,
            has_state: false,
        }
    }

    /// The note as written so far.
    pub(crate) fn span(&self) -> NoteSpan {
        NoteSpan {
            start: self.start,
            end: self.buf.entries.len() as u32,
            has_state: self.has_state,
        }
    }

    /// Sets the detail (what the operation works on: `k=3`, a goroutine's name, …).
    /// `format_args!(…)` works as it is, without building a `String`.
    pub fn detail(&mut self, detail: impl FieldValue) -> &mut Self {
        let value = self.buf.store(detail.kept());
        self.buf.entries.push((Entry::Detail, value));
        self
    }

    /// Sets the detail to `name=value` (`k=3`), keeping the value unformatted until the trace
    /// is built.
    pub fn detail_pair(&mut self, name: &'static str, value: impl FieldValue) -> &mut Self {
        let value = self.buf.store(value.kept());
        self.buf.entries.push((Entry::DetailPair(name), value));
        self
    }

    /// Adds a field to the state snapshot (builder style, like [`State::with`]), without
    /// building a [`State`]: the cheap way to describe the state at every point.
    pub fn field(&mut self, name: &'static str, value: impl FieldValue) -> &mut Self {
        let value = self.buf.store(value.kept());
        self.buf.entries.push((Entry::Field(name), value));
        self.has_state = true;
        self
    }

    /// Adds the fields of `state` to the state snapshot.
    pub fn state(&mut self, state: State) -> &mut Self {
        self.has_state = true;
        for (name, value) in state.0 {
            let entry = match name {
                Cow::Borrowed(name) => Entry::Field(name),
                Cow::Owned(name) => {
                    let (start, end) = self.buf.push_text(&name);
                    Entry::OwnedField(start, end)
                }
            };
            let (start, end) = self.buf.push_text(&value);
            let value = Stored::Text(start, end);
            self.buf.entries.push((entry, value));
        }
        self
    }
}

/// Something state fields can be written to: a [`State`] being built, or an event's note. Lets a
/// model describe its state once, for both.
pub trait StateFields {
    /// Adds the field `name = value`.
    fn field(&mut self, name: &'static str, value: impl FieldValue) -> &mut Self;
}

impl StateFields for State {
    fn field(&mut self, name: &'static str, value: impl FieldValue) -> &mut Self {
        self.push(name, value.kept());
        self
    }
}

impl StateFields for EventNote<'_> {
    fn field(&mut self, name: &'static str, value: impl FieldValue) -> &mut Self {
        EventNote::field(self, name, value)
    }
}
