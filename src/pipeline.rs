//! The `gate` command end to end: read the reports and logs, decide, write what the runner
//! shows, and record the evidence.
//!
//! The deciding is done by pure functions ([`crate::verdict`], [`crate::gate`],
//! [`crate::evidence`], [`crate::summary`]); this module is the edge that reads files and the
//! environment, writes the runner's files and calls the GitHub API, in this order:
//!
//! 1. settings (a bad input stops here with exit 2);
//! 2. reports, streamed into per-spec tallies, their texts into the log scanner;
//! 3. log files;
//! 4. verdicts and the gate decision;
//! 5. evidence block, outputs, job summary, annotations, `evidence-file` (nothing is lost
//!    whatever the network does next);
//! 6. the evidence commit.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use regex::Regex;
use std::sync::LazyLock;

use crate::config::{FlakyPolicy, GateArgs, GateSettings};
use crate::evidence::{self, Evidence};
use crate::exit::Exit;
use crate::failure_groups::{self, FailureGroup};
use crate::gate::{self, GateDecision, GateFacts};
use crate::github::{self, GitHubClient, RecordOutcome, RecordRequest};
use crate::logscan::{Finding, Findings, RuleSet, Scanner, TextStream};
use crate::outputs::{self, OutputsInput, PlannedOutputs};
use crate::paths::{PathMapper, Workspace};
use crate::reasons;
use crate::redact::Redactor;
use crate::report::{
    self, Outcome, ReportConfig, ReportSink, SecondHalf, Shard, Stats, Status, TestCase, TextKind,
    TextOrigin, TopLevelError,
};
use crate::runner::{self, Annotation, Level, OutputFile};
use crate::statusdoc;
use crate::summary::{self, SummaryView};
use crate::verdict::{
    SpecReport, SpecTally, Tallies, Verdict, VerdictRules, judge, label_disagreement,
};

/// Most top-level errors named one by one in the reasons; the rest are counted (a broken helper
/// imported by every spec file gives one top-level error per file).
pub const MAX_TOP_LEVEL_ERRORS: usize = 20;

/// Files Playwright treats as test files by default (`*.spec.ts`, `*.test.mjs`, …).
static TEST_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(spec|test)\.[cm]?[jt]sx?$").expect("test file pattern is valid")
});

/// Facts about the workflow run, from the runner's `GITHUB_*` variables.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    /// The commit under test (the pull request's head for pull-request events).
    pub sha: Option<String>,
    /// `GITHUB_SERVER_URL`.
    pub server_url: Option<String>,
    /// `GITHUB_REPOSITORY` (`owner/name`).
    pub repository: Option<String>,
    /// `GITHUB_RUN_ID`.
    pub run_id: Option<String>,
    /// `GITHUB_RUN_ATTEMPT`.
    pub run_attempt: Option<String>,
    /// `RUNNER_WORKSPACE`: the runner's host folder that holds the checkout.
    pub runner_workspace: Option<String>,
}

use crate::runner::env_value as env;

impl RunContext {
    /// Reads the run's facts from the environment.
    pub fn from_env() -> RunContext {
        RunContext {
            sha: pull_request_head_sha().or_else(|| env("GITHUB_SHA")),
            server_url: env("GITHUB_SERVER_URL"),
            repository: env("GITHUB_REPOSITORY"),
            run_id: env("GITHUB_RUN_ID"),
            run_attempt: env("GITHUB_RUN_ATTEMPT"),
            runner_workspace: env("RUNNER_WORKSPACE"),
        }
    }

    /// `<server>/<owner>/<repo>/blob/<sha>`, the base of links to test lines.
    pub fn blob_base(&self) -> Option<String> {
        Some(format!(
            "{}/{}/blob/{}",
            self.server_url.as_deref()?.trim_end_matches('/'),
            self.repository.as_deref()?,
            self.sha.as_deref()?
        ))
    }
}

/// For pull-request events `GITHUB_SHA` is a merge commit; the commit under test is the head.
fn pull_request_head_sha() -> Option<String> {
    let event = env("GITHUB_EVENT_NAME")?;
    if !event.starts_with("pull_request") {
        return None;
    }
    let payload = std::fs::read(env("GITHUB_EVENT_PATH")?).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    value
        .pointer("/pull_request/head/sha")?
        .as_str()
        .map(str::to_string)
}

/// Everything the reports and logs of one run yielded.
#[derive(Debug, Default)]
pub struct RunData {
    /// Tests by spec file.
    pub tallies: Tallies,
    /// Reports read as valid Playwright reports.
    pub reports_read: usize,
    /// One message per unusable report.
    pub report_problems: Vec<String>,
    /// Top-level errors, first line each, at most [`MAX_TOP_LEVEL_ERRORS`].
    pub top_level_errors: Vec<String>,
    /// Top-level errors counted beyond [`MAX_TOP_LEVEL_ERRORS`].
    pub more_top_level_errors: u64,
    /// Earliest `stats.startTime` of the reports.
    pub start_time: Option<DateTime<Utc>>,
    /// Notes about reading (path mapping, duplicates).
    pub notes: Vec<String>,
    /// Where a report contradicts itself (a test's label or the report's `stats` against the
    /// attempts), at most [`MAX_LISTED_INCONSISTENCIES`] listed.
    pub inconsistencies: Vec<String>,
    /// Contradictions found beyond the listed ones.
    pub inconsistencies_unlisted: u64,
    /// The shard each report says it is (`config.shard`), by report.
    pub shards: Vec<(String, Shard)>,
}

/// Most contradictions listed one by one; the rest are counted.
pub const MAX_LISTED_INCONSISTENCIES: usize = 20;

impl RunData {
    fn add_inconsistency(&mut self, why: String) {
        if self.inconsistencies.len() < MAX_LISTED_INCONSISTENCIES {
            self.inconsistencies.push(why);
        } else {
            self.inconsistencies_unlisted += 1;
        }
    }

    /// The contradictions, one line each, with a count line for those not listed.
    pub fn inconsistency_lines(&self) -> Vec<String> {
        let mut lines = self.inconsistencies.clone();
        if self.inconsistencies_unlisted > 0 {
            lines.push(format!(
                "… and {} more contradictions of the same kind",
                self.inconsistencies_unlisted
            ));
        }
        lines
    }
}

