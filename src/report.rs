//! Streams Playwright JSON reports into a slim model of tests and outcomes.
//!
//! A report can be hundreds of megabytes (stdout, attachment bodies, steps), so it is never held
//! in memory: [`read_report`] walks the JSON once and hands each test, top-level error and piece
//! of text to a [`ReportSink`] as soon as it is complete. Attachment bodies and steps are skipped
//! without being stored; stdout and stderr are passed to the sink one entry at a time and dropped.
//!
//! Every report shape from `@playwright/test` 1.20 through the newest 1.x is accepted: with or
//! without `stats`, test `status` and `projectId`; nested describe suites; merged shard reports.
//! A test's outcome is derived from its attempts by the gate's own rule ([`derive_outcome`]);
//! its `status` label is kept only to be checked against them.

use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

mod json;

use json::{JsonError, JsonReader, Kind, TEXT_PIECE};

use crate::text::truncate_chars;

/// Longest error message kept per error (characters); the rest of a message is never shown.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Playwright's label for a test (its `status` field, and the four counts of `stats`).
///
/// The gate never decides from this label alone: see [`TestOutcome`] and [`derive_outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Playwright says every attempt that ran had the expected status (`stats.expected`).
    Expected,
    /// Playwright says every attempt that ran had an unexpected status (`stats.unexpected`).
    Unexpected,
    /// Playwright says the attempts were mixed (`stats.flaky`); it says so for a failure
    /// followed by a skipped or interrupted retry too.
    Flaky,
    /// Playwright says no attempt ran (`stats.skipped`): skipped on purpose, or never run.
    Skipped,
}

impl Outcome {
    /// Parses a test's `status` field (`expected`, `unexpected`, `flaky`, `skipped`).
    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "expected" => Some(Outcome::Expected),
            "unexpected" => Some(Outcome::Unexpected),
            "flaky" => Some(Outcome::Flaky),
            "skipped" => Some(Outcome::Skipped),
            _ => None,
        }
    }

    /// The word Playwright uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Expected => "expected",
            Outcome::Unexpected => "unexpected",
            Outcome::Flaky => "flaky",
            Outcome::Skipped => "skipped",
        }
    }
}

/// A test's outcome by the gate's own rule (DESIGN.md section 3), from its attempts and its
/// `expectedStatus`: see [`derive_outcome`]. Ordered from best to worst for the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TestOutcome {
    /// An attempt ended as expected and none failed.
    Passed,
    /// Every attempt was skipped on purpose (`test.skip`, `test.fixme`, a conditional skip).
    Skipped,
    /// An attempt failed, and a later attempt ended as expected: it passed on retry.
    Flaky,
    /// Skipped although not on purpose: no attempt, interrupted, serial-mode fallout, load
    /// errors, `--list`, `--max-failures`.
    DidNotRun,
    /// An attempt failed and no later attempt ended as expected (`[failed, skipped]` and
    /// `[failed, interrupted]` included, although Playwright labels them `flaky`).
    Failed,
}

impl TestOutcome {
    /// The lower-case word used in reasons (`passed`, `skipped`, `flaky`, `did not run`,
    /// `failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            TestOutcome::Passed => "passed",
            TestOutcome::Skipped => "skipped",
            TestOutcome::Flaky => "flaky",
            TestOutcome::DidNotRun => "did not run",
            TestOutcome::Failed => "failed",
        }
    }
}

/// The status of one attempt (a result), or the status a test is expected to end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `passed`
    Passed,
    /// `failed`
    Failed,
    /// `timedOut`
    TimedOut,
    /// `skipped`
    Skipped,
    /// `interrupted`: the run stopped while the attempt was running.
    Interrupted,
}

impl Status {
    /// Parses Playwright's status words; unknown words are `None`.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "passed" => Some(Status::Passed),
            "failed" => Some(Status::Failed),
            "timedOut" => Some(Status::TimedOut),
            "skipped" => Some(Status::Skipped),
            "interrupted" => Some(Status::Interrupted),
            _ => None,
        }
    }

    /// The word Playwright uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::TimedOut => "timedOut",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
        }
    }
}

/// One attempt of a test (a Playwright "result").
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// Status of this attempt; `None` when the report has a word this version does not know.
    pub status: Option<Status>,
    /// Retry number: 0 for the first attempt.
    pub retry: u32,
    /// Error messages of the attempt, each capped at [`MAX_MESSAGE_CHARS`] (ANSI codes kept).
    pub errors: Vec<String>,
    /// Where the first error points, when the report says (report-relative or absolute file).
    pub error_location: Option<Location>,
}

/// A file position as reported by Playwright.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File path: absolute in error locations, relative to rootDir elsewhere.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// An annotation of a test (`skip`, `fixme`, `fail`, `slow`, or any custom type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The annotation type, e.g. `skip`.
    pub kind: String,
    /// The reason or note given with it.
    pub description: Option<String>,
}

/// One test: one spec run by one project, as Playwright counts tests.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// The spec file, relative to the report's rootDir (as the report writes it).
    pub file: String,
    /// 1-based line of the test in its file.
    pub line: u32,
    /// Describe titles from the outermost in, then the test title (the file itself excluded).
    pub title_path: Vec<String>,
    /// The project that ran the test (`projectName`, else `projectId`); empty for the default.
    pub project: String,
    /// The status the test is expected to end with (`failed` for `test.fail()`, `skipped` once
    /// an attempt called `test.skip`).
    pub expected_status: Status,
    /// Playwright's label, the test's `status` field as the report writes it; `None` when the
    /// report has none (before 1.2x) or a word this version does not know. Cross-checked
    /// against the attempts, never trusted alone.
    pub status: Option<Outcome>,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
    /// Annotations of the test and of its attempts, deduplicated, in order of appearance.
    pub annotations: Vec<Annotation>,
}

impl TestCase {
    /// The title shown to people: describe titles and test title joined by ` › `.
    pub fn title(&self) -> String {
        self.title_path.join(" › ")
    }

    /// The outcome by the gate's own rule, from the attempts ([`derive_outcome`]).
    pub fn outcome(&self) -> TestOutcome {
        derive_outcome(self.expected_status, &self.attempts)
    }

    /// Playwright's label: the `status` field, or Playwright's own rule over the attempts
    /// when the report has none ([`playwright_label`]).
    pub fn label(&self) -> Outcome {
        self.status
            .unwrap_or_else(|| playwright_label(self.expected_status, &self.attempts))
    }

    /// Skipped on purpose: every attempt was skipped and the test was meant to be skipped
    /// (`test.skip`, `test.fixme`, a conditional skip).
    pub fn skipped_on_purpose(&self) -> bool {
        self.outcome() == TestOutcome::Skipped
    }

    /// Never ran although it should have: interrupted runs, serial-mode fallout, `--list`,
    /// `--max-failures`.
    pub fn did_not_run(&self) -> bool {
        self.outcome() == TestOutcome::DidNotRun
    }

    /// The reasons given for skipping (`skip` and `fixme` annotations); empty when none.
    pub fn skip_reasons(&self) -> Vec<String> {
        self.annotations
            .iter()
            .filter(|a| a.kind == "skip" || a.kind == "fixme")
            .map(|a| match a.description.as_deref().map(str::trim) {
                Some(d) if !d.is_empty() => d.to_string(),
                _ if a.kind == "fixme" => "fixme (no reason given)".to_string(),
                _ => "(no reason given)".to_string(),
            })
            .collect()
    }
}

/// How one attempt ended, for the gate's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttemptEnd {
    /// Passed when expected to pass, or failed when expected to fail (`test.fail()`).
    AsExpected,
    /// Ran and ended otherwise: failed, timed out, passed a `test.fail()`, or a status word
    /// this version does not know.
    Failed,
    /// `skipped`: the attempt skipped itself or was skipped.
    Skipped,
    /// `interrupted`: the run stopped during the attempt.
    Interrupted,
}

fn attempt_end(expected: Status, attempt: &Attempt) -> AttemptEnd {
    match attempt.status {
        Some(Status::Skipped) => AttemptEnd::Skipped,
        Some(Status::Interrupted) => AttemptEnd::Interrupted,
        Some(status) if status == expected => AttemptEnd::AsExpected,
        _ => AttemptEnd::Failed,
    }
}

