//! Redaction of secrets from every excerpt the gate shows (DESIGN.md section 6).
//!
//! Two kinds of things are redacted, each replaced by [`REDACTED`]:
//!
//! - literal secret values: the five secret variables of the users' workflow when set, and the
//!   GitHub token, each also in its JSON-escaped and percent-encoded forms, line by line for
//!   multi-line values, and the host of a URL-shaped value;
//! - secret-shaped strings whatever their value: JWTs, the value after `Bearer`, the secret part
//!   of a bypass token (`e2e:<secret>:<uuid>` keeps only the uuid), `sk-` keys and GitHub tokens.
//!
//! Redaction works on spans of the original text: every match of either kind becomes a span,
//! overlapping spans merge, and each merged span is replaced whole. [`Redactor::redact_window`]
//! uses the same spans to cut an excerpt out of a long line without leaving half a secret at
//! either edge.
//!
//! Every piece of untrusted text that is shortened on its way to an output goes through one
//! function, [`cut`] (or [`Redactor::cut`]): it redacts first, cuts second, and then hides a
//! trailing piece of a secret's beginning left at the cut, so no part of a secret survives a
//! cut. Each command [`install`]s the redactor for its secrets once, before it reads anything.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, LazyLock, RwLock};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use regex::{Regex, RegexBuilder};

/// What every redacted span is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// The environment variables whose values are secrets (DESIGN.md section 2).
pub const SECRET_VARIABLES: [&str; 5] = [
    "NEXT_PUBLIC_SUPABASE_URL",
    "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    "E2E_BYPASS_TOKEN",
    "E2E_BYPASS_USER_ID",
    "E2E_BYPASS_SHARED_SECRET",
];

/// Secret values shorter than this (after trimming) are ignored: redacting every `abc` in a log
/// would hide the log, and a value that short protects nothing.
pub const MIN_SECRET_LEN: usize = 4;

/// Secret-shaped strings, redacted whatever their value. Each alternative names the group that is
/// replaced; the rest of the match (`Bearer `, `e2e:` and the uuid) is kept.
static SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        (?P<jwt>\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)
        | (?i:\bbearer)\s+(?P<bearer>[^\s"'`,;()<>\[\]{}\\]+)
        | \be2e:(?P<bypass>[^\s"'`:\\]+):[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b
        | \be2e%3[Aa](?P<bypassenc>[^\s"'`&]+?)%3[Aa][0-9a-fA-F]{8}(?:-|%2[Dd])
        | (?P<sk>\bsk-[A-Za-z0-9_-]{16,})
        | (?P<github>\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}))
        "#,
    )
    .expect("secret-shape pattern is valid")
});

/// The capture groups of [`SHAPES`] whose text is replaced.
const SHAPE_GROUPS: [&str; 6] = ["jwt", "bearer", "bypass", "bypassenc", "sk", "github"];

/// The beginnings of the secret shapes of [`SHAPES`]: a token that starts with one of them and
/// is cut short is the start of a secret that no longer matches its whole shape.
static SHAPE_STARTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\be2e(?::|%3[Aa])|\beyJ|\bsk-|\bgh[pousr]_|\bgithub_pat_")
        .expect("shape-start pattern is valid")
});

/// A cut that leaves fewer characters than this of a known secret's beginning keeps them (a
/// few characters shared by a secret and ordinary text protect nothing and mean nothing).
pub const MIN_FRAGMENT_CHARS: usize = MIN_SECRET_LEN;

/// The redactor of this process (see [`install`]).
static INSTALLED: RwLock<Option<Arc<Redactor>>> = RwLock::new(None);

/// Makes `redactor` the one [`cut`] (and so every shortened text) uses from now on. Each
/// command calls it once with its secrets, before it reads any untrusted text.
pub fn install(redactor: Redactor) {
    let mut slot = INSTALLED.write().unwrap_or_else(|e| e.into_inner());
    *slot = Some(Arc::new(redactor));
}

/// The redactor [`install`]ed for this process; without one, a redactor that knows no secret
/// values but still redacts every secret shape.
pub fn installed() -> Arc<Redactor> {
    let slot = INSTALLED.read().unwrap_or_else(|e| e.into_inner());
    slot.clone().unwrap_or_default()
}

/// Redacts `text` with the [`install`]ed redactor, then cuts it to at most `max_chars`
/// characters (plus `…` when something was cut), hiding a trailing piece of a secret's
/// beginning left at the cut. The one way untrusted text is shortened for any output; see
/// [`Redactor::cut`].
pub fn cut(text: &str, max_chars: usize) -> Cow<'_, str> {
    installed().cut(text, max_chars)
}