/// Playwright's labels counted over one report's tests, in `stats` order: expected,
/// unexpected, flaky, skipped.
type LabelCounts = [u64; 4];

fn label_index(label: Outcome) -> usize {
    match label {
        Outcome::Expected => 0,
        Outcome::Unexpected => 1,
        Outcome::Flaky => 2,
        Outcome::Skipped => 3,
    }
}

/// Streams one report's parts into the run's tallies and the log scanner.
struct Collector<'a> {
    fixed_mapper: Option<PathMapper>,
    mapper: PathMapper,
    workspace: Workspace<'a>,
    specs: &'a [String],
    data: &'a mut RunData,
    scanner: &'a Scanner,
    findings: &'a mut Findings,
    report_label: String,
    stats: Option<Stats>,
    /// `config.shard` of the report.
    shard: Option<Shard>,
    /// The report text being scanned, while it comes in pieces.
    open_text: Option<TextStream>,
    /// Playwright's labels of the report's tests, to check `stats` against.
    labels: LabelCounts,
    /// Tests without a `status` label: their label is Playwright's rule, which changed over
    /// versions, so `stats` are not checked against them.
    unlabelled: u64,
    /// The last report path seen and its repository path.
    last_file: (String, String),
}

impl ReportSink for Collector<'_> {
    fn config(&mut self, config: ReportConfig) {
        self.last_file = (String::new(), String::new());
        self.shard = config.shard;
        self.mapper = match &self.fixed_mapper {
            Some(fixed) => PathMapper {
                root_dir: config.root_dir.clone(),
                ..fixed.clone()
            },
            None => PathMapper::derive(config.root_dir.as_deref(), &self.workspace),
        };
        if let Some(problem) = self.mapper.problem()
            && !self.data.notes.contains(&problem)
        {
            self.data.notes.push(problem);
        }
    }

    fn test(&mut self, mut test: TestCase) {
        // Error locations become repository paths, so failures group by the place they failed.
        for attempt in &mut test.attempts {
            if let Some(location) = &mut attempt.error_location {
                location.file = self.mapper.to_repo(&location.file);
            }
        }
        // Tests come file by file: map each file once.
        if self.last_file.0 != test.file {
            self.last_file = (test.file.clone(), self.mapper.to_repo(&test.file));
        }
        // Skip reasons of tests that did skip (an attempt skipped, or none ran) are report text.
        let skipped = test.attempts.is_empty()
            || test
                .attempts
                .iter()
                .any(|a| a.status == Some(Status::Skipped));
        let reasons = if skipped {
            test.skip_reasons()
        } else {
            Vec::new()
        };
        for reason in reasons {
            if !self.scanner.might_match(&reason) {
                continue;
            }
            let source = format!("{} › {} (skip reason)", self.last_file.1, test.title());
            self.scanner.scan_text(&source, &reason, self.findings);
        }
        self.labels[label_index(test.label())] += 1;
        if test.status.is_none() {
            self.unlabelled += 1;
        }
        if let Some(why) = label_disagreement(&self.last_file.1, &test) {
            self.data
                .add_inconsistency(format!("{}: {why}", self.report_label));
        }
        self.data.tallies.add(&self.last_file.1, &test);
    }

    fn top_level_error(&mut self, error: TopLevelError) {
        let first_line = crate::text::strip_ansi(&error.message)
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(empty error message)")
            .trim()
            .to_string();
        if let Some(location) = &error.location {
            let file = self.mapper.to_repo(&location.file);
            if self.specs.contains(&file) || TEST_FILE.is_match(&file) {
                self.data.tallies.add_load_error(&file, &error.message);
            }
        }
        if self.data.top_level_errors.len() < MAX_TOP_LEVEL_ERRORS {
            self.data
                .top_level_errors
                .push(format!("{}: {first_line}", self.report_label));
        } else {
            self.data.more_top_level_errors += 1;
        }
    }

    fn stats(&mut self, stats: Stats) {
        self.stats = Some(stats);
    }

    fn text_piece(&mut self, origin: TextOrigin<'_>, piece: &str) {
        if self.open_text.is_none() {
            let source = self.text_source(origin);
            self.open_text = Some(self.scanner.text_stream(&source, is_message(origin.kind)));
        }
        if let Some(stream) = self.open_text.as_mut() {
            self.scanner.feed(stream, piece.as_bytes(), self.findings);
        }
    }

    fn text(&mut self, origin: TextOrigin<'_>, text: &str) {
        // The last piece of a text that came in pieces.
        if let Some(mut stream) = self.open_text.take() {
            self.scanner
                .feed(&mut stream, text.as_bytes(), self.findings);
            self.scanner.end_text(stream, self.findings);
            return;
        }
        if !self.scanner.might_match(text) {
            return;
        }
        let source = self.text_source(origin);
        if is_message(origin.kind) {
            self.scanner.scan_message(&source, text, self.findings);
        } else {
            self.scanner.scan_text(&source, text, self.findings);
        }
    }
}

/// Error messages carry Playwright's code frames, which are not scanned.
fn is_message(kind: TextKind) -> bool {
    matches!(kind, TextKind::Error | TextKind::TopLevelError)
}

impl Collector<'_> {
    /// Names the place of a report text in findings.
    fn text_source(&self, origin: TextOrigin<'_>) -> String {
        match origin.file {
            Some(file) => {
                let mut source = format!(
                    "{} › {}",
                    self.mapper.to_repo(file),
                    origin.title_path.join(" › ")
                );
                if !origin.project.is_empty() {
                    source.push_str(&format!(" [{}]", origin.project));
                }
                if let Some(attempt) = origin.attempt {
                    source.push_str(&format!(" (attempt {})", attempt + 1));
                }
                source
            }
            None => format!("{} (top-level error)", self.report_label),
        }
    }
}

