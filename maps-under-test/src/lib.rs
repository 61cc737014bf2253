//! maprace-maps
