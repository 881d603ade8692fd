//! Streams Playwright JSON reports into a slim model of tests and outcomes.
//!
//! A report can be hundreds of megabytes (stdout, attachment bodies, steps), so it is never held
//! in memory: [`read_report`] walks the JSON once and hands each test, top-level error and piece
//! of text to a [`ReportSink`] as soon as it is complete. Attachment bodies and steps are skipped
//! without being stored; stdout and stderr are passed to the sink one entry at a time and dropped.
//!
//! Every report shape from `@playwright/test` 1.20 through the newest 1.x is accepted: with or
//! without `stats`, test `status` and `projectId`; nested describe suites; merged shard reports.
//! When a test has no `status`, its outcome is derived from its results as Playwright does.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::text::truncate_chars;

/// Longest error message kept per error (characters); the rest of a message is never shown.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// What a test's results add up to, as Playwright counts it (`stats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Every attempt that ran had the expected status (`stats.expected`).
    Expected,
    /// Every attempt that ran had an unexpected status (`stats.unexpected`).
    Unexpected,
    /// An attempt failed, then a retry passed (`stats.flaky`).
    Flaky,
    /// No attempt ran (`stats.skipped`): skipped on purpose, or never run.
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Location {
    /// File path: absolute in error locations, relative to rootDir elsewhere.
    pub file: String,
    /// 1-based line.
    #[serde(default)]
    pub line: u32,
    /// 1-based column.
    #[serde(default)]
    pub column: u32,
}

