//! GitHub Actions runner I/O: inputs, step outputs, annotations and the job summary.
//!
//! Follows the conventions of `@actions/core`: inputs are trimmed and empty means unset;
//! workflow commands (`::error file=..::message`) escape their properties and data; step
//! outputs use the `name<<delimiter` form with a random delimiter; the job summary is appended
//! to the file the runner names. The formatting functions are pure and tested without a
//! runner; the functions that print or write are thin edges over them.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The environment variable the runner sets for an input: `INPUT_` and the name upper-cased,
/// spaces replaced by `_`, hyphens kept (`backend-url` → `INPUT_BACKEND-URL`).
pub fn input_variable(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// The value of an action input from the environment, trimmed; `None` when unset or empty.
pub fn input(name: &str) -> Option<String> {
    let value = std::env::var(input_variable(name)).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// An environment variable, trimmed; `None` when unset or empty.
pub fn env_value(name: &str) -> Option<String> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Whether this process runs inside GitHub Actions (`GITHUB_ACTIONS=true`).
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

// ---------------------------------------------------------------------------------------------
// Workflow commands: escaping and annotations
// ---------------------------------------------------------------------------------------------

/// Escapes the data (message) part of a workflow command: `%`, `\r` and `\n`.
///
/// After escaping, the text is one line, so it cannot start a second command.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value of a workflow command: `%`, `\r`, `\n`, `:` and `,`.
///
/// `:` and `,` separate properties from each other and from the message, so a file name or
/// title containing them cannot add or end properties.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// The level of an annotation, which is also the name of its workflow command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Level {
    /// `::error`: shown in red; the gate's failing specs and critical findings.
    #[default]
    Error,
    /// `::warning`: shown in yellow; warnings and flaky tests.
    Warning,
    /// `::notice`: informational.
    Notice,
}

impl Level {
    /// The workflow command for this level: `error`, `warning` or `notice`.
    pub fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One annotation shown on the run page and, with a file and line, beside the code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Annotation {
    /// Error, warning or notice.
    pub level: Level,
    /// The message; may span lines (escaped on output).
    pub message: String,
    /// A short title shown above the message.
    pub title: Option<String>,
    /// Repository-relative path of the file the annotation belongs to.
    pub file: Option<String>,
    /// First line (1-based) in `file`.
    pub line: Option<u64>,
    /// Last line in `file`, for a range.
    pub end_line: Option<u64>,
    /// Column (1-based) in `line`.
    pub col: Option<u64>,
}

impl Annotation {
    /// An annotation with a level and message and no location.
    pub fn new(level: Level, message: impl Into<String>) -> Self {
        Annotation {
            level,
            message: message.into(),
            ..Annotation::default()
        }
    }

    /// Sets the title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the file and, optionally, the line.
    pub fn at(mut self, file: impl Into<String>, line: Option<u64>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }
}

/// Formats an annotation as a workflow command, such as
/// `::error title=Spec failed,file=e2e/a.spec.ts,line=12::message`.
///
/// Properties come in `@actions/core`'s order (`title`, `file`, `line`, `endLine`, `col`) and
/// are escaped with [`escape_property`]; the message with [`escape_data`]. The result is one
/// line without a line break.
pub fn format_annotation(a: &Annotation) -> String {
    let mut properties: Vec<String> = Vec::new();
    if let Some(title) = &a.title {
        properties.push(format!("title={}", escape_property(title)));
    }
    if let Some(file) = &a.file {
        properties.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = a.line {
        properties.push(format!("line={line}"));
    }
    if let Some(end_line) = a.end_line {
        properties.push(format!("endLine={end_line}"));
    }
    if let Some(col) = a.col {
        properties.push(format!("col={col}"));
    }
    let mut out = format!("::{}", a.level.command());
    if !properties.is_empty() {
        out.push(' ');
        out.push_str(&properties.join(","));
    }
    out.push_str("::");
    out.push_str(&escape_data(&a.message));
    neutralise_legacy_commands(&out).into_owned()
}

/// GitHub shows at most this many annotations of each level per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// How many annotations of each level [`select_annotations`] dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DroppedCounts {
    /// Errors beyond the limit.
    pub error: usize,
    /// Warnings beyond the limit.
    pub warning: usize,
    /// Notices beyond the limit.
    pub notice: usize,
}

impl DroppedCounts {
    /// All dropped annotations.
    pub fn total(&self) -> usize {
        self.error + self.warning + self.notice
    }

    fn slot(&mut self, level: Level) -> &mut usize {
        match level {
            Level::Error => &mut self.error,
            Level::Warning => &mut self.warning,
            Level::Notice => &mut self.notice,
        }
    }
}

/// Keeps the first [`ANNOTATIONS_PER_LEVEL`] annotations of each level, in input order (the
/// caller sorts by usefulness), and counts the rest per level.
pub fn select_annotations(all: Vec<Annotation>) -> (Vec<Annotation>, DroppedCounts) {
    let mut kept_per_level = DroppedCounts::default();
    let mut dropped = DroppedCounts::default();
    let mut kept = Vec::with_capacity(all.len().min(3 * ANNOTATIONS_PER_LEVEL));
    for annotation in all {
        let count = kept_per_level.slot(annotation.level);
        if *count < ANNOTATIONS_PER_LEVEL {
            *count += 1;
            kept.push(annotation);
        } else {
            *dropped.slot(annotation.level) += 1;
        }
    }
    (kept, dropped)
}

/// Selects annotations with [`select_annotations`] and prints them to stdout as workflow
/// commands inside GitHub Actions, or as `error: file:line: message` lines elsewhere.
/// Returns what was dropped, for the job summary.
pub fn print_annotations(all: Vec<Annotation>) -> DroppedCounts {
    let (kept, dropped) = select_annotations(all);
    let actions = in_github_actions();
    let mut text = String::new();
    for annotation in &kept {
        if actions {
            text.push_str(&format_annotation(annotation));
        } else {
            text.push_str(&format_annotation_plain(annotation));
        }
        text.push('\n');
    }
    print_stdout(&text);
    dropped
}

/// An annotation for a terminal: `error: e2e/a.spec.ts:12: title: message`, messages on one
/// line each (continuation lines indented).
pub fn format_annotation_plain(a: &Annotation) -> String {
    let mut out = format!("{}: ", a.level.command());
    if let Some(file) = &a.file {
        out.push_str(file);
        if let Some(line) = a.line {
            let _ = write!(out, ":{line}");
        }
        out.push_str(": ");
    }
    if let Some(title) = &a.title {
        out.push_str(title);
        out.push_str(": ");
    }
    out.push_str(&a.message.replace('\n', "\n    "));
    out
}

/// The line that opens a collapsible group in the log: `::group::title`.
pub fn format_group_start(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

/// Opens a collapsible group in the log (inside GitHub Actions; a plain title line elsewhere).
pub fn group_start(title: &str) {
    if in_github_actions() {
        print_stdout(&format!("{}\n", format_group_start(title)));
    } else {
        print_stdout(&format!("{title}\n"));
    }
}

/// Closes the group opened by [`group_start`] (inside GitHub Actions; nothing elsewhere).
pub fn group_end() {
    if in_github_actions() {
        print_stdout("::endgroup::\n");
    }
}

/// Writes `text` to stdout in one locked write, ignoring a closed pipe.
fn print_stdout(text: &str) {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
}

// ---------------------------------------------------------------------------------------------
// Untrusted text
// ---------------------------------------------------------------------------------------------

/// What `##[` becomes in untrusted text: the runner honours the legacy `##[command]` form
/// anywhere in a line (even inside `::stop-commands::`), so a word joiner (U+2060, invisible)
/// goes between `##` and `[`.
pub const LEGACY_COMMAND_NEUTRALISED: &str = "##\u{2060}[";

/// `text` with every `##[` broken up ([`LEGACY_COMMAND_NEUTRALISED`]), so no part of it is read
/// as a legacy workflow command. Borrows when there is none.
pub fn neutralise_legacy_commands(text: &str) -> Cow<'_, str> {
    if text.contains("##[") {
        Cow::Owned(text.replace("##[", LEGACY_COMMAND_NEUTRALISED))
    } else {
        Cow::Borrowed(text)
    }
}

/// One or more lines of text that may hold untrusted parts, safe to print outside a
/// `::stop-commands::` region: `##[` is neutralised and a line that would start with `::`
/// (after leading white space, as the runner reads it) gets `| ` in front.
pub fn neutralise_lines(text: &str) -> String {
    let text = neutralise_legacy_commands(text);
    let mut out = String::with_capacity(text.len() + 4);
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("::") {
            out.push_str("| ");
        }
        out.push_str(line);
    }
    out
}

/// Prints a line to stdout that may hold untrusted parts (see [`neutralise_lines`]).
pub fn print_line(text: &str) {
    let mut line = neutralise_lines(text);
    line.push('\n');
    print_stdout(&line);
}

/// Prints a line to stderr that may hold untrusted parts (the runner reads commands from
/// stderr too; see [`neutralise_lines`]).
pub fn eprint_line(text: &str) {
    let mut line = neutralise_lines(text);
    line.push('\n');
    let stderr = io::stderr();
    let mut lock = stderr.lock();
    let _ = lock.write_all(line.as_bytes());
    let _ = lock.flush();
}

/// Formats untrusted text for the log so that no line of it is run as a workflow command.
///
/// Every `##[` is neutralised first ([`neutralise_legacy_commands`]). With a token, the text is
/// wrapped in `::stop-commands::<token>` … `::<token>::`: the runner
/// ignores commands in between, and the token must not occur in the text (the caller draws a
/// fresh random one; see [`print_untrusted`]). Without a token, every line is prefixed with
/// `| `, which cannot begin a command.
pub fn format_untrusted(text: &str, token: Option<&str>) -> String {
    let text = &*neutralise_legacy_commands(text);
    match token {
        Some(token) => {
            let mut out = String::with_capacity(text.len() + 2 * token.len() + 24);
            let _ = writeln!(out, "::stop-commands::{token}");
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
            let _ = writeln!(out, "::{token}::");
            out
        }
        None => {
            let mut out = String::with_capacity(text.len() + 16);
            for line in text.split_inclusive('\n') {
                out.push_str("| ");
                out.push_str(line);
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out
        }
    }
}

/// Prints untrusted text (report output, log lines) to stdout so it cannot issue workflow
/// commands: inside GitHub Actions it is wrapped in `::stop-commands::` with a random token
/// absent from the text; elsewhere it is printed as it is.
pub fn print_untrusted(text: &str) {
    if !in_github_actions() {
        let mut plain = text.to_string();
        if !plain.ends_with('\n') {
            plain.push('\n');
        }
        print_stdout(&plain);
        return;
    }
    let token = random_token_absent_from(&[text]).ok();
    print_stdout(&format_untrusted(text, token.as_deref()));
}

/// `bytes` random bytes from the operating system, as lower-case hex.
fn random_hex(bytes: usize) -> io::Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|err| io::Error::other(format!("no random numbers from the OS: {err}")))?;
    let mut hex = String::with_capacity(2 * bytes);
    for b in buf {
        let _ = write!(hex, "{b:02x}");
    }
    Ok(hex)
}

