//! maprace-scenarios