/// An annotation of a test (`skip`, `fixme`, `fail`, `slow`, or any custom type).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Annotation {
    /// The annotation type, e.g. `skip`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The reason or note given with it.
    #[serde(default)]
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
    /// Playwright's stable test id, when the report has one.
    pub id: Option<String>,
    /// The status the test is expected to end with (`failed` for `test.fail()`).
    pub expected_status: Status,
    /// The test's outcome: from `status` when present, else derived from its attempts.
    pub outcome: Outcome,
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

    /// Skipped on purpose: no attempt ran and the test was meant to be skipped
    /// (`test.skip`, `test.fixme`, a conditional skip).
    pub fn skipped_on_purpose(&self) -> bool {
        self.outcome == Outcome::Skipped && self.expected_status == Status::Skipped
    }

    /// Never ran although it should have: interrupted runs, serial-mode fallout, `--list`,
    /// `--max-failures`.
    pub fn did_not_run(&self) -> bool {
        self.outcome == Outcome::Skipped && self.expected_status != Status::Skipped
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

/// Playwright's outcome rule for a test without a `status` field.
pub fn derive_outcome(expected: Status, attempts: &[Attempt]) -> Outcome {
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

/// The parts of the report's `config` the gate uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportConfig {
    /// Absolute folder the report's paths are relative to (`config.rootDir`).
    pub root_dir: Option<String>,
    /// Playwright version that wrote the report (`config.version`, 1.26+).
    pub version: Option<String>,
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Stats {
    /// When the run started (ISO 8601).
    #[serde(rename = "startTime", default)]
    pub start_time: Option<String>,
    /// Tests whose outcome was expected.
    #[serde(default)]
    pub expected: Option<u64>,
    /// Tests whose outcome was unexpected.
    #[serde(default)]
    pub unexpected: Option<u64>,
    /// Tests that passed on retry.
    #[serde(default)]
    pub flaky: Option<u64>,
    /// Tests that did not run.
    #[serde(default)]
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
    /// A piece of text from the report (stdout, stderr, error messages), to scan; not to keep.
    fn text(&mut self, origin: TextOrigin<'_>, text: &str);
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
        "{path}: the JSON nests deeper than 128 levels at byte {offset}; no Playwright report does that"
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
    let file = File::open(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let size = file
        .metadata()
        .map_err(|source| ReportError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if size == 0 {
        return Err(ReportError::Empty {
            path: path.to_path_buf(),
        });
    }
    let reader = BufReader::with_capacity(1 << 20, file);
    read_from(reader, sink).map_err(|problem| problem.into_error(path, size))
}

/// Reads a report from any reader (used by tests and by [`read_report`]).
fn read_from<R: Read>(reader: R, sink: &mut dyn ReportSink) -> Result<(), Problem> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let shape = RootSeed { sink }
        .deserialize(&mut de)
        .map_err(Problem::Json)?;
    de.end().map_err(Problem::Json)?;
    shape.check()
}

/// A failure before the file's path is attached.
enum Problem {
    Json(serde_json::Error),
    Shape(String),
}

impl Problem {
    fn into_error(self, path: &Path, size: u64) -> ReportError {
        let path = path.to_path_buf();
        match self {
            Problem::Shape(why) => ReportError::NotPlaywright { path, why },
            Problem::Json(err) => {
                let offset = byte_offset(&path, err.line(), err.column()).unwrap_or(0);
                if err.is_eof() {
                    ReportError::Truncated { path, size }
                } else if err.to_string().starts_with("recursion limit exceeded") {
                    ReportError::TooDeep { path, offset }
                } else if err.is_data() {
                    let detail = err.to_string();
                    let why = match detail.find(" at line ") {
                        Some(cut) => detail[..cut].to_string(),
                        None => detail,
                    };
                    ReportError::NotPlaywright {
                        path,
                        why: format!("{why} (byte {offset})"),
                    }
                } else {
                    let detail = err.to_string();
                    let detail = match detail.find(" at line ") {
                        Some(cut) => detail[..cut].to_string(),
                        None => detail,
                    };
                    ReportError::NotJson {
                        path,
                        offset,
                        line: err.line(),
                        column: err.column(),
                        detail,
                    }
                }
            }
        }
    }
}

/// Byte offset of a 1-based line and column, found by reading the file again (errors only).
fn byte_offset(path: &Path, line: usize, column: usize) -> Option<u64> {
    let mut reader = BufReader::new(File::open(path).ok()?);
    let mut offset = 0u64;
    let mut buf = Vec::new();
    for _ in 1..line {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).ok()?;
        if n == 0 {
            break;
        }
        offset += n as u64;
    }
    Some(offset + column.saturating_sub(1) as u64)
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

/// The object keys the reader looks at; any other key is skipped without being stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    File,
    Line,
    Specs,
    Suites,
    Tests,
    Id,
    ProjectName,
    ProjectId,
    ExpectedStatus,
    Status,
    Annotations,
    Results,
    Retry,
    Error,
    Errors,
    Stdout,
    Stderr,
    Text,
    Buffer,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E>(self, key: &str) -> Result<Field, E> {
                Ok(match key {
                    "title" => Field::Title,
                    "file" => Field::File,
                    "line" => Field::Line,
                    "specs" => Field::Specs,
                    "suites" => Field::Suites,
                    "tests" => Field::Tests,
                    "id" => Field::Id,
                    "projectName" => Field::ProjectName,
                    "projectId" => Field::ProjectId,
                    "expectedStatus" => Field::ExpectedStatus,
                    "status" => Field::Status,
                    "annotations" => Field::Annotations,
                    "results" => Field::Results,
                    "retry" => Field::Retry,
                    "error" => Field::Error,
                    "errors" => Field::Errors,
                    "stdout" => Field::Stdout,
                    "stderr" => Field::Stderr,
                    "text" => Field::Text,
                    "buffer" => Field::Buffer,
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_identifier(FieldVisitor)
    }
}

/// A status word read without allocating (`passed`, `expected`, …).
struct Word<T>(Option<T>);

impl<'de> Deserialize<'de> for Word<Status> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WordVisitor(Status::parse)).map(Word)
    }
}

impl<'de> Deserialize<'de> for Word<Outcome> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WordVisitor(Outcome::parse)).map(Word)
    }
}

