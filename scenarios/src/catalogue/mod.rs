//! The registered scenarios: the seven trigger scenarios of the seed article on Go map write
//! panics (`t1`-`t7`), the extras (`e1`-`e12`), and the demo. Each module's documentation gives
//! the Go pattern, the Go-shaped code, why it fails and what the fix changes.

pub(crate) mod common;
pub mod demo;
pub mod e10_timer_stop_inverted;
pub mod e11_log_lock_hides_race;
pub mod e12_ready_select_hides_race;
pub mod e1_defer_at_exit;
pub mod e2_two_writers;
pub mod e3_range_while_write;
pub mod e4_delete_vs_assign;
pub mod e5_grow_window;
pub mod e6_syncmap_wrapper_raw_field;
pub mod e7_lost_update;
pub mod e8_syncmap_range_spawn;
pub mod e9_fresh_map_first_writes;
pub mod t1_once_lazy_goroutine;
pub mod t2_ctx_cancel_shared_map;
pub mod t3_once_global_unlocked;
pub mod t4_middleware_context_map;
pub mod t5_collector_labels;
pub mod t6_interceptor_metadata;
pub mod t7_afterfunc_global;

use crate::Scenario;

/// Every scenario variant, in catalogue order (buggy before fixed): `t1`-`t7`, `e1`-`e12`, then
/// the demo.
pub fn scenarios() -> Vec<Scenario> {
    [
        t1_once_lazy_goroutine::scenarios,
        t2_ctx_cancel_shared_map::scenarios,
        t3_once_global_unlocked::scenarios,
        t4_middleware_context_map::scenarios,
        t5_collector_labels::scenarios,
        t6_interceptor_metadata::scenarios,
        t7_afterfunc_global::scenarios,
        e1_defer_at_exit::scenarios,
        e2_two_writers::scenarios,
        e3_range_while_write::scenarios,
        e4_delete_vs_assign::scenarios,
        e5_grow_window::scenarios,
        e6_syncmap_wrapper_raw_field::scenarios,
        e7_lost_update::scenarios,
        e8_syncmap_range_spawn::scenarios,
        e9_fresh_map_first_writes::scenarios,
        e10_timer_stop_inverted::scenarios,
        e11_log_lock_hides_race::scenarios,
        e12_ready_select_hides_race::scenarios,
        demo::scenarios,
    ]
    .into_iter()
    .flat_map(|f| f())
    .collect()
}