/// Expands the `results` input into files, relative to the workspace; a pattern that matches
/// nothing is a problem of its own.
fn expand(patterns: &[String], workspace: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for pattern in patterns {
        let full = workspace.join(pattern);
        if !pattern.contains(['*', '?', '[']) {
            files.push(full);
            continue;
        }
        match glob::glob(&full.to_string_lossy()) {
            Ok(paths) => {
                let mut matched: Vec<PathBuf> = paths
                    .filter_map(Result::ok)
                    .filter(|p| p.is_file())
                    .collect();
                matched.sort();
                if matched.is_empty() {
                    problems.push(format!(
                        "results: `{pattern}` matched no file: the Playwright JSON report was not written (did the test step run?)"
                    ));
                }
                files.extend(matched);
            }
            Err(err) => problems.push(format!("results: `{pattern}` is not a valid glob: {err}")),
        }
    }
    files.dedup();
    (files, problems)
}

/// Shows a path relative to the workspace when it lies inside it.
fn shown(path: &Path, workspace: &Path) -> String {
    path.strip_prefix(workspace)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Reads every report of the run.
pub fn read_reports(
    settings: &GateSettings,
    context: &RunContext,
    scanner: &Scanner,
    findings: &mut Findings,
) -> RunData {
    let mut data = RunData::default();
    let (files, problems) = expand(&settings.results, &settings.workspace);
    data.report_problems.extend(problems);
    let workspace = Workspace {
        dir: Some(&settings.workspace),
        runner_workspace: context.runner_workspace.as_deref(),
        repository: context.repository.as_deref(),
    };
    let fixed_mapper = settings.test_dir.as_deref().map(PathMapper::fixed);
    let two_readers_from = env("ITM_GATE_TWO_READERS_FROM")
        .and_then(|v| v.parse().ok())
        .unwrap_or(report::TWO_READERS_FROM);
    for file in files {
        let label = shown(&file, &settings.workspace);
        let collector = |data, findings| Collector {
            mapper: fixed_mapper
                .clone()
                .unwrap_or_else(|| PathMapper::derive(None, &workspace)),
            fixed_mapper: fixed_mapper.clone(),
            workspace: workspace.clone(),
            specs: &settings.specs,
            data,
            scanner,
            findings,
            report_label: label.clone(),
            stats: None,
            shard: None,
            open_text: None,
            labels: [0; 4],
            unlabelled: 0,
            last_file: (String::new(), String::new()),
        };
        // A large report is read by two threads; the second one's part is merged only when
        // the reader confirms it (see `report::read_report_in_two`).
        let mut second_data = RunData::default();
        let mut second_findings = Findings::new();
        let mut first = collector(&mut data, &mut *findings);
        let mut second = collector(&mut second_data, &mut second_findings);
        let read = report::read_report_in_two(&file, &mut first, &mut second, two_readers_from);
        let stats = first.stats.take();
        let shard = first.shard;
        let mut labels = first.labels;
        let second_labels = second.labels;
        let mut unlabelled = first.unlabelled;
        let second_unlabelled = second.unlabelled;
        drop((first, second));
        match read {
            Ok(half) => {
                data.reports_read += 1;
                if half == SecondHalf::Used {
                    data.tallies.merge(second_data.tallies);
                    findings.merge(second_findings);
                    for why in second_data.inconsistencies {
                        data.add_inconsistency(why);
                    }
                    data.inconsistencies_unlisted += second_data.inconsistencies_unlisted;
                    for (mine, theirs) in labels.iter_mut().zip(second_labels) {
                        *mine += theirs;
                    }
                    unlabelled += second_unlabelled;
                }
                if let Some(stats) = stats {
                    absorb_stats(&mut data, &stats);
                    if unlabelled == 0
                        && let Some(why) = stats_disagreement(&stats, labels)
                    {
                        data.add_inconsistency(format!("{label}: {why}"));
                    }
                }
                if let Some(shard) = shard {
                    data.shards.push((label.clone(), shard));
                }
            }
            Err(err) => {
                let message = err.to_string();
                let message = match message.strip_prefix(&format!("{}:", file.display())) {
                    Some(rest) => format!("{label}:{rest}"),
                    None => message,
                };
                data.report_problems.push(message);
            }
        }
    }
    if data.tallies.duplicates() > 0 {
        data.notes.push(format!(
            "{} duplicate test entries (the same test in more than one report) were counted once, with the worse outcome",
            data.tallies.duplicates()
        ));
    }
    data
}

fn absorb_stats(data: &mut RunData, stats: &Stats) {
    if let Some(start) = stats
        .start_time
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
    {
        data.start_time = Some(data.start_time.map_or(start, |t| t.min(start)));
    }
}

/// When a report's `stats` disagree with the labels of the tests it lists, what disagrees
/// (`stats say 3 unexpected, the tests show 0`); counts the report leaves out are not checked.
pub fn stats_disagreement(stats: &Stats, tests: LabelCounts) -> Option<String> {
    let said = [stats.expected, stats.unexpected, stats.flaky, stats.skipped];
    let words = ["expected", "unexpected", "flaky", "skipped"];
    let parts: Vec<String> = said
        .iter()
        .zip(tests)
        .zip(words)
        .filter_map(|((said, shown), word)| match said {
            Some(said) if *said != shown => {
                Some(format!("stats say {said} {word}, the tests show {shown}"))
            }
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Most failing spec files (besides the required ones) whose reasons the gate itemizes; the
/// rest are counted in one reason. Every spec file is still listed in the step log.
pub const MAX_ITEMIZED_FAILING_SPECS: usize = 100;

/// Most failing spec files (besides the required ones) named in the evidence block; the rest
/// are counted in its notes.
pub const MAX_EVIDENCE_FAILING_SPECS: usize = 20;

/// Most spec files in the job summary's table; the others are counted in a note. Together with
/// the bounded test listings this keeps the summary well under GitHub's 1 MiB.
pub const MAX_SUMMARY_SPECS: usize = 1000;

/// The verdict of every spec file, judged from the tallies when it is needed, so that a run
/// with 100,000 spec files never holds 100,000 reports at once.
pub struct SpecVerdicts<'a> {
    tallies: &'a Tallies,
    required: &'a [String],
    required_set: HashSet<&'a str>,
    rules: VerdictRules,
}

impl<'a> SpecVerdicts<'a> {
    /// The verdicts of a run under the gate's settings.
    pub fn new(settings: &'a GateSettings, tallies: &'a Tallies) -> SpecVerdicts<'a> {
        SpecVerdicts {
            tallies,
            required: &settings.specs,
            required_set: settings.specs.iter().map(String::as_str).collect(),
            rules: VerdictRules {
                strict: settings.strict,
                allow_skip: settings.allow_skip.clone(),
                flaky_fails: settings.flaky == FlakyPolicy::Fail,
            },
        }
    }

    /// Required specs in input order (one absent from the report is `FAIL`).
    fn required(&self) -> impl Iterator<Item = SpecReport> + '_ {
        self.required.iter().map(|file| {
            let tally = self.tallies.get(file);
            judge(file, tally.as_ref(), true, &self.rules)
        })
    }

    /// The report's other spec files, in path order.
    fn others(&self) -> impl Iterator<Item = SpecReport> + '_ {
        self.tallies
            .iter()
            .filter(|(file, _)| !self.required_set.contains(file))
            .map(|(file, tally)| judge(file, Some(&tally), false, &self.rules))
    }

    /// Required specs first in input order, then the report's others in path order.
    pub fn in_display_order(&self) -> impl Iterator<Item = SpecReport> + '_ {
        self.required().chain(self.others())
    }

    /// Required specs first in input order, then the failing others, then the rest (both in
    /// path order): the order of the `specs` output and the summary's table, so whatever a
    /// bound leaves out is the least telling.
    pub fn by_priority(&self) -> impl Iterator<Item = SpecReport> + '_ {
        self.required()
            .chain(self.others().filter(|s| s.verdict == Verdict::Fail))
            .chain(self.others().filter(|s| s.verdict != Verdict::Fail))
    }

    /// The specs the gate decision reads: the required ones and the first
    /// [`MAX_ITEMIZED_FAILING_SPECS`] failing others (the verdicts of passing and skipped
    /// others decide nothing), and how many more failing ones there are.
    pub fn for_gate(&self) -> (Vec<SpecReport>, u64) {
        let mut specs: Vec<SpecReport> = self.required().collect();
        let mut more = 0;
        for spec in self.others().filter(|s| s.verdict == Verdict::Fail) {
            if specs.len() < self.required.len() + MAX_ITEMIZED_FAILING_SPECS {
                specs.push(spec);
            } else {
                more += 1;
            }
        }
        (specs, more)
    }
}