struct WordVisitor<T>(fn(&str) -> Option<T>);

impl<T> Visitor<'_> for WordVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a status word")
    }
    fn visit_str<E>(self, word: &str) -> Result<Option<T>, E> {
        Ok((self.0)(word))
    }
    fn visit_unit<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
}

struct RootSeed<'a> {
    sink: &'a mut dyn ReportSink,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_> {
    type Value = Shape;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_> {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Playwright JSON report (an object with `config` and `suites`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "config" => {
                    let raw: RawConfig = map.next_value()?;
                    shape.has_config = true;
                    self.sink.config(ReportConfig {
                        root_dir: raw.root_dir,
                        version: raw.version,
                    });
                }
                "suites" => {
                    map.next_value_seed(SuitesSeed {
                        sink: &mut *self.sink,
                        titles: &mut Vec::new(),
                        file: None,
                    })?;
                    shape.has_suites = true;
                }
                "errors" => map.next_value_seed(ErrorsSeed {
                    sink: &mut *self.sink,
                })?,
                "stats" => {
                    let stats: Option<Stats> = map.next_value()?;
                    self.sink.stats(stats.unwrap_or_default());
                }
                _ => {
                    if shape.foreign_keys.len() < 20 {
                        shape.foreign_keys.push(key);
                    }
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(shape)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Shape, A::Error> {
        Err(de::Error::custom(
            "the top-level JSON value is an array, expected an object with `config` and `suites`",
        ))
    }
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(rename = "rootDir", default)]
    root_dir: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

/// A top-level or attempt error: only the message and location are kept.
#[derive(Deserialize)]
struct RawError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    location: Option<Location>,
}

impl RawError {
    fn into_message(self) -> (String, Option<Location>) {
        let text = self
            .message
            .or(self.value)
            .unwrap_or_else(|| "(error without a message)".to_string());
        (
            truncate_chars(&text, MAX_MESSAGE_CHARS).into_owned(),
            self.location,
        )
    }
}

struct ErrorsSeed<'a> {
    sink: &'a mut dyn ReportSink,
}

impl<'de> DeserializeSeed<'de> for ErrorsSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ErrorsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of errors")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<RawError>()? {
            let (message, location) = raw.into_message();
            self.sink.text(
                TextOrigin {
                    file: None,
                    title_path: &[],
                    project: "",
                    attempt: None,
                    kind: TextKind::TopLevelError,
                },
                &message,
            );
            self.sink
                .top_level_error(TopLevelError { message, location });
        }
        Ok(())
    }
}

/// An array of suites; `titles` holds the describe titles of the enclosing suites.
struct SuitesSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a mut Vec<String>,
    file: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for SuitesSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SuitesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of suites")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(SuiteSeed {
                sink: &mut *self.sink,
                titles: &mut *self.titles,
                parent_file: self.file,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One suite: a file (at the top level) or a describe block (nested).
struct SuiteSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a mut Vec<String>,
    parent_file: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for SuiteSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SuiteSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a suite object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // A top-level suite is a file: its title is the file name, not a describe title.
        let is_file_suite = self.parent_file.is_none();
        let depth = self.titles.len();
        let mut file: Option<String> = self.parent_file.map(str::to_string);
        let mut titled = false;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Title => {
                    let title: String = map.next_value()?;
                    if !is_file_suite && !titled && !title.is_empty() {
                        self.titles.push(title);
                        titled = true;
                    }
                }
                Field::File => {
                    let value: Option<String> = map.next_value()?;
                    if let Some(value) = value {
                        file = Some(value);
                    }
                }
                Field::Specs => map.next_value_seed(SpecsSeed {
                    sink: &mut *self.sink,
                    titles: &mut *self.titles,
                    file: file.as_deref(),
                })?,
                Field::Suites => map.next_value_seed(SuitesSeed {
                    sink: &mut *self.sink,
                    titles: &mut *self.titles,
                    file: Some(file.as_deref().unwrap_or("")),
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.titles.truncate(depth);
        Ok(())
    }
}

