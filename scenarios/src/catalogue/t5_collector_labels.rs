//! `t5-collector-labels`: a Prometheus-style collector whose goroutines share one labels map.
//!
//! # The Go pattern
//!
//! ```go
//! type Collector struct {
//!     labels map[string]string // the labels of the sample being observed
//!     counts map[string]int    // samples per series
//! }
//!
//! func (c *Collector) Observe(method, code string) {
//!     c.labels["method"] = method
//!     c.labels["code"] = code
//!     names := make([]string, 0, len(c.labels))
//!     for name := range c.labels {
//!         names = append(names, name)
//!     }
//!     sort.Strings(names)
//!     var key strings.Builder
//!     for _, name := range names {
//!         key.WriteString(name + "=" + c.labels[name] + ",")
//!     }
//!     c.counts[key.String()]++
//! }
//! ```
//!
//! Two goroutines each observe one sample: `GET 200` and `POST 500`.
//!
//! Two observations at the default size; 20 at Go size (five methods by four codes).
//!
//! # Why it fails
//!
//! Both goroutines write `c.labels` (`concurrent map writes`), range over it while the other
//! writes (`concurrent map iteration and map write`), look label values up while the other
//! writes (`concurrent map read and map write`), and increment `c.counts` (`concurrent map
//! writes`). Even in the schedules the runtime lets through, the result is wrong: a goroutine
//! can build its series key from the other's labels (`code=500,method=GET`), and `m[k]++` is
//! a `mapassign` followed by a load and a store of the value outside the flag window, so two
//! increments can leave 1 (`wrong-result`). Under `-race` the compiler rewrites `m[k]++` into
//! `m[k] = m[k] + 1` and the increment gets a read check too; a normal build, modelled here,
//! has none.
//!
//! # The fix
//!
//! The race-free aggregation: a label set is never written after it is published. Each
//! observation builds its own label set (a copy of the current one plus its labels), derives
//! its series key from that private set, and publishes it by swapping an `atomic.Value`; the
//! counters are incremented under a mutex. No goroutine ever writes a map another goroutine
//! can reach. (One mutex around all of `Observe` works too.)

use super::common::{check_map, expect_contents, kinds, GoSized, Pair, Sizes, GO, SMALL};
use crate::run::DEFAULT_DFS_ITERATIONS;
use crate::runtime::{go, Arc, Mutex};
use crate::Scenario;
use maprace_maps::{AtomicValue, GoMap};

type Labels = GoMap<&'static str, &'static str>;
type Counts = GoMap<String, u64>;

const SAMPLES: [(&str, &str); 2] = [("GET", "200"), ("POST", "500")];

/// Go size: 20 observations, every method with every code.
const GO_SAMPLES: [(&str, &str); 20] = {
    const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];
    const CODES: [&str; 4] = ["200", "404", "500", "503"];
    let mut out = [("", ""); 20];
    let mut i = 0;
    while i < 20 {
        out[i] = (METHODS[i / 4], CODES[i % 4]);
        i += 1;
    }
    out
};

fn samples(size: Sizes) -> &'static [(&'static str, &'static str)] {
    if size == GO {
        &GO_SAMPLES
    } else {
        &SAMPLES
    }
}

/// `for name := range labels` then a lookup per sorted name: the series key.
fn series_key(labels: &Labels) -> String {
    let mut names = Vec::new();
    labels.range(|name, _| {
        names.push(*name);
        true
    });
    names.sort_unstable();
    let mut key = String::new();
    for name in names {
        let value = labels.get(&name).unwrap_or_default();
        key.push_str(&format!("{name}={value},"));
    }
    key
}

fn want(size: Sizes) -> Vec<(String, u64)> {
    let mut want: Vec<_> = samples(size)
        .iter()
        .map(|(method, code)| (format!("code={code},method={method},"), 1))
        .collect();
    want.sort();
    want
}

/// One `observe` goroutine per sample, all started before any is waited for.
fn observe_all<C: Send + Sync + 'static>(
    size: Sizes,
    c: &Arc<C>,
    observe: fn(&C, &'static str, &'static str),
) {
    let observers: Vec<_> = samples(size)
        .iter()
        .copied()
        .map(|(method, code)| {
            let c = Arc::clone(c);
            go("observe", move || observe(&c, method, code))
        })
        .collect();
    for o in observers {
        o.join();
    }
}

struct Collector {
    labels: Labels,
    counts: Counts,
}

fn buggy_at(size: Sizes) {
    fn observe(c: &Collector, method: &'static str, code: &'static str) {
        c.labels.assign("method", method);
        c.labels.assign("code", code);
        let key = series_key(&c.labels);
        c.counts.update(key, |n| n.copied().unwrap_or(0) + 1);
    }
    let c = Arc::new(Collector {
        labels: Labels::new(),
        counts: Counts::new(),
    });
    observe_all(size, &c, observe);
    check_map(&c.labels);
    check_map(&c.counts);
    expect_contents(&c.counts, "the series counts", &want(size));
}

struct Aggregator {
    /// The current label set, immutable once stored.
    labels: AtomicValue<Arc<Labels>>,
    mu: Mutex<()>,
    counts: Counts,
}

fn fixed_at(size: Sizes) {
    fn observe(c: &Aggregator, method: &'static str, code: &'static str) {
        let current = c.labels.load();
        let mine = Labels::new();
        current.range(|k, v| {
            mine.assign(k, v);
            true
        });
        mine.assign("method", method);
        mine.assign("code", code);
        let key = series_key(&mine);
        c.labels.store(Arc::new(mine));
        let _g = c.mu.lock();
        c.counts.update(key, |n| n.copied().unwrap_or(0) + 1);
    }
    let c = Arc::new(Aggregator {
        labels: AtomicValue::new(Arc::new(Labels::new())),
        mu: Mutex::new(()),
        counts: Counts::new(),
    });
    observe_all(size, &c, observe);
    check_map(&c.counts);
    expect_contents(&c.counts, "the series counts", &want(size));
}

fn buggy() {
    buggy_at(SMALL);
}

fn fixed() {
    fixed_at(SMALL);
}

fn buggy_go() {
    buggy_at(GO);
}

fn fixed_go() {
    fixed_at(GO);
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    Pair {
        name: "t5-collector-labels",
        description: "collector goroutines write a shared labels map, range it into a series key and increment a counter map",
        buggy,
        fixed,
        go_size: Some(GoSized {
            bodies: (buggy_go, fixed_go),
            expected_kinds: &[kinds::RACE, kinds::WRITES, kinds::READ_WRITE, kinds::ITER_WRITE, kinds::WRONG],
        }),
        // A torn string key in the labels map faults (`fault`, Go's SIGSEGV in memeqbody), and a
        // schedule where no check fires still races (`data-race`): portfolio reaches both.
        expected_kinds: &[
            kinds::RACE,
            kinds::WRITES,
            kinds::READ_WRITE,
            kinds::ITER_WRITE,
            kinds::CORRUPTED,
            kinds::WRONG,
            kinds::FAULT,
        ],
        dfs_iterations: DEFAULT_DFS_ITERATIONS,
    }
    .scenarios()
}