/// The evidence notes: counts, failing spec files not named in the block, flaky tests, skip
/// reasons, log findings and the most telling short reason; one short line.
fn evidence_notes(
    totals: [u64; 5],
    unnamed_failing_specs: u64,
    data: &RunData,
    short_reasons: &[String],
    findings: &Findings,
) -> String {
    let [passed, failed, flaky, skipped, did_not_run] = totals;
    let mut parts = vec![format!(
        "{passed} passed, {failed} failed, {flaky} flaky, {skipped} skipped{} in {} report{}",
        if did_not_run > 0 {
            format!(" ({did_not_run} did not run)")
        } else {
            String::new()
        },
        data.reports_read,
        if data.reports_read == 1 { "" } else { "s" }
    )];
    if unnamed_failing_specs > 0 {
        parts.push(format!(
            "{unnamed_failing_specs} more failing spec file{} not named above (see the job summary and the step log)",
            if unnamed_failing_specs == 1 { "" } else { "s" }
        ));
    }
    let flaky_titles: Vec<String> = data
        .tallies
        .iter_listed()
        .flat_map(|(_, t)| t.flaky_tests)
        .take(3)
        .map(|t| note_text(&t.label(), 80))
        .collect();
    if !flaky_titles.is_empty() {
        parts.push(format!("flaky: {}", flaky_titles.join("; ")));
    }
    let reasons = data.tallies.skip_reasons();
    if !reasons.is_empty() {
        let shown: Vec<String> = reasons
            .iter()
            .take(3)
            .map(|(r, n)| format!("\"{}\" ×{n}", note_text(r, 120)))
            .collect();
        parts.push(format!("skips: {}", shown.join("; ")));
    }
    let mut by_rule: Vec<String> = findings
        .counts()
        .map(|(rule, count)| format!("{} {rule} ×{}", count.severity, count.total))
        .collect();
    by_rule.truncate(4);
    if !by_rule.is_empty() {
        parts.push(format!("log findings: {}", by_rule.join(", ")));
    }
    // The most telling reason: the first that says how, not only which specs failed.
    let telling = short_reasons
        .iter()
        .find(|r| !r.starts_with("required specs FAIL: ") && !r.starts_with("other specs FAIL: "))
        .or(short_reasons.first());
    if let Some(first) = telling {
        let more = short_reasons.len() - 1;
        parts.push(format!(
            "failed because: {}{}",
            note_text(first, 200),
            if more > 0 {
                format!(" (+{more} more reasons)")
            } else {
                String::new()
            }
        ));
    }
    parts.join("; ")
}

/// One line of untrusted text for the evidence notes (see [`evidence::escape_field`]).
fn note_text(text: &str, max_chars: usize) -> String {
    evidence::escape_field(text, max_chars)
}

/// Annotations in order of usefulness: the gate result with its short reasons, one per
/// failure group at the place it failed (not one per test), critical findings one per rule,
/// flaky tests, warnings one per rule. The runner keeps GitHub's 10 per kind.
fn annotations(
    decision: &GateDecision,
    short_reasons: &[String],
    groups: &[FailureGroup],
    data: &RunData,
    findings: &Findings,
    redactor: &Redactor,
) -> Vec<Annotation> {
    let mut out = Vec::new();
    if decision.result == Verdict::Fail {
        let reasons = short_reasons
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        out.push(
            Annotation::new(Level::Error, redactor.redact(&reasons).into_owned())
                .with_title("itm-gate: FAIL"),
        );
    } else {
        out.push(
            Annotation::new(
                Level::Notice,
                "every required spec passed; evidence recorded in the job summary",
            )
            .with_title("itm-gate: PASS"),
        );
    }
    for group in groups {
        out.push(group_annotation(group, redactor));
    }
    out.extend(findings_by_rule(findings.critical(), Level::Error));
    for (file, tally) in data.tallies.iter_listed() {
        for test in &tally.flaky_tests {
            out.push(
                Annotation::new(Level::Warning, "passed only on retry")
                    .with_title(
                        redactor
                            .redact(&format!("Flaky test: {}", test.label()))
                            .into_owned(),
                    )
                    .at(file, Some(u64::from(test.line.max(1)))),
            );
        }
    }
    out.extend(findings_by_rule(findings.warnings(), Level::Warning));
    out
}