struct SpecsSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a mut Vec<String>,
    file: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for SpecsSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SpecsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of specs")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(SpecSeed {
                sink: &mut *self.sink,
                titles: &mut *self.titles,
                suite_file: self.file,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One spec (a `test(...)` call): its tests, one per project, are complete when the spec ends,
/// because `file` and `line` come after `tests` in Playwright's output.
struct SpecSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a mut Vec<String>,
    suite_file: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for SpecSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SpecSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a spec object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = self.titles.len();
        let mut title: Option<String> = None;
        let mut file: Option<String> = None;
        let mut line = 0u32;
        let mut id: Option<String> = None;
        let mut tests: Vec<PartialTest> = Vec::new();
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Title => {
                    let value: String = map.next_value()?;
                    if title.is_none() {
                        self.titles.push(value.clone());
                        title = Some(value);
                    }
                }
                Field::Tests => {
                    tests = map.next_value_seed(TestsSeed {
                        sink: &mut *self.sink,
                        titles: self.titles.as_slice(),
                        file: self.suite_file,
                    })?
                }
                Field::File => file = map.next_value()?,
                Field::Line => line = map.next_value::<Option<u32>>()?.unwrap_or(0),
                Field::Id => id = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let title_path = self.titles.clone();
        self.titles.truncate(depth);
        let file = file
            .or_else(|| self.suite_file.map(str::to_string))
            .unwrap_or_default();
        for test in tests {
            let outcome = test
                .status
                .unwrap_or_else(|| derive_outcome(test.expected_status, &test.attempts));
            self.sink.test(TestCase {
                file: file.clone(),
                line,
                title_path: title_path.clone(),
                project: test.project,
                id: id.clone(),
                expected_status: test.expected_status,
                outcome,
                attempts: test.attempts,
                annotations: test.annotations,
            });
        }
        Ok(())
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

struct TestsSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a [String],
    file: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for TestsSeed<'_> {
    type Value = Vec<PartialTest>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TestsSeed<'_> {
    type Value = Vec<PartialTest>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of tests")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut tests = Vec::new();
        while let Some(test) = seq.next_element_seed(TestSeed {
            sink: &mut *self.sink,
            titles: self.titles,
            file: self.file,
        })? {
            tests.push(test);
        }
        Ok(tests)
    }
}

struct TestSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a [String],
    file: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for TestSeed<'_> {
    type Value = PartialTest;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<PartialTest, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TestSeed<'_> {
    type Value = PartialTest;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a test object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartialTest, A::Error> {
        let mut project_name: Option<String> = None;
        let mut project_id: Option<String> = None;
        let mut expected_status = Status::Passed;
        let mut status = None;
        let mut attempts = Vec::new();
        let mut annotations: Vec<Annotation> = Vec::new();
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::ProjectName => project_name = map.next_value()?,
                Field::ProjectId => project_id = map.next_value()?,
                Field::ExpectedStatus => {
                    let Word(word) = map.next_value::<Word<Status>>()?;
                    expected_status = word
                        .ok_or_else(|| de::Error::custom("unknown `expectedStatus` of a test"))?;
                }
                Field::Status => status = map.next_value::<Word<Outcome>>()?.0,
                Field::Annotations => {
                    let list: Option<Vec<Annotation>> = map.next_value()?;
                    merge_annotations(&mut annotations, list.unwrap_or_default());
                }
                Field::Results => {
                    let project = project_name
                        .as_deref()
                        .or(project_id.as_deref())
                        .unwrap_or("");
                    let (list, result_annotations) = map.next_value_seed(ResultsSeed {
                        sink: &mut *self.sink,
                        titles: self.titles,
                        file: self.file,
                        project,
                    })?;
                    attempts = list;
                    merge_annotations(&mut annotations, result_annotations);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(PartialTest {
            project: project_name.or(project_id).unwrap_or_default(),
            expected_status,
            status,
            attempts,
            annotations,
        })
    }
}

