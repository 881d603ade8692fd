//! Places the evidence block in the status document (DESIGN.md section 4).
//!
//! The update rule, in order:
//!
//! 1. **Markers**: the document has a `<!-- itm-gate:evidence:begin -->` line followed (later) by a
//!    `<!-- itm-gate:evidence:end -->` line: what lies between them is replaced.
//! 2. **Heading**: without such a pair, the first `### Staging Live Gate Evidence` section outside
//!    fenced code blocks is replaced (up to the next heading of level 1 to 3, keeping the blank lines
//!    before that heading), and the new block is wrapped in the markers.
//! 3. **Appended**: otherwise the block, wrapped in the markers, is appended after a blank line.
//!
//! Every other byte of the document is kept. Inserted lines use the document's own line ending
//! (CRLF when most kept lines end in CRLF, else LF). The decisions for odd documents (a lone marker,
//! markers in the wrong order, a byte order mark, no final newline, unclosed code fences) are
//! described in `docs/evidence.md`; none of them drops text outside the evidence region.
//!
//! Everything here is pure: the caller reads and writes the document.

use std::ops::Range;

use similar::TextDiff;

/// The line that opens the evidence region of the status document.
pub const BEGIN_MARKER: &str = "<!-- itm-gate:evidence:begin -->";
/// The line that closes the evidence region of the status document.
pub const END_MARKER: &str = "<!-- itm-gate:evidence:end -->";
/// The heading of the runbook's evidence section (without the `### `).
pub const EVIDENCE_HEADING: &str = "Staging Live Gate Evidence";

/// Where [`apply_evidence`] put the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Between an existing pair of marker lines.
    Markers,
    /// In place of an existing `### Staging Live Gate Evidence` section, now wrapped in markers.
    Heading,
    /// At the end of the document, wrapped in markers.
    Appended,
}

/// Returns the new document with `block` placed by the update rule, and where it went.
///
/// `block` is normally [`crate::evidence::render`]'s output. Its line endings are converted to the
/// document's style, a final line ending is added when missing, and any line of it that is itself
/// a marker line is dropped (it would break the region on the next update). Applying the same
/// block twice gives the same document as applying it once.
pub fn apply_evidence(document: &str, block: &str) -> (String, Placement) {
    let lines = split_lines(document);

    if let Some((begin, end)) = find_marker_pair(document, &lines) {
        let eol = detect_eol(&lines, begin + 1..end);
        let mut out = String::with_capacity(document.len() + block.len());
        out.push_str(&document[..lines[begin].end]);
        push_block(&mut out, block, eol);
        out.push_str(&document[lines[end].start..]);
        return (out, Placement::Markers);
    }

    if let Some((first, last)) = find_evidence_section(document, &lines) {
        let eol = detect_eol(&lines, first..last + 1);
        let mut out = String::with_capacity(document.len() + block.len());
        out.push_str(&document[..lines[first].start]);
        push_wrapped(&mut out, block, eol);
        out.push_str(&document[lines[last].end..]);
        return (out, Placement::Heading);
    }

    let eol = detect_eol(&lines, 0..0);
    let mut out = String::with_capacity(document.len() + block.len() + 100);
    out.push_str(document);
    if let Some(last) = lines.last() {
        let blank = document[last.start..last.content_end].trim().is_empty();
        match (last.has_eol(), blank) {
            (true, true) => {}
            (true, false) | (false, true) => out.push_str(eol),
            (false, false) => {
                out.push_str(eol);
                out.push_str(eol);
            }
        }
    }
    push_wrapped(&mut out, block, eol);
    (out, Placement::Appended)
}

/// The byte range between the marker lines (after the begin line's line ending, up to the start
/// of the end line), when the document has a marker pair.
///
/// The pair is the first end marker line that has a begin marker line before it, with the nearest
/// such begin line; marker lines are recognised anywhere (also inside code fences), as whole lines
/// with optional surrounding whitespace.
pub fn marked_region(document: &str) -> Option<Range<usize>> {
    let lines = split_lines(document);
    find_marker_pair(document, &lines).map(|(begin, end)| lines[begin].end..lines[end].start)
}

