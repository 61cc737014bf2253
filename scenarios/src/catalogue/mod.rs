//! The registered scenarios.

mod demo;

use crate::Scenario;

/// Every scenario variant, in catalogue order.
pub fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    out.extend(demo::scenarios());
    out
}