/// A random 128-bit hex token that occurs in none of `texts`.
fn random_token_absent_from(texts: &[&str]) -> io::Result<String> {
    loop {
        let token = random_hex(16)?;
        if texts.iter().all(|t| !t.contains(&token)) {
            return Ok(token);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Step outputs
// ---------------------------------------------------------------------------------------------

/// The prefix of output delimiters, as `@actions/core` writes them.
pub const DELIMITER_PREFIX: &str = "ghadelimiter_";

/// One step output in the runner's file-command form: `name<<DELIM\nvalue\nDELIM\n`.
///
/// The caller guarantees that `delimiter` occurs in neither `name` nor `value` (a delimiter
/// inside `value` would end it early and let the rest set other outputs).
pub fn format_output(name: &str, value: &str, delimiter: &str) -> String {
    let mut out = String::with_capacity(name.len() + value.len() + 2 * delimiter.len() + 4);
    out.push_str(name);
    out.push_str("<<");
    out.push_str(delimiter);
    out.push('\n');
    out.push_str(value);
    out.push('\n');
    out.push_str(delimiter);
    out.push('\n');
    out
}

/// A random delimiter (`ghadelimiter_<32 hex digits>`) that occurs in neither `name` nor
/// `value`.
pub fn output_delimiter(name: &str, value: &str) -> io::Result<String> {
    loop {
        let delimiter = format!("{DELIMITER_PREFIX}{}", random_hex(16)?);
        if !name.contains(&delimiter) && !value.contains(&delimiter) {
            return Ok(delimiter);
        }
    }
}

/// The step-output file the runner names in `GITHUB_OUTPUT`, appended to one output at a time.
#[derive(Debug, Clone)]
pub struct OutputFile {
    path: PathBuf,
}

impl OutputFile {
    /// The file named by `GITHUB_OUTPUT`; `None` outside a runner (unset or empty).
    pub fn from_env() -> Option<OutputFile> {
        let path = std::env::var_os("GITHUB_OUTPUT")?;
        (!path.is_empty()).then(|| OutputFile::at(PathBuf::from(path)))
    }

    /// The output file at `path` (for tests and local runs).
    pub fn at(path: PathBuf) -> OutputFile {
        OutputFile { path }
    }

    /// Where the outputs go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends output `name` with `value` (any text, including line breaks), using a fresh
    /// random delimiter absent from both.
    ///
    /// Fails with `InvalidInput` when `name` is empty or contains a line break, and with the
    /// file's error (naming the file) when it cannot be appended to.
    pub fn set(&mut self, name: &str, value: &str) -> io::Result<()> {
        if name.is_empty() || name.contains(['\n', '\r']) || name.contains("<<") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("step output name {name:?} is empty or contains a line break or `<<`"),
            ));
        }
        let delimiter = output_delimiter(name, value)?;
        let record = format_output(name, value, &delimiter);
        append(&self.path, record.as_bytes()).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!(
                    "cannot append step output `{name}` to {} (GITHUB_OUTPUT): {err}",
                    self.path.display()
                ),
            )
        })
    }
}