/// The byte range of the first `### Staging Live Gate Evidence` section outside fenced code
/// blocks: from its heading line up to the end of its last non-blank line, before the next heading
/// of level 1 to 3 outside code fences (or the end of the document).
pub fn evidence_section(document: &str) -> Option<Range<usize>> {
    let lines = split_lines(document);
    find_evidence_section(document, &lines).map(|(first, last)| lines[first].start..lines[last].end)
}

/// A unified diff of `old` → `new` with `a/<path>` and `b/<path>` headers and three lines of
/// context, for `dry-run`. Empty when nothing changed.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    file_diff(path, Some(old), new)
}

/// The unified diff of a file from `old` (`None`: the file does not exist yet, shown as
/// `/dev/null`) to `new`, with three lines of context; line endings are kept as they are.
/// Empty when nothing changed. The one diff of the status document, for the gate's dry run and
/// for the evidence commit's.
pub fn file_diff(path: &str, old: Option<&str>, new: &str) -> String {
    if old == Some(new) {
        return String::new();
    }
    let old_name = match old {
        Some(_) => format!("a/{path}"),
        None => "/dev/null".to_string(),
    };
    TextDiff::from_lines(old.unwrap_or(""), new)
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &format!("b/{path}"))
        .to_string()
}

/// One line of the document, as byte offsets.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// First byte of the line (after the byte order mark on the first line).
    start: usize,
    /// End of the content, before `\r\n` or `\n`.
    content_end: usize,
    /// End of the line, after its line ending.
    end: usize,
    /// The line ends in `\r\n`.
    crlf: bool,
}

impl Line {
    fn has_eol(&self) -> bool {
        self.end > self.content_end
    }
}

/// Splits the document into lines on `\n` (a preceding `\r` belongs to the line ending). A final
/// line ending does not start an extra empty line; a byte order mark is not part of any line.
fn split_lines(document: &str) -> Vec<Line> {
    let first = if document.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let bytes = document.as_bytes();
    let mut lines = Vec::new();
    let mut start = first;
    for newline in memchr::memchr_iter(b'\n', &bytes[first..]).map(|at| at + first) {
        let crlf = newline > start && bytes[newline - 1] == b'\r';
        let content_end = if crlf { newline - 1 } else { newline };
        lines.push(Line {
            start,
            content_end,
            end: newline + 1,
            crlf,
        });
        start = newline + 1;
    }
    if start < document.len() {
        lines.push(Line {
            start,
            content_end: document.len(),
            end: document.len(),
            crlf: false,
        });
    }
    lines
}

fn content<'a>(document: &'a str, line: &Line) -> &'a str {
    &document[line.start..line.content_end]
}

/// `\r\n` when more of the lines outside `skip` end in CRLF than in LF, else `\n`.
fn detect_eol(lines: &[Line], skip: Range<usize>) -> &'static str {
    let (mut crlf, mut lf) = (0usize, 0usize);
    for (index, line) in lines.iter().enumerate() {
        if skip.contains(&index) || !line.has_eol() {
            continue;
        }
        if line.crlf {
            crlf += 1;
        } else {
            lf += 1;
        }
    }
    if crlf > lf { "\r\n" } else { "\n" }
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.trim() == marker
}

/// Line indices of the begin and end marker lines of the region (see [`marked_region`]).
fn find_marker_pair(document: &str, lines: &[Line]) -> Option<(usize, usize)> {
    let mut begin = None;
    for (index, line) in lines.iter().enumerate() {
        let text = content(document, line);
        if is_marker(text, BEGIN_MARKER) {
            begin = Some(index);
        } else if is_marker(text, END_MARKER)
            && let Some(begin) = begin
        {
            return Some((begin, index));
        }
    }
    None
}