/// Characters that end a token: an excerpt cut inside a token drops the token's visible part up
/// to the nearest one, so a cut never shows the half of a secret that no pattern recognised.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '`' | ',' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>'
        )
}

/// Which part of a text an excerpt shows (see [`Redactor::redact_window`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// The byte range of the text to show.
    pub show: Range<usize>,
    /// The byte range (the match) that must stay visible.
    pub keep: Range<usize>,
    /// The text itself starts inside a longer line.
    pub cut_before: bool,
    /// The text itself ends inside a longer line.
    pub cut_after: bool,
}

impl Window {
    /// Shows `show` of a text that is a whole line, keeping `keep` visible.
    pub fn new(show: Range<usize>, keep: Range<usize>) -> Window {
        Window {
            show,
            keep,
            cut_before: false,
            cut_after: false,
        }
    }
}

/// Replaces secret values and secret-shaped strings with [`REDACTED`].
#[derive(Clone, Default)]
pub struct Redactor {
    /// One alternation of every literal variant of every secret, longest first; `None` when no
    /// secret is known.
    secrets: Option<Regex>,
    /// The same variants, to find a secret's beginning left at a cut.
    variants: Arc<Vec<String>>,
    /// How many distinct secret values were given (for `Debug`, which never shows them).
    count: usize,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.count)
            .finish()
    }
}

impl Redactor {
    /// Secrets from the environment: values of `NEXT_PUBLIC_SUPABASE_URL`,
    /// `NEXT_PUBLIC_SUPABASE_ANON_KEY`, `E2E_BYPASS_TOKEN`, `E2E_BYPASS_USER_ID` and
    /// `E2E_BYPASS_SHARED_SECRET` when set, plus `token` (the GitHub token).
    pub fn from_env(token: Option<&str>) -> Redactor {
        let values = SECRET_VARIABLES
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .chain(token.map(str::to_string));
        Redactor::new(values)
    }

    /// A redactor for these secret values (empty and very short values are ignored, see
    /// [`MIN_SECRET_LEN`]); secret-shaped strings are redacted in any case.
    pub fn new(secret_values: impl IntoIterator<Item = String>) -> Redactor {
        let mut variants: Vec<String> = Vec::new();
        let mut count = 0;
        for value in secret_values {
            let before = variants.len();
            for line in value.lines().chain(std::iter::once(value.as_str())) {
                add_variants(line.trim(), &mut variants);
            }
            if variants.len() > before {
                count += 1;
            }
        }
        variants.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        variants.dedup();
        let secrets = (!variants.is_empty())
            .then(|| {
                let alternation = variants
                    .iter()
                    .map(|v| regex::escape(v))
                    .collect::<Vec<_>>()
                    .join("|");
                // Escaped literals always compile; a huge set of secrets could exceed the size
                // limit, which is raised so that it does not.
                RegexBuilder::new(&alternation)
                    .size_limit(256 << 20)
                    .build()
                    .ok()
            })
            .flatten();
        Redactor {
            secrets,
            variants: Arc::new(variants),
            count,
        }
    }