/// Appends `bytes` to `path` in one write, creating the file when it does not exist.
fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

// ---------------------------------------------------------------------------------------------
// Job summary
// ---------------------------------------------------------------------------------------------

/// GitHub's limit on the job summary of one step; over it, GitHub drops the whole summary.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

/// The note appended when the summary had to be cut.
pub const SUMMARY_CUT_NOTE: &str = "\n> **Note:** this summary was cut to fit GitHub's 1 MiB \
     job-summary limit. The full evidence is in the step log and the `evidence` output.\n";

/// What [`write_summary`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryWritten {
    /// The full summary fitted.
    Full,
    /// The full summary was too large; the fallback fitted.
    Fallback,
    /// Even the fallback was too large; it was cut at a line boundary and a note added.
    Truncated,
    /// Nothing fitted (the step's summary was already at the limit); nothing was written.
    Nothing,
}

/// The job-summary file the runner names in `GITHUB_STEP_SUMMARY`; `None` outside a runner.
pub fn summary_path_from_env() -> Option<PathBuf> {
    let path = std::env::var_os("GITHUB_STEP_SUMMARY")?;
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Chooses what to write within `budget` bytes: `full` when it fits, else `fallback`, else
/// `fallback` cut at a line boundary with [`SUMMARY_CUT_NOTE`] (open code fences and
/// `<details>` closed first so the note renders). Pure; [`write_summary`] is its edge.
pub fn fit_summary<'a>(
    full: &'a str,
    fallback: &'a str,
    budget: usize,
) -> (Cow<'a, str>, SummaryWritten) {
    if full.len() <= budget {
        return (Cow::Borrowed(full), SummaryWritten::Full);
    }
    if fallback.len() <= budget {
        return (Cow::Borrowed(fallback), SummaryWritten::Fallback);
    }
    match cut_markdown(fallback, budget) {
        Some(cut) => (Cow::Owned(cut), SummaryWritten::Truncated),
        None => (Cow::Borrowed(""), SummaryWritten::Nothing),
    }
}

