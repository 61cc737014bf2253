//! Schedule tokens: a compact, versioned, printable recording of one execution's schedule.
//!
//! Text form: `mr2:<scenario>:<payload>`, where the payload is base64url (no padding) of
//! `version, flags, seed (u64 LE), [trace hash (u64 LE)], run count, runs, checksum`. A run is a
//! maximal stretch of consecutive steps given to one goroutine: `task (varint), length (varint),
//! [digest of the point the task resumed at (u8)]`. Runs keep tokens short (most steps continue
//! the current goroutine); the digests let a replay notice, at the step where it happens, that
//! the code no longer matches the schedule. The trailing 16-bit checksum catches copy errors.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::fmt;

const PREFIX: &str = "mr2";
const VERSION: u8 = 2;
/// Earlier prefixes, whose schedules this maprace cannot replay. `mr1` numbered a hidden task
/// among the goroutines and recorded its scheduling steps.
const RETIRED: &[&str] = &["mr1"];
const HAS_DIGESTS: u8 = 1;
const HAS_TRACE_HASH: u8 = 2;
/// Longest schedule a token may carry: parsing refuses longer ones before allocating anything,
/// so a crafted token costs at most a few megabytes. Far above any scenario's schedule (the
/// default step bound is 20,000); [`Token::parse_bounded`] bounds tighter, by a step limit.
const MAX_STEPS: u64 = 1_000_000;

/// A schedule token. Replaying it with [`crate::Strategy::Replay`] reproduces the execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The identity of the scenario the schedule belongs to (`e2-two-writers/buggy`).
    pub scenario: String,
    /// The execution's seed: every random value the code under test draws comes from it.
    pub seed: u64,
    /// The goroutine (goroutine number) chosen at each scheduling step.
    pub steps: Vec<u32>,
    /// For each run of steps, a digest of the point the chosen goroutine resumed at (empty when
    /// the token was made without tracing).
    pub digests: Vec<u8>,
    /// The hash of the trace the schedule produced, when known.
    pub trace_hash: Option<u64>,
}

/// Why a token could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError(pub String);

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed token: {}", self.0)
    }
}

impl std::error::Error for TokenError {}

/// Whether a scenario identity can be carried in a token (`[A-Za-z0-9_./-]+`).
pub fn valid_identity(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'))
}

/// The runs of `steps`: `(task, length)` pairs.
pub(crate) fn runs(steps: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &s in steps {
        match out.last_mut() {
            Some((t, n)) if *t == s => *n += 1,
            _ => out.push((s, 1)),
        }
    }
    out
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, TokenError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| TokenError("payload is truncated".into()))?;
        self.pos += 1;
        Ok(b)
    }

    fn u64(&mut self) -> Result<u64, TokenError> {
        let mut v = [0u8; 8];
        for b in &mut v {
            *b = self.byte()?;
        }
        Ok(u64::from_le_bytes(v))
    }

    fn varint(&mut self) -> Result<u64, TokenError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(TokenError("varint too long".into()))
    }
}

/// A base64 decoding error in words (base64's own messages name byte values and offsets).
fn decode_error(e: base64::DecodeError) -> TokenError {
    use base64::DecodeError as D;
    TokenError(match e {
        D::InvalidByte(at, b) => format!(
            "character {:?} at position {} of the schedule is not base64url (A-Z, a-z, 0-9, - and _)",
            char::from(b),
            at + 1
        ),
        D::InvalidLength(_) => {
            "the schedule has an impossible length: a character was lost or added".into()
        }
        D::InvalidLastSymbol(_, b) => format!(
            "the schedule's last character {:?} cannot end one: it was cut or altered",
            char::from(b)
        ),
        D::InvalidPadding => "the schedule must not end in '=' padding".into(),
    })
}

fn checksum(scenario: &str, body: &[u8]) -> u16 {
    let mut text = Vec::with_capacity(scenario.len() + body.len());
    text.extend_from_slice(scenario.as_bytes());
    text.extend_from_slice(body);
    let h = crate::hash::fnv1a64(&text);
    (h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48)) as u16
}

impl Token {
    /// The longest schedule a token may carry: parsing refuses longer ones before allocating
    /// anything for them.
    pub const MAX_STEPS: u64 = MAX_STEPS;

