//! Log scanning: backend bootstrap and auth-bypass failures (DESIGN.md section 5).
//!
//! A [`Scanner`] applies a [`RuleSet`] to log files, to any reader and to texts taken from the
//! Playwright report, and collects [`Finding`]s with redacted excerpts ([`crate::redact`]).
//!
//! Speed and memory (DESIGN.md section 9) come from the shape of the search: the whole buffer is
//! searched with one regular expression, the alternation of every rule, whose literal prefilter
//! skips the lines that cannot match; line boundaries are looked up only around a match; only the
//! line that matched is tried against each rule and exclusion; ANSI codes are stripped only from
//! blocks that hold an escape byte, in one copying pass that never crosses a line break. Input is read in 1 MiB blocks; a line longer than
//! [`MAX_LINE_BUFFER`] is searched in pieces that overlap by [`LONG_LINE_OVERLAP`] bytes, so a
//! line of many megabytes still matches while memory stays bounded.

mod findings;
mod rules;

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use memchr::{memchr, memchr_iter, memrchr};

pub use findings::{
    DEFAULT_KEEP_PER_RULE, Finding, Findings, NO_MATCH_RULE, RuleCount, UNREADABLE_RULE,
};
pub use rules::{
    BUILTIN_EXCLUSIONS, BUILTIN_RULES, BuiltinExclusion, BuiltinRule, Exclusion, Rule, RuleSet,
    RulesError, Severity,
};

use crate::redact::{Redactor, Window};
use crate::text::truncate_chars;

/// Bytes read from the input per block.
pub const READ_SIZE: usize = 1 << 20;
/// A line longer than this is searched in pieces instead of being held whole.
pub const MAX_LINE_BUFFER: usize = 4 << 20;
/// Bytes at the end of one piece of a long line searched again with the next piece, so a match
/// across the cut is still found (rules match messages, far shorter than this).
pub const LONG_LINE_OVERLAP: usize = 4096;
/// Bytes of a line shown in an excerpt, around the match.
const EXCERPT_BYTES: usize = 300;
/// Bytes shown before the match when the line is cut.
const EXCERPT_BEFORE: usize = 100;
/// Characters an excerpt is capped at (after redaction).
pub const EXCERPT_CHARS: usize = 320;
/// Bytes around the excerpt searched for secrets, so a secret across the excerpt's edge is
/// redacted whole.
const REDACTION_MARGIN: usize = 8192;

/// Applies a rule set to logs and report texts.
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    redactor: Redactor,
}

/// The best candidate finding for one line.
#[derive(Debug)]
struct Candidate {
    rule: usize,
    severity: Severity,
    line: u64,
    excerpt: String,
}

impl Candidate {
    /// The more severe of two candidates for the same line; the earlier on a tie.
    fn merge(old: Option<Candidate>, new: Candidate) -> Candidate {
        match old {
            Some(old)
                if old.severity == Severity::Critical || new.severity == Severity::Warning =>
            {
                old
            }
            _ => new,
        }
    }
}

/// Where a stream is: the line at the start of the next block, and the line left open.
#[derive(Debug)]
struct LineState {
    /// 1-based number of the line the next block starts in.
    line: u64,
    /// Whether the next block starts in the middle of a line already partly searched.
    open: bool,
    /// The best candidate of that open line.
    pending: Option<Candidate>,
    /// The text is a Playwright error message: its code-frame lines are not scanned.
    skip_code_frames: bool,
}

impl LineState {
    fn new() -> LineState {
        LineState {
            line: 1,
            open: false,
            pending: None,
            skip_code_frames: false,
        }
    }
}

/// The lines of the code frame Playwright prints under an error (`  38 |   ...`,
/// `> 39 |   ...`, and the caret line `     |     ^`), after ANSI codes are stripped: they show
/// test source, not what happened.
static CODE_FRAME: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
    regex::bytes::Regex::new(r"^[ \t]*(?:>[ \t]*)?\d+ \|(?: |$)|^[ \t]+\|[ \t]*\^[ \t^~]*$")
        .expect("code frame pattern is valid")
});

