//! maprace: deterministic concurrency simulation of Go-style map races.
pub use maprace_harness as harness;
