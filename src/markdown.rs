//! Markdown building blocks for the job summary, safe for untrusted text.
//!
//! Text from reports and logs is untrusted: a test title or log line may contain Markdown,
//! HTML, pipes that break a table, ANSI colour codes or megabytes of output. [`escape_inline`]
//! and [`code_block`] make such text inert and short; [`table`] and [`details`] assemble
//! already-escaped pieces.

use crate::redact;
use crate::text::{Spaces, one_line, strip_ansi};

/// Characters that Markdown gives a meaning and that are escaped with a backslash.
const MARKDOWN_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '!', '|', '~',
];

/// Escapes one line of untrusted text for Markdown and HTML.
///
/// ANSI codes are stripped; line breaks and other control characters become single spaces;
/// the text is redacted and cut to `max_chars` characters (with `…`) by [`redact::cut`]; then
/// Markdown's special characters (`` \ ` * _ { } [ ] ( ) # + - ! | ~ ``) get a backslash and
/// `&`, `<`, `>` become the entities `&amp;`, `&lt;`, `&gt;` (which also hold inside HTML such
/// as `<summary>`).
pub fn escape_inline(text: &str, max_chars: usize) -> String {
    let short = one_line(text, Spaces::Keep, max_chars);
    let mut out = String::with_capacity(short.len() + short.len() / 4);
    for c in short.chars() {
        if push_entity(&mut out, c) {
            continue;
        }
        if MARKDOWN_SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One line of untrusted text as an inline code span: shown exactly as written.
///
/// Inside a code span backslashes are not escapes and `<`, `&` are shown as they are, so the
/// only care is the backticks: the span is delimited by more backticks than the longest run in
/// the text, and padded with a space when the text starts or ends with a backtick (or starts
/// and ends with a space, which CommonMark would strip). ANSI codes are stripped, line breaks
/// become spaces and the text is cut to `max_chars` characters. An empty text gives an empty
/// string (an empty span would show its backticks).
///
/// In a table cell use [`code_span_in_cell`]: a pipe ends a GFM table cell even inside a span.
pub fn code_span(text: &str, max_chars: usize) -> String {
    let line = one_line(text, Spaces::Keep, max_chars);
    if line.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_backtick_run(&line) + 1);
    let pad = line.starts_with('`')
        || line.ends_with('`')
        || (line.starts_with(' ') && line.ends_with(' ') && line.trim() != "");
    let pad = if pad { " " } else { "" };
    format!("{ticks}{pad}{line}{pad}{ticks}")
}

/// [`code_span`] for a GFM table cell: pipes are escaped as `\|`, which the table reads as a
/// pipe inside the cell (also inside code spans) before the span is parsed.
pub fn code_span_in_cell(text: &str, max_chars: usize) -> String {
    code_span(text, max_chars).replace('|', "\\|")
}

/// One line of untrusted text inside raw HTML such as `<summary>`, where Markdown escapes are
/// not read (a backslash would show): `&`, `<`, `>` and `"` become entities, ANSI codes are
/// stripped, line breaks become spaces, and the text is cut to `max_chars` characters.
pub fn html_text(text: &str, max_chars: usize) -> String {
    let line = one_line(text, Spaces::Keep, max_chars);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c == '"' {
            out.push_str("&quot;");
        } else if !push_entity(&mut out, c) {
            out.push(c);
        }
    }
    out
}

/// Pushes the entity of `&`, `<` or `>` and returns true; returns false for any other `c`.
fn push_entity(out: &mut String, c: char) -> bool {
    let entity = match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        _ => return false,
    };
    out.push_str(entity);
    true
}