/// Line indices of the evidence heading and of the section's last non-blank line.
fn find_evidence_section(document: &str, lines: &[Line]) -> Option<(usize, usize)> {
    let code = code_lines(document, lines);
    let outside = |index: &usize| !code[*index];
    let first = (0..lines.len())
        .filter(outside)
        .find(|&index| is_evidence_heading(content(document, &lines[index])))?;
    let next = (first + 1..lines.len())
        .filter(outside)
        .find(|&index| heading_level(content(document, &lines[index])).is_some_and(|l| l <= 3))
        .unwrap_or(lines.len());
    let last = (first..next)
        .rev()
        .find(|&index| index == first || !content(document, &lines[index]).trim().is_empty())
        .unwrap_or(first);
    Some((first, last))
}

/// Strips up to three leading spaces (more makes an indented code block, not a heading or fence).
fn strip_indent(line: &str) -> Option<&str> {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    (spaces <= 3).then(|| &line[spaces..])
}

/// The level of an ATX heading line (`#` to `######` followed by a space, a tab or nothing).
fn heading_level(line: &str) -> Option<usize> {
    let rest = strip_indent(line)?;
    let level = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[level..];
    let separated = after.is_empty() || after.starts_with(' ') || after.starts_with('\t');
    ((1..=6).contains(&level) && separated).then_some(level)
}

/// A level-3 heading whose text is `Staging Live Gate Evidence` (ASCII case ignored, optional
/// closing `#` sequence and surrounding whitespace allowed).
fn is_evidence_heading(line: &str) -> bool {
    if heading_level(line) != Some(3) {
        return false;
    }
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let mut text = rest[3..].trim();
    let without_closing = text.trim_end_matches('#');
    if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        text = without_closing.trim_end();
    }
    text.eq_ignore_ascii_case(EVIDENCE_HEADING)
}

/// A code fence opener: its character and length (three or more backticks or tildes; a backtick
/// fence's info string has no backtick).
fn fence_opener(line: &str) -> Option<(char, usize)> {
    let rest = strip_indent(line)?;
    let fence = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = rest.len() - rest.trim_start_matches(fence).len();
    let info = &rest[length..];
    (length >= 3 && !(fence == '`' && info.contains('`'))).then_some((fence, length))
}

fn closes_fence(line: &str, fence: char, length: usize) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let run = rest.len() - rest.trim_start_matches(fence).len();
    run >= length && rest[run..].trim().is_empty()
}

/// For every line, whether it belongs to a fenced code block (fence lines included). A fence
/// that is never closed does not count: its opener is treated as ordinary text, so an unclosed
/// fence cannot swallow the rest of the document.
fn code_lines(document: &str, lines: &[Line]) -> Vec<bool> {
    let mut code = vec![false; lines.len()];
    // Shortest fence length found unclosed so far, per fence character: a later opener at
    // least as long cannot be closed either (saves rescanning the tail).
    let mut unclosed_backtick = usize::MAX;
    let mut unclosed_tilde = usize::MAX;
    let mut index = 0;
    while index < lines.len() {
        if let Some((fence, length)) = fence_opener(content(document, &lines[index])) {
            let unclosed = if fence == '`' {
                &mut unclosed_backtick
            } else {
                &mut unclosed_tilde
            };
            if length < *unclosed {
                let close = (index + 1..lines.len())
                    .find(|&other| closes_fence(content(document, &lines[other]), fence, length));
                match close {
                    Some(close) => {
                        code[index..=close].iter_mut().for_each(|flag| *flag = true);
                        index = close + 1;
                        continue;
                    }
                    None => *unclosed = length,
                }
            }
        }
        index += 1;
    }
    code
}

/// Appends the block's lines with `eol`, dropping marker lines.
fn push_block(out: &mut String, block: &str, eol: &str) {
    if block.is_empty() {
        return;
    }
    let block = block.strip_suffix('\n').unwrap_or(block);
    for line in block.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if is_marker(line, BEGIN_MARKER) || is_marker(line, END_MARKER) {
            continue;
        }
        out.push_str(line);
        out.push_str(eol);
    }
}