/// One annotation for a failure group, at its place (else at its first test's line): the
/// tests it holds and the first error.
fn group_annotation(group: &FailureGroup, redactor: &Redactor) -> Annotation {
    let (file, line) = match (&group.place, group.tests.first()) {
        (Some(place), _) => (place.file.clone(), place.line),
        (None, Some(first)) => (
            first.spec.clone(),
            first.test.error_line.unwrap_or(first.test.test.line),
        ),
        (None, None) => (String::new(), 0),
    };
    let mut message = String::new();
    for member in group.tests.iter().take(10) {
        message.push_str(&format!("{} › {}\n", member.spec, member.test.test.label()));
    }
    if group.tests.len() > 10 {
        message.push_str(&format!("… and {} more\n", group.tests.len() - 10));
    }
    if let Some(first) = group.tests.first() {
        message.push('\n');
        message.push_str(&crate::text::truncate_chars(&first.test.message, 1000));
    }
    let tests = group.tests.len();
    let title = format!(
        "{tests} test{} failed: {}",
        if tests == 1 { "" } else { "s" },
        group.headline
    );
    let annotation = Annotation::new(Level::Error, redactor.redact(&message).into_owned())
        .with_title(redactor.redact(&title).into_owned());
    if file.is_empty() {
        annotation
    } else {
        annotation.at(file, Some(u64::from(line.max(1))))
    }
}

/// One annotation per rule: its first finding, with how many there were.
fn findings_by_rule<'a>(
    findings: impl Iterator<Item = &'a Finding>,
    level: Level,
) -> Vec<Annotation> {
    let mut firsts: Vec<(&Finding, u64)> = Vec::new();
    for finding in findings {
        match firsts.iter_mut().find(|(f, _)| f.rule == finding.rule) {
            Some((_, count)) => *count += 1,
            None => firsts.push((finding, 1)),
        }
    }
    firsts
        .into_iter()
        .map(|(finding, count)| {
            let more = if count > 1 {
                format!("; {count} findings of this rule, see the job summary")
            } else {
                String::new()
            };
            Annotation::new(
                level,
                format!("{} (at {}{more})", finding.excerpt, finding.place()),
            )
            .with_title(format!("Log finding: {}", finding.rule))
        })
        .collect()
}

/// Runs the `gate` command and returns its exit code.
pub fn run(args: GateArgs) -> Exit {
    let settings = match GateSettings::resolve(args) {
        Ok(settings) => settings,
        Err(err) => {
            runner::eprint_line(&format!("itm-gate: {err}"));
            return Exit::Usage;
        }
    };
    let rules = match &settings.log_rules {
        None => RuleSet::builtin(),
        Some(path) => match RuleSet::builtin().with_rules_file(path) {
            Ok(rules) => rules,
            Err(err) => {
                runner::eprint_line(&format!("itm-gate: input `log-rules`: {err}"));
                return Exit::Usage;
            }
        },
    };
    let redactor = Redactor::from_env(settings.token.as_deref());
    crate::redact::install(redactor.clone());
    let scanner = Scanner::new(rules, redactor.clone());
    let context = RunContext::from_env();

    // Read.
    let mut findings = Findings::new();
    let data = read_reports(&settings, &context, &scanner, &mut findings);
    scanner.scan_paths(&settings.logs, &settings.workspace, &mut findings);

    // Decide.
    let verdicts = SpecVerdicts::new(&settings, &data.tallies);
    let all_totals = data.tallies.totals();
    let totals = [all_totals[0], all_totals[1], all_totals[2], all_totals[3]];
    let (gate_specs, more_failing_specs) = verdicts.for_gate();
    let facts = GateFacts {
        reports_read: data.reports_read,
        report_problems: data.report_problems.clone(),
        top_level_errors: data.top_level_errors.clone(),
        tests_run: totals[0] + totals[1] + totals[2],
        specs: gate_specs,
        critical_findings: findings
            .critical()
            .map(|f| format!("{} at {}", f.rule, f.place()))
            .collect(),
        inconsistencies: data.inconsistency_lines(),
        shards: data.shards.clone(),
        job_status: settings.job_status.clone(),
        in_actions: runner::in_github_actions(),
    };
    let mut decision = gate::decide(&facts);
    if data.more_top_level_errors > 0 {
        decision.reasons.push(format!(
            "… and {} more top-level errors (not itemized here; they are in the report's `errors`)",
            data.more_top_level_errors
        ));
    }
    if more_failing_specs > 0 {
        decision.reasons.push(format!(
            "… and {more_failing_specs} more spec files are FAIL (not itemized here; the step log lists every spec file with its verdict)"
        ));
    }
    decision.notes.extend(data.notes.iter().cloned());

    // Say each cause once. Only the files with tests listed by name have failures to group.
    let listed: BTreeMap<String, SpecTally> = data
        .tallies
        .iter_listed()
        .map(|(file, tally)| (file.to_string(), tally))
        .collect();
    let groups =
        failure_groups::group_failures(&listed, &|file| settings.specs.iter().any(|s| s == file));
    let short = reasons::short_reasons(&decision.reasons, &facts.specs, &groups, &findings);

    // Evidence: the required specs and the first failing others.
    let mut evidence_specs: Vec<(String, Verdict)> = Vec::new();
    let mut unnamed_failing_specs = more_failing_specs;
    for spec in &facts.specs {
        if spec.required || evidence_specs.len() < settings.specs.len() + MAX_EVIDENCE_FAILING_SPECS
        {
            evidence_specs.push((spec.file.clone(), spec.verdict));
        } else {
            unnamed_failing_specs += 1;
        }
    }
    let evidence = Evidence {
        date: evidence::format_date(data.start_time.unwrap_or_else(Utc::now), settings.timezone),
        commit: context.sha.clone().unwrap_or_else(|| "unknown".to_string()),
        workflow_url: evidence::workflow_url(
            context.server_url.as_deref(),
            context.repository.as_deref(),
            context.run_id.as_deref(),
            context.run_attempt.as_deref(),
        ),
        backend_url: settings
            .backend_url
            .as_deref()
            .map(evidence::sanitize_backend_url),
        result: decision.result,
        specs: evidence_specs,
        notes: evidence_notes(all_totals, unnamed_failing_specs, &data, &short, &findings),
    };
    let block = redactor.redact(&evidence::render(&evidence)).into_owned();

    // Write what the runner shows; nothing below may lose the evidence.
    let said = Said {
        decision: &decision,
        short_reasons: &short,
        groups: &groups,
    };
    let mut exit = report_locally(
        &settings, &context, &redactor, &said, &verdicts, &data, &findings, totals, &block,
    );

    // Record. `commit-sha` and `commit-url` are empty unless a commit is made.
    if let Some(mut outputs) = OutputFile::from_env() {
        for name in ["commit-sha", "commit-url"] {
            if let Err(err) = outputs.set(name, "") {
                runner::eprint_line(&format!("itm-gate: cannot write output `{name}`: {err}"));
                exit = Exit::Internal;
            }
        }
    }
    if let Some(commit_exit) = record(&settings, &context, &redactor, &decision, &block) {
        exit = commit_exit;
    } else if decision.result == Verdict::Fail && settings.fail_on_gate && exit == Exit::Success {
        exit = Exit::GateFailed;
    }
    exit
}