/// The gate's own outcome rule (DESIGN.md section 3), from the attempts and `expectedStatus`:
///
/// - `failed`: an attempt failed and no later attempt ended as expected (`[failed, skipped]`
///   and `[failed, interrupted]` are failed);
/// - `flaky`: an attempt failed and a later attempt ended as expected;
/// - `passed`: an attempt ended as expected and none failed;
/// - `skipped`: every attempt was skipped and the test was meant to be skipped;
/// - `did_not_run`: anything else: no attempt, interrupted attempts, skips not on purpose.
///
/// An attempt "ends as expected" when its status equals `expectedStatus` and it ran (passed,
/// or failed under `test.fail()`); a skipped attempt never does, whatever the expected status.
pub fn derive_outcome(expected: Status, attempts: &[Attempt]) -> TestOutcome {
    let ends: Vec<AttemptEnd> = attempts.iter().map(|a| attempt_end(expected, a)).collect();
    if let Some(last_failure) = ends.iter().rposition(|e| *e == AttemptEnd::Failed) {
        return if ends[last_failure..].contains(&AttemptEnd::AsExpected) {
            TestOutcome::Flaky
        } else {
            TestOutcome::Failed
        };
    }
    if ends.contains(&AttemptEnd::AsExpected) {
        TestOutcome::Passed
    } else if !ends.is_empty()
        && ends.iter().all(|e| *e == AttemptEnd::Skipped)
        && expected == Status::Skipped
    {
        TestOutcome::Skipped
    } else {
        TestOutcome::DidNotRun
    }
}

/// Playwright's own label rule (`TestCase.outcome()` as `@playwright/test` 1.58 has it),
/// used for a test that has no `status` field and to count what `stats` should say.
pub fn playwright_label(expected: Status, attempts: &[Attempt]) -> Outcome {
    let ran: Vec<Option<Status>> = attempts
        .iter()
        .map(|a| a.status)
        .skip_while(|s| matches!(s, Some(Status::Skipped) | Some(Status::Interrupted)))
        .collect();
    if ran.is_empty() {
        return Outcome::Skipped;
    }
    let failures = ran
        .iter()
        .filter(|s| !matches!(s, Some(Status::Skipped) | Some(Status::Interrupted)))
        .filter(|s| **s != Some(expected))
        .count();
    if failures == 0 {
        Outcome::Expected
    } else if failures == ran.len() {
        Outcome::Unexpected
    } else {
        Outcome::Flaky
    }
}

/// The label rule of older Playwright (such as 1.20), which ignores every skipped or
/// interrupted attempt: it labels `[failed, skipped]` `unexpected` where 1.58 says `flaky`.
fn playwright_label_older(expected: Status, attempts: &[Attempt]) -> Outcome {
    let ran: Vec<Option<Status>> = attempts
        .iter()
        .map(|a| a.status)
        .filter(|s| !matches!(s, Some(Status::Skipped) | Some(Status::Interrupted)))
        .collect();
    if ran.is_empty() {
        Outcome::Skipped
    } else if ran.iter().all(|s| *s == Some(expected)) {
        Outcome::Expected
    } else if ran.contains(&Some(expected)) {
        Outcome::Flaky
    } else {
        Outcome::Unexpected
    }
}

/// Whether a test's `status` label fits its attempts: it is what Playwright (any version the
/// gate reads) would write for them, or it names the gate's own outcome. A label that fits
/// neither means the report contradicts itself.
pub fn label_fits(label: Outcome, expected: Status, attempts: &[Attempt]) -> bool {
    if label == playwright_label(expected, attempts)
        || label == playwright_label_older(expected, attempts)
    {
        return true;
    }
    matches!(
        (label, derive_outcome(expected, attempts)),
        (Outcome::Expected, TestOutcome::Passed)
            | (Outcome::Unexpected, TestOutcome::Failed)
            | (Outcome::Flaky, TestOutcome::Flaky)
            | (
                Outcome::Skipped,
                TestOutcome::Skipped | TestOutcome::DidNotRun
            )
    )
}

/// The parts of the report's `config` the gate uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportConfig {
    /// Absolute folder the report's paths are relative to (`config.rootDir`).
    pub root_dir: Option<String>,
    /// Playwright version that wrote the report (`config.version`, 1.26+).
    pub version: Option<String>,
    /// The shard this report is of a sharded run (`config.shard`, `--shard=current/total`);
    /// `None` for an unsharded run or a merged report.
    pub shard: Option<Shard>,
}

/// One shard of a sharded run: `--shard=current/total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    /// 1-based number of this shard (`config.shard.current`).
    pub current: u32,
    /// How many shards the run has (`config.shard.total`).
    pub total: u32,
}

/// An error reported outside any test: a file that failed to load, a broken config,
/// `No tests found`, a global setup failure.
#[derive(Debug, Clone, PartialEq)]
pub struct TopLevelError {
    /// The message, capped at [`MAX_MESSAGE_CHARS`].
    pub message: String,
    /// Where it happened, when the report says (usually an absolute path).
    pub location: Option<Location>,
}

/// Playwright's own totals (`stats`, 1.29+).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// When the run started (ISO 8601).
    pub start_time: Option<String>,
    /// Tests whose outcome was expected.
    pub expected: Option<u64>,
    /// Tests whose outcome was unexpected.
    pub unexpected: Option<u64>,
    /// Tests that passed on retry.
    pub flaky: Option<u64>,
    /// Tests that did not run.
    pub skipped: Option<u64>,
}

/// Where a piece of report text comes from (for log findings).
#[derive(Debug, Clone, Copy)]
pub struct TextOrigin<'a> {
    /// Report-relative spec file, when the text belongs to a test.
    pub file: Option<&'a str>,
    /// Describe and test titles known so far.
    pub title_path: &'a [String],
    /// Project of the test.
    pub project: &'a str,
    /// 0-based attempt number.
    pub attempt: Option<u32>,
    /// What kind of text it is.
    pub kind: TextKind,
}

/// The kinds of report text scanned for log findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A test's stdout entry.
    Stdout,
    /// A test's stderr entry.
    Stderr,
    /// An error message of a test attempt.
    Error,
    /// A top-level error of the run.
    TopLevelError,
}

/// Receives the parts of a report as they are read.
pub trait ReportSink {
    /// The report's `config` (comes before the tests in every report Playwright writes).
    fn config(&mut self, config: ReportConfig);
    /// One complete test.
    fn test(&mut self, test: TestCase);
    /// One top-level error.
    fn top_level_error(&mut self, error: TopLevelError);
    /// Playwright's totals.
    fn stats(&mut self, stats: Stats);
    /// A text from the report (stdout or stderr entry, error message), to scan; not to keep.
    /// A text longer than the reader's piece size comes in several calls: every piece but the
    /// last through [`ReportSink::text_piece`], the last (or the whole text) through this one.
    fn text(&mut self, origin: TextOrigin<'_>, text: &str);
    /// A piece of a text that goes on in the next call (`text_piece` again, or `text` for its
    /// last piece): a line may run across the cut. By default handled like a whole text.
    fn text_piece(&mut self, origin: TextOrigin<'_>, piece: &str) {
        self.text(origin, piece);
    }
}

/// Why a report could not be read. Each message names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file does not exist or cannot be read.
    #[error(
        "{path}: cannot read the report: {source}. Check the `results` input and that the test step wrote its JSON report"
    )]
    Io {
        /// The report file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file has 0 bytes.
    #[error(
        "{path}: the report is empty (0 bytes): the Playwright JSON reporter wrote nothing; did the test step crash before the run ended?"
    )]
    Empty {
        /// The report file.
        path: PathBuf,
    },
    /// The JSON ends before the report is complete.
    #[error(
        "{path}: the report is truncated: the JSON ends at byte {size} before the report is complete (was the run killed or the disk full?)"
    )]
    Truncated {
        /// The report file.
        path: PathBuf,
        /// Size of the file in bytes.
        size: u64,
    },
    /// The bytes are not valid JSON.
    #[error("{path}: not valid JSON at byte {offset} (line {line}, column {column}): {detail}")]
    NotJson {
        /// The report file.
        path: PathBuf,
        /// Byte offset of the problem.
        offset: u64,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the JSON parser says.
        detail: String,
    },
    /// Valid JSON, but not a Playwright JSON report.
    #[error(
        "{path}: not a Playwright JSON report: {why}. Use Playwright's `json` reporter (reporter: [['json', {{ outputFile: 'test-results/results.json' }}]])"
    )]
    NotPlaywright {
        /// The report file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// Nested deeper than the JSON parser allows.
    #[error(
        "{path}: the JSON nests 128 levels deep at byte {offset} (at most 127 are read, as by serde_json); no Playwright report does that"
    )]
    TooDeep {
        /// The report file.
        path: PathBuf,
        /// Byte offset where the limit was reached.
        offset: u64,
    },
}

/// Reads one Playwright JSON report, streaming its parts into `sink`.
pub fn read_report(path: &Path, sink: &mut dyn ReportSink) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = crate::paths::open_regular(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size == 0 {
        return Err(ReportError::Empty {
            path: path.to_path_buf(),
        });
    }
    read_from(file, sink).map_err(|problem| problem.into_error(path, size))
}

/// Reads a report held in memory as [`read_report`] reads a file (used by the differential
/// tests); `path` only names it in errors.
pub fn read_report_bytes(
    path: &Path,
    bytes: &[u8],
    sink: &mut dyn ReportSink,
) -> Result<(), ReportError> {
    if bytes.is_empty() {
        return Err(ReportError::Empty {
            path: path.to_path_buf(),
        });
    }
    read_from(std::io::Cursor::new(bytes), sink).map_err(|problem| {
        problem.into_error_at(path, bytes.len() as u64, |offset| {
            Some(line_and_column_in(bytes, offset))
        })
    })
}

