//! Golden tests: the exact text of a trace's table and Markdown. The expected texts were read
//! by eye: one row per run of a goroutine, where each run was preempted, the map state beside
//! it, the failing step marked and explained under the table, the token and replay command last.

mod fixtures;

use maprace_reports::{markdown, trace_table, TraceOptions};

const FOLDED: TraceOptions = TraceOptions {
    full: false,
    colour: false,
    replay: trace_table::MAPRACE_REPLAY,
    width: None,
};
const FULL: TraceOptions = TraceOptions {
    full: true,
    colour: false,
    replay: trace_table::MAPRACE_REPLAY,
    width: None,
};

#[track_caller]
fn assert_text(actual: &str, expected: &str) {
    if actual != expected {
        panic!("--- actual ---\n{actual}\n--- expected ---\n{expected}");
    }
}

#[test]
fn two_writers_folded_table() {
    assert_text(
        &trace_table::render(&fixtures::two_writers(), &FOLDED),
        "\
demo-flag-map/buggy: concurrent-map-writes
┌──────┬──────────────────────────────────────┬────────────────────────────────────┬───────────────────────────┬──────────────────────┐
│ step │ main                                 │ G1                                 │ G2                        │ state                │
├──────┼──────────────────────────────────────┼────────────────────────────────────┼───────────────────────────┼──────────────────────┤
│ 2-4  │ go G1: spawn … go G1: join (3 steps) │                                    │                           │                      │
│ 5-6  │                                      │ assign k=0: entry check → flag set │                           │ count=0 writing=true │
│      │                                      │ (2 steps)                          │                           │                      │
│ 7-8  │                                      │                                    │ ✗ assign k=1: entry check │ count=0 writing=true │
└──────┴──────────────────────────────────────┴────────────────────────────────────┴───────────────────────────┴──────────────────────┘
step N = after N scheduling decisions
✗ concurrent-map-writes in G2 at step 8: fatal error: concurrent map writes
token:          mr2:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPef
replay:         maprace replay mr2:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPef
trace hash:     2d8139836c60859b
",
    );
}

#[test]
fn two_writers_full_table() {
    assert_text(
        &trace_table::render(&fixtures::two_writers(), &FULL),
        "\
demo-flag-map/buggy: concurrent-map-writes
┌──────┬──────────────┬─────────────────────────┬───────────────────────────┬───────────────────────┐
│ step │ main         │ G1                      │ G2                        │ state                 │
├──────┼──────────────┼─────────────────────────┼───────────────────────────┼───────────────────────┤
│ 2    │ go: start    │                         │                           │                       │
│ 2    │ go G1: spawn │                         │                           │                       │
│ 3    │ go G2: spawn │                         │                           │                       │
│ 4    │ go G1: join  │                         │                           │                       │
│ 5    │              │ go: start               │                           │                       │
│ 5    │              │ assign k=0: entry check │                           │ count=0 writing=false │
│ 6    │              │ assign k=0: flag set    │                           │ count=0 writing=true  │
│ 7    │              │                         │ go: start                 │                       │
│ 7-8  │              │                         │ ✗ assign k=1: entry check │ count=0 writing=true  │
└──────┴──────────────┴─────────────────────────┴───────────────────────────┴───────────────────────┘
step N = after N scheduling decisions
✗ concurrent-map-writes in G2 at step 8: fatal error: concurrent map writes
token:          mr2:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPef
replay:         maprace replay mr2:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPef
trace hash:     2d8139836c60859b
",
    );
}

#[test]
fn two_writers_markdown() {
    assert_text(
        &markdown::trace(&fixtures::two_writers(), &FOLDED),
        "\
### demo-flag-map/buggy: concurrent-map-writes

| step | main                                 | G1                                           | G2                            | state                |
|------|--------------------------------------|----------------------------------------------|-------------------------------|----------------------|
| 2-4  | go G1: spawn … go G1: join (3 steps) |                                              |                               |                      |
| 5-6  |                                      | assign k=0: entry check → flag set (2 steps) |                               | count=0 writing=true |
| 7-8  |                                      |                                              | **✗ assign k=1: entry check** | count=0 writing=true |

_step N = after N scheduling decisions_

**✗ concurrent-map-writes in G2 at step 8:** `fatal error: concurrent map writes`

- token: `mr2:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPef`
- replay: `maprace replay mr2:demo-flag-map/buggy:AQPmpuKBMg37spuFYGyDOYEtAwAEQwICvQMCrPef`
- trace hash: `2d8139836c60859b`
",
    );
}

#[test]
fn minimized_map_trace_folded_table() {
    // Fourteen steps of one writer fold into one row that ends where it was preempted, with
    // the map state of that moment (a write in progress); the grow-only fields are left out.
    assert_text(
        &trace_table::render(&fixtures::map_read_during_write(), &FOLDED),
        "\
example/buggy: concurrent-map-read-and-map-write
┌───────┬────────────────────────────────────┬───────────────────────────────┬──────────────────────────────────┬─────────────────────────────────────────────┐
│ step  │ main                               │ writer                        │ reader                           │ state                                       │
├───────┼────────────────────────────────────┼───────────────────────────────┼──────────────────────────────────┼─────────────────────────────────────────────┤
│ 1-3   │ go writer: spawn … go writer: join │                               │                                  │                                             │
│       │ (3 steps)                          │                               │                                  │                                             │
│ 4-17  │                                    │ assign k=1 … k=4: hashWriting │                                  │ B=0 count=3 flags=hashWriting growing=false │
│       │                                    │ toggled (14 steps)            │                                  │                                             │
│ 18-19 │                                    │                               │ ✗ access k=2: before entry check │ B=0 count=3 flags=hashWriting growing=false │
└───────┴────────────────────────────────────┴───────────────────────────────┴──────────────────────────────────┴─────────────────────────────────────────────┘
step N = after N scheduling decisions
✗ concurrent-map-read-and-map-write in reader at step 19: fatal error: concurrent map read and map write
token:          mr2:example/buggy:AQMAAAAAAAAAAAAA
replay:         maprace replay mr2:example/buggy:AQMAAAAAAAAAAAAA
trace hash:     0123456789abcdef
preemptions:    7 -> 1 (proven minimal)
minimized from: mr2:example/buggy:AQNvcmlnaW5hbA
",
    );
}
