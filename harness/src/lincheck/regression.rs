//! Regression lines: one line holds a failing lincheck scenario and its schedule, for
//! `maprace-regressions/lincheck-<test>.txt` and `MAPRACE_REPLAY`.
//!
//! ```text
//! lincheck1 case=<seed> shape=2x3+2+2 shrink=<steps>:<outcomes> scenario=<hash> token=mr2:…
//! ```
//!
//! The scenario is not serialised (operations need not be): it is rebuilt by drawing the case
//! from the seed proptest drew for it (`case`, 32 bytes in URL-safe base64) with the generator
//! of `shape` (goroutines × operations + init + post, at most), then replaying the shrinking
//! steps (`shrink`: how many, and whether each candidate failed, one bit each). `scenario` is a
//! hash of the rebuilt scenario's `Debug` text, so a generator that changed is noticed rather
//! than replayed against the wrong scenario. Every field is printable ASCII with no quote, so
//! the line fits in a shell's single quotes.

use super::scenario::{Scenario, Shape};
use crate::hash::fnv1a64;
use crate::token::Token;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::fmt;

const MAGIC: &str = "lincheck1";

/// A failing scenario and its schedule, as saved and replayed (see the module).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regression {
    /// The seed proptest drew for the failing case.
    pub case_seed: [u8; 32],
    /// The generator's sizes.
    pub shape: Shape,
    /// Whether each shrinking step's candidate failed.
    pub path: Vec<bool>,
    /// The hash of the shrunk scenario's `Debug` text.
    pub scenario_hash: u64,
    /// The failing schedule.
    pub token: Token,
}

/// The hash a regression line keeps of `scenario`.
pub fn scenario_hash<O: fmt::Debug>(scenario: &Scenario<O>) -> u64 {
    fnv1a64(format!("{scenario:?}").as_bytes())
}

impl fmt::Display for Regression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bits = vec![0u8; self.path.len().div_ceil(8)];
        for (i, _) in self.path.iter().enumerate().filter(|(_, &failed)| failed) {
            bits[i / 8] |= 1 << (i % 8);
        }
        let s = self.shape;
        write!(
            f,
            "{MAGIC} case={} shape={}x{}+{}+{} shrink={}:{} scenario={:016x} token={}",
            URL_SAFE_NO_PAD.encode(self.case_seed),
            s.goroutines,
            s.operations,
            s.init,
            s.post,
            self.path.len(),
            URL_SAFE_NO_PAD.encode(&bits),
            self.scenario_hash,
            self.token
        )
    }
}

impl Regression {
    /// Reads a line written by `Display`; `Err` says in one line what is wrong.
    pub fn parse(line: &str) -> Result<Regression, String> {
        let mut words = line.split_whitespace();
        if words.next() != Some(MAGIC) {
            return Err(format!(
                "not a lincheck regression line (expected `{MAGIC} case=… token=…`, as printed \
                 by a failing lincheck check): {line:?}"
            ));
        }
        let mut field = |name: &str| -> Result<&str, String> {
            words
                .next()
                .and_then(|w| w.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("lincheck regression line: expected `{name}=…`"))
        };
        let bad = |name: &str, why: &dyn fmt::Display| {
            format!("lincheck regression line: bad `{name}`: {why}")
        };
        let case = field("case")?;
        let case_seed: [u8; 32] = URL_SAFE_NO_PAD
            .decode(case)
            .map_err(|e| bad("case", &e))?
            .try_into()
            .map_err(|_| bad("case", &"expected 32 bytes"))?;
        let shape = parse_shape(field("shape")?)
            .ok_or_else(|| bad("shape", &"expected <goroutines>x<operations>+<init>+<post>"))?;
        let (steps, bits) = field("shrink")?
            .split_once(':')
            .ok_or_else(|| bad("shrink", &"expected <steps>:<outcomes>"))?;
        let steps: usize = steps.parse().map_err(|e| bad("shrink", &e))?;
        let bits = URL_SAFE_NO_PAD
            .decode(bits)
            .map_err(|e| bad("shrink", &e))?;
        if bits.len() != steps.div_ceil(8) {
            return Err(bad("shrink", &"the outcomes do not match the steps"));
        }
        let path = (0..steps)
            .map(|i| bits[i / 8] & (1 << (i % 8)) != 0)
            .collect();
        let hash = field("scenario")?;
        let scenario_hash = u64::from_str_radix(hash, 16).map_err(|e| bad("scenario", &e))?;
        let token = Token::parse(field("token")?).map_err(|e| bad("token", &e))?;
        if let Some(extra) = words.next() {
            return Err(format!(
                "lincheck regression line: unexpected {extra:?} after the token"
            ));
        }
        Ok(Regression {
            case_seed,
            shape,
            path,
            scenario_hash,
            token,
        })
    }
}

fn parse_shape(text: &str) -> Option<Shape> {
    let (goroutines, rest) = text.split_once('x')?;
    let mut parts = rest.split('+');
    let shape = Shape {
        goroutines: goroutines.parse().ok()?,
        operations: parts.next()?.parse().ok()?,
        init: parts.next()?.parse().ok()?,
        post: parts.next()?.parse().ok()?,
    };
    parts.next().is_none().then_some(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Regression {
        let token =
            Token::parse("mr2:lincheck/kv-racy:AgPmpuKBMg37sjUcG8Vm5_5oBQAD3QEEbwIGMwEChgACQkBz")
                .expect("a token");
        Regression {
            case_seed: [7; 32],
            shape: Shape {
                goroutines: 2,
                operations: 3,
                init: 2,
                post: 0,
            },
            path: vec![true, false, false, true, true, false, true, false, true],
            scenario_hash: 0x0123_4567_89ab_cdef,
            token,
        }
    }

    #[test]
    fn a_line_reads_back() {
        let r = sample();
        let line = r.to_string();
        assert!(line.starts_with("lincheck1 case="), "{line}");
        assert!(line.contains(" shape=2x3+2+0 shrink=9:"), "{line}");
        assert!(!line.contains('\''), "{line}");
        assert_eq!(Regression::parse(&line), Ok(r.clone()));
        let unshrunk = Regression { path: vec![], ..r };
        assert_eq!(Regression::parse(&unshrunk.to_string()), Ok(unshrunk));
    }

    #[test]
    fn bad_lines_say_what_is_wrong_in_one_line() {
        let line = sample().to_string();
        for (bad, needle) in [
            (
                "mr2:lincheck/kv:AAAA".to_string(),
                "not a lincheck regression line",
            ),
            (line.replace("shape=2x3+2+0", "shape=2x3"), "bad `shape`"),
            (line.replace("shrink=9:", "shrink=17:"), "bad `shrink`"),
            (line.replace("case=", "case=!"), "bad `case`"),
            (line.replace("token=mr2:", "token=mr9:"), "bad `token`"),
            (format!("{line} more"), "unexpected"),
            (
                line.replace(" scenario=", " hash="),
                "expected `scenario=…`",
            ),
        ] {
            let e = Regression::parse(&bad).unwrap_err();
            assert!(e.contains(needle), "{bad}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