/// Reads a report from any reader (used by tests and by [`read_report`]).
fn read_from<R: Read + Seek>(reader: R, sink: &mut dyn ReportSink) -> Result<(), Problem> {
    let mut json = JsonReader::new(reader);
    let shape = read_root(&mut json, sink, &mut |_| Ok(false)).map_err(Problem::Json)?;
    json.end().map_err(Problem::Json)?;
    shape.check()
}

/// Reports from this size on are read by two threads (see [`read_report_in_two`]).
pub const TWO_READERS_FROM: u64 = 32 * 1024 * 1024;

/// What a report's second reader read: everything it gave its sink is to be kept only when
/// this says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondHalf {
    /// The report was read by one reader; the second sink received nothing.
    NotUsed,
    /// The second reader read the top-level suites from the split to the end of `suites`, and
    /// the first reader stopped exactly there: the second sink's tests belong to the report.
    Used,
    /// The second reader started, but its part was not confirmed (or it failed): the first
    /// reader read the whole report itself. Drop what the second sink received.
    Discarded,
}

/// Reads one report, using a second thread for the second half of the top-level suites when
/// the report is at least `min_size` bytes and is indented as Playwright writes it.
///
/// The first reader reads the report from the start as [`read_report`] does. The second
/// starts at a top-level suite near the middle of the file (found by its indentation: a line
/// holding only `{` at four spaces, followed by `"title"`, which no string can contain since
/// JSON strings hold no raw line breaks) and reads suites up to the end of the `suites` array.
/// Its part counts only if the first reader, element by element, arrives exactly at the
/// second reader's first byte; otherwise the first reader goes on alone. Either way every test
/// is read exactly once.
pub fn read_report_in_two<S: ReportSink + Send>(
    path: &Path,
    first: &mut S,
    second: &mut S,
    min_size: u64,
) -> Result<SecondHalf, ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    let split = if size >= min_size.max(1) {
        find_split(path, size).ok().flatten()
    } else {
        None
    };
    let Some((start, config)) = split else {
        return read_report(path, first).map(|()| SecondHalf::NotUsed);
    };
    let second_file = crate::paths::open_regular(path).map_err(io)?;
    let first_file = crate::paths::open_regular(path).map_err(io)?;
    second.config(config);
    std::thread::scope(|scope| {
        let helper = scope.spawn(move || -> Result<u64, JsonError> {
            let mut json = JsonReader::new(second_file);
            json.seek_to(start)?;
            // It starts inside the root object and its `suites` array.
            json.set_depth(2);
            read_suites_tail(&mut json, second)
        });
        let mut helper = Some(helper);
        let mut outcome = SecondHalf::Discarded;
        let mut json = JsonReader::new(first_file);
        let read = read_root(&mut json, first, &mut |json| {
            if json.next_offset()? != start {
                return Ok(false);
            }
            let joined = helper.take().map(|h| h.join());
            match joined {
                Some(Ok(Ok(end))) => {
                    json.seek_to(end)?;
                    outcome = SecondHalf::Used;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
        .map_err(Problem::Json)
        .and_then(|shape| {
            json.end().map_err(Problem::Json)?;
            shape.check()
        });
        if let Some(helper) = helper.take() {
            let _ = helper.join();
        }
        read.map(|()| outcome)
            .map_err(|problem| problem.into_error(path, size))
    })
}

/// Finds where a second reader can start: the offset of a top-level suite near the middle,
/// and the report's config (read from the start).
fn find_split(path: &Path, size: u64) -> Result<Option<(u64, ReportConfig)>, JsonError> {
    use std::io::{Seek, SeekFrom};
    const MARK: &[u8] = b"\n    {\n      \"title\": ";
    // The config comes first in every report Playwright writes.
    let file = crate::paths::open_regular(path).map_err(|e| JsonError::Io(e.to_string()))?;
    let mut json = JsonReader::with_buffer(file, 64 * 1024);
    if json.kind()? != Kind::Object {
        return Ok(None);
    }
    json.begin_object()?;
    let (mut key, mut first) = (Vec::new(), true);
    if !json.next_key(&mut key, &mut first)? || key != b"config" {
        return Ok(None);
    }
    let config = read_config(&mut json)?;
    let after_config = json.offset();
    // Look for a suite start in the 4 MiB after the middle.
    let mut file = crate::paths::open_regular(path).map_err(|e| JsonError::Io(e.to_string()))?;
    let middle = (size / 2).max(after_config);
    file.seek(SeekFrom::Start(middle))
        .map_err(|e| JsonError::Io(e.to_string()))?;
    let mut window = Vec::new();
    file.take(4 * 1024 * 1024)
        .read_to_end(&mut window)
        .map_err(|e| JsonError::Io(e.to_string()))?;
    Ok(memchr::memmem::find(&window, MARK).map(|at| (middle + at as u64 + 5, config)))
}

/// The second reader: top-level suites from its start to the end of the `suites` array;
/// returns the offset just past the closing `]`.
fn read_suites_tail<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
) -> Result<u64, JsonError> {
    let mut titles = Vec::new();
    loop {
        if json.kind()? != Kind::Object {
            return Err(json.shape("expected a suite"));
        }
        read_suite(json, sink, &mut titles, None)?;
        if !json.after_element()? {
            return Ok(json.offset());
        }
    }
}

/// A failure before the file's path is attached.
#[derive(Debug)]
enum Problem {
    Json(JsonError),
    Shape(String),
}

impl Problem {
    fn into_error(self, path: &Path, size: u64) -> ReportError {
        self.into_error_at(path, size, |offset| line_and_column(path, offset))
    }

    /// The error, with `locate` giving the line and column of a byte offset.
    fn into_error_at(
        self,
        path: &Path,
        size: u64,
        locate: impl Fn(u64) -> Option<(usize, usize)>,
    ) -> ReportError {
        let path = path.to_path_buf();
        match self {
            Problem::Shape(why) => ReportError::NotPlaywright { path, why },
            Problem::Json(JsonError::Eof) => ReportError::Truncated { path, size },
            Problem::Json(JsonError::TooDeep { offset }) => ReportError::TooDeep { path, offset },
            Problem::Json(JsonError::Shape { offset, message }) => ReportError::NotPlaywright {
                path,
                why: format!("{message} (byte {offset})"),
            },
            Problem::Json(JsonError::Io(detail)) => ReportError::Io {
                path,
                source: std::io::Error::other(detail),
            },
            Problem::Json(JsonError::Syntax { offset, expected }) => {
                let (line, column) = locate(offset).unwrap_or((0, 0));
                ReportError::NotJson {
                    path,
                    offset,
                    line,
                    column,
                    detail: format!("expected {expected}"),
                }
            }
        }
    }
}

/// 1-based line and column of a byte offset in `bytes`.
fn line_and_column_in(bytes: &[u8], offset: u64) -> (usize, usize) {
    let before = &bytes[..(offset as usize).min(bytes.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, before.len() - line_start + 1)
}

/// 1-based line and column of a byte offset, found by reading the file again (errors only).
fn line_and_column(path: &Path, offset: u64) -> Option<(usize, usize)> {
    let mut reader = BufReader::new(crate::paths::open_regular(path).ok()?);
    let (mut line, mut line_start, mut read) = (1usize, 0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).ok()? as u64;
        if n == 0 || read + n > offset {
            break;
        }
        read += n;
        line += 1;
        line_start = read;
    }
    Some((line, (offset - line_start) as usize + 1))
}

/// Which top-level keys a report had, to tell a Playwright report from other JSON.
#[derive(Default)]
struct Shape {
    has_config: bool,
    has_suites: bool,
    foreign_keys: Vec<String>,
}

impl Shape {
    fn check(self) -> Result<(), Problem> {
        if self.has_config && self.has_suites {
            return Ok(());
        }
        let missing = match (self.has_config, self.has_suites) {
            (false, false) => "it has neither `config` nor `suites`",
            (false, true) => "it has no `config`",
            _ => "it has no `suites`",
        };
        let hint = if self
            .foreign_keys
            .iter()
            .any(|k| k == "testResults" || k == "numTotalTests")
        {
            " (it looks like a Jest report)"
        } else {
            ""
        };
        let keys = if self.foreign_keys.is_empty() {
            String::new()
        } else {
            let shown: Vec<&str> = self
                .foreign_keys
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            format!("; top-level keys: {}", shown.join(", "))
        };
        Err(Problem::Shape(format!("{missing}{hint}{keys}")))
    }
}

type Json<R> = JsonReader<R>;

/// Calls `each` for every key of the object that comes next; `null` counts as empty. Each of
/// the `known` keys (the ones the gate reads) may appear once: a second one would make the
/// report mean two things.
fn object<R: Read>(
    json: &mut Json<R>,
    what: &str,
    known: &[&[u8]],
    mut each: impl FnMut(&mut Json<R>, &[u8]) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    if json.take_null()? {
        return Ok(());
    }
    if json.kind()? != Kind::Object {
        return Err(json.shape(format!("expected {what} to be an object")));
    }
    json.begin_object()?;
    let (mut key, mut first) = (Vec::new(), true);
    let mut seen = 0u64;
    while json.next_key(&mut key, &mut first)? {
        if let Some(index) = known.iter().position(|k| *k == key.as_slice()) {
            if seen & (1 << index) != 0 {
                return Err(json.shape(format!(
                    "the key `{}` appears twice in {what}",
                    String::from_utf8_lossy(&key)
                )));
            }
            seen |= 1 << index;
        }
        each(json, &key)?;
    }
    Ok(())
}

/// Values read after their object ended, because a key they depend on came later (key order
/// never matters): the offsets of those values, read again in file order once the object is
/// whole. Only reports written in an unusual key order pay for the second read.
#[derive(Default)]
struct Later {
    offsets: [Option<(u64, u8)>; 2],
}

impl Later {
    /// Skips (and checks) the value that comes next, to read it again later as `what`.
    fn defer<R: Read>(&mut self, json: &mut Json<R>, what: u8) -> Result<(), JsonError> {
        let offset = json.next_offset()?;
        if let Some(slot) = self.offsets.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some((offset, what));
        }
        json.skip_value()
    }

    /// Reads each deferred value again, as if still inside its object, then returns to where
    /// the reader was.
    fn replay<R: Read + Seek>(
        mut self,
        json: &mut Json<R>,
        mut read: impl FnMut(&mut Json<R>, u8) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        if self.offsets[0].is_none() {
            return Ok(());
        }
        self.offsets
            .sort_by_key(|slot| slot.map_or(u64::MAX, |(offset, _)| offset));
        let end = json.offset();
        json.set_depth(json.depth() + 1);
        for (offset, what) in self.offsets.into_iter().flatten() {
            json.seek_to(offset)?;
            read(json, what)?;
        }
        json.set_depth(json.depth() - 1);
        json.seek_to(end)
    }
}

/// Calls `each` for every element of the array that comes next; `null` counts as empty.
fn array<R: Read>(
    json: &mut Json<R>,
    what: &str,
    mut each: impl FnMut(&mut Json<R>) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    if json.take_null()? {
        return Ok(());
    }
    if json.kind()? != Kind::Array {
        return Err(json.shape(format!("expected {what} to be an array")));
    }
    json.begin_array()?;
    let mut first = true;
    while json.next_element(&mut first)? {
        each(json)?;
    }
    Ok(())
}

/// Reads the root object. `at_suite` is asked before each top-level suite whether another
/// reader already read from there to the end of `suites` (it then moves `json` past the `]`).
fn read_root<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    at_suite: &mut dyn FnMut(&mut Json<R>) -> Result<bool, JsonError>,
) -> Result<Shape, JsonError> {
    match json.kind()? {
        Kind::Object => {}
        Kind::Array => {
            let wrong = json.shape(
                "the top-level JSON value is an array, expected an object with `config` and `suites`",
            );
            // Broken JSON is told as such, before the shape.
            json.skip_value()?;
            return Err(wrong);
        }
        _ => {
            // A bare value: a syntax error if it is not even JSON.
            json.skip_value()?;
            return Err(json.shape("the top-level JSON value is not an object"));
        }
    }
    let mut shape = Shape::default();
    // Tests and top-level errors are read after the config, which says where paths are from.
    let mut later = Later::default();
    object(json, "the report", ROOT_KEYS, |json, key| {
        match key {
            b"config" => {
                sink.config(read_config(json)?);
                shape.has_config = true;
            }
            b"suites" => {
                if !shape.has_config {
                    later.defer(json, SUITES)?;
                } else {
                    read_top_suites(json, sink, at_suite)?;
                }
                shape.has_suites = true;
            }
            b"errors" if !shape.has_config => later.defer(json, ERRORS)?,
            b"errors" => read_top_errors(json, sink)?,
            b"stats" => sink.stats(read_stats(json)?),
            _ => {
                if shape.foreign_keys.len() < 20 {
                    shape
                        .foreign_keys
                        .push(String::from_utf8_lossy(key).into_owned());
                }
                json.skip_value()?;
            }
        }
        Ok(())
    })?;
    if shape.has_config {
        later.replay(json, |json, what| match what {
            SUITES => read_top_suites(json, sink, &mut |_| Ok(false)),
            _ => read_top_errors(json, sink),
        })?;
    }
    Ok(shape)
}