fn merge_annotations(into: &mut Vec<Annotation>, more: Vec<Annotation>) {
    for annotation in more {
        if !into.contains(&annotation) {
            into.push(annotation);
        }
    }
}

struct ResultsSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a [String],
    file: Option<&'a str>,
    project: &'a str,
}

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_> {
    type Value = (Vec<Attempt>, Vec<Annotation>);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_> {
    type Value = (Vec<Attempt>, Vec<Annotation>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of results")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut attempts = Vec::new();
        let mut annotations = Vec::new();
        let mut index = 0u32;
        while let Some((attempt, more)) = seq.next_element_seed(ResultSeed {
            sink: &mut *self.sink,
            titles: self.titles,
            file: self.file,
            project: self.project,
            index,
        })? {
            attempts.push(attempt);
            merge_annotations(&mut annotations, more);
            index += 1;
        }
        Ok((attempts, annotations))
    }
}

/// One result (attempt): stdout, stderr and error messages go to the sink as they are read.
struct ResultSeed<'a> {
    sink: &'a mut dyn ReportSink,
    titles: &'a [String],
    file: Option<&'a str>,
    project: &'a str,
    index: u32,
}

/// Where text of an attempt comes from.
fn attempt_origin<'o>(
    file: Option<&'o str>,
    titles: &'o [String],
    project: &'o str,
    index: u32,
    kind: TextKind,
) -> TextOrigin<'o> {
    TextOrigin {
        file,
        title_path: titles,
        project,
        attempt: Some(index),
        kind,
    }
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_> {
    type Value = (Attempt, Vec<Annotation>);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_> {
    type Value = (Attempt, Vec<Annotation>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a result object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut attempt = Attempt {
            status: None,
            retry: self.index,
            errors: Vec::new(),
            error_location: None,
        };
        let mut first_error: Option<(String, Option<Location>)> = None;
        let mut annotations = Vec::new();
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Status => attempt.status = map.next_value::<Word<Status>>()?.0,
                Field::Retry => {
                    attempt.retry = map.next_value::<Option<u32>>()?.unwrap_or(self.index)
                }
                Field::Error => {
                    let raw: Option<RawError> = map.next_value()?;
                    first_error = raw.map(RawError::into_message);
                }
                Field::Errors => {
                    let list: Option<Vec<RawError>> = map.next_value()?;
                    for raw in list.unwrap_or_default() {
                        let (message, location) = raw.into_message();
                        if attempt.error_location.is_none() {
                            attempt.error_location = location;
                        }
                        attempt.errors.push(message);
                    }
                }
                Field::Stdout | Field::Stderr => {
                    let kind = if key == Field::Stdout {
                        TextKind::Stdout
                    } else {
                        TextKind::Stderr
                    };
                    let origin =
                        attempt_origin(self.file, self.titles, self.project, self.index, kind);
                    map.next_value_seed(StdioSeed {
                        sink: &mut *self.sink,
                        origin,
                    })?;
                }
                Field::Annotations => {
                    let list: Option<Vec<Annotation>> = map.next_value()?;
                    annotations = list.unwrap_or_default();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // Reports before `errors` existed (and some since) carry only `error`.
        if let Some((message, location)) = first_error {
            if attempt.errors.is_empty() {
                attempt.errors.push(message);
            }
            if attempt.error_location.is_none() {
                attempt.error_location = location;
            }
        }
        let origin = attempt_origin(
            self.file,
            self.titles,
            self.project,
            self.index,
            TextKind::Error,
        );
        for message in &attempt.errors {
            self.sink.text(origin, message);
        }
        Ok((attempt, annotations))
    }
}

/// `stdout` / `stderr`: an array of `{ "text": ... }` or `{ "buffer": <base64> }` entries.
struct StdioSeed<'a, 'o> {
    sink: &'a mut dyn ReportSink,
    origin: TextOrigin<'o>,
}

impl<'de> DeserializeSeed<'de> for StdioSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StdioSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of stdout/stderr entries")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<StdioEntry>()? {
            match entry {
                StdioEntry::Text(text) => self.sink.text(self.origin, &text),
                StdioEntry::Buffer(encoded) => {
                    use base64::Engine as _;
                    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) {
                        self.sink
                            .text(self.origin, &String::from_utf8_lossy(&bytes));
                    }
                }
                StdioEntry::Other => {}
            }
        }
        Ok(())
    }
}