/// Whether a line (ANSI codes stripped, no line break) is a line of a Playwright code frame.
pub fn is_code_frame_line(line: &[u8]) -> bool {
    CODE_FRAME.is_match(line.strip_suffix(b"\r").unwrap_or(line))
}

/// A report text scanned piece by piece as the reader hands it over (see
/// [`Scanner::text_stream`]): a line that runs across two pieces is matched whole, and a line
/// longer than [`MAX_LINE_BUFFER`] is searched in overlapping pieces as in log files, so memory
/// stays bounded.
#[derive(Debug)]
pub struct TextStream {
    /// Where the text comes from, redacted.
    source: String,
    /// The start of the line the last piece left open.
    pending: Vec<u8>,
    state: LineState,
}

/// A read error in the middle of a stream, with the line where reading stopped.
#[derive(Debug)]
struct StreamError {
    error: io::Error,
    line: u64,
}

impl Scanner {
    /// A scanner applying `rules`, redacting excerpts with `redactor`.
    pub fn new(rules: RuleSet, redactor: Redactor) -> Scanner {
        Scanner { rules, redactor }
    }

    /// The rules this scanner applies.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Scans the `logs` input: paths or globs relative to `base_dir` (absolute ones as they are).
    ///
    /// A pattern matching nothing, a folder, and a file that cannot be read (or stops being
    /// readable, such as a corrupt `.gz`) are warning findings, never a crash. A file matched by
    /// several patterns is scanned once. Sources are shown relative to `base_dir`.
    pub fn scan_paths(&self, patterns: &[String], base_dir: &Path, out: &mut Findings) {
        let mut seen = HashSet::new();
        for pattern in patterns.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let files = match expand(pattern, base_dir) {
                Ok(files) => files,
                Err(problem) => {
                    self.push_file_finding(NO_MATCH_RULE, pattern, None, &problem, out);
                    continue;
                }
            };
            if files.is_empty() {
                let problem = format!(
                    "no file matches `{pattern}` (relative to {})",
                    base_dir.display()
                );
                self.push_file_finding(NO_MATCH_RULE, pattern, None, &problem, out);
            }
            for path in files {
                if seen.insert(path.clone()) {
                    let shown = path
                        .strip_prefix(base_dir)
                        .unwrap_or(&path)
                        .display()
                        .to_string();
                    self.scan_file(&path, &shown, out);
                }
            }
        }
    }

    /// Scans one file; `shown` names it in findings.
    fn scan_file(&self, path: &Path, shown: &str, out: &mut Findings) {
        if path.is_dir() {
            let problem = format!("`{shown}` is a folder; give its files, e.g. `{shown}/*.log`");
            self.push_file_finding(UNREADABLE_RULE, shown, None, &problem, out);
            return;
        }
        // Only regular files are opened: a FIFO or a device (or a link to one) would block.
        match crate::paths::open_regular(path) {
            Err(err) if err.kind() == io::ErrorKind::InvalidInput => {
                let problem = format!("skipped `{shown}`: {err}");
                self.push_file_finding(UNREADABLE_RULE, shown, None, &problem, out);
            }
            Err(err) => {
                let problem = format!("cannot open `{shown}`: {err}");
                self.push_file_finding(UNREADABLE_RULE, shown, None, &problem, out);
            }
            Ok(file) => {
                if let Err(StreamError { error, line }) = self.stream(shown, file, out) {
                    let problem = format!("reading `{shown}` stopped at line {line}: {error}");
                    self.push_file_finding(UNREADABLE_RULE, shown, Some(line), &problem, out);
                }
            }
        }
    }

    /// Scans any reader as a stream: gzip (detected by its magic bytes) is decompressed; lines
    /// of many megabytes, invalid UTF-8, CRLF and ANSI colours are handled. Findings made before
    /// a read error are kept.
    pub fn scan_reader(
        &self,
        source: &str,
        reader: impl Read,
        out: &mut Findings,
    ) -> io::Result<()> {
        self.stream(source, reader, out).map_err(|e| e.error)
    }

    /// Whether [`Scanner::scan_text`] could find anything in `text`: a cheap check that lets a
    /// caller skip building the text's `source` for the many texts that match no rule.
    pub fn might_match(&self, text: &str) -> bool {
        let Some(search) = &self.rules.search else {
            return false;
        };
        // ANSI codes could split a message; such texts are scanned in full.
        memchr(0x1b, text.as_bytes()).is_some() || search.any.is_match(text.as_bytes())
    }

    /// Scans a text taken from the Playwright report (stdout/stderr chunk, error message, skip
    /// reason); `source` names its place, like `e2e/specs/x.spec.ts › title (attempt 2)`.
    /// Findings have no line number.
    pub fn scan_text(&self, source: &str, text: &str, out: &mut Findings) {
        let source = self.redactor.redact(source);
        let mut state = LineState::new();
        self.scan_block(&source, text.as_bytes(), false, true, &mut state, out);
        self.finish(&source, false, &mut state, out);
    }

    /// Scans an error message taken from the Playwright report, like [`Scanner::scan_text`]
    /// but without the lines of the code frame Playwright prints under the error.
    pub fn scan_message(&self, source: &str, text: &str, out: &mut Findings) {
        let source = self.redactor.redact(source);
        let mut state = LineState::new();
        state.skip_code_frames = true;
        self.scan_block(&source, text.as_bytes(), false, true, &mut state, out);
        self.finish(&source, false, &mut state, out);
    }

    /// Starts scanning a report text that comes in pieces ([`Scanner::feed`], then
    /// [`Scanner::end_text`]); `message` says it is an error message (code frames not scanned).
    pub fn text_stream(&self, source: &str, message: bool) -> TextStream {
        let mut state = LineState::new();
        state.skip_code_frames = message;
        TextStream {
            source: self.redactor.redact(source).into_owned(),
            pending: Vec::new(),
            state,
        }
    }

    /// Scans the next piece of a text: every line it completes; the line it leaves open waits
    /// for the next piece (searched in overlapping parts once longer than [`MAX_LINE_BUFFER`]).
    pub fn feed(&self, stream: &mut TextStream, piece: &[u8], out: &mut Findings) {
        stream.pending.extend_from_slice(piece);
        let len = stream.pending.len();
        let (end, keep_from) = if let Some(nl) = memrchr(b'\n', &stream.pending) {
            (nl + 1, nl + 1)
        } else if len >= MAX_LINE_BUFFER {
            (len, len - LONG_LINE_OVERLAP)
        } else {
            return;
        };
        self.scan_block(
            &stream.source,
            &stream.pending[..end],
            false,
            false,
            &mut stream.state,
            out,
        );
        stream.pending.drain(..keep_from);
    }

    /// Scans what is left of a text fed piece by piece.
    pub fn end_text(&self, mut stream: TextStream, out: &mut Findings) {
        let rest = std::mem::take(&mut stream.pending);
        self.scan_block(&stream.source, &rest, false, true, &mut stream.state, out);
        self.finish(&stream.source, false, &mut stream.state, out);
    }

    /// The streaming loop behind [`Scanner::scan_reader`].
    fn stream(
        &self,
        source: &str,
        mut reader: impl Read,
        out: &mut Findings,
    ) -> Result<(), StreamError> {
        let source = self.redactor.redact(source);
        let mut state = LineState::new();
        let mut head = [0u8; 2];
        let got =
            read_full(&mut reader, &mut head).map_err(|error| StreamError { error, line: 1 })?;
        let chained = io::Cursor::new(head).take(got as u64).chain(reader);
        let result = if got == 2 && head == [0x1f, 0x8b] {
            self.stream_blocks(
                &source,
                flate2::read::MultiGzDecoder::new(chained),
                &mut state,
                out,
            )
        } else {
            self.stream_blocks(&source, chained, &mut state, out)
        };
        self.finish(&source, true, &mut state, out);
        result.map_err(|error| StreamError {
            error,
            line: state.line,
        })
    }

    /// Reads blocks of whole lines and scans them; a line longer than [`MAX_LINE_BUFFER`] is
    /// scanned in overlapping pieces.
    fn stream_blocks(
        &self,
        source: &str,
        mut reader: impl Read,
        state: &mut LineState,
        out: &mut Findings,
    ) -> io::Result<()> {
        let capacity = MAX_LINE_BUFFER + READ_SIZE;
        // Zeroed allocation: pages are touched (and count toward memory) only when used.
        let mut buf = vec![0u8; capacity];
        let mut len = 0;
        let mut eof = false;
        loop {
            let want = (len + READ_SIZE).min(capacity);
            while len < want && !eof {
                match reader.read(&mut buf[len..want]) {
                    Ok(0) => eof = true,
                    Ok(n) => len += n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => {
                        // Scan what was read before the error, then report it.
                        if len > 0 {
                            self.scan_block(source, &buf[..len], true, false, state, out);
                        }
                        return Err(err);
                    }
                }
            }
            if len == 0 {
                return Ok(());
            }
            let (end, keep_from) = if eof {
                (len, len)
            } else if let Some(nl) = memrchr(b'\n', &buf[..len]) {
                (nl + 1, nl + 1)
            } else if len >= MAX_LINE_BUFFER {
                // A piece of a very long line: scan it, keep its tail to search again.
                (len, len - LONG_LINE_OVERLAP)
            } else {
                continue;
            };
            self.scan_block(source, &buf[..end], true, eof, state, out);
            if eof {
                return Ok(());
            }
            buf.copy_within(keep_from..len, 0);
            len -= keep_from;
        }
    }

    /// Scans one block. The block may start inside the line left open by the previous block
    /// (`state.open`) and, unless it is the `last` of the input, may end inside a line (no final
    /// newline), which stays open.
    fn scan_block(
        &self,
        source: &str,
        block: &[u8],
        with_lines: bool,
        last: bool,
        state: &mut LineState,
        out: &mut Findings,
    ) {
        let Some(search) = &self.rules.search else {
            state.line += memchr_iter(b'\n', block).count() as u64;
            state.open = !last && !block.ends_with(b"\n");
            return;
        };
        let cleaned: Cow<'_, [u8]> = match memchr(0x1b, block) {
            Some(first) => Cow::Owned(strip_ansi_bytes(block, first)),
            None => Cow::Borrowed(block),
        };
        let block = &cleaned[..];
        let continues = state.open;
        let ends_open = !last && !block.ends_with(b"\n");
        // The candidate of the line continued from the previous block, until that line ends.
        let mut carried = if continues {
            state.pending.take()
        } else {
            None
        };
        let (mut pos, mut counted) = (0, 0);
        while pos < block.len() {
            let Some(found) = search.any.find_at(block, pos) else {
                break;
            };
            let start = found.start();
            let line_start = memrchr(b'\n', &block[pos..start]).map_or(pos, |i| pos + i + 1);
            let line_end = memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i);
            if line_start > 0
                && let Some(done) = carried.take()
            {
                self.emit(source, done, with_lines, out);
            }
            state.line += memchr_iter(b'\n', &block[counted..line_start]).count() as u64;
            counted = line_start;
            let cut = (
                line_start == 0 && continues,
                line_end == block.len() && ends_open,
            );
            let frame = state.skip_code_frames
                && !cut.0
                && is_code_frame_line(&block[line_start..line_end]);
            let candidate = if frame {
                None
            } else {
                self.evaluate(&block[line_start..line_end], cut, state.line)
            };
            if let Some(candidate) = candidate {
                if line_start == 0 && continues {
                    carried = Some(Candidate::merge(carried, candidate));
                } else if line_end == block.len() && ends_open {
                    state.pending = Some(Candidate::merge(state.pending.take(), candidate));
                } else {
                    self.emit(source, candidate, with_lines, out);
                }
            }
            pos = line_end + 1;
        }
        if let Some(done) = carried {
            if memchr(b'\n', block).is_some() {
                self.emit(source, done, with_lines, out);
            } else {
                state.pending = Some(done);
            }
        }
        state.line += memchr_iter(b'\n', &block[counted..]).count() as u64;
        state.open = ends_open;
    }

    /// Emits the candidate of a line still open at the end of the input.
    fn finish(&self, source: &str, with_lines: bool, state: &mut LineState, out: &mut Findings) {
        if let Some(candidate) = state.pending.take() {
            self.emit(source, candidate, with_lines, out);
        }
        state.open = false;
    }

    /// The best finding for one line: the first rule of the highest severity that matches and
    /// that no exclusion covers.
    /// `cut` says whether the line slice starts or ends inside a longer line (pieces of a very
    /// long line), so the excerpt treats those edges as cuts.
    fn evaluate(&self, line: &[u8], cut: (bool, bool), line_no: u64) -> Option<Candidate> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let rules = self.rules.rules();
        let search = self.rules.search.as_ref()?;
        let mut best: Option<(usize, regex::bytes::Match<'_>)> = None;
        for index in search.which.matches(line).iter() {
            let rule = &rules[index];
            match best {
                Some((b, _)) if rules[b].severity == Severity::Critical => break,
                Some(_) if rule.severity == Severity::Warning => continue,
                _ => {}
            }
            let excluded = self
                .rules
                .exclusions()
                .iter()
                .any(|e| e.applies_to(&rule.id) && e.regex.is_match(line));
            if let (false, Some(found)) = (excluded, rule.regex.find(line)) {
                best = Some((index, found));
            }
        }
        let (rule, found) = best?;
        Some(Candidate {
            rule,
            severity: self.rules.rules()[rule].severity,
            line: line_no,
            excerpt: self.excerpt(line, cut, found.start(), found.end()),
        })
    }

    /// The excerpt of `line` around the match `start..end`: ANSI already stripped, redacted,
    /// control characters blanked, cut to a window and capped.
    fn excerpt(&self, line: &[u8], cut: (bool, bool), start: usize, end: usize) -> String {
        let from = start.saturating_sub(REDACTION_MARGIN);
        let to = end.saturating_add(REDACTION_MARGIN).min(line.len());
        let before = String::from_utf8_lossy(&line[from..start]);
        let at = before.len();
        let mut region = before.into_owned();
        region.push_str(&String::from_utf8_lossy(&line[start..to]));
        let (lo, hi) = if region.len() <= EXCERPT_BYTES {
            (0, region.len())
        } else {
            let lo = at.saturating_sub(EXCERPT_BEFORE);
            let hi = (lo + EXCERPT_BYTES).min(region.len());
            (hi.saturating_sub(EXCERPT_BYTES), hi)
        };
        let window = Window {
            show: lo..hi,
            keep: at..at + String::from_utf8_lossy(&line[start..end]).len(),
            // The region starts or ends inside the line, or the line inside a longer one.
            cut_before: from > 0 || cut.0,
            cut_after: to < line.len() || cut.1,
        };
        let excerpt = self.redactor.redact_window(&region, &window);
        let blanked: String = excerpt
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        truncate_chars(blanked.trim_end(), EXCERPT_CHARS).into_owned()
    }

    fn emit(&self, source: &str, candidate: Candidate, with_lines: bool, out: &mut Findings) {
        let rule = &self.rules.rules()[candidate.rule];
        out.push(Finding {
            rule: rule.id.clone(),
            severity: candidate.severity,
            source: source.to_string(),
            line: with_lines.then_some(candidate.line),
            excerpt: candidate.excerpt,
        });
    }

    /// A file-level warning (no match, unreadable): the problem, redacted, is the excerpt.
    pub(crate) fn push_file_finding(
        &self,
        rule: &str,
        source: &str,
        line: Option<u64>,
        problem: &str,
        out: &mut Findings,
    ) {
        out.push(Finding {
            rule: rule.to_string(),
            severity: Severity::Warning,
            source: self.redactor.redact(source).into_owned(),
            line,
            excerpt: truncate_chars(&self.redactor.redact(problem), EXCERPT_CHARS).into_owned(),
        });
    }
}

