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
    fn truncates_on_character_boundaries() {
        assert_eq!(truncate_chars("AI Coach — API", 10), "AI Coach —…");
        assert_eq!(truncate_chars("short", 10), "short");
    }
}