/// The keys of the root object the gate reads.
const ROOT_KEYS: &[&[u8]] = &[b"config", b"suites", b"errors", b"stats"];
/// What a deferred value is.
const SUITES: u8 = 0;
const ERRORS: u8 = 1;
const SPECS: u8 = 2;
const TESTS: u8 = 3;
const RESULTS: u8 = 4;

/// The top-level `suites` array. `at_suite` is asked before each suite whether another reader
/// already read from there to the end of the array.
fn read_top_suites<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    at_suite: &mut dyn FnMut(&mut Json<R>) -> Result<bool, JsonError>,
) -> Result<(), JsonError> {
    let mut titles = Vec::new();
    if json.take_null()? {
        return Ok(());
    }
    if json.kind()? != Kind::Array {
        return Err(json.shape("expected `suites` to be an array"));
    }
    json.begin_array()?;
    let mut first = true;
    while json.next_element(&mut first)? {
        if at_suite(json)? {
            // Another reader read the rest; `json` is past the `]`.
            json.left_array();
            break;
        }
        read_suite(json, sink, &mut titles, None)?;
    }
    Ok(())
}

/// The top-level `errors` array.
fn read_top_errors<R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
) -> Result<(), JsonError> {
    array(json, "`errors`", |json| {
        let origin = TextOrigin {
            file: None,
            title_path: &[],
            project: "",
            attempt: None,
            kind: TextKind::TopLevelError,
        };
        let (message, location) = read_error(json, &mut |piece, last| {
            hand_text(sink, origin, piece, last)
        })?;
        sink.top_level_error(TopLevelError { message, location });
        Ok(())
    })
}