/// Removes ANSI escape sequences from `block`, whose first escape byte is at `first`.
///
/// The same sequences as [`crate::text::strip_ansi`] (CSI colours and cursor moves, OSC
/// hyperlinks and titles, two-byte escapes), on bytes so invalid UTF-8 stays as it is, in one
/// copying pass (a log full of colours costs about a copy, not a regular expression per line),
/// and never across a line break: an OSC sequence that is not closed on its line is not a
/// sequence, so no escape code can hide the lines after it.
fn strip_ansi_bytes(block: &[u8], first: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(block.len());
    let mut at = 0;
    let mut next = (first < block.len()).then_some(first);
    while let Some(esc) = next {
        out.extend_from_slice(&block[at..esc]);
        let rest = &block[esc + 1..];
        let skip = match rest.first() {
            Some(b'[') => {
                let params = rest[1..]
                    .iter()
                    .take_while(|b| (0x30..=0x3f).contains(*b))
                    .count();
                let inter = rest[1 + params..]
                    .iter()
                    .take_while(|b| (0x20..=0x2f).contains(*b))
                    .count();
                match rest.get(1 + params + inter) {
                    Some(0x40..=0x7e) => 2 + params + inter + 1,
                    _ => 0,
                }
            }
            Some(b']') => {
                let body = rest[1..]
                    .iter()
                    .take_while(|b| !matches!(b, 0x07 | 0x1b | b'\n'))
                    .count();
                match (rest.get(1 + body), rest.get(2 + body)) {
                    (Some(0x07), _) => 2 + body + 1,
                    (Some(0x1b), Some(b'\\')) => 2 + body + 2,
                    _ => 2,
                }
            }
            Some(0x40..=0x5a | 0x5c..=0x5f) => 2,
            _ => 0,
        };
        if skip == 0 {
            out.push(0x1b);
            at = esc + 1;
        } else {
            at = esc + skip;
        }
        next = memchr(0x1b, &block[at..]).map(|i| at + i);
    }
    out.extend_from_slice(&block[at..]);
    out
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(got)
}