    /// The number of scheduling steps recorded.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no step is recorded.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The number of context switches in the schedule (changes of goroutine between steps).
    pub fn switches(&self) -> usize {
        runs(&self.steps).len().saturating_sub(1)
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Result<Token, TokenError> {
        Token::parse_bounded(text, MAX_STEPS)
    }

    /// Whether the schedule of `text` checksums as a schedule of `scenario`: how a token whose
    /// scenario name was edited is recognised (its checksum fails under the name it carries but
    /// holds under the name it was made for).
    pub fn belongs_to(text: &str, scenario: &str) -> bool {
        let payload = text.trim().splitn(3, ':').nth(2).unwrap_or_default();
        match URL_SAFE_NO_PAD.decode(payload) {
            Ok(bytes) if bytes.len() >= 2 => {
                let (body, sum) = bytes.split_at(bytes.len() - 2);
                u16::from_le_bytes([sum[0], sum[1]]) == checksum(scenario, body)
            }
            _ => false,
        }
    }

    /// Parses the text form of a schedule of at most `max_steps` steps (and at most
    /// [`Token::MAX_STEPS`]): a longer one is refused, saying how long it is, before anything is
    /// allocated for it.
    pub fn parse_bounded(text: &str, max_steps: u64) -> Result<Token, TokenError> {
        let max_steps = max_steps.min(MAX_STEPS);
        let text = text.trim();
        let mut parts = text.splitn(3, ':');
        let (prefix, scenario, payload) = match (parts.next(), parts.next(), parts.next()) {
            (Some(p), Some(s), Some(b)) => (p, s, b),
            _ => return Err(TokenError("expected mr2:<scenario>:<schedule>".into())),
        };
        if RETIRED.contains(&prefix) {
            return Err(TokenError(format!(
                "this {prefix} token comes from an earlier maprace whose schedules this one cannot replay; record it again (this maprace reads {PREFIX})"
            )));
        }
        if prefix != PREFIX {
            return Err(TokenError(format!(
                "unknown token version {prefix:?} (this maprace reads {PREFIX})"
            )));
        }
        if !valid_identity(scenario) {
            return Err(TokenError(format!("invalid scenario name {scenario:?}")));
        }
        let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(decode_error)?;
        if bytes.len() < 2 {
            return Err(TokenError("payload is truncated".into()));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 2);
        if u16::from_le_bytes([sum[0], sum[1]]) != checksum(scenario, body) {
            return Err(TokenError(
                "checksum mismatch (the token was altered or cut)".into(),
            ));
        }
        let mut r = Reader {
            bytes: body,
            pos: 0,
        };
        let version = r.byte()?;
        if version != VERSION {
            return Err(TokenError(format!("unsupported payload version {version}")));
        }
        let flags = r.byte()?;
        let seed = r.u64()?;
        let trace_hash = if flags & HAS_TRACE_HASH != 0 {
            Some(r.u64()?)
        } else {
            None
        };
        let nruns = r.varint()?;
        if nruns > body.len() as u64 {
            return Err(TokenError("run count exceeds the payload".into()));
        }
        // First pass: the runs' shape and total length, so an overlong schedule is refused
        // before its steps are allocated.
        let runs_start = r.pos;
        let mut total = 0u64;
        for _ in 0..nruns {
            let task = r.varint()?;
            if u32::try_from(task).is_err() {
                return Err(TokenError(format!(
                    "goroutine number {task} is out of range"
                )));
            }
            let len = r.varint()?;
            if len == 0 {
                return Err(TokenError("a run of the schedule has no steps".into()));
            }
            total = total.saturating_add(len);
            if flags & HAS_DIGESTS != 0 {
                r.byte()?;
            }
        }
        if total > max_steps {
            return Err(TokenError(format!(
                "the schedule has {total} steps, more than the step limit of {max_steps}"
            )));
        }
        r.pos = runs_start;
        let mut steps = Vec::with_capacity(total as usize);
        let mut digests = Vec::new();
        for _ in 0..nruns {
            let task = r.varint()? as u32;
            let len = r.varint()?;
            if flags & HAS_DIGESTS != 0 {
                digests.push(r.byte()?);
            }
            steps.extend(std::iter::repeat_n(task, len as usize));
        }
        if r.pos != body.len() {
            return Err(TokenError("trailing bytes after the schedule".into()));
        }
        Ok(Token {
            scenario: scenario.to_string(),
            seed,
            steps,
            digests,
            trace_hash,
        })
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runs = runs(&self.steps);
        let with_digests = !self.digests.is_empty() && self.digests.len() == runs.len();
        let mut body = vec![VERSION];
        let mut flags = 0;
        if with_digests {
            flags |= HAS_DIGESTS;
        }
        if self.trace_hash.is_some() {
            flags |= HAS_TRACE_HASH;
        }
        body.push(flags);
        body.extend_from_slice(&self.seed.to_le_bytes());
        if let Some(h) = self.trace_hash {
            body.extend_from_slice(&h.to_le_bytes());
        }
        put_varint(&mut body, runs.len() as u64);
        for (i, (task, len)) in runs.iter().enumerate() {
            put_varint(&mut body, u64::from(*task));
            put_varint(&mut body, u64::from(*len));
            if with_digests {
                body.push(self.digests[i]);
            }
        }
        let sum = checksum(&self.scenario, &body);
        body.extend_from_slice(&sum.to_le_bytes());
        write!(
            f,
            "{PREFIX}:{}:{}",
            self.scenario,
            URL_SAFE_NO_PAD.encode(&body)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn malformed_tokens_are_rejected_with_a_reason() {
        for bad in [
            "",
            "mr2",
            "mr3:x:AAAA",
            "mr1:x:AAAA",
            "mr2:x:!!!!",
            "mr2:bad name:AAAA",
            "mr2:x:AAAA",
        ] {
            let e = Token::parse(bad).unwrap_err();
            assert!(e.to_string().starts_with("malformed token: "), "{e}");
        }
    }

    #[test]
    fn base64_errors_are_in_words() {
        for (bad, says) in [
            ("mr2:x:AA!A", "character '!' at position 3"),
            ("mr2:x:AAAAA", "impossible length"),
            ("mr2:x:AAq", "last character 'q'"),
            ("mr2:x:AA==", "'=' padding"),
        ] {
            let e = Token::parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(!e.contains("offset") && !e.contains("symbol"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_long_schedule_is_refused_by_its_length_before_allocation() {
        let t = Token {
            scenario: "demo/buggy".into(),
            seed: 7,
            steps: vec![1; 50],
            digests: vec![],
            trace_hash: None,
        };
        let text = t.to_string();
        assert_eq!(Token::parse_bounded(&text, 50).unwrap(), t);
        let e = Token::parse_bounded(&text, 49).unwrap_err().to_string();
        assert!(
            e.contains("has 50 steps, more than the step limit of 49"),
            "{e}"
        );
        // A crafted token claiming 50 million steps in one run: refused, nothing allocated.
        let mut body = vec![VERSION, 0];
        body.extend_from_slice(&7u64.to_le_bytes());
        put_varint(&mut body, 1);
        put_varint(&mut body, 0);
        put_varint(&mut body, 50_000_000);
        let sum = checksum("demo/buggy", &body);
        body.extend_from_slice(&sum.to_le_bytes());
        let crafted = format!("mr2:demo/buggy:{}", URL_SAFE_NO_PAD.encode(&body));
        let e = Token::parse(&crafted).unwrap_err().to_string();
        assert!(e.contains("50000000 steps"), "{e}");
    }

    #[test]
    fn a_token_edited_to_name_another_scenario_is_recognised() {
        let t = Token {
            scenario: "demo/buggy".into(),
            seed: 7,
            steps: vec![0, 1, 1],
            digests: vec![],
            trace_hash: None,
        };
        let edited = t.to_string().replace("demo/buggy", "demo/fixed");
        assert!(Token::parse(&edited).is_err());
        assert!(Token::belongs_to(&edited, "demo/buggy"));
        assert!(!Token::belongs_to(&edited, "demo/fixed"));
    }

    #[test]
    fn a_changed_character_fails_the_checksum() {
        let t = Token {
            scenario: "demo/buggy".into(),
            seed: 7,
            steps: vec![0, 0, 2, 2, 3, 0],
            digests: vec![],
            trace_hash: None,
        };
        let text = t.to_string();
        let mut chars: Vec<char> = text.chars().collect();
        let i = chars.len() - 6;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let altered: String = chars.into_iter().collect();
        assert!(Token::parse(&altered).is_err());
    }

    proptest! {
        #[test]
        fn tokens_round_trip(
            scenario in "[a-z0-9][a-z0-9/-]{0,20}",
            seed in any::<u64>(),
            steps in proptest::collection::vec(0u32..6, 0..200),
            hash in proptest::option::of(any::<u64>()),
            with_digests in any::<bool>(),
        ) {
            let digests = if with_digests && !steps.is_empty() {
                runs(&steps).iter().map(|(t, n)| (t * 31 + n) as u8).collect()
            } else {
                vec![]
            };
            let t = Token { scenario, seed, steps, digests, trace_hash: hash };
            let back = Token::parse(&t.to_string()).unwrap();
            prop_assert_eq!(back, t);
        }
    }
}