/// One stdout/stderr entry.
enum StdioEntry {
    Text(String),
    Buffer(String),
    Other,
}

impl<'de> Deserialize<'de> for StdioEntry {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = StdioEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a stdout entry")
            }
            fn visit_str<E>(self, v: &str) -> Result<StdioEntry, E> {
                Ok(StdioEntry::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<StdioEntry, E> {
                Ok(StdioEntry::Text(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StdioEntry, A::Error> {
                let mut entry = StdioEntry::Other;
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Text => entry = StdioEntry::Text(map.next_value()?),
                        Field::Buffer => entry = StdioEntry::Buffer(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(entry)
            }
        }
        d.deserialize_any(EntryVisitor)
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
    }

    fn read(json: &str) -> Result<Collected, String> {
        let mut sink = Collected::default();
        match read_from(json.as_bytes(), &mut sink) {
            Ok(()) => Ok(sink),
            Err(Problem::Shape(why)) => Err(why),
            Err(Problem::Json(err)) => Err(err.to_string()),
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

    #[test]
    fn outcome_follows_playwright_rules() {
        use Status::*;
        assert_eq!(derive_outcome(Passed, &[]), Outcome::Skipped);
        assert_eq!(
            derive_outcome(Passed, &[attempt(Passed)]),
            Outcome::Expected
        );
        assert_eq!(
            derive_outcome(Passed, &[attempt(Failed)]),
            Outcome::Unexpected
        );
        assert_eq!(
            derive_outcome(Passed, &[attempt(Failed), attempt(Passed)]),
            Outcome::Flaky
        );
        assert_eq!(
            derive_outcome(Failed, &[attempt(Failed)]),
            Outcome::Expected
        );
        assert_eq!(
            derive_outcome(Skipped, &[attempt(Skipped)]),
            Outcome::Skipped
        );
        assert_eq!(
            derive_outcome(Passed, &[attempt(Interrupted)]),
            Outcome::Skipped
        );
        assert_eq!(
            derive_outcome(Passed, &[attempt(TimedOut)]),
            Outcome::Unexpected
        );
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
        assert_eq!(test.outcome, Outcome::Expected);
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
        assert_eq!(got.tests[0].outcome, Outcome::Skipped);
        assert!(got.tests[0].skipped_on_purpose());
        assert_eq!(
            got.tests[0].skip_reasons(),
            vec!["Live backend not healthy at https://x"]
        );
        assert_eq!(got.tests[1].outcome, Outcome::Flaky);
        assert_eq!(got.tests[1].attempts[0].errors, vec!["boom"]);
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

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let depth = 100_000;
        let json = format!(
            r#"{{"config":{{}},"suites":{}{}}}"#,
            r#"[{"title":"t","suites":"#.repeat(depth),
            "[]}]".repeat(depth)
        );
        let err = read(&json).unwrap_err();
        assert!(err.contains("recursion limit"), "{err}");
        // Deep nesting in a part that is skipped costs no stack either.
        let ignored = format!(
            r#"{{"config":{{}},"suites":[],"x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert!(read(&ignored).is_ok());
    }
}