/// The decision and how it is said: the short reasons and the failure groups.
struct Said<'a> {
    decision: &'a GateDecision,
    short_reasons: &'a [String],
    groups: &'a [FailureGroup],
}

/// Writes outputs, the job summary, annotations, the evidence file and the log lines.
///
/// Nothing here grows with the number of spec files: the log lines are printed in chunks, the
/// outputs are planned within GitHub's limit ([`crate::outputs`]) and the summary gets at most
/// [`MAX_SUMMARY_SPECS`] spec files; what they leave out is said in a note.
#[allow(clippy::too_many_arguments)]
fn report_locally(
    settings: &GateSettings,
    context: &RunContext,
    redactor: &Redactor,
    said: &Said<'_>,
    verdicts: &SpecVerdicts<'_>,
    data: &RunData,
    findings: &Findings,
    totals: [u64; 4],
    block: &str,
) -> Exit {
    let mut exit = Exit::Success;
    let decision = said.decision;
    let kept: Vec<Finding> = findings.iter().cloned().collect();
    let mut notes = decision.notes.clone();

    // Outputs and summary are chosen first, so the log and the summary can say what they
    // leave out.
    let output_file = OutputFile::from_env();
    let planned = output_file
        .as_ref()
        .map(|_| plan_outputs(said, verdicts, &kept, findings, totals, block, redactor));
    if let Some(note) = planned.as_ref().and_then(outputs_note) {
        notes.push(note);
    }
    let summary_path = runner::summary_path_from_env();
    let summary_specs = summary_path
        .as_ref()
        .map(|_| SummarySpecs::choose(verdicts, &data.tallies));
    if let Some(note) = summary_specs.as_ref().and_then(SummarySpecs::note) {
        notes.push(note);
    }

    // Log lines, printed in chunks of whole lines.
    println!("itm-gate: {}", decision.result);
    let mut log = ChunkedLog::new(redactor);
    for reason in said.short_reasons {
        log.line(format_args!("  reason: {reason}"));
    }
    for note in &notes {
        log.line(format_args!("  note: {note}"));
    }
    for spec in verdicts.in_display_order() {
        log.line(format_args!(
            "  {} {}{}: {} passed, {} failed, {} flaky, {} skipped ({} did not run)",
            spec.verdict,
            spec.file,
            if spec.required { " (required)" } else { "" },
            spec.passed,
            spec.failed,
            spec.flaky,
            spec.skipped,
            spec.did_not_run
        ));
    }
    for finding in &kept {
        log.line(format_args!(
            "  finding: {} {} at {}: {}",
            finding.severity,
            finding.rule,
            finding.place(),
            finding.excerpt
        ));
    }
    log.flush();
    runner::print_untrusted(&format!("\n{block}"));

    // Evidence file first: the cheapest place the evidence survives.
    if let Some(path) = &settings.evidence_file {
        // Never through a link: a new file renamed into place (the path was checked to stay
        // inside the workspace when the settings were read).
        let written = crate::paths::write_replacing(path, block.as_bytes());
        if let Err(err) = written {
            runner::eprint_line(&format!(
                "itm-gate: cannot write `evidence-file` {}: {err}",
                path.display()
            ));
            exit = Exit::Internal;
        }
    }

    // Outputs.
    if let (Some(mut outputs), Some(planned)) = (output_file, planned) {
        for (name, value) in &planned.values {
            if let Err(err) = outputs.set(name, value) {
                runner::eprint_line(&format!("itm-gate: cannot write output `{name}`: {err}"));
                exit = Exit::Internal;
            }
        }
    }

    // Job summary.
    if let (Some(path), Some(chosen)) = (summary_path, summary_specs) {
        let view = SummaryView {
            result: decision.result,
            reasons: said.short_reasons,
            notes: &notes,
            specs: &chosen.specs,
            tallies: &chosen.tallies,
            groups: said.groups,
            findings: &kept,
            findings_omitted: findings.omitted(),
            evidence: block,
            blob_base: context.blob_base(),
            report_url: settings.report_url.as_deref(),
            totals,
        };
        let (full, fallback) = summary::render(&view);
        let full = redactor.redact(&full);
        let fallback = redactor.redact(&fallback);
        if let Err(err) = runner::write_summary(&path, &full, &fallback) {
            runner::eprint_line(&format!("itm-gate: cannot write the job summary: {err}"));
            exit = Exit::Internal;
        }
    }

    // Annotations.
    if runner::in_github_actions() {
        let dropped = runner::print_annotations(annotations(
            decision,
            said.short_reasons,
            said.groups,
            data,
            findings,
            redactor,
        ));
        if dropped.total() > 0 {
            runner::print_line(&format!(
                "itm-gate: {} more annotations were left out (GitHub shows at most {} per kind and step); see the job summary",
                dropped.total(),
                runner::ANNOTATIONS_PER_LEVEL
            ));
        }
    }
    exit
}

