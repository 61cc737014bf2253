//! When to colour terminal output, and the few styles used.
//!
//! Colour is decided once, by the caller, from facts it passes in (is stdout a terminal, is
//! `NO_COLOR` set, what `--color` says), so renderers stay pure functions of their input and
//! tests can ask for either form.

use std::ffi::OsStr;

/// What `--color` asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColourChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always colour (an explicit request overrides `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

/// Whether to colour: see [`ColourChoice`]. `no_color` is the value of `NO_COLOR`, if set;
/// following <https://no-color.org>, an empty value does not count.
///
/// ```
/// use maprace_reports::colour::{enabled, ColourChoice};
/// use std::ffi::OsStr;
/// assert!(enabled(ColourChoice::Auto, true, None));
/// assert!(!enabled(ColourChoice::Auto, false, None));
/// assert!(!enabled(ColourChoice::Auto, true, Some(OsStr::new("1"))));
/// ```
pub fn enabled(choice: ColourChoice, stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    match choice {
        ColourChoice::Always => true,
        ColourChoice::Never => false,
        ColourChoice::Auto => stdout_is_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// A text style: its ANSI prefix and suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    prefix: &'static str,
    suffix: &'static str,
}

/// The failure: bold red.
pub const FAILURE: Style = Style {
    prefix: "\u{1b}[1;31m",
    suffix: "\u{1b}[0m",
};
/// Secondary text (step numbers, hashes): dim.
pub const DIM: Style = Style {
    prefix: "\u{1b}[2m",
    suffix: "\u{1b}[0m",
};
/// Headings: bold.
pub const HEADING: Style = Style {
    prefix: "\u{1b}[1m",
    suffix: "\u{1b}[0m",
};
/// Good news (`ok`, proven minimal): green.
pub const GOOD: Style = Style {
    prefix: "\u{1b}[32m",
    suffix: "\u{1b}[0m",
};

impl Style {
    /// `text` in this style when `on`, unchanged otherwise. Styles each line on its own, so a
    /// wrapped table cell never carries an escape across a border.
    pub fn paint(&self, text: &str, on: bool) -> String {
        if !on || text.is_empty() {
            return text.to_string();
        }
        text.split('\n')
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{}{l}{}", self.prefix, self.suffix)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The style as a tabled colour, for whole cells.
    pub fn cell(&self) -> tabled::settings::Color {
        tabled::settings::Color::new(self.prefix, self.suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_over_a_terminal_unless_colour_is_asked_for() {
        let set = Some(OsStr::new("1"));
        assert!(!enabled(ColourChoice::Auto, true, set));
        assert!(enabled(ColourChoice::Auto, true, Some(OsStr::new(""))));
        assert!(enabled(ColourChoice::Always, false, set));
        assert!(!enabled(ColourChoice::Never, true, None));
    }

    #[test]
    fn paint_styles_each_line_and_nothing_when_off() {
        assert_eq!(FAILURE.paint("a\nb", false), "a\nb");
        assert_eq!(
            FAILURE.paint("a\n\nb", true),
            "\u{1b}[1;31ma\u{1b}[0m\n\n\u{1b}[1;31mb\u{1b}[0m"
        );
    }
}