/// Appends the begin marker, the block and the end marker, each line ending in `eol`.
fn push_wrapped(out: &mut String, block: &str, eol: &str) {
    out.push_str(BEGIN_MARKER);
    out.push_str(eol);
    push_block(out, block, eol);
    out.push_str(END_MARKER);
    out.push_str(eol);
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "### Staging Live Gate Evidence\n- Result: PASS\n";

    #[test]
    fn appends_after_a_blank_line_when_there_is_nothing_to_replace() {
        let (new, placement) = apply_evidence("# Status\n\nText.\n", BLOCK);
        assert_eq!(placement, Placement::Appended);
        assert_eq!(
            new,
            "# Status\n\nText.\n\n<!-- itm-gate:evidence:begin -->\n### Staging Live Gate Evidence\n\
             - Result: PASS\n<!-- itm-gate:evidence:end -->\n"
        );
    }

    #[test]
    fn empty_document_gets_only_the_wrapped_block() {
        let (new, placement) = apply_evidence("", BLOCK);
        assert_eq!(placement, Placement::Appended);
        assert_eq!(new, format!("{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n"));
    }

    #[test]
    fn missing_final_newline_is_completed_without_touching_existing_bytes() {
        let (new, _) = apply_evidence("Text.", BLOCK);
        assert_eq!(
            new,
            format!("Text.\n\n{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n")
        );
        let (new, _) = apply_evidence("Text.\n\n", BLOCK);
        assert_eq!(
            new,
            format!("Text.\n\n{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n")
        );
    }

    #[test]
    fn replaces_only_between_markers() {
        let doc = format!("a\n{BEGIN_MARKER}\nold\nlines\n{END_MARKER}\nb\n");
        let (new, placement) = apply_evidence(&doc, BLOCK);
        assert_eq!(placement, Placement::Markers);
        assert_eq!(new, format!("a\n{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\nb\n"));
    }

    #[test]
    fn replaces_the_heading_section_up_to_the_next_heading_of_level_three_or_higher() {
        let doc =
            "# T\n### Staging Live Gate Evidence\n- Result: FAIL\n#### Detail\nx\n\n## Next\n";
        let (new, placement) = apply_evidence(doc, BLOCK);
        assert_eq!(placement, Placement::Heading);
        assert_eq!(
            new,
            format!("# T\n{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n\n## Next\n")
        );
    }

    #[test]
    fn heading_inside_a_code_fence_is_ignored() {
        let doc = "# T\n```md\n### Staging Live Gate Evidence\n```\n";
        let (new, placement) = apply_evidence(doc, BLOCK);
        assert_eq!(placement, Placement::Appended);
        assert!(new.starts_with(doc));
    }

    #[test]
    fn heading_after_an_unclosed_fence_still_counts() {
        let doc = "```\n### Staging Live Gate Evidence\nold\n";
        let (new, placement) = apply_evidence(doc, BLOCK);
        assert_eq!(placement, Placement::Heading);
        assert_eq!(new, format!("```\n{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n"));
    }

    #[test]
    fn section_end_ignores_headings_inside_fences() {
        let doc = "### Staging Live Gate Evidence\n~~~\n## not a heading\n~~~\nold\n## Next\n";
        let (new, _) = apply_evidence(doc, BLOCK);
        assert_eq!(
            new,
            format!("{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n## Next\n")
        );
    }

    #[test]
    fn only_the_first_of_several_evidence_sections_is_replaced() {
        let doc = "### Staging Live Gate Evidence\none\n### Staging Live Gate Evidence\ntwo\n";
        let (new, _) = apply_evidence(doc, BLOCK);
        assert_eq!(
            new,
            format!("{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n### Staging Live Gate Evidence\ntwo\n")
        );
    }

    #[test]
    fn a_lone_or_reversed_marker_is_kept_and_a_new_pair_appended() {
        for doc in [
            format!("a\n{BEGIN_MARKER}\nkeep me\n"),
            format!("a\n{END_MARKER}\nkeep me\n"),
            format!("a\n{END_MARKER}\nkeep me\n{BEGIN_MARKER}\nand me\n"),
        ] {
            let (new, placement) = apply_evidence(&doc, BLOCK);
            assert_eq!(placement, Placement::Appended, "{doc:?}");
            assert!(new.starts_with(&doc));
            let (again, placement) = apply_evidence(&new, BLOCK);
            assert_eq!(placement, Placement::Markers);
            assert_eq!(again, new);
        }
    }

    #[test]
    fn nested_begin_markers_pair_with_the_nearest() {
        let doc = format!("{BEGIN_MARKER}\nuser text\n{BEGIN_MARKER}\nold\n{END_MARKER}\n");
        let (new, _) = apply_evidence(&doc, BLOCK);
        assert_eq!(
            new,
            format!("{BEGIN_MARKER}\nuser text\n{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n")
        );
    }

    #[test]
    fn crlf_documents_get_crlf_lines() {
        let doc = "# T\r\n\r\nText.\r\n";
        let (new, _) = apply_evidence(doc, BLOCK);
        assert_eq!(
            new,
            "# T\r\n\r\nText.\r\n\r\n<!-- itm-gate:evidence:begin -->\r\n### Staging Live Gate \
             Evidence\r\n- Result: PASS\r\n<!-- itm-gate:evidence:end -->\r\n"
        );
        assert!(!new.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn byte_order_mark_stays_first() {
        let doc = "\u{feff}### Staging Live Gate Evidence\nold\n";
        let (new, placement) = apply_evidence(doc, BLOCK);
        assert_eq!(placement, Placement::Heading);
        assert_eq!(
            new,
            format!("\u{feff}{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n")
        );
        let (new, _) = apply_evidence("\u{feff}", BLOCK);
        assert_eq!(
            new,
            format!("\u{feff}{BEGIN_MARKER}\n{BLOCK}{END_MARKER}\n")
        );
    }

    #[test]
    fn marker_lines_inside_the_block_are_dropped() {
        let block = format!("x\n{END_MARKER}\ny");
        let (new, _) = apply_evidence("", &block);
        assert_eq!(new, format!("{BEGIN_MARKER}\nx\ny\n{END_MARKER}\n"));
    }

    #[test]
    fn heading_variants() {
        assert!(is_evidence_heading("### Staging Live Gate Evidence"));
        assert!(is_evidence_heading(
            "   ### staging live gate evidence ###  "
        ));
        assert!(!is_evidence_heading("#### Staging Live Gate Evidence"));
        assert!(!is_evidence_heading("    ### Staging Live Gate Evidence"));
        assert!(!is_evidence_heading("###Staging Live Gate Evidence"));
        assert_eq!(heading_level("## x"), Some(2));
        assert_eq!(heading_level("#"), Some(1));
        assert_eq!(heading_level("#hashtag"), None);
        assert_eq!(heading_level("####### seven"), None);
    }

    #[test]
    fn fences() {
        assert_eq!(fence_opener("```rust"), Some(('`', 3)));
        assert_eq!(fence_opener("  ~~~~"), Some(('~', 4)));
        assert_eq!(fence_opener("``` a`b"), None);
        assert_eq!(fence_opener("``"), None);
        assert!(closes_fence("````  ", '`', 3));
        assert!(!closes_fence("``", '`', 3));
        assert!(!closes_fence("``` x", '`', 3));
    }

    #[test]
    fn diff_has_git_style_headers_and_is_empty_without_change() {
        let diff = unified_diff("docs/s.md", "a\nb\n", "a\nc\n");
        assert!(
            diff.starts_with("--- a/docs/s.md\n+++ b/docs/s.md\n@@ -1,2 +1,2 @@\n"),
            "{diff}"
        );
        assert!(diff.contains("-b\n+c\n"));
        assert_eq!(unified_diff("x", "same\n", "same\n"), "");
    }

    #[test]
    fn diff_keeps_line_endings_and_names_files() {
        let diff = file_diff("docs/s.md", Some("a\r\nb\r\n"), "a\r\nc\r\n");
        assert!(
            diff.starts_with("--- a/docs/s.md\n+++ b/docs/s.md\n"),
            "{diff}"
        );
        assert!(diff.contains("-b\r\n+c\r\n"), "{diff:?}");
        let created = file_diff("docs/s.md", None, "new\n");
        assert!(
            created.starts_with("--- /dev/null\n+++ b/docs/s.md\n"),
            "{created}"
        );
    }
}
