//! proptest's generate-then-shrink loop, driven here rather than by `TestRunner::run` so that a
//! shrunk case can be rebuilt later from two small facts: the seed proptest drew for the case,
//! and whether each shrinking step's candidate failed. A regression line holds both (see
//! [`super::regression`]); no bound on the operation type (no serde) is needed to save it.
//!
//! The loop is proptest's own (1.x `run_in_process_with_replay` and `shrink`): one runner RNG
//! hands each case a fresh ChaCha seed, the case's value tree is drawn from that seed, and a
//! failing case is shrunk by `simplify` after a failure and `complicate` after a pass, up to the
//! configured number of steps. So the cases and the shrunk scenario are the ones
//! `TestRunner::run` gives for the same seed.

use proptest::prelude::RngExt as _;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A failing case after shrinking, with what rebuilds it.
pub(crate) struct Shrunk<V> {
    /// The seed proptest drew for the case.
    pub case_seed: [u8; 32],
    /// Whether each shrinking step's candidate failed, in order.
    pub path: Vec<bool>,
    /// The smallest failing value.
    pub value: V,
}

/// The proptest configuration of a lincheck run: `cases` scenarios, at most `shrink_steps`
/// shrinking steps, no proptest persistence (lincheck keeps its own regression lines).
pub(crate) fn config(cases: u32, shrink_steps: u32) -> Config {
    Config {
        cases,
        max_shrink_iters: shrink_steps,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    }
}

/// Generates `config.cases` values of `strategy` from `seed` and runs `fails` on each; shrinks
/// the first failing one. `Err` when proptest cannot generate a value (too many rejections).
pub(crate) fn run<S: Strategy>(
    strategy: &S,
    config: &Config,
    seed: u64,
    mut fails: impl FnMut(S::Value) -> bool,
) -> Result<Option<Shrunk<S::Value>>, String> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        config.clone(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    );
    for _ in 0..config.cases {
        let case_seed: [u8; 32] = runner.rng().random();
        *runner.rng() = TestRng::from_seed(RngAlgorithm::ChaCha, &case_seed);
        let mut tree = strategy.new_tree(&mut runner).map_err(|r| r.to_string())?;
        if !fails(tree.current()) {
            continue;
        }
        let mut path = Vec::new();
        let steps = config.max_shrink_iters() as usize;
        if steps > 0 && tree.simplify() {
            loop {
                if path.len() >= steps {
                    // Out of steps: back to the last failing candidate, as proptest does.
                    while tree.complicate() {}
                    break;
                }
                let failed = fails(tree.current());
                path.push(failed);
                let moved = if failed {
                    tree.simplify()
                } else {
                    tree.complicate()
                };
                if !moved {
                    break;
                }
            }
        }
        return Ok(Some(Shrunk {
            case_seed,
            path,
            value: tree.current(),
        }));
    }
    Ok(None)
}

/// The value [`run`] shrank to, rebuilt without running anything: the case drawn from
/// `case_seed`, then the shrinking steps replayed from `path`. `Err` when the value trees no
/// longer take that path (the strategy changed).
pub(crate) fn rebuild<S: Strategy>(
    strategy: &S,
    config: &Config,
    case_seed: &[u8; 32],
    path: &[bool],
) -> Result<S::Value, String> {
    let mut runner = TestRunner::new_with_rng(
        config.clone(),
        TestRng::from_seed(RngAlgorithm::ChaCha, case_seed),
    );
    let mut tree = strategy.new_tree(&mut runner).map_err(|r| r.to_string())?;
    // An empty path: shrinking was off, or the case could not be simplified at all.
    if path.is_empty() {
        return Ok(tree.current());
    }
    let diverged = || "shrinking no longer takes the saved path".to_string();
    if !tree.simplify() {
        return Err(diverged());
    }
    for (i, &failed) in path.iter().enumerate() {
        let moved = if failed {
            tree.simplify()
        } else {
            tree.complicate()
        };
        if !moved {
            return if i + 1 == path.len() {
                Ok(tree.current())
            } else {
                Err(diverged())
            };
        }
    }
    // Every step moved: the run stopped for want of steps and went back.
    while tree.complicate() {}
    Ok(tree.current())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;

    /// Fails for vectors holding a value ≥ 50: shrinks to `[50]`.
    fn big(v: &[u32]) -> bool {
        v.iter().any(|&x| x >= 50)
    }

    #[test]
    fn a_shrunk_case_rebuilds_from_its_seed_and_path() {
        let strategy = vec(0u32..100, 0..10);
        for steps in [0, 3, 256] {
            let config = config(50, steps);
            let shrunk = run(&strategy, &config, 7, |v| big(&v))
                .unwrap()
                .expect("a big value is generated");
            assert!(big(&shrunk.value));
            if steps == 256 {
                assert_eq!(shrunk.value, [50]);
            }
            let rebuilt = rebuild(&strategy, &config, &shrunk.case_seed, &shrunk.path).unwrap();
            assert_eq!(rebuilt, shrunk.value, "{steps} steps");
        }
    }

    #[test]
    fn a_path_the_trees_do_not_take_is_an_error() {
        let strategy = vec(0u32..100, 0..10);
        let config = config(50, 256);
        let shrunk = run(&strategy, &config, 7, |v| big(&v)).unwrap().unwrap();
        let mut path = shrunk.path.clone();
        path.extend([true; 40]);
        assert!(rebuild(&strategy, &config, &shrunk.case_seed, &path).is_err());
    }
}
