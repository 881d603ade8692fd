//! Small text helpers shared by every module that shows untrusted text.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// ANSI escape sequences: CSI (colours, cursor moves) and OSC (hyperlinks, titles).
static ANSI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
        .expect("ANSI pattern is valid")
});

/// Removes ANSI escape sequences (colours, hyperlinks) from `text`.
///
/// Borrows when there is nothing to remove, so callers can apply it to every line cheaply.
pub fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.contains('\x1b') {
        return Cow::Borrowed(text);
    }
    ANSI.replace_all(text, "")
}

/// Cuts untrusted `text` to at most `max_chars` characters, appending `…` when something was
/// cut, after redacting it: the same as [`crate::redact::cut`], the one function through which
/// every shortened text reaches an output (redact first, cut second, hide a secret's
/// beginning left at the cut).
pub fn truncate_chars(text: &str, max_chars: usize) -> Cow<'_, str> {
    crate::redact::cut(text, max_chars)
}

/// How [`one_line`] treats the white space of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spaces {
    /// Every run of white space or control characters becomes one space; the ends are trimmed
    /// (check reports, workflow and step names).
    Collapse,
    /// Each run of control characters (line breaks, tabs) becomes one space, none at the start
    /// or before a space; the text's own spaces are kept (the job summary's code spans).
    Keep,
}

/// Untrusted `text` on one line: ANSI codes stripped, control characters (line breaks
/// included) turned into spaces as `spaces` says, then redacted and cut to `max_chars`
/// characters by [`crate::redact::cut`].
pub fn one_line(text: &str, spaces: Spaces, max_chars: usize) -> String {
    let plain = strip_ansi(text);
    let line = match spaces {
        Spaces::Collapse => {
            let cleaned: String = plain
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        Spaces::Keep => {
            let mut line = String::with_capacity(plain.len());
            let mut pending_space = false;
            for c in plain.chars() {
                if c.is_control() {
                    pending_space = true;
                    continue;
                }
                if pending_space {
                    if !line.is_empty() && c != ' ' {
                        line.push(' ');
                    }
                    pending_space = false;
                }
                line.push(c);
            }
            line
        }
    };
    crate::redact::cut(&line, max_chars).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colours_and_hyperlinks() {
        let coloured = "\x1b[31mError:\x1b[39m expected \x1b]8;;http://x\x07link\x1b]8;;\x07";
        assert_eq!(strip_ansi(coloured), "Error: expected link");
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(strip_ansi("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn one_line_collapses_or_keeps_spaces() {
        let text = "\x1b[31mexpected\x1b[39m  200\n\treceived 503\n";
        assert_eq!(
            one_line(text, Spaces::Collapse, 100),
            "expected 200 received 503"
        );
        assert_eq!(
            one_line(text, Spaces::Keep, 100),
            "expected  200 received 503"
        );
        assert_eq!(one_line("a\n b", Spaces::Keep, 100), "a b");
        assert_eq!(one_line("abcdef", Spaces::Collapse, 3), "abc…");
    }

    #[test]
    fn truncates_on_character_boundaries() {
        assert_eq!(truncate_chars("AI Coach — API", 10), "AI Coach —…");
        assert_eq!(truncate_chars("short", 10), "short");
    }
}
