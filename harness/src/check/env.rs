//! The `MAPRACE_*` environment overrides of a check (see the table in the module above).

use crate::strategy::Strategy;
use std::fmt;

/// An environment variable with a value a check cannot use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvError {
    /// The variable.
    pub variable: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.reason)
    }
}

impl std::error::Error for EnvError {}

/// What the environment says, each field `None` when the variable is unset or empty.
#[derive(Clone, Debug, Default)]
pub(crate) struct Overrides {
    pub seed: Option<u64>,
    pub iterations: Option<u64>,
    pub strategy: Option<Strategy>,
    pub max_steps: Option<u64>,
    pub replay: Option<String>,
    /// `MAPRACE_PERSIST` is not `0`.
    pub persist: bool,
}

impl Overrides {
    /// Reads the process environment.
    pub fn read() -> Result<Self, EnvError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `get` (tests pass a map instead of the process environment).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let positive = |variable: &'static str| -> Result<Option<u64>, EnvError> {
            get(variable)
                .map(|v| match v.trim().parse::<u64>() {
                    Ok(n) if n >= 1 => Ok(n),
                    _ => Err(EnvError {
                        variable,
                        reason: format!("expected a whole number ≥ 1, got {v:?}"),
                    }),
                })
                .transpose()
        };
        let seed = get("MAPRACE_SEED")
            .map(|v| {
                v.trim().parse::<u64>().map_err(|_| EnvError {
                    variable: "MAPRACE_SEED",
                    reason: format!("expected a whole number (u64), got {v:?}"),
                })
            })
            .transpose()?;
        let strategy = get("MAPRACE_STRATEGY")
            .map(|v| parse_strategy(v.trim()))
            .transpose()?;
        let persist = match get("MAPRACE_PERSIST").as_deref().map(str::trim) {
            None | Some("1") => true,
            Some("0") => false,
            Some(other) => {
                return Err(EnvError {
                    variable: "MAPRACE_PERSIST",
                    reason: format!("expected 0 or 1, got {other:?}"),
                })
            }
        };
        Ok(Overrides {
            seed,
            iterations: positive("MAPRACE_ITERATIONS")?,
            strategy,
            max_steps: positive("MAPRACE_MAX_STEPS")?,
            replay: get("MAPRACE_REPLAY").map(|v| v.trim().to_string()),
            persist,
        })
    }
}

/// `random`, `pct`, `pct:<depth>`, `dfs`, `dfs:<bound>`, `dfs:none`.
fn parse_strategy(v: &str) -> Result<Strategy, EnvError> {
    let err = |reason: String| EnvError {
        variable: "MAPRACE_STRATEGY",
        reason,
    };
    let (name, option) = match v.split_once(':') {
        Some((n, o)) => (n, Some(o)),
        None => (v, None),
    };
    match (name, option) {
        ("random", None) => Ok(Strategy::Random),
        ("random", Some(_)) => Err(err("random takes no option".into())),
        ("portfolio", None) => Ok(Strategy::Portfolio),
        ("pos", None) => Ok(Strategy::Pos),
        ("urw", None) => Ok(Strategy::Urw),
        ("surw", None) => Ok(Strategy::Surw),
        ("delay", None) => Ok(Strategy::DelayBounded { delay_bound: 2 }),
        ("delay", Some(b)) => b
            .parse::<u32>()
            .map(|delay_bound| Strategy::DelayBounded { delay_bound })
            .map_err(|_| err(format!("delay bound must be a whole number, got {b:?}"))),
        ("portfolio" | "pos" | "urw" | "surw", Some(_)) => {
            Err(err(format!("{name} takes no option")))
        }
        ("pct", None) => Ok(Strategy::Pct { depth: 3 }),
        ("pct", Some(d)) => match d.parse::<u32>() {
            Ok(depth @ 1..=64) => Ok(Strategy::Pct { depth }),
            _ => Err(err(format!("pct depth must be 1..=64, got {d:?}"))),
        },
        ("dfs", None) | ("dfs", Some("none")) => Ok(Strategy::Dfs {
            preemption_bound: None,
        }),
        ("dfs", Some(b)) => b
            .parse::<u32>()
            .map(|b| Strategy::Dfs {
                preemption_bound: Some(b),
            })
            .map_err(|_| {
                err(format!(
                    "dfs bound must be a whole number or none, got {b:?}"
                ))
            }),
        _ => Err(err(format!(
            "unknown strategy {v:?}: use portfolio, random, pos, urw, surw, pct[:depth], dfs[:bound|none] or delay[:bound]"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn read(vars: &[(&str, &str)]) -> Result<Overrides, EnvError> {
        let map: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Overrides::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn every_variable_is_read() {
        let o = read(&[
            ("MAPRACE_SEED", "7"),
            ("MAPRACE_ITERATIONS", "20"),
            ("MAPRACE_STRATEGY", "dfs:2"),
            ("MAPRACE_MAX_STEPS", "500"),
            ("MAPRACE_REPLAY", " mr2:x:y "),
            ("MAPRACE_PERSIST", "0"),
        ])
        .unwrap();
        assert_eq!(o.seed, Some(7));
        assert_eq!(o.iterations, Some(20));
        assert_eq!(
            o.strategy,
            Some(Strategy::Dfs {
                preemption_bound: Some(2)
            })
        );
        assert_eq!(o.max_steps, Some(500));
        assert_eq!(o.replay.as_deref(), Some("mr2:x:y"));
        assert!(!o.persist);
        let none = read(&[]).unwrap();
        assert!(none.seed.is_none() && none.strategy.is_none() && none.persist);
    }

    #[test]
    fn strategies_parse_with_their_options() {
        assert_eq!(parse_strategy("random"), Ok(Strategy::Random));
        assert_eq!(parse_strategy("pct:2"), Ok(Strategy::Pct { depth: 2 }));
        assert_eq!(
            parse_strategy("dfs:none"),
            Ok(Strategy::Dfs {
                preemption_bound: None
            })
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("MAPRACE_SEED", "-1"),
            ("MAPRACE_ITERATIONS", "0"),
            ("MAPRACE_STRATEGY", "pct:0"),
            ("MAPRACE_STRATEGY", "random:3"),
            ("MAPRACE_STRATEGY", "bfs"),
            ("MAPRACE_MAX_STEPS", "many"),
            ("MAPRACE_PERSIST", "yes"),
        ] {
            let e = read(&[(var, value)]).unwrap_err();
            assert_eq!(e.variable, var);
            assert!(!e.to_string().contains('\n'));
        }
    }
}