/// A fenced code block holding untrusted, possibly multi-line text.
///
/// ANSI codes are stripped, `\r\n` becomes `\n`, other control characters except tabs are
/// removed, and the text is redacted and cut to `max_chars` characters by [`redact::cut`].
/// The fence is made of more backticks than the longest backtick run in the text (at least
/// three), so the text cannot close it.
/// Ends with a line break.
pub fn code_block(text: &str, max_chars: usize) -> String {
    let plain = strip_ansi(text);
    let cleaned: String = plain
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect();
    let short = redact::cut(&cleaned, max_chars);
    let fence = "`".repeat(longest_backtick_run(&short).max(2) + 1);
    let mut out = String::with_capacity(short.len() + 2 * fence.len() + 3);
    out.push_str(&fence);
    out.push('\n');
    out.push_str(&short);
    if !short.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// The length of the longest run of backticks in `text`.
fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// A Markdown table from a header and rows whose cells are already escaped (see
/// [`escape_inline`]). Short rows are padded with empty cells; a stray line break in a cell
/// becomes a space so it cannot end the table. Every line ends with a line break; no header
/// gives an empty string.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    if header.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    push_row(&mut out, header.iter().copied(), header.len());
    push_row(&mut out, header.iter().map(|_| "---"), header.len());
    for row in rows {
        push_row(&mut out, row.iter().map(String::as_str), header.len());
    }
    out
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>, width: usize) {
    out.push('|');
    let mut count = 0;
    for cell in cells.take(width) {
        out.push(' ');
        out.push_str(&cell.replace(['\r', '\n'], " "));
        out.push_str(" |");
        count += 1;
    }
    for _ in count..width {
        out.push_str("  |");
    }
    out.push('\n');
}

/// A collapsed section: `<details><summary>…</summary>\n\n…\n\n</details>`.
///
/// `summary` is raw HTML, so it must be escaped with [`html_text`] (not [`escape_inline`],
/// whose backslashes would show); `body` is Markdown (the blank lines
/// around it let GitHub render it). No trailing line break.
pub fn details(summary: &str, body: &str) -> String {
    let body = body.trim_end_matches('\n');
    format!("<details><summary>{summary}</summary>\n\n{body}\n\n</details>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(
            escape_inline("<img src=x> *bold* | a_b & `c`", 100),
            r"&lt;img src=x&gt; \*bold\* \| a\_b &amp; \`c\`"
        );
    }

    #[test]
    fn collapses_line_breaks_and_strips_ansi() {
        assert_eq!(
            escape_inline("\x1b[31mred\x1b[0m\r\n\nnext", 100),
            "red next"
        );
    }

    #[test]
    fn caps_before_escaping_so_entities_are_whole() {
        assert_eq!(escape_inline("ab<<<<", 3), "ab&lt;…");
    }

    #[test]
    fn fence_is_longer_than_any_backtick_run() {
        let block = code_block("a ```` b\n```\n", 1000);
        assert!(block.starts_with("`````\n"));
        assert!(block.ends_with("\n`````\n"));
    }

    #[test]
    fn short_text_gets_three_backticks() {
        assert_eq!(code_block("x", 10), "```\nx\n```\n");
    }

    #[test]
    fn table_pads_short_rows() {
        let rows = vec![vec!["a".to_string()], vec!["b".into(), "c\nd".into()]];
        assert_eq!(
            table(&["spec", "verdict"], &rows),
            "| spec | verdict |\n| --- | --- |\n| a |  |\n| b | c d |\n"
        );
    }

    #[test]
    fn code_spans_need_care_only_for_backticks() {
        assert_eq!(
            code_span("e2e/specs/ai-coach/a_b.spec.ts", 100),
            "`e2e/specs/ai-coach/a_b.spec.ts`"
        );
        assert_eq!(code_span("a `b` c", 100), "``a `b` c``");
        assert_eq!(code_span("`x``", 100), "``` `x`` ```");
        assert_eq!(code_span(" x ", 100), "`  x  `");
        assert_eq!(code_span("<b>&\\", 100), "`<b>&\\`");
        assert_eq!(code_span("", 100), "");
        assert_eq!(code_span_in_cell("a|b", 100), "`a\\|b`");
    }

    #[test]
    fn html_text_uses_entities_only() {
        assert_eq!(
            html_text("a-b_c <i> & \"q\"", 100),
            "a-b_c &lt;i&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn details_wraps_body() {
        assert_eq!(
            details("s", "body\n"),
            "<details><summary>s</summary>\n\nbody\n\n</details>"
        );
    }
}
