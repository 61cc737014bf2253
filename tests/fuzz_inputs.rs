//! Fuzzing what users paste and edit: the token parser and the corpus reader. Over arbitrary
//! bytes and over mutations of valid inputs, they never panic, never allocate more than a
//! bounded amount, and fail with one line; a mutated but well-formed token replays to an
//! outcome or a clean divergence, never a panic.

use maprace_harness::Token;
use maprace_scenarios::corpus;
use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Records the largest single allocation each thread makes, so a test can bound what parsing
/// one input may allocate (tests run on several threads; each measures its own).
struct Measuring;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Measuring {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(layout.size())));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(new_size)));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Measuring = Measuring;

/// The largest single allocation `f` makes on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let out = f();
    (out, LARGEST.with(Cell::get))
}

/// A token's steps are 4 bytes each and it may carry `Token::MAX_STEPS` of them; anything a
/// parse allocates beyond that (plus slack for strings) is unbounded growth.
const TOKEN_BOUND: usize = 4 * Token::MAX_STEPS as usize + (1 << 16);

fn valid_token() -> impl Strategy<Value = Token> {
    (
        prop::sample::select(vec![
            "demo-flag-map/buggy",
            "e2-two-writers/buggy",
            "t1-once-lazy-goroutine/fixed",
        ]),
        any::<u64>(),
        prop::collection::vec(0u32..4, 0..120),
        prop::option::of(any::<u64>()),
    )
        .prop_map(|(scenario, seed, steps, trace_hash)| Token {
            scenario: scenario.to_string(),
            seed,
            steps,
            digests: vec![],
            trace_hash,
        })
}

/// One edit of a text: replace, insert or delete a character at a position.
fn mutate(text: &str, at: usize, how: u8, with: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return with.to_string();
    }
    let i = at % chars.len();
    match how % 3 {
        0 => chars[i] = with,
        1 => chars.insert(i, with),
        _ => {
            chars.remove(i);
        }
    }
    chars.into_iter().collect()
}

#[track_caller]
fn one_line_error(e: &str) {
    assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_as_a_token(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        for candidate in [text.to_string(), format!("mr2:demo-flag-map/buggy:{text}")] {
            let (parsed, largest) = largest_allocation(|| Token::parse(&candidate));
            prop_assert!(largest <= TOKEN_BOUND, "{largest} bytes for {candidate:?}");
            if let Err(e) = parsed {
                one_line_error(&e.to_string());
            }
        }
    }

    #[test]
    fn mutated_tokens_parse_or_fail_cleanly(
        token in valid_token(),
        at in any::<usize>(),
        how in any::<u8>(),
        with in prop::sample::select(vec!['A', '_', '-', 'z', '9', ':', '=', '!', 'é']),
    ) {
        let text = mutate(&token.to_string(), at, how, with);
        let (parsed, largest) = largest_allocation(|| Token::parse(&text));
        prop_assert!(largest <= TOKEN_BOUND, "{largest} bytes for {text:?}");
        match parsed {
            Ok(t) => prop_assert_eq!(Token::parse(&t.to_string()).unwrap(), t),
            Err(e) => one_line_error(&e.to_string()),
        }
    }

    #[test]
    fn arbitrary_text_never_panics_as_a_corpus(text in ".{0,400}") {
        for candidate in [text.clone(), format!("version = 1\n[[entry]]\n{text}")] {
            let (parsed, largest) = largest_allocation(|| corpus::parse(&candidate));
            prop_assert!(largest <= 1 << 20, "{largest} bytes");
            if let Err(e) = parsed {
                one_line_error(&e);
            }
        }
    }

    #[test]
    fn mutated_corpus_entries_load_or_fail_with_one_line(
        at in any::<usize>(),
        how in any::<u8>(),
        with in prop::sample::select(vec!['"', '=', '[', ']', '\n', '0', 'x', ' ', '#']),
        edits in 1usize..4,
    ) {
        let mut text = committed_corpus();
        for k in 0..edits {
            text = mutate(&text, at.wrapping_mul(k + 1), how.wrapping_add(k as u8), with);
        }
        match corpus::parse(&text) {
            Ok(c) => prop_assert!(c.entries.len() <= 2 * maprace_scenarios::all().len()),
            Err(e) => one_line_error(&e),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Well-formed tokens with schedules no recording produced: the replay ends in an outcome
    /// or reports a divergence (or a bad goroutine number), never panics.
    #[test]
    fn well_formed_but_invented_schedules_replay_or_diverge(token in valid_token()) {
        match maprace_scenarios::run::replay(&token.to_string(), 2_000) {
            Ok(_) => {}
            Err(e) => one_line_error(&e.to_string()),
        }
    }
}

fn committed_corpus() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/corpus.toml"
    ))
    .expect("the committed corpus")
}

/// A hand-made token whose one run claims 50 million steps (checksum right): before parsing
/// bounded its length first, it cost hundreds of megabytes.
#[test]
fn a_crafted_huge_schedule_costs_nothing() {
    let claimed = Token {
        scenario: "demo-flag-map/buggy".into(),
        seed: 1,
        steps: vec![0; 3],
        digests: vec![],
        trace_hash: None,
    };
    // Re-encode the run length as 50,000,000 by hand: the payload is
    // version, flags, seed (8), run count, task, length, checksum (2).
    let text = claimed.to_string();
    let payload = text.rsplit(':').next().unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bytes = b64.decode(payload).unwrap();
    let mut body = bytes[..bytes.len() - 3].to_vec(); // drop length 3 and the checksum
    let mut n = 50_000_000u64;
    while n >= 0x80 {
        body.push((n as u8) | 0x80);
        n >>= 7;
    }
    body.push(n as u8);
    // Find the checksum the parser accepts by trying every value: 65,536 cheap parses.
    let crafted = (0..=u16::MAX)
        .map(|sum| {
            let mut b = body.clone();
            b.extend_from_slice(&sum.to_le_bytes());
            format!("mr2:demo-flag-map/buggy:{}", b64.encode(&b))
        })
        .find(|t| {
            !Token::parse(t)
                .unwrap_err()
                .to_string()
                .contains("checksum")
        })
        .expect("some checksum matches");
    let (parsed, largest) = largest_allocation(|| Token::parse(&crafted));
    let e = parsed.unwrap_err().to_string();
    assert!(e.contains("50000000 steps"), "{e}");
    assert!(largest < 1 << 16, "{largest} bytes");
}
