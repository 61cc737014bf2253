//! # maprace-reports
//!
//! Turns outcomes and traces into what people read: the exploration summary, a failing trace
//! as a terminal table, Markdown or an HTML timeline, and the versioned JSON formats. Nothing
//! here knows about shuttle or the maps: the input is the harness's plain data
//! ([`maprace_harness::Trace`] events, [`maprace_harness::Failure`]) and the rows built by the
//! caller, and every rendering is a pure function of it (no clock, no hash-map order), so the
//! same exploration always gives byte-identical reports.
#![warn(missing_docs)]

pub mod classes;
pub mod colour;
pub mod fold;
pub mod html;
pub mod json;
pub mod lincheck;
pub mod lincheck_html;
pub mod markdown;
pub mod model;
pub mod report_dir;
pub mod summary;
pub mod table;
pub mod timeline;
pub mod trace_table;
pub mod write_atomic;

pub use lincheck::{LincheckCell, LincheckReport, LincheckStep};
pub use model::{
    ClassSummary, FailureSummary, ListRow, LoomOnly, Minimization, ReplayReport, SummaryRow,
    TraceFailure,
};
pub use trace_table::TraceOptions;
