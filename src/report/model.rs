//! The slim model a report is read into: tests with their attempts, outcomes, the report's
//! config, top-level errors and stats, and the [`ReportSink`] that receives them. The rules
//! deriving a test's outcome from its attempts ([`derive_outcome`]) and Playwright's own label
//! ([`playwright_label`]) live here, as pure functions.

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
pub struct TestAnnotation {
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
    pub annotations: Vec<TestAnnotation>,
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
pub(super) enum AttemptEnd {
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

pub(super) fn attempt_end(expected: Status, attempt: &Attempt) -> AttemptEnd {
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
pub(super) fn playwright_label_older(expected: Status, attempts: &[Attempt]) -> Outcome {
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
