//! Point 7 of issue #11: scenarios where `go test -race` is silent in some schedules of a
//! racy program, because an incidental lock or channel operation orders the two map accesses
//! in those schedules only. For each, exploration finds both kinds of schedule, and the
//! tokens it gives replay to a run without a race (and without any failure) and to a racing
//! run.

use maprace_harness::{Class, Strategy};
use maprace_scenarios::by_id;
use maprace_scenarios::run::{explore, replay, Options, DEFAULT_MAX_STEPS};

fn silent_and_firing(id: &str) {
    let s = by_id(id).expect("registered");
    let e = explore(
        &s,
        &Options {
            // `explore`'s default: random walks alone rarely let the prefetch signal first.
            strategy: Strategy::Portfolio,
            iterations: 2_000,
            ..Options::default()
        },
    );
    let class = |c: Class| e.classes.iter().find(|x| x.class == c);
    let silent = class(Class::Clean).unwrap_or_else(|| panic!("{id}: no schedule without a race"));
    let fires = class(Class::Race).unwrap_or_else(|| panic!("{id}: no racing schedule"));
    assert!(silent.count > 0 && fires.count > 0);

    let (_, quiet) = replay(&silent.token.to_string(), DEFAULT_MAX_STEPS).expect("replays");
    assert!(quiet.race.is_none(), "{id}: the silent token races");
    assert!(quiet.failure.is_none(), "{id}: the silent token fails");

    let (_, loud) = replay(&fires.token.to_string(), DEFAULT_MAX_STEPS).expect("replays");
    let race = loud.race.expect("the firing token races");
    assert_eq!(race.current.access.object, race.previous.access.object);
    assert_eq!(
        race.current.access.object.kind.name(),
        "map",
        "{id}: {race:?}"
    );
}

#[test]
fn a_logging_mutex_hides_the_race_in_some_schedules() {
    silent_and_firing("e11-log-lock-hides-race/buggy");
}

#[test]
fn a_ready_signal_received_in_time_hides_the_race() {
    silent_and_firing("e12-ready-select-hides-race/buggy");
}