/// Appends the job summary to `path`: `full` when it fits within [`SUMMARY_LIMIT`] (less what
/// the file already holds, since the limit is per step), else `fallback`, else `fallback` cut
/// at a line boundary with a note. Multi-byte characters are never split.
pub fn write_summary(path: &Path, full: &str, fallback: &str) -> io::Result<SummaryWritten> {
    let existing = match std::fs::metadata(path) {
        Ok(meta) => usize::try_from(meta.len()).unwrap_or(usize::MAX),
        Err(err) if err.kind() == io::ErrorKind::NotFound => 0,
        Err(err) => return Err(summary_error(path, err)),
    };
    let budget = SUMMARY_LIMIT.saturating_sub(existing);
    let (text, written) = fit_summary(full, fallback, budget);
    if !text.is_empty() {
        append(path, text.as_bytes()).map_err(|err| summary_error(path, err))?;
    }
    Ok(written)
}

fn summary_error(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        format!(
            "cannot append the job summary to {} (GITHUB_STEP_SUMMARY): {err}",
            path.display()
        ),
    )
}

/// The longest prefix of `text` ending at a line boundary that, with the closings of any open
/// code fence or `<details>` and the note, fits in `budget` bytes. `None` when not even the
/// note fits.
fn cut_markdown(text: &str, budget: usize) -> Option<String> {
    let note = SUMMARY_CUT_NOTE;
    // Candidate cut points: after each complete line. Track Markdown state as we go.
    let mut best: Option<(usize, String)> = None;
    let mut state = BlockState::default();
    let mut offset = 0;
    // The empty prefix is always a candidate.
    if note.len() <= budget {
        best = Some((0, String::new()));
    }
    for line in text.split_inclusive('\n') {
        if !line.ends_with('\n') {
            break; // the last, unterminated line is never kept whole when cutting
        }
        state.feed(line);
        offset += line.len();
        let closing = state.closing();
        if offset + closing.len() + note.len() > budget {
            break;
        }
        best = Some((offset, closing));
    }
    if best.as_ref().is_none_or(|(at, _)| *at == 0) && budget > note.len() {
        // No whole line fits: cut the first line at a character boundary instead.
        let room = budget - note.len() - 1;
        let first_line = text.split('\n').next().unwrap_or("");
        if first_line.starts_with("```") || first_line.starts_with("<") {
            // A cut fence or tag would swallow the note; keep nothing.
        } else {
            let cut = floor_char_boundary(first_line, room);
            if cut > 0 {
                let mut out = String::with_capacity(cut + 1 + note.len());
                out.push_str(&first_line[..cut]);
                out.push('\n');
                out.push_str(note);
                return Some(out);
            }
        }
    }
    let (at, closing) = best?;
    let mut out = String::with_capacity(at + closing.len() + note.len());
    out.push_str(&text[..at]);
    out.push_str(&closing);
    out.push_str(note);
    Some(out)
}