/// The files a `logs` entry names: a glob (`*`, `?`, `[`) or a path, relative to `base_dir`.
/// Folders are returned too (the caller reports them). An invalid glob is an error message.
fn expand(pattern: &str, base_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let relative = !Path::new(pattern).is_absolute();
    if !pattern.contains(['*', '?', '[']) {
        let path = if relative {
            base_dir.join(pattern)
        } else {
            PathBuf::from(pattern)
        };
        return Ok(if path.exists() {
            vec![path]
        } else {
            Vec::new()
        });
    }
    let full = if relative {
        let base = glob::Pattern::escape(&base_dir.to_string_lossy());
        format!("{}/{pattern}", base.trim_end_matches('/'))
    } else {
        pattern.to_string()
    };
    let paths = glob::glob(&full).map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?;
    // An entry that cannot be inspected is still returned: opening it reports why.
    Ok(paths
        .map(|entry| entry.unwrap_or_else(|e| e.path().to_path_buf()))
        .collect())
}

/// `N findings: C critical, W warning` (with how many were not shown), or `no findings`.
pub fn count_line(findings: &Findings) -> String {
    if findings.is_empty() {
        return "no findings".to_string();
    }
    let total = findings.total();
    let mut line = format!(
        "{total} finding{}: {} critical, {} warning",
        if total == 1 { "" } else { "s" },
        findings.critical_count(),
        findings.warning_count()
    );
    if findings.omitted() > 0 {
        line.push_str(&format!(
            " ({} more of the same rules not shown)",
            findings.omitted()
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<Finding> {
        let scanner = Scanner::new(RuleSet::builtin(), Redactor::default());
        let mut findings = Findings::new();
        scanner
            .scan_reader("t.log", text.as_bytes(), &mut findings)
            .expect("in-memory read");
        findings.into_vec()
    }

    #[test]
    fn finds_lines_with_numbers() {
        let found = scan(
            "ok\nfine\n{\"level\":\"error\",\"message\":\"E2E auth bootstrap failed\"}\nafter\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "e2e-auth-bootstrap-failed");
        assert_eq!(found[0].line, Some(3));
        assert_eq!(found[0].place(), "t.log:3");
    }

    #[test]
    fn one_finding_per_line_the_critical_wins() {
        let found = scan("Live backend not healthy at http://x then EADDRINUSE\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "eaddrinuse");
    }

    #[test]
    fn last_line_without_newline_and_crlf() {
        let found = scan("a\r\nb\r\nError: listen EADDRINUSE: address already in use :::3001\r");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, Some(3));
        assert!(
            found[0].excerpt.ends_with(":::3001"),
            "{}",
            found[0].excerpt
        );
    }

    #[test]
    fn ansi_split_message_still_matches_and_is_stripped() {
        let found = scan("\x1b[31mE2E auth \x1b[1mbootstrap failed\x1b[0m\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].excerpt, "E2E auth bootstrap failed");
    }

    #[test]
    fn byte_stripper_agrees_with_text_strip_ansi() {
        let samples = [
            "\x1b[31mError:\x1b[39m expected \x1b]8;;http://x\x07link\x1b]8;;\x07",
            "\x1b[2m(214ms)\x1b[22m \x1b[1;38;5;196mred\x1b[0m \x1bMreverse \x1b]0;title\x1b\\done",
            "lone \x1b and \x1b[ unfinished and \x1b] unclosed",
            "plain",
        ];
        for sample in samples {
            let first = sample.find('\x1b').unwrap_or(sample.len());
            let ours = strip_ansi_bytes(sample.as_bytes(), first);
            assert_eq!(
                String::from_utf8_lossy(&ours),
                crate::text::strip_ansi(sample),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn an_unclosed_osc_never_hides_the_next_lines() {
        let found = scan("\x1b]8;;http://x\nE2E auth bootstrap failed\n\x07\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, Some(2));
    }

    #[test]
    fn long_line_excerpt_is_a_window() {
        let line = format!("{}EADDRINUSE{}\n", "a ".repeat(5000), " b".repeat(5000));
        let found = scan(&line);
        assert_eq!(found.len(), 1);
        assert!(found[0].excerpt.starts_with('…') && found[0].excerpt.ends_with('…'));
        assert!(found[0].excerpt.contains("EADDRINUSE"));
        assert!(found[0].excerpt.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn count_line_reads_well() {
        let mut findings = Findings::new();
        assert_eq!(count_line(&findings), "no findings");
        let scanner = Scanner::new(RuleSet::builtin(), Redactor::default());
        scanner.scan_text(
            "spec › t (attempt 1)",
            "Live auth bypass preflight failed: status 401",
            &mut findings,
        );
        assert_eq!(count_line(&findings), "1 finding: 1 critical, 0 warning");
        assert_eq!(findings.iter().next().map(|f| f.line), Some(None));
    }
}
