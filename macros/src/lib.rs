//! `#[maprace::test]`: a `#[test]` whose body `maprace` explores.
//!
//! ```ignore
//! #[maprace::test]
//! fn counter_is_atomic() {
//!     // … spawn threads with maprace::thread, assert at the end
//! }
//!
//! #[maprace::test(iterations = 5000, seed = 7, max_steps = 20000, persist = false)]
//! fn with_knobs() { /* … */ }
//! ```
//!
//! expands to a `#[test]` function of the same name, attributes and visibility whose body is
//! `::maprace::Check::new()` (with the knobs given) `.run(|| <the original body>)`: the default
//! strategy and budget, the `MAPRACE_*` environment overrides, regression files and the failure
//! message of `maprace::check`. The function must take no arguments and return `()`, and the
//! crate must be reachable as `::maprace` (enable the `macros` feature of `maprace`).
//!
//! The body becomes a closure run once per execution, so it may not capture anything: it has
//! no arguments, so it cannot.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Marks a function as a maprace check (see the crate docs).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args, item) {
        Ok(ts) => ts,
        Err((span, message)) => compile_error(span, &message),
    }
}

type Error = (Span, String);

/// The knobs `#[maprace::test(..)]` takes, each a `Check` method taking a `u64`, and `persist`
/// (`Check::persist`, a `bool`).
const KNOBS: [&str; 4] = ["iterations", "seed", "max_steps", "persist"];

fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream, Error> {
    let knobs = parse_knobs(args)?;
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
        other => {
            let span = other.map_or_else(Span::call_site, |t| t.span());
            return Err((
                span,
                "#[maprace::test] goes on a function with a body".into(),
            ));
        }
    };
    check_signature(&tokens)?;
    // `::maprace::Check::new()` then `.knob(value)` for each knob, then `.run(|| body)`.
    let mut call: Vec<TokenTree> = path(&["maprace", "Check", "new"]);
    call.push(group(Delimiter::Parenthesis, TokenStream::new()));
    for (name, value) in knobs {
        call.push(Punct::new('.', Spacing::Alone).into());
        call.push(Ident::new(&name, Span::call_site()).into());
        call.push(group(Delimiter::Parenthesis, value.into()));
    }
    call.push(Punct::new('.', Spacing::Alone).into());
    call.push(Ident::new("run", Span::call_site()).into());
    let closure: TokenStream = [
        TokenTree::from(Punct::new('|', Spacing::Joint)),
        Punct::new('|', Spacing::Alone).into(),
        body.into(),
    ]
    .into_iter()
    .collect();
    call.push(group(Delimiter::Parenthesis, closure));
    call.push(Punct::new(';', Spacing::Alone).into());

    let mut out: Vec<TokenTree> = Vec::new();
    // `#[::core::prelude::v1::test]`: std's test attribute, whatever `test` names here.
    out.push(Punct::new('#', Spacing::Alone).into());
    let attr: TokenStream = path(&["core", "prelude", "v1", "test"])
        .into_iter()
        .collect();
    out.push(group(Delimiter::Bracket, attr));
    out.extend(tokens);
    out.push(group(Delimiter::Brace, call.into_iter().collect()));
    Ok(out.into_iter().collect())
}

/// `name = <integer>, ...` for the names in [`KNOBS`].
fn parse_knobs(args: TokenStream) -> Result<Vec<(String, TokenTree)>, Error> {
    let mut knobs = Vec::new();
    let mut it = args.into_iter().peekable();
    while let Some(t) = it.next() {
        let name = match t {
            TokenTree::Ident(i) if KNOBS.contains(&i.to_string().as_str()) => i,
            other => {
                return Err((
                    other.span(),
                    format!("#[maprace::test] takes {}", KNOBS.join(", ")),
                ))
            }
        };
        match it.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == '=' => {}
            _ => return Err((name.span(), format!("expected `{name} = <value>`"))),
        }
        let persist = name.to_string() == "persist";
        let value = match it.next() {
            Some(TokenTree::Literal(l)) if !persist && is_integer(&l) => TokenTree::from(l),
            Some(TokenTree::Ident(b)) if persist && matches!(&*b.to_string(), "true" | "false") => {
                TokenTree::from(b)
            }
            other => {
                let span = other.map_or(name.span(), |t| t.span());
                let what = if persist {
                    "true or false"
                } else {
                    "<integer>"
                };
                return Err((span, format!("expected `{name} = {what}`")));
            }
        };
        if knobs
            .iter()
            .any(|(n, _): &(String, TokenTree)| *n == name.to_string())
        {
            return Err((name.span(), format!("`{name}` is given twice")));
        }
        knobs.push((name.to_string(), value));
        match it.next() {
            None => break,
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
            Some(other) => return Err((other.span(), "expected `,`".into())),
        }
    }
    Ok(knobs)
}

fn is_integer(l: &Literal) -> bool {
    let text = l.to_string();
    let digits = text.trim_end_matches("u64").replace('_', "");
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The signature must be a plain `fn name()`: no arguments, no `async`, no return type.
fn check_signature(tokens: &[TokenTree]) -> Result<(), Error> {
    let is = |t: &TokenTree, word: &str| matches!(t, TokenTree::Ident(i) if i.to_string() == word);
    let Some(at) = tokens.iter().position(|t| is(t, "fn")) else {
        return Err((
            Span::call_site(),
            "#[maprace::test] goes on a function".into(),
        ));
    };
    if let Some(t) = tokens[..at]
        .iter()
        .find(|t| is(t, "async") || is(t, "const"))
    {
        return Err((
            t.span(),
            "#[maprace::test] functions are plain `fn`s".into(),
        ));
    }
    match &tokens[at + 1..] {
        [TokenTree::Ident(_), TokenTree::Group(args)]
            if args.delimiter() == Delimiter::Parenthesis && args.stream().is_empty() =>
        {
            Ok(())
        }
        [name, ..] => Err((
            name.span(),
            "#[maprace::test] functions take no arguments, no generics and return ()".into(),
        )),
        [] => Err((
            Span::call_site(),
            "#[maprace::test] goes on a function".into(),
        )),
    }
}

/// `::a::b::c` as tokens.
fn path(segments: &[&str]) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for s in segments {
        out.push(Punct::new(':', Spacing::Joint).into());
        out.push(Punct::new(':', Spacing::Alone).into());
        out.push(Ident::new(s, Span::call_site()).into());
    }
    out
}

fn group(delimiter: Delimiter, stream: TokenStream) -> TokenTree {
    Group::new(delimiter, stream).into()
}

/// `compile_error!("message")` at `span`: one clear line instead of a confusing expansion.
fn compile_error(span: Span, message: &str) -> TokenStream {
    let mut lit = Literal::string(message);
    lit.set_span(span);
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    [
        TokenTree::from(Ident::new("compile_error", span)),
        bang.into(),
        group(Delimiter::Parenthesis, TokenTree::from(lit).into()),
        Punct::new(';', Spacing::Alone).into(),
    ]
    .into_iter()
    .collect()
}