    /// Redacts `text`, then cuts it to at most `max_chars` characters, appending `…` when
    /// something was cut.
    ///
    /// Redacting first means a secret that crosses the cut is replaced whole before anything is
    /// cut. Where the kept text ends with a piece of a secret's beginning (text that was already
    /// cut before it got here, ending with `…`, or a cut through the middle of a token), that
    /// piece is dropped: the beginning of a known secret value (at least
    /// [`MIN_FRAGMENT_CHARS`] characters of it), or a token starting like a secret shape
    /// (`e2e:`, `eyJ`, `sk-`, `ghp_`). Borrows when nothing changes.
    pub fn cut<'a>(&self, text: &'a str, max_chars: usize) -> Cow<'a, str> {
        let redacted = self.redact(text);
        let cut_at = redacted.char_indices().nth(max_chars).map(|(i, _)| i);
        let upstream_cut = cut_at.is_none() && redacted.ends_with('…');
        if cut_at.is_none() && !upstream_cut {
            return redacted;
        }
        let kept = match cut_at {
            Some(at) => &redacted[..at],
            None => &redacted[..redacted.len() - '…'.len_utf8()],
        };
        let end = self.fragment_start(kept).unwrap_or(kept.len());
        if upstream_cut && end == kept.len() {
            return redacted;
        }
        let mut short = String::with_capacity(end + 3);
        short.push_str(&kept[..end]);
        short.push('…');
        Cow::Owned(short)
    }

    /// Where a trailing piece of a secret's beginning starts in `kept` (text about to be shown
    /// with a cut after it), if it ends with one.
    fn fragment_start(&self, kept: &str) -> Option<usize> {
        // The last token: a cut through a secret shape leaves its start in it. (`Bearer <value>`
        // needs nothing here: its value is redacted whatever follows.)
        let token_start = kept
            .char_indices()
            .rev()
            .find(|&(_, c)| is_delimiter(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let mut start = SHAPE_STARTS
            .find(&kept[token_start..])
            .map(|m| token_start + m.start());
        // The beginning of a known secret value.
        for variant in self.variants.iter() {
            let first = variant.as_bytes()[0];
            let longest = variant.len().min(kept.len());
            let window = kept.len() - longest;
            for (i, &b) in kept.as_bytes()[window..].iter().enumerate() {
                let at = window + i;
                if b != first || !kept.is_char_boundary(at) {
                    continue;
                }
                let piece = &kept[at..];
                if piece.len() < variant.len()
                    && piece.chars().count() >= MIN_FRAGMENT_CHARS
                    && variant.starts_with(piece)
                {
                    start = Some(start.map_or(at, |s| s.min(at)));
                    break;
                }
            }
        }
        start
    }

    /// Redacts secret values, JWT-shaped strings, `Bearer <value>`, bypass tokens
    /// (`e2e:<secret>:<uuid>` keeps only the uuid), `sk-` keys and GitHub tokens.
    ///
    /// Borrows when there is nothing to redact.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let spans = self.spans(text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in &spans {
            out.push_str(&text[at..span.start]);
            out.push_str(REDACTED);
            at = span.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// The part `window.show` of `text`, redacted, for an excerpt of a line too long to show
    /// whole.
    ///
    /// Secrets are looked for in all of `text` (give a generous margin around the window), so a
    /// secret that crosses an edge of the window is still replaced whole. Where the window cuts
    /// through a token that is not a known secret, the cut part is dropped up to the nearest
    /// delimiter (whitespace, quotes, brackets, `,` or `;`), but never into `window.keep` (the
    /// match the excerpt is about), which stays visible unless it holds a secret. An edge of
    /// `text` counts as a cut when `window` says the text itself was cut there. The result has
    /// `…` at each cut edge. Ranges are clamped to `text` and to character boundaries.
    pub fn redact_window(&self, text: &str, window: &Window) -> String {
        let keep = &window.keep;
        let mut start = floor_boundary(text, window.show.start.min(text.len()));
        let mut end = floor_boundary(text, window.show.end.min(text.len())).max(start);
        let spans = self.spans(text);
        // A window edge inside a span moves out to the span's edge, so the span shows whole.
        for span in &spans {
            if span.start < start && start < span.end {
                start = span.start;
            }
            if span.start < end && end < span.end {
                end = span.end;
            }
        }
        let cut_start = start > 0 || window.cut_before;
        let cut_end = end < text.len() || window.cut_after;
        // A cut through an unknown token drops the visible part of that token.
        if cut_start
            && !text[..start].ends_with(is_delimiter)
            && !spans.iter().any(|s| s.end == start)
        {
            let limit = spans
                .iter()
                .map(|s| s.start)
                .find(|&s| s >= start)
                .unwrap_or(end)
                .min(end);
            let limit = if keep.start >= start {
                limit.min(floor_boundary(text, keep.start))
            } else {
                limit
            };
            start = text[start..limit]
                .find(is_delimiter)
                .map_or(limit, |i| start + i);
        }
        if cut_end
            && !text[end..].starts_with(is_delimiter)
            && !spans.iter().any(|s| s.start == end)
        {
            let limit = spans
                .iter()
                .rev()
                .map(|s| s.end)
                .find(|&e| e <= end)
                .unwrap_or(start)
                .max(start);
            let limit = if keep.end <= end {
                limit.max(floor_boundary(text, keep.end))
            } else {
                limit
            };
            end = text[limit..end]
                .rfind(is_delimiter)
                .map_or(limit, |i| limit + i + 1);
        }
        let mut out = String::with_capacity(end.saturating_sub(start) + 2 * REDACTED.len() + 6);
        if cut_start {
            out.push('…');
        }
        let mut at = start;
        for span in spans.iter().filter(|s| s.end > start && s.start < end) {
            out.push_str(&text[at..span.start.max(at)]);
            out.push_str(REDACTED);
            at = span.end;
        }
        if at < end {
            out.push_str(&text[at..end]);
        }
        if cut_end {
            out.push('…');
        }
        out
    }

    /// The byte ranges of `text` to replace, sorted, merged where they overlap or touch.
    fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = Vec::new();
        if let Some(secrets) = &self.secrets {
            spans.extend(secrets.find_iter(text).map(|m| m.range()));
        }
        for caps in SHAPES.captures_iter(text) {
            spans.extend(
                SHAPE_GROUPS
                    .iter()
                    .filter_map(|g| caps.name(g))
                    .map(|m| m.range()),
            );
        }
        spans.sort_by_key(|s| (s.start, s.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
        for span in spans {
            match merged.last_mut() {
                Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                _ => merged.push(span),
            }
        }
        merged
    }
}

/// Adds the forms in which `value` can appear in a log: as is, JSON-escaped, percent-encoded, and
/// for a URL its host.
fn add_variants(value: &str, variants: &mut Vec<String>) {
    if value.chars().count() < MIN_SECRET_LEN {
        return;
    }
    variants.push(value.to_string());
    if let Ok(json) = serde_json::to_string(value) {
        let inner = &json[1..json.len() - 1];
        if inner != value {
            variants.push(inner.to_string());
        }
    }
    let encoded = utf8_percent_encode(value, NON_ALPHANUMERIC).to_string();
    if encoded != value {
        variants.push(encoded);
    }
    if let Some((_, rest)) = value.split_once("://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        if host.len() >= 8 && host.contains('.') {
            variants.push(host.to_string());
        }
    }
}

/// The largest character boundary of `text` at or before `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJlLXZhbHVl";

    #[test]
    fn literal_secret_and_its_encoded_forms_are_redacted() {
        let r = Redactor::new(["s3cr3t/value+x".to_string()]);
        assert_eq!(r.redact("token=s3cr3t/value+x end"), "token=[REDACTED] end");
        assert_eq!(r.redact("q=s3cr3t%2Fvalue%2Bx"), "q=[REDACTED]");
        let j = Redactor::new(["a\"quoted\"secret".to_string()]);
        assert_eq!(
            j.redact(r#"{"k":"a\"quoted\"secret"}"#),
            r#"{"k":"[REDACTED]"}"#
        );
    }

    #[test]
    fn url_secret_hides_its_host_too() {
        let r = Redactor::new(["https://abcdefgh.supabase.co/".to_string()]);
        assert_eq!(
            r.redact("GET https://abcdefgh.supabase.co/rest/v1"),
            "GET [REDACTED]rest/v1"
        );
        assert_eq!(
            r.redact("host abcdefgh.supabase.co down"),
            "host [REDACTED] down"
        );
    }

    #[test]
    fn short_and_empty_values_are_ignored() {
        let r = Redactor::new(["".to_string(), "abc".to_string(), "  ".to_string()]);
        assert_eq!(r.redact("abc abc"), "abc abc");
        assert!(format!("{r:?}").contains("secrets: 0"));
    }

    #[test]
    fn shapes_are_redacted_without_known_values() {
        let r = Redactor::default();
        assert_eq!(
            r.redact(&format!("anon key {JWT}.")),
            "anon key [REDACTED]."
        );
        assert_eq!(
            r.redact("Authorization: Bearer abc.def-123"),
            "Authorization: Bearer [REDACTED]"
        );
        assert_eq!(
            r.redact(r#"{"authorization":"bearer xyz"}"#),
            r#"{"authorization":"bearer [REDACTED]"}"#
        );
        assert_eq!(
            r.redact("key sk-proj-abcdefghijklmnop1234"),
            "key [REDACTED]"
        );
        assert_eq!(
            r.redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "[REDACTED]"
        );
    }

    #[test]
    fn bypass_token_keeps_only_the_uuid() {
        let r = Redactor::default();
        let uuid = "00000000-0000-4000-8000-00000000e2e1";
        assert_eq!(
            r.redact(&format!("token e2e:shared-Secret_42:{uuid} used")),
            format!("token e2e:[REDACTED]:{uuid} used")
        );
        assert_eq!(
            r.redact(&format!("token e2e:{uuid}")),
            format!("token e2e:{uuid}")
        );
    }

    #[test]
    fn redaction_is_idempotent() {
        let r = Redactor::new(["topsecretvalue".to_string()]);
        let text =
            format!("Bearer {JWT} e2e:abc:00000000-0000-4000-8000-000000000001 topsecretvalue");
        let once = r.redact(&text);
        assert_eq!(r.redact(&once), once);
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            Redactor::default().redact("nothing here"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn window_never_shows_part_of_a_secret_across_its_edges() {
        let secret = "QQQQQQQQQQQQQQQQQQQQ";
        let r = Redactor::new([secret.to_string()]);
        let text = format!("aaaa {secret} bbbb EADDRINUSE cccc {secret} dddd");
        let hit = text.find("EADDRINUSE").unwrap_or_default();
        // Both edges fall inside the secret.
        let out = r.redact_window(&text, &Window::new(10..hit + 20, hit..hit + 10));
        assert!(!out.contains('Q'), "{out}");
        assert!(
            out.contains("[REDACTED] bbbb EADDRINUSE cccc [REDACTED]"),
            "{out}"
        );
    }

    #[test]
    fn window_drops_cut_unknown_tokens() {
        let r = Redactor::default();
        let text = "xxxxxxxxxxtokenpart EADDRINUSE tailtokenxxxxxxxx";
        let hit = text.find("EADDRINUSE").unwrap_or_default();
        let out = r.redact_window(text, &Window::new(hit - 5..hit + 16, hit..hit + 10));
        assert_eq!(out, "… EADDRINUSE …");
    }

    #[test]
    fn window_keeps_the_match_even_inside_a_cut_token() {
        let r = Redactor::default();
        let text = "xxxxxxxxxxxxEADDRINUSEyyyyyyyyyyyy tail";
        let out = r.redact_window(text, &Window::new(5..25, 12..22));
        assert_eq!(out, "…EADDRINUSE…");
    }

    #[test]
    fn a_text_cut_from_a_longer_line_trims_its_edges() {
        let r = Redactor::default();
        let text = "ALFAPART tail EADDRINUSE head BRAVOPART";
        let window = Window {
            show: 0..text.len(),
            keep: 14..24,
            cut_before: true,
            cut_after: true,
        };
        assert_eq!(r.redact_window(text, &window), "… tail EADDRINUSE head …");
    }

    /// Issue 11 point 1: a secret crossing the cut left its first part visible.
    #[test]
    fn cut_redacts_before_cutting() {
        let secret = "my-shared-secret-value-0123";
        let r = Redactor::new([secret.to_string()]);
        let text = format!("{} {secret} tail", "x".repeat(40));
        for max in 30..text.chars().count() {
            let out = r.cut(&text, max);
            assert!(!out.contains("my-share"), "{max}: {out}");
            assert!(out.chars().count() <= max + 1, "{max}: {out}");
        }
    }

    #[test]
    fn cut_hides_a_secret_beginning_left_by_an_earlier_cut() {
        let r = Redactor::new(["my-shared-secret-value-0123".to_string()]);
        assert_eq!(r.cut("failed: my-shared-se…", 100), "failed: …");
        // Too short a piece to mean anything stays.
        assert_eq!(r.cut("failed: my-…", 100), "failed: my-…");
        // Text that was not cut is left alone.
        assert_eq!(r.cut("failed: my-shared-se", 100), "failed: my-shared-se");
    }

    #[test]
    fn cut_hides_the_start_of_a_secret_shape() {
        let r = Redactor::default();
        let uuid = "00000000-0000-4000-8000-00000000e2e1";
        // A bypass token cut inside its uuid, by an earlier cut or by this one.
        assert_eq!(
            r.cut("token e2e:my-shared-secret-val:0000…", 100),
            "token …"
        );
        let token = format!("token e2e:my-shared-secret-val:{uuid}");
        let cut = r.cut(&token, 20);
        assert_eq!(cut, "token e2e:[REDACTED]…");
        assert_eq!(r.cut("key=sk-proj-abcdefg…", 100), "key=…");
        assert_eq!(r.cut("anon eyJhbGciOiJIUzI1NiIs…", 100), "anon …");
        assert_eq!(r.cut("a ghp_abcdefghij…", 100), "a …");
    }

    #[test]
    fn the_installed_redactor_serves_every_cut() {
        // Nothing installed in unit tests: shapes are still redacted before the cut.
        let jwt_text = format!("key {JWT} end");
        assert_eq!(cut(&jwt_text, 12), "key [REDACTE…");
    }

    #[test]
    fn window_of_whole_text_is_plain_redaction() {
        let r = Redactor::new(["topsecretvalue".to_string()]);
        let text = "a topsecretvalue b";
        assert_eq!(
            r.redact_window(text, &Window::new(0..text.len(), 2..5)),
            r.redact(text)
        );
    }
}