/// The largest index `<= index` that is a character boundary of `s`.
fn floor_char_boundary(s: &str, index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    let mut i = index;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Open Markdown blocks at a line boundary: a fenced code block and nested `<details>`.
#[derive(Debug, Default)]
struct BlockState {
    /// The opening fence (backticks or tildes) of the code block we are in.
    fence: Option<String>,
    /// How many `<details>` are open.
    details: usize,
}

impl BlockState {
    fn feed(&mut self, line: &str) {
        let trimmed = line.trim_start_matches(' ').trim_end();
        let run = fence_run(trimmed);
        match &self.fence {
            Some(open) => {
                if let Some(run) = run
                    && run.starts_with(&open[..1])
                    && run.len() >= open.len()
                    && trimmed[run.len()..].trim().is_empty()
                {
                    self.fence = None;
                }
            }
            None => {
                if let Some(run) = run {
                    self.fence = Some(run.to_string());
                    return;
                }
                self.details += trimmed.matches("<details>").count();
                self.details = self
                    .details
                    .saturating_sub(trimmed.matches("</details>").count());
            }
        }
    }

    fn closing(&self) -> String {
        let mut out = String::new();
        if let Some(fence) = &self.fence {
            out.push_str(fence);
            out.push('\n');
        }
        for _ in 0..self.details {
            out.push_str("\n</details>\n");
        }
        out
    }
}

/// The fence at the start of `line` (three or more backticks or tildes), if any.
fn fence_run(line: &str) -> Option<&str> {
    let first = line.chars().next()?;
    if first != '`' && first != '~' {
        return None;
    }
    let len = line.chars().take_while(|&c| c == first).count();
    (len >= 3).then(|| &line[..len])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11 point 4: `##[` is a command anywhere in a line, even between stop-commands.
    #[test]
    fn legacy_commands_are_broken_up_everywhere() {
        let text = "x ##[add-mask]secret\n::add-mask::y";
        let wrapped = format_untrusted(text, Some("0123456789abcdef0123456789abcdef"));
        assert!(!wrapped.contains("##["), "{wrapped}");
        for out in [
            format_untrusted(text, None),
            neutralise_lines(text),
            format_annotation(&Annotation::new(Level::Error, text)),
        ] {
            assert!(!out.contains("##["), "{out}");
            assert!(
                out.lines()
                    .all(|l| !l.trim_start().starts_with("::add-mask")),
                "{out}"
            );
        }
        assert_eq!(neutralise_lines("::x::y\nok"), "| ::x::y\nok");
    }

    #[test]
    fn annotation_with_all_properties_follows_core_order() {
        let a = Annotation {
            level: Level::Warning,
            message: "flaky: passed on retry".into(),
            title: Some("AI Coach — API".into()),
            file: Some("e2e/specs/a.spec.ts".into()),
            line: Some(12),
            end_line: Some(14),
            col: Some(3),
        };
        assert_eq!(
            format_annotation(&a),
            "::warning title=AI Coach — API,file=e2e/specs/a.spec.ts,line=12,endLine=14,col=3::flaky: passed on retry"
        );
    }

    #[test]
    fn annotation_without_properties() {
        let a = Annotation::new(Level::Notice, "done");
        assert_eq!(format_annotation(&a), "::notice::done");
    }

    #[test]
    fn properties_cannot_add_properties() {
        let a = Annotation::new(Level::Error, "m").with_title("a,line=1::x");
        assert_eq!(format_annotation(&a), "::error title=a%2Cline=1%3A%3Ax::m");
    }

    #[test]
    fn escaping_matches_core() {
        assert_eq!(escape_data("100%\r\nok"), "100%25%0D%0Aok");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn untrusted_without_token_prefixes_every_line() {
        let out = format_untrusted("::error::x\n::set-output name=a::b", None);
        assert_eq!(out, "| ::error::x\n| ::set-output name=a::b\n");
    }

    #[test]
    fn untrusted_with_token_is_wrapped() {
        let out = format_untrusted("::error::x", Some("abc"));
        assert_eq!(out, "::stop-commands::abc\n::error::x\n::abc::\n");
    }

    #[test]
    fn token_is_absent_from_text() {
        let token = random_token_absent_from(&["text"]).unwrap();
        assert_eq!(token.len(), 32);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn cut_closes_open_fence_and_details() {
        let text = "# S\n<details><summary>x</summary>\n\n```\nline\nline\nline\n";
        let budget = "# S\n<details><summary>x</summary>\n\n```\nline\n".len()
            + "```\n\n</details>\n".len()
            + SUMMARY_CUT_NOTE.len();
        let cut = cut_markdown(text, budget).unwrap();
        assert!(cut.len() <= budget);
        assert!(
            cut.starts_with("# S\n<details><summary>x</summary>\n\n```\nline\n```\n\n</details>\n")
        );
        assert!(cut.ends_with(SUMMARY_CUT_NOTE));
    }

    #[test]
    fn plain_annotation_names_file_and_line() {
        let a = Annotation::new(Level::Error, "boom\nsecond").at("e2e/a.spec.ts", Some(3));
        assert_eq!(
            format_annotation_plain(&a),
            "error: e2e/a.spec.ts:3: boom\n    second"
        );
    }
}