fn read_config<R: Read>(json: &mut Json<R>) -> Result<ReportConfig, JsonError> {
    let mut config = ReportConfig::default();
    object(
        json,
        "`config`",
        &[b"rootDir", b"version", b"shard"],
        |json, key| {
            match key {
                b"rootDir" => config.root_dir = json.read_optional_string()?,
                b"version" => config.version = json.read_optional_string()?,
                b"shard" => config.shard = read_shard(json)?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    Ok(config)
}

/// `config.shard`: `{"current": i, "total": n}`, or `null` when the run was not sharded.
fn read_shard<R: Read>(json: &mut Json<R>) -> Result<Option<Shard>, JsonError> {
    let (mut current, mut total) = (None, None);
    let mut present = false;
    object(
        json,
        "`config.shard`",
        &[b"current", b"total"],
        |json, key| {
            present = true;
            match key {
                b"current" => current = json.read_u64()?,
                b"total" => total = json.read_u64()?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    if !present {
        return Ok(None);
    }
    // A shard object without its numbers is kept as shard 0 of 0, which the gate refuses.
    Ok(Some(Shard {
        current: clamp(current),
        total: clamp(total),
    }))
}

fn read_stats<R: Read>(json: &mut Json<R>) -> Result<Stats, JsonError> {
    let mut stats = Stats::default();
    object(
        json,
        "`stats`",
        &[
            b"startTime",
            b"expected",
            b"unexpected",
            b"flaky",
            b"skipped",
        ],
        |json, key| {
            match key {
                b"startTime" => stats.start_time = json.read_optional_string()?,
                b"expected" => stats.expected = json.read_u64()?,
                b"unexpected" => stats.unexpected = json.read_u64()?,
                b"flaky" => stats.flaky = json.read_u64()?,
                b"skipped" => stats.skipped = json.read_u64()?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    Ok(stats)
}

/// A top-level or attempt error: only the message and location are kept, the message capped
/// at [`MAX_MESSAGE_CHARS`] for display. The whole message (and `value`, for a thrown
/// non-Error) goes to `text` first, piece by piece (`last` marks its final piece), so that
/// scanning sees all of it, however long.
fn read_error<R: Read>(
    json: &mut Json<R>,
    text: &mut dyn FnMut(&str, bool),
) -> Result<(String, Option<Location>), JsonError> {
    let mut message = None;
    let mut value = None;
    let mut location = None;
    object(
        json,
        "an error",
        &[b"message", b"value", b"location"],
        |json, key| {
            match key {
                b"message" => message = read_scanned_string(json, text)?,
                b"value" => value = read_scanned_string(json, text)?,
                b"location" => location = read_location(json)?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    let text = message
        .or(value)
        .unwrap_or_else(|| "(error without a message)".to_string());
    let text = match truncate_chars(&text, MAX_MESSAGE_CHARS) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(short) => short,
    };
    Ok((text, location))
}

/// A string (or `null`) handed whole to `text`, piece by piece; returns its start, at least
/// [`MAX_MESSAGE_CHARS`] + 1 characters of it (enough to cap it and tell that it was longer).
fn read_scanned_string<R: Read>(
    json: &mut Json<R>,
    text: &mut dyn FnMut(&str, bool),
) -> Result<Option<String>, JsonError> {
    // A character is at most 4 bytes: this many bytes hold more than the cap.
    const KEEP_BYTES: usize = (MAX_MESSAGE_CHARS + 1) * 4;
    if json.take_null()? {
        return Ok(None);
    }
    if json.kind()? != Kind::String {
        return Err(json.shape("expected a string"));
    }
    let mut kept = String::new();
    read_whole_text(json, &mut |piece, last| {
        if kept.len() < KEEP_BYTES {
            let mut end = piece.len().min(KEEP_BYTES - kept.len());
            while !piece.is_char_boundary(end) {
                end -= 1;
            }
            kept.push_str(&piece[..end]);
        }
        text(piece, last);
    })?;
    Ok(Some(kept))
}

/// Reads a string in pieces ([`JsonReader::read_text_pieces`]), telling `each` which piece is
/// the last (an empty string is one empty last piece).
fn read_whole_text<R: Read>(
    json: &mut Json<R>,
    each: &mut dyn FnMut(&str, bool),
) -> Result<(), JsonError> {
    // Each piece is held until the next one shows it was not the last.
    let mut held = String::new();
    let mut holding = false;
    json.read_text_pieces(&mut |piece| {
        if holding {
            each(&held, false);
        }
        held.clear();
        held.push_str(piece);
        holding = true;
    })?;
    each(&held, true);
    Ok(())
}

/// Hands one piece of a report text to the sink: [`ReportSink::text_piece`] unless it is the
/// last.
fn hand_text(sink: &mut dyn ReportSink, origin: TextOrigin<'_>, piece: &str, last: bool) {
    if last {
        sink.text(origin, piece);
    } else {
        sink.text_piece(origin, piece);
    }
}

fn read_location<R: Read>(json: &mut Json<R>) -> Result<Option<Location>, JsonError> {
    if json.take_null()? {
        return Ok(None);
    }
    let mut location = Location {
        file: String::new(),
        line: 0,
        column: 0,
    };
    object(
        json,
        "a location",
        &[b"file", b"line", b"column"],
        |json, key| {
            match key {
                b"file" => location.file = json.read_optional_string()?.unwrap_or_default(),
                b"line" => location.line = clamp(json.read_u64()?),
                b"column" => location.column = clamp(json.read_u64()?),
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    Ok(Some(location))
}

fn clamp(value: Option<u64>) -> u32 {
    value.map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX))
}

fn read_annotations<R: Read>(
    json: &mut Json<R>,
    into: &mut Vec<Annotation>,
) -> Result<(), JsonError> {
    array(json, "`annotations`", |json| {
        let mut annotation = Annotation {
            kind: String::new(),
            description: None,
        };
        object(
            json,
            "an annotation",
            &[b"type", b"description"],
            |json, key| {
                match key {
                    b"type" => annotation.kind = json.read_optional_string()?.unwrap_or_default(),
                    b"description" => annotation.description = json.read_optional_string()?,
                    _ => json.skip_value()?,
                }
                Ok(())
            },
        )?;
        if !into.contains(&annotation) {
            into.push(annotation);
        }
        Ok(())
    })
}

/// A suite's `specs` (`what` = [`SPECS`]) or nested `suites` array; `titles` holds the
/// describe titles of the enclosing suites, `file` the suite's file. The recursion through
/// nested suites is bounded by the reader's depth limit ([`json::MAX_DEPTH`]: a suite is two
/// levels, its array and its object).
fn read_children<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &mut Vec<String>,
    file: Option<&str>,
    what: u8,
) -> Result<(), JsonError> {
    if what == SPECS {
        array(json, "`specs`", |json| read_spec(json, sink, titles, file))
    } else {
        let parent = Some(file.unwrap_or(""));
        array(json, "`suites`", |json| {
            read_suite(json, sink, titles, parent)
        })
    }
}

/// The keys of a suite the gate reads.
const SUITE_KEYS: &[&[u8]] = &[b"title", b"file", b"specs", b"suites"];

/// One suite: a file (at the top level) or a describe block (nested).
fn read_suite<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &mut Vec<String>,
    parent_file: Option<&str>,
) -> Result<(), JsonError> {
    // A top-level suite is a file: its title is the file name, not a describe title.
    let is_file_suite = parent_file.is_none();
    let depth = titles.len();
    let mut file: Option<String> = parent_file.map(str::to_string);
    let (mut has_title, mut has_file) = (false, false);
    // Specs and nested suites need the suite's title and file: read them once both are known.
    let mut later = Later::default();
    object(json, "a suite", SUITE_KEYS, |json, key| {
        match key {
            b"title" => {
                let title = json.read_optional_string()?.unwrap_or_default();
                if !is_file_suite && !title.is_empty() {
                    titles.push(title);
                }
                has_title = true;
            }
            b"file" => {
                if let Some(value) = json.read_optional_string()? {
                    file = Some(value);
                }
                has_file = true;
            }
            b"specs" | b"suites" => {
                let what = if key == b"specs" { SPECS } else { SUITES };
                if has_title && has_file {
                    read_children(json, sink, titles, file.as_deref(), what)?
                } else {
                    later.defer(json, what)?
                }
            }
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    later.replay(json, |json, what| {
        read_children(json, sink, titles, file.as_deref(), what)
    })?;
    titles.truncate(depth);
    Ok(())
}

/// The keys of a spec the gate reads.
const SPEC_KEYS: &[&[u8]] = &[b"title", b"tests", b"file", b"line"];

/// One spec (a `test(...)` call): its tests, one per project, are complete when the spec ends,
/// because `file` and `line` come after `tests` in Playwright's output.
fn read_spec<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &mut Vec<String>,
    suite_file: Option<&str>,
) -> Result<(), JsonError> {
    let depth = titles.len();
    let mut titled = false;
    let mut file: Option<String> = None;
    let mut line = 0u32;
    let mut tests: Vec<PartialTest> = Vec::new();
    // The tests' texts are named by the spec's title: read them once it is known.
    let mut later = Later::default();
    object(json, "a spec", SPEC_KEYS, |json, key| {
        match key {
            b"title" => {
                titles.push(json.read_optional_string()?.unwrap_or_default());
                titled = true;
            }
            b"tests" if !titled => later.defer(json, TESTS)?,
            b"tests" => read_tests(json, sink, titles, suite_file, &mut tests)?,
            b"file" => file = json.read_optional_string()?,
            b"line" => line = clamp(json.read_u64()?),
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    later.replay(json, |json, _| {
        read_tests(json, sink, titles, suite_file, &mut tests)
    })?;
    let title_path = titles.clone();
    titles.truncate(depth);
    let file = file
        .or_else(|| suite_file.map(str::to_string))
        .unwrap_or_default();
    let count = tests.len();
    let (mut file, mut title_path) = (Some(file), Some(title_path));
    for (index, test) in tests.into_iter().enumerate() {
        // The last test of the spec takes the file and titles; the others get copies.
        let last = index + 1 == count;
        sink.test(TestCase {
            file: take_or_clone(&mut file, last),
            line,
            title_path: take_or_clone(&mut title_path, last),
            project: test.project,
            expected_status: test.expected_status,
            status: test.status,
            attempts: test.attempts,
            annotations: test.annotations,
        });
    }
    Ok(())
}

/// The value itself for the last user, a copy for the others.
fn take_or_clone<T: Clone + Default>(slot: &mut Option<T>, last: bool) -> T {
    if last {
        slot.take().unwrap_or_default()
    } else {
        slot.clone().unwrap_or_default()
    }
}

/// A test before its spec's file and line are known.
struct PartialTest {
    project: String,
    expected_status: Status,
    status: Option<Outcome>,
    attempts: Vec<Attempt>,
    annotations: Vec<Annotation>,
}

/// The keys of a test the gate reads.
const TEST_KEYS: &[&[u8]] = &[
    b"projectName",
    b"projectId",
    b"expectedStatus",
    b"status",
    b"annotations",
    b"results",
];

/// The tests of a spec, one per project.
fn read_tests<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &[String],
    file: Option<&str>,
    tests: &mut Vec<PartialTest>,
) -> Result<(), JsonError> {
    array(json, "`tests`", |json| {
        tests.push(read_test(json, sink, titles, file)?);
        Ok(())
    })
}

fn read_test<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &[String],
    file: Option<&str>,
) -> Result<PartialTest, JsonError> {
    let mut project_name: Option<String> = None;
    let mut project_id: Option<String> = None;
    let mut test = PartialTest {
        project: String::new(),
        expected_status: Status::Passed,
        status: None,
        attempts: Vec::new(),
        annotations: Vec::new(),
    };
    // The attempts' texts are named by the project: read them once it is known.
    let mut later = Later::default();
    let project = |name: &Option<String>, id: &Option<String>| -> String {
        name.as_deref().or(id.as_deref()).unwrap_or("").to_string()
    };
    let mut results = |json: &mut Json<R>, test: &mut PartialTest, project: String| {
        read_results(json, sink, titles, file, &project, test)
    };
    object(json, "a test", TEST_KEYS, |json, key| {
        match key {
            b"projectName" => project_name = json.read_optional_string()?,
            b"projectId" => project_id = json.read_optional_string()?,
            b"expectedStatus" => {
                let word = json.read_string()?;
                test.expected_status = Status::parse(&word).ok_or_else(|| {
                    json.shape(format!("unknown `expectedStatus` `{word}` of a test"))
                })?;
            }
            b"status" => {
                test.status = json
                    .read_optional_string()?
                    .as_deref()
                    .and_then(Outcome::parse)
            }
            b"annotations" => read_annotations(json, &mut test.annotations)?,
            b"results" if project_name.is_none() => later.defer(json, RESULTS)?,
            b"results" => results(json, &mut test, project(&project_name, &project_id))?,
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    later.replay(json, |json, _| {
        results(json, &mut test, project(&project_name, &project_id))
    })?;
    test.project = project_name.or(project_id).unwrap_or_default();
    Ok(test)
}

/// A test's `results` array: its attempts, in order.
fn read_results<R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &[String],
    file: Option<&str>,
    project: &str,
    test: &mut PartialTest,
) -> Result<(), JsonError> {
    let mut index = 0u32;
    array(json, "`results`", |json| {
        let origin = |kind| TextOrigin {
            file,
            title_path: titles,
            project,
            attempt: Some(index),
            kind,
        };
        let attempt = read_result(json, sink, &origin, index, &mut test.annotations)?;
        test.attempts.push(attempt);
        index += 1;
        Ok(())
    })
}

/// The keys of a result the gate reads.
const RESULT_KEYS: &[&[u8]] = &[
    b"status",
    b"retry",
    b"error",
    b"errors",
    b"stdout",
    b"stderr",
    b"annotations",
];

/// One result (attempt): stdout, stderr and error messages go to the sink as they are read.
fn read_result<'o, R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    origin: &dyn Fn(TextKind) -> TextOrigin<'o>,
    index: u32,
    annotations: &mut Vec<Annotation>,
) -> Result<Attempt, JsonError> {
    let mut attempt = Attempt {
        status: None,
        retry: index,
        errors: Vec::new(),
        error_location: None,
    };
    // `error` repeats `errors[0]` in every report that has `errors`: keep its raw bytes and
    // decode them only for reports without `errors` (before 1.22).
    let mut raw_error: Option<Vec<u8>> = None;
    object(json, "a result", RESULT_KEYS, |json, key| {
        match key {
            b"status" => {
                attempt.status = json
                    .read_optional_string()?
                    .as_deref()
                    .and_then(Status::parse)
            }
            b"retry" => attempt.retry = json.read_u64()?.map_or(index, |r| clamp(Some(r))),
            b"error" => {
                if !json.take_null()? {
                    let mut raw = Vec::new();
                    json.capture_value(&mut raw)?;
                    raw_error = Some(raw);
                }
            }
            b"errors" => array(json, "`errors`", |json| {
                let error_origin = origin(TextKind::Error);
                let (message, location) = read_error(json, &mut |piece, last| {
                    hand_text(sink, error_origin, piece, last)
                })?;
                if attempt.error_location.is_none() {
                    attempt.error_location = location;
                }
                attempt.errors.push(message);
                Ok(())
            })?,
            b"stdout" | b"stderr" => {
                let kind = if key == b"stdout" {
                    TextKind::Stdout
                } else {
                    TextKind::Stderr
                };
                let origin = origin(kind);
                array(json, "`stdout`", |json| {
                    read_stdio_entry(json, sink, origin)
                })?;
            }
            b"annotations" => read_annotations(json, annotations)?,
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    // Reports before `errors` existed carry only `error`.
    if let Some(raw) = raw_error
        && attempt.errors.is_empty()
    {
        let mut inner = JsonReader::with_buffer(raw.as_slice(), raw.len());
        let error_origin = origin(TextKind::Error);
        let (message, location) = read_error(&mut inner, &mut |piece, last| {
            hand_text(sink, error_origin, piece, last)
        })?;
        attempt.errors.push(message);
        if attempt.error_location.is_none() {
            attempt.error_location = location;
        }
    }
    Ok(attempt)
}

/// One stdout/stderr entry: `{ "text": … }`, `{ "buffer": <base64> }` or a bare string.
fn read_stdio_entry<R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    origin: TextOrigin<'_>,
) -> Result<(), JsonError> {
    match json.kind()? {
        Kind::String => read_whole_text(json, &mut |piece, last| {
            hand_text(sink, origin, piece, last)
        }),
        Kind::Object => object(
            json,
            "a stdout entry",
            &[b"text", b"buffer"],
            |json, key| {
                match key {
                    b"text" if json.kind()? == Kind::String => {
                        read_whole_text(json, &mut |piece, last| {
                            hand_text(sink, origin, piece, last)
                        })?
                    }
                    b"buffer" if json.kind()? == Kind::String => {
                        use base64::Engine as _;
                        let mut encoded = Vec::new();
                        json.read_text_pieces(&mut |piece| {
                            encoded.extend_from_slice(piece.as_bytes())
                        })?;
                        if let Ok(bytes) =
                            base64::engine::general_purpose::STANDARD.decode(&encoded)
                        {
                            let count = bytes.len().div_ceil(TEXT_PIECE);
                            for (index, piece) in bytes.chunks(TEXT_PIECE).enumerate() {
                                let piece = String::from_utf8_lossy(piece);
                                hand_text(sink, origin, &piece, index + 1 == count);
                            }
                        }
                    }
                    _ => json.skip_value()?,
                }
                Ok(())
            },
        ),
        _ => json.skip_value(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects everything a report yields.
    #[derive(Debug, Default)]
    pub struct Collected {
        pub config: Option<ReportConfig>,
        pub tests: Vec<TestCase>,
        pub errors: Vec<TopLevelError>,
        pub stats: Option<Stats>,
        pub texts: Vec<(TextKind, Option<String>, String)>,
        /// How many texts came through `text_piece` (a piece with more to come).
        pub pieces: usize,
    }

    impl ReportSink for Collected {
        fn config(&mut self, config: ReportConfig) {
            self.config = Some(config);
        }
        fn test(&mut self, test: TestCase) {
            self.tests.push(test);
        }
        fn top_level_error(&mut self, error: TopLevelError) {
            self.errors.push(error);
        }
        fn stats(&mut self, stats: Stats) {
            self.stats = Some(stats);
        }
        fn text(&mut self, origin: TextOrigin<'_>, text: &str) {
            self.texts.push((
                origin.kind,
                origin.file.map(str::to_string),
                text.to_string(),
            ));
        }
        fn text_piece(&mut self, origin: TextOrigin<'_>, piece: &str) {
            self.pieces += 1;
            self.text(origin, piece);
        }
    }

    fn read(json: &str) -> Result<Collected, String> {
        let mut sink = Collected::default();
        match read_from(std::io::Cursor::new(json.as_bytes()), &mut sink) {
            Ok(()) => Ok(sink),
            Err(Problem::Shape(why)) => Err(why),
            Err(Problem::Json(err)) => Err(format!("{err:?}")),
        }
    }

    fn attempt(status: Status) -> Attempt {
        Attempt {
            status: Some(status),
            retry: 0,
            errors: vec![],
            error_location: None,
        }
    }

    fn outcome(expected: Status, statuses: &[Status]) -> TestOutcome {
        let attempts: Vec<Attempt> = statuses.iter().map(|s| attempt(*s)).collect();
        derive_outcome(expected, &attempts)
    }

    #[test]
    fn outcome_follows_the_gates_rule() {
        use Status::*;
        use TestOutcome as O;
        let cases: &[(Status, &[Status], TestOutcome)] = &[
            (Passed, &[], O::DidNotRun),
            (Skipped, &[], O::DidNotRun),
            (Passed, &[Passed], O::Passed),
            (Passed, &[Failed], O::Failed),
            (Passed, &[TimedOut], O::Failed),
            (Passed, &[Failed, Passed], O::Flaky),
            (Passed, &[Failed, Failed, Passed], O::Flaky),
            (Failed, &[Failed], O::Passed),
            (Failed, &[Passed], O::Failed),
            (Skipped, &[Skipped], O::Skipped),
            (Passed, &[Skipped], O::DidNotRun),
            (Passed, &[Interrupted], O::DidNotRun),
            (Skipped, &[Skipped, Interrupted], O::DidNotRun),
            (Passed, &[Passed, Skipped], O::Passed),
            // Issue 10: a failure followed only by skipped or interrupted attempts is failed,
            // although Playwright labels it flaky.
            (Skipped, &[Failed, Skipped], O::Failed),
            (Passed, &[Failed, Skipped], O::Failed),
            (Passed, &[Failed, Interrupted], O::Failed),
            (Passed, &[Failed, Skipped, Skipped], O::Failed),
            // A failure after a pass has no pass after it.
            (Passed, &[Passed, Failed], O::Failed),
            (Passed, &[Failed, Passed, Failed], O::Failed),
        ];
        for (expected, statuses, want) in cases {
            assert_eq!(
                outcome(*expected, statuses),
                *want,
                "{expected:?} {statuses:?}"
            );
        }
    }

    #[test]
    fn playwright_labels_and_what_fits_them() {
        use Outcome::{Expected, Flaky, Unexpected};
        use Status::{Failed, Interrupted, Passed};
        let attempts =
            |statuses: &[Status]| statuses.iter().map(|s| attempt(*s)).collect::<Vec<_>>();
        assert_eq!(playwright_label(Passed, &[]), Outcome::Skipped);
        assert_eq!(playwright_label(Passed, &attempts(&[Failed])), Unexpected);
        assert_eq!(
            playwright_label(Passed, &attempts(&[Failed, Passed])),
            Flaky
        );
        let failed_then_skipped = attempts(&[Failed, Status::Skipped]);
        assert_eq!(
            playwright_label(Status::Skipped, &failed_then_skipped),
            Flaky
        );
        assert_eq!(
            playwright_label(Passed, &attempts(&[Interrupted])),
            Outcome::Skipped
        );
        // What Playwright writes fits; so does the gate's own outcome.
        assert!(label_fits(Flaky, Status::Skipped, &failed_then_skipped));
        assert!(label_fits(
            Unexpected,
            Status::Skipped,
            &failed_then_skipped
        ));
        assert!(!label_fits(Expected, Status::Skipped, &failed_then_skipped));
        // `expected` over a failed attempt, or over no attempt at all, fits nothing.
        assert!(!label_fits(Expected, Passed, &attempts(&[Failed])));
        assert!(!label_fits(Expected, Passed, &[]));
        assert!(label_fits(Outcome::Skipped, Passed, &[]));
        assert!(!label_fits(Unexpected, Passed, &attempts(&[Passed])));
    }

    #[test]
    fn nested_suites_give_title_paths_and_files() {
        let json = r#"{"config":{"rootDir":"/r/e2e","version":"1.58.2"},"suites":[
          {"title":"a.spec.ts","file":"a.spec.ts","specs":[],"suites":[
            {"title":"AI Coach — Backend","file":"a.spec.ts","specs":[
              {"title":"health","tests":[{"expectedStatus":"passed","projectName":"p1","results":[
                 {"status":"passed","retry":0,"stdout":[{"text":"hello"},{"buffer":"d29ybGQ="}]}],"status":"expected"}],
               "id":"x1","file":"a.spec.ts","line":7,"column":3}]}]}],
          "errors":[],"stats":{"startTime":"2026-02-09T14:13:59.900Z","expected":1}}"#;
        let got = read(json).unwrap();
        assert_eq!(got.config.unwrap().root_dir.as_deref(), Some("/r/e2e"));
        assert_eq!(got.tests.len(), 1);
        let test = &got.tests[0];
        assert_eq!(test.title_path, vec!["AI Coach — Backend", "health"]);
        assert_eq!((test.file.as_str(), test.line), ("a.spec.ts", 7));
        assert_eq!(test.project, "p1");
        assert_eq!(test.outcome(), TestOutcome::Passed);
        assert_eq!(test.status, Some(Outcome::Expected));
        let texts: Vec<&str> = got.texts.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(texts, vec!["hello", "world"]);
        assert_eq!(
            got.stats.unwrap().start_time.as_deref(),
            Some("2026-02-09T14:13:59.900Z")
        );
    }

    #[test]
    fn missing_status_is_derived_and_skip_reasons_collected() {
        let json = r#"{"config":{},"suites":[{"title":"f.ts","file":"f.ts","specs":[
          {"title":"t","file":"f.ts","line":1,"tests":[{"expectedStatus":"skipped",
            "annotations":[{"type":"skip","description":"Live backend not healthy at https://x"}],
            "results":[{"status":"skipped"}]}]},
          {"title":"u","file":"f.ts","line":2,"tests":[{"expectedStatus":"passed",
            "results":[{"status":"failed","error":{"message":"boom"}},{"status":"passed"}]}]}]}]}"#;
        let got = read(json).unwrap();
        assert_eq!(got.tests[0].outcome(), TestOutcome::Skipped);
        assert!(got.tests[0].skipped_on_purpose());
        assert_eq!(
            got.tests[0].skip_reasons(),
            vec!["Live backend not healthy at https://x"]
        );
        assert_eq!(got.tests[1].outcome(), TestOutcome::Flaky);
        assert_eq!(got.tests[1].label(), Outcome::Flaky);
        assert_eq!(got.tests[1].attempts[0].errors, vec!["boom"]);
    }

    /// Issue 10: messages were cut at 4,000 characters before they were scanned.
    #[test]
    fn long_messages_are_handed_whole_and_kept_capped() {
        let long = format!(
            "Error: {} E2E auth bootstrap failed",
            "x".repeat(2 * TEXT_PIECE)
        );
        let json = format!(
            r#"{{"config":{{}},"suites":[{{"title":"f.ts","file":"f.ts","specs":[
              {{"title":"t","file":"f.ts","line":1,"tests":[{{"expectedStatus":"passed",
                "results":[{{"status":"failed","errors":[{{"message":"{long}"}}]}}]}}]}}]}}],
              "errors":[{{"message":"{long}"}}]}}"#
        );
        let got = read(&json).unwrap();
        let errors: Vec<&(TextKind, Option<String>, String)> = got
            .texts
            .iter()
            .filter(|t| t.0 == TextKind::Error)
            .collect();
        let whole: String = errors.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(whole, long);
        assert!(
            errors.len() > 1,
            "a text longer than a piece comes in pieces"
        );
        let top: String = got
            .texts
            .iter()
            .filter(|t| t.0 == TextKind::TopLevelError)
            .map(|t| t.2.as_str())
            .collect();
        assert_eq!(top, long);
        // Kept for display: capped.
        let kept = &got.tests[0].attempts[0].errors[0];
        assert_eq!(kept.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(kept.ends_with('…'));
        assert_eq!(got.errors[0].message, *kept);
        // Every piece but the last came through `text_piece`.
        assert_eq!(
            got.pieces,
            got.texts.len() - 2,
            "one last piece per message"
        );
    }

    #[test]
    fn rejects_json_that_is_not_a_playwright_report() {
        let err = read(r#"{"numTotalTests":3,"testResults":[]}"#).unwrap_err();
        assert!(err.contains("Jest"), "{err}");
        let err = read(r#"[1,2]"#).unwrap_err();
        assert!(err.contains("array"), "{err}");
        let err = read(r#"{"config":{}}"#).unwrap_err();
        assert!(err.contains("no `suites`"), "{err}");
    }

    /// Issue 10: nested untitled suites escaped the depth limit and overflowed the stack.
    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for (open, close, at) in [
            (r#"[{"title":"t","suites":"#, "[]}]", "suites"),
            (r#"[{"title":"","suites":"#, "[]}]", "suites"),
            (r#"[{"suites":"#, "[]}]", "suites"),
            ("[", "]", "config"),
            (r#"{"a":"#, "1}", "config"),
        ] {
            for depth in [30_000, 1_000_000] {
                let nested = format!("{}{}", open.repeat(depth), close.repeat(depth));
                let json = if at == "suites" {
                    format!(r#"{{"config":{{}},"suites":{nested}}}"#)
                } else {
                    format!(r#"{{"config":{{"metadata":{nested}}},"suites":[]}}"#)
                };
                // A thread with Rust's default stack (2 MiB), as the second reader has.
                let err = std::thread::spawn(move || read(&json).unwrap_err())
                    .join()
                    .unwrap();
                assert!(err.contains("TooDeep"), "{open} {depth}: {err}");
            }
        }
        // Deep nesting in a part that is skipped is bounded the same way.
        let ignored = format!(
            r#"{{"config":{{}},"suites":[],"x":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(read(&ignored).unwrap_err().contains("TooDeep"));
        let shallow = format!(
            r#"{{"config":{{}},"suites":[],"x":{}{}}}"#,
            "[".repeat(120),
            "]".repeat(120)
        );
        assert!(read(&shallow).is_ok());
    }

    /// Issue 10: values the gate skips were only bracket-counted.
    #[test]
    fn broken_json_inside_skipped_values_is_refused() {
        for broken in [
            r#"{"config":{"bogus": [1 2 }},"suites":[]}"#,
            r#"{"config":{"metadata": {"a": tru}},"suites":[]}"#,
            r#"{"config":{"metadata": {"a": "\q"}},"suites":[]}"#,
            r#"{"config":{"n": 01},"suites":[]}"#,
            r#"{"config":{},"suites":[],"stats":{"duration": 1.}}"#,
            r#"{"config":{},"suites":[{"title":"a","file":"a","specs":[],"x":[1,]}]}"#,
            "{\"config\":{\"s\": \"raw\ttab\"},\"suites\":[]}",
            r#"{"config":{},"suites":[]} x"#,
        ] {
            let err = read(broken).unwrap_err();
            assert!(err.contains("Syntax"), "{broken}: {err}");
        }
    }

    /// Issue 10: a key the gate reads, given twice, makes the report mean two things.
    #[test]
    fn keys_the_gate_reads_may_not_repeat() {
        let twice = r#"{"config":{},"suites":[{"title":"f","file":"f","specs":[{"title":"t",
          "tests":[{"expectedStatus":"passed","status":"unexpected","status":"expected",
          "results":[]}]}]}]}"#;
        let err = read(twice).unwrap_err();
        assert!(err.contains("`status` appears twice in a test"), "{err}");
        // Keys it does not read may repeat, as in any JSON.
        assert!(read(r#"{"config":{"x":1,"x":2},"suites":[]}"#).is_ok());
    }

    fn summary(collected: &Collected) -> Vec<String> {
        let mut out: Vec<String> = collected
            .tests
            .iter()
            .map(|t| {
                format!(
                    "{} {} {} {:?} {:?} {}",
                    t.file,
                    t.title(),
                    t.project,
                    t.outcome(),
                    t.attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
                    t.annotations.len()
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Issue 10: key order never matters (suites before config, stats first, titles and
    /// files after specs, results before the project and status).
    #[test]
    fn key_order_never_matters() {
        let path = fixture("playwright-1.58.2/kitchen-sink.json");
        let text = std::fs::read(&path).unwrap();
        let mut natural = Collected::default();
        read_from(std::io::Cursor::new(&text), &mut natural).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&text).unwrap();
        // serde_json's map sorts keys: `config` < `errors` < `stats` < `suites`, `file` <
        // `specs` < `suites` < `title`, `expectedStatus` < `projectId` < `projectName` <
        // `results` < `status`; reversed, every dependent key comes first.
        fn reversed(value: &serde_json::Value) -> String {
            match value {
                serde_json::Value::Object(map) => {
                    let fields: Vec<String> = map
                        .iter()
                        .rev()
                        .map(|(k, v)| {
                            format!("{}:{}", serde_json::to_string(k).unwrap(), reversed(v))
                        })
                        .collect();
                    format!("{{{}}}", fields.join(","))
                }
                serde_json::Value::Array(items) => {
                    let items: Vec<String> = items.iter().map(reversed).collect();
                    format!("[{}]", items.join(","))
                }
                other => other.to_string(),
            }
        }
        for text in [serde_json::to_string(&value).unwrap(), reversed(&value)] {
            let mut got = Collected::default();
            read_from(std::io::Cursor::new(text.as_bytes()), &mut got).unwrap();
            assert_eq!(summary(&got), summary(&natural));
            assert_eq!(got.config, natural.config);
            assert_eq!(got.errors, natural.errors);
            assert_eq!(got.stats, natural.stats);
            let mut texts = got.texts.clone();
            let mut expected = natural.texts.clone();
            texts.sort_by(|a, b| a.2.cmp(&b.2));
            expected.sort_by(|a, b| a.2.cmp(&b.2));
            assert_eq!(texts.len(), expected.len());
        }
        // The sink gets the config before any test, whatever the order in the file.
        let json = r#"{"stats":{"expected":1},"suites":[{"specs":[{"tests":[{"results":[{"status":"passed"}],
          "expectedStatus":"passed","projectName":"p"}],"title":"t","line":3}],"file":"a.ts","title":"a.ts"}],
          "config":{"rootDir":"/r"}}"#;
        let got = read(json).unwrap();
        assert_eq!(got.tests.len(), 1);
        assert_eq!((got.tests[0].file.as_str(), got.tests[0].line), ("a.ts", 3));
        assert_eq!(got.tests[0].project, "p");
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/reports")
            .join(name)
    }

    fn titles(collected: &Collected) -> Vec<String> {
        collected
            .tests
            .iter()
            .map(|t| format!("{} {} {} {:?}", t.file, t.title(), t.project, t.outcome()))
            .collect()
    }

    #[test]
    fn two_readers_read_every_test_exactly_once() {
        for name in [
            "playwright-1.58.2/kitchen-sink.json",
            "playwright-1.58.2/green-merged-from-blobs.json",
            "playwright-1.20.2/kitchen-sink.json",
        ] {
            let path = fixture(name);
            let mut alone = Collected::default();
            read_report(&path, &mut alone).unwrap();
            let (mut first, mut second) = (Collected::default(), Collected::default());
            let half = read_report_in_two(&path, &mut first, &mut second, 1).unwrap();
            let mut together = titles(&first);
            if half == SecondHalf::Used {
                together.extend(titles(&second));
            }
            assert_eq!(together, titles(&alone), "{name} ({half:?})");
            assert_eq!(first.errors, alone.errors, "{name}");
            assert_eq!(first.stats, alone.stats, "{name}");
        }
        // The kitchen sink has suites after its middle: the second reader is used there.
        let path = fixture("playwright-1.58.2/kitchen-sink.json");
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let half = read_report_in_two(&path, &mut first, &mut second, 1).unwrap();
        assert_eq!(half, SecondHalf::Used);
        assert!(!first.tests.is_empty() && !second.tests.is_empty());
    }

    #[test]
    fn small_or_compact_reports_use_one_reader() {
        let path = fixture("playwright-1.58.2/green.json");
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let half = read_report_in_two(&path, &mut first, &mut second, u64::MAX).unwrap();
        assert_eq!(half, SecondHalf::NotUsed);
        assert!(second.tests.is_empty() && second.config.is_none());
        // Compact JSON has no indentation to find a suite start by.
        let compact = tempfile::NamedTempFile::new().unwrap();
        let value: serde_json::Value = serde_json::from_slice(
            &std::fs::read(fixture("playwright-1.58.2/kitchen-sink.json")).unwrap(),
        )
        .unwrap();
        std::fs::write(compact.path(), serde_json::to_vec(&value).unwrap()).unwrap();
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let half = read_report_in_two(compact.path(), &mut first, &mut second, 1).unwrap();
        assert_eq!(half, SecondHalf::NotUsed);
        assert!(!first.tests.is_empty());
    }

    #[test]
    fn a_broken_second_half_is_still_an_error_of_the_report() {
        // Truncate the kitchen sink in its second half: the first reader reaches the cut.
        let text = std::fs::read(fixture("playwright-1.58.2/kitchen-sink.json")).unwrap();
        let cut = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(cut.path(), &text[..text.len() * 3 / 4]).unwrap();
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let err = read_report_in_two(cut.path(), &mut first, &mut second, 1).unwrap_err();
        assert!(matches!(err, ReportError::Truncated { .. }), "{err}");
    }

    /// Issue 10: the second reader checks its part as the first one does, so a fault in a
    /// skipped value of the second half fails the report, with its byte.
    #[test]
    fn the_second_reader_validates_its_part() {
        let text = std::fs::read(fixture("playwright-1.58.2/kitchen-sink.json")).unwrap();
        let (split, _) = find_split(
            &fixture("playwright-1.58.2/kitchen-sink.json"),
            text.len() as u64,
        )
        .unwrap()
        .unwrap();
        // The first `"duration": ` after the split, in a result the walk skips.
        let at = split as usize
            + memchr::memmem::find(&text[split as usize..], b"\"duration\": ").unwrap()
            + 12;
        for fault in [&b"01"[..], b"tru", b"1.e", b"[1 2}"] {
            let mut broken = text[..at].to_vec();
            broken.extend_from_slice(fault);
            broken.extend_from_slice(&text[at..]);
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), &broken).unwrap();
            let (mut first, mut second) = (Collected::default(), Collected::default());
            let err = read_report_in_two(file.path(), &mut first, &mut second, 1).unwrap_err();
            match err {
                ReportError::NotJson { offset, .. } => {
                    assert!(
                        offset >= at as u64 && offset <= (at + 8) as u64,
                        "{offset} {at}"
                    )
                }
                other => panic!("{}: {other}", String::from_utf8_lossy(fault)),
            }
        }
    }
}
