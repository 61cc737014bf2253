//! maprace-reports
