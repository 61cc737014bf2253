//! # maprace-reports
//!
//! Turns outcomes and traces into what people read: the summary of an exploration, a failing
//! trace, and the versioned JSON formats. Nothing here knows about shuttle or the maps: the
//! input is the harness's plain data ([`maprace_harness::Trace`], [`maprace_harness::Failure`])
//! and the summary rows built by the caller.
#![warn(missing_docs)]

pub mod json;
pub mod model;
pub mod table;
pub mod trace_text;

pub use model::{FailureSummary, ListRow, ReplayReport, SummaryRow, TraceFailure};