/// Plans the step outputs within GitHub's limit: every text redacted before it is measured and
/// cut, specs in [`SpecVerdicts::by_priority`] order.
fn plan_outputs(
    said: &Said<'_>,
    verdicts: &SpecVerdicts<'_>,
    kept: &[Finding],
    findings: &Findings,
    totals: [u64; 4],
    block: &str,
    redactor: &Redactor,
) -> PlannedOutputs {
    let reasons: Vec<String> = said
        .short_reasons
        .iter()
        .map(|r| redactor.redact(r).into_owned())
        .collect();
    outputs::plan(
        OutputsInput {
            result: said.decision.result.as_str(),
            reasons: &reasons,
            evidence: block,
            specs: verdicts.by_priority(),
            findings: kept,
            findings_not_kept: findings.omitted(),
            totals,
        },
        |spec| spec_json(spec, redactor),
        |finding| finding_json(finding, redactor),
    )
}

/// One element of the `specs` output: its texts redacted before it is serialized, so a secret
/// is found as written (not in its JSON-escaped form) and the redaction cannot break the JSON.
fn spec_json(spec: &SpecReport, redactor: &Redactor) -> String {
    let redact = |text: &String| redactor.redact(text).into_owned();
    let shown = SpecReport {
        file: redact(&spec.file),
        skip_reasons: spec.skip_reasons.iter().map(redact).collect(),
        reasons: spec.reasons.iter().map(redact).collect(),
        ..spec.clone()
    };
    serde_json::to_string(&shown).unwrap_or_else(|_| "null".to_string())
}

/// One element of the `findings` output, redacted field by field like [`spec_json`].
fn finding_json(finding: &Finding, redactor: &Redactor) -> String {
    let redact = |text: &String| redactor.redact(text).into_owned();
    let shown = Finding {
        rule: redact(&finding.rule),
        source: redact(&finding.source),
        excerpt: redact(&finding.excerpt),
        ..finding.clone()
    };
    serde_json::to_string(&shown).unwrap_or_else(|_| "null".to_string())
}

/// What the outputs left out to stay within GitHub's limit, as a note; `None` when nothing.
fn outputs_note(planned: &PlannedOutputs) -> Option<String> {
    if !planned.anything_cut() {
        return None;
    }
    let mut parts = Vec::new();
    if planned.specs_omitted > 0 {
        parts.push(format!(
            "`specs` lists {} of {} spec files (required first, then failing, then the rest; `specs-omitted` is {})",
            planned.specs_listed,
            planned.specs_listed + planned.specs_omitted,
            planned.specs_omitted
        ));
    }
    if planned.findings_cut > 0 {
        parts.push(format!(
            "`findings` lists {} of {} findings (`findings-omitted` is {})",
            planned.findings_listed,
            planned.findings_listed + planned.findings_omitted,
            planned.findings_omitted
        ));
    }
    if planned.reasons_omitted > 0 {
        parts.push(format!(
            "`reasons` leaves out its last {} lines",
            planned.reasons_omitted
        ));
    }
    if planned.evidence_cut {
        parts.push("`evidence` is cut".to_string());
    }
    Some(format!(
        "step outputs kept within GitHub's 1 MB limit ({} UTF-16 units at most): {}; the step log has everything",
        outputs::OUTPUTS_BUDGET,
        parts.join("; ")
    ))
}

/// The spec files the job summary shows: at most [`MAX_SUMMARY_SPECS`] in its table (in
/// [`SpecVerdicts::by_priority`] order), with the tallies of those and of every file with tests
/// listed by name.
struct SummarySpecs {
    specs: Vec<SpecReport>,
    tallies: BTreeMap<String, SpecTally>,
    omitted: u64,
}

impl SummarySpecs {
    fn choose(verdicts: &SpecVerdicts<'_>, tallies: &Tallies) -> SummarySpecs {
        let mut specs = Vec::new();
        let mut omitted = 0;
        for spec in verdicts.by_priority() {
            if specs.len() < MAX_SUMMARY_SPECS {
                specs.push(spec);
            } else {
                omitted += 1;
            }
        }
        // Shown in display order: the required ones first, then the others by path.
        let required = specs.iter().take_while(|s| s.required).count();
        specs[required..].sort_by(|a, b| a.file.cmp(&b.file));
        let mut chosen: BTreeMap<String, SpecTally> = tallies
            .iter_listed()
            .map(|(file, tally)| (file.to_string(), tally))
            .collect();
        for spec in &specs {
            if !chosen.contains_key(&spec.file)
                && let Some(tally) = tallies.get(&spec.file)
            {
                chosen.insert(spec.file.clone(), tally);
            }
        }
        SummarySpecs {
            specs,
            tallies: chosen,
            omitted,
        }
    }

    fn note(&self) -> Option<String> {
        (self.omitted > 0).then(|| {
            format!(
                "the job summary lists {} of {} spec files (required first, then failing, then the rest); the step log lists every one",
                self.specs.len(),
                self.specs.len() as u64 + self.omitted
            )
        })
    }
}

/// Untrusted log lines, redacted and printed in chunks of whole lines, so a run with 100,000
/// spec files never builds its whole log in memory.
struct ChunkedLog<'a> {
    redactor: &'a Redactor,
    buffer: String,
}

impl<'a> ChunkedLog<'a> {
    /// Bytes gathered before a chunk is printed.
    const CHUNK: usize = 64 * 1024;

