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

/// An event's detail as stored: an optional `name=` prefix and the value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoredDetail(Option<&'static str>, Stored);

/// A range of an event's fields in the buffer.
pub(crate) type FieldSpan = (u32, u32);

/// Where events' details and state fields are written while an execution is traced: one text
/// and one field list per execution, reused by the next.
#[derive(Debug)]
pub(crate) struct NoteBuf {
    text: String,
    fields: Vec<(Cow<'static, str>, Stored)>,
}

impl NoteBuf {
    pub const fn new() -> Self {
        NoteBuf {
            text: String::new(),
            fields: Vec::new(),
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
    }

    // Inlined: it runs for every detail and field, and the common cases are a move.
    #[inline]
    fn store(&mut self, value: Kept<'_>) -> Stored {
        match value {
            Kept::Unsigned(v) => Stored::Unsigned(v),
            Kept::Signed(v) => Stored::Signed(v),
            Kept::Bool(v) => Stored::Bool(v),
            Kept::Text(t) => {
                let start = self.text.len() as u32;
                self.text.push_str(t);
                Stored::Text(start, self.text.len() as u32)
            }
            Kept::Shown(v) => self.format(v),
        }
    }

    /// Formats a value that is only `Display` (kept out of line: it is the rare, slow case).
    #[inline(never)]
    fn format(&mut self, v: &dyn fmt::Display) -> Stored {
        let start = self.text.len() as u32;
        let _ = write!(self.text, "{v}");
        Stored::Text(start, self.text.len() as u32)
    }

    fn show(&self, value: Stored, out: &mut String) {
        let _ = match value {
            Stored::Unsigned(v) => write!(out, "{v}"),
            Stored::Signed(v) => write!(out, "{v}"),
            Stored::Bool(v) => write!(out, "{v}"),
            Stored::Text(start, end) => {
                out.push_str(&self.text[start as usize..end as usize]);
                Ok(())
            }
        };
    }

    /// The detail's text.
    pub fn detail(&self, d: StoredDetail) -> String {
        let mut out = String::new();
        if let Some(name) = d.0 {
            out.push_str(name);
            out.push('=');
        }
        self.show(d.1, &mut out);
        out
    }

    /// The state whose fields are at `span`.
    pub fn state(&self, (start, end): FieldSpan) -> State {
        State(
            self.fields[start as usize..end as usize]
                .iter()
                .map(|(name, value)| {
                    let mut text = String::new();
                    self.show(*value, &mut text);
                    (name.clone(), text)
                })
                .collect(),
        )
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
    pub(crate) detail: Option<StoredDetail>,
    pub(crate) state: Option<FieldSpan>,
}

impl<'a> EventNote<'a> {
    pub(crate) fn new(buf: &'a mut NoteBuf) -> Self {
        EventNote {
            buf,
            detail: None,
            state: None,
        }
    }

    /// Sets the detail (what the operation works on: `k=3`, a goroutine's name, …).
    /// `format_args!(…)` works as it is, without building a `String`.
    pub fn detail(&mut self, detail: impl FieldValue) -> &mut Self {
        let value = self.buf.store(detail.kept());
        self.detail = Some(StoredDetail(None, value));
        self
    }

    /// Sets the detail to `name=value` (`k=3`), keeping the value unformatted until the trace
    /// is built.
    pub fn detail_pair(&mut self, name: &'static str, value: impl FieldValue) -> &mut Self {
        let value = self.buf.store(value.kept());
        self.detail = Some(StoredDetail(Some(name), value));
        self
    }

    /// Adds a field to the state snapshot (builder style, like [`State::with`]), without
    /// building a [`State`]: the cheap way to describe the state at every point.
    pub fn field(&mut self, name: &'static str, value: impl FieldValue) -> &mut Self {
        let value = self.buf.store(value.kept());
        self.push_field(Cow::Borrowed(name), value);
        self
    }

    /// Adds the fields of `state` to the state snapshot.
    pub fn state(&mut self, state: State) -> &mut Self {
        if state.is_empty() {
            // An empty snapshot still shows (`{}`), as it always has.
            let at = self.buf.fields.len() as u32;
            self.state.get_or_insert((at, at));
        }
        for (name, value) in state.0 {
            let value = self.buf.store(Kept::Text(&value));
            self.push_field(name, value);
        }
        self
    }

    #[inline]
    fn push_field(&mut self, name: Cow<'static, str>, value: Stored) {
        let at = self.buf.fields.len() as u32;
        self.buf.fields.push((name, value));
        // An event's fields are contiguous: its note is written before the next event's.
        let span = self.state.get_or_insert((at, at));
        span.1 = at + 1;
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