    fn new(redactor: &'a Redactor) -> ChunkedLog<'a> {
        ChunkedLog {
            redactor,
            buffer: String::new(),
        }
    }

    fn line(&mut self, line: std::fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        let _ = writeln!(self.buffer, "{line}");
        if self.buffer.len() >= Self::CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.buffer.is_empty() {
            runner::print_untrusted(&self.redactor.redact(&self.buffer));
            self.buffer.clear();
        }
    }
}

/// Commits (or shows) the evidence as the `commit` and `dry-run` inputs say.
/// Returns an exit code only when recording failed.
fn record(
    settings: &GateSettings,
    context: &RunContext,
    redactor: &Redactor,
    decision: &GateDecision,
    block: &str,
) -> Option<Exit> {
    if !settings
        .commit
        .should_commit(decision.result == Verdict::Pass)
    {
        runner::print_line(&format!(
            "itm-gate: evidence not committed (commit: {}, result: {})",
            settings.commit, decision.result
        ));
        return None;
    }
    let update =
        |document: Option<&str>| statusdoc::apply_evidence(document.unwrap_or(""), block).0;
    let remote = settings.token.is_some() && context.repository.is_some();
    if !remote {
        if runner::in_github_actions() {
            runner::eprint_line(&format!(
                "itm-gate: cannot commit the evidence: {} (set the `token` input, default `${{{{ github.token }}}}`)",
                if settings.token.is_none() {
                    "no token"
                } else {
                    "GITHUB_REPOSITORY is not set"
                }
            ));
            return Some(Exit::GitHub);
        }
        // Local run without GitHub: show the change against the workspace copy.
        // The status file was checked to resolve inside the workspace; only a regular file is
        // read.
        let local = settings.workspace.join(&settings.status_file);
        let current = crate::paths::open_regular(&local)
            .ok()
            .and_then(|mut file| {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut file, &mut text).ok()?;
                Some(text)
            });
        let new = update(current.as_deref());
        if current.as_deref() == Some(new.as_str()) {
            runner::print_line(&format!(
                "itm-gate: {} already holds this evidence",
                settings.status_file
            ));
        } else {
            runner::print_line(&format!(
                "itm-gate: no token or repository, so nothing is committed; the change to {} would be:",
                settings.status_file
            ));
            runner::print_untrusted(&redactor.redact(&statusdoc::unified_diff(
                &settings.status_file,
                current.as_deref().unwrap_or(""),
                &new,
            )));
        }
        return None;
    }
    let token = settings.token.as_deref().unwrap_or_default();
    let repository = context.repository.clone().unwrap_or_default();
    let branch =
        match crate::settings::resolve_branch(settings.branch.as_deref(), &|name| env(name)) {
            Ok(branch) => branch,
            Err(err) => {
                runner::eprint_line(&format!("itm-gate: {}", redactor.redact(&err.to_string())));
                return Some(Exit::GitHub);
            }
        };
    let request = RecordRequest {
        repository,
        branch,
        path: settings.status_file.clone(),
        message: github::commit_message(
            context.sha.as_deref().unwrap_or("unknown"),
            context.run_id.as_deref(),
        ),
        dry_run: settings.dry_run,
    };
    let outcome = GitHubClient::from_env(token)
        .and_then(|client| github::block_on(github::record_evidence(&client, &request, &update))?);
    match outcome {
        Ok(RecordOutcome::Committed { sha, url }) => {
            runner::print_line(&format!(
                "itm-gate: evidence committed to {} on {}: {url}",
                request.path, request.branch
            ));
            if let Some(mut outputs) = OutputFile::from_env() {
                let written = outputs
                    .set("commit-sha", &sha)
                    .and_then(|()| outputs.set("commit-url", &url));
                if let Err(err) = written {
                    runner::eprint_line(&format!(
                        "itm-gate: cannot write the commit outputs: {err}"
                    ));
                    return Some(Exit::Internal);
                }
            }
            None
        }
        Ok(RecordOutcome::Unchanged) => {
            runner::print_line(&format!(
                "itm-gate: {} on {} already holds this evidence; nothing to commit",
                request.path, request.branch
            ));
            None
        }
        Ok(RecordOutcome::DryRun { diff }) => {
            runner::print_line(&format!(
                "itm-gate: dry run: the evidence commit would change {} on {}:",
                request.path, request.branch
            ));
            runner::print_untrusted(&redactor.redact(&diff));
            None
        }
        Err(err) => {
            runner::eprint_line(&format!(
                "itm-gate: the gate result is {}, but the evidence was NOT committed: {}",
                decision.result,
                redactor.redact(&err.to_string())
            ));
            Some(Exit::GitHub)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing_spec(reason: &str) -> SpecReport {
        SpecReport {
            file: "e2e/specs/a.spec.ts".into(),
            verdict: Verdict::Fail,
            required: true,
            passed: 0,
            failed: 1,
            flaky: 0,
            skipped: 0,
            did_not_run: 0,
            skip_reasons: vec![],
            reasons: vec![reason.to_string()],
        }
    }

    /// A secret holding a quote or a backslash is escaped in JSON, so redacting the serialized
    /// text would miss it (and a match across an escape could break the JSON): elements are
    /// redacted field by field, then serialized.
    #[test]
    fn output_elements_are_redacted_before_they_are_serialized() {
        let secret = r#"s3cr"et\value-0123"#;
        let redactor = Redactor::new([secret.to_string()]);
        let spec = failing_spec(&format!("test failed: token {secret} rejected"));
        let json = spec_json(&spec, &redactor);
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let reason = parsed["reasons"][0].as_str().unwrap();
        assert!(!reason.contains(secret), "{reason}");
        assert!(reason.contains("[REDACTED]"), "{reason}");

        let finding = Finding {
            rule: "auth-failed".into(),
            severity: crate::logscan::Severity::Critical,
            source: "e2e.log".into(),
            line: Some(3),
            excerpt: format!("Authentication failed for {secret}"),
        };
        let parsed: serde_json::Value =
            serde_json::from_str(&finding_json(&finding, &redactor)).expect("valid JSON");
        assert!(!parsed["excerpt"].as_str().unwrap().contains(secret));
    }

    fn stats(expected: u64, unexpected: u64, flaky: u64, skipped: Option<u64>) -> Stats {
        Stats {
            start_time: None,
            expected: Some(expected),
            unexpected: Some(unexpected),
            flaky: Some(flaky),
            skipped,
        }
    }

    /// Issue 10: `stats.unexpected` of 3 while every listed test passed was only a note.
    #[test]
    fn stats_that_disagree_with_the_tests_say_what_disagrees() {
        assert_eq!(
            stats_disagreement(&stats(6, 0, 0, Some(2)), [6, 0, 0, 2]),
            None
        );
        assert_eq!(
            stats_disagreement(&stats(6, 3, 0, Some(2)), [6, 0, 0, 2]).as_deref(),
            Some("stats say 3 unexpected, the tests show 0")
        );
        assert_eq!(
            stats_disagreement(&stats(5, 0, 1, None), [6, 0, 0, 9]).as_deref(),
            Some("stats say 5 expected, the tests show 6; stats say 1 flaky, the tests show 0")
        );
    }
}
