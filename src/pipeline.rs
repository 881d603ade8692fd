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

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use regex::Regex;
use std::sync::LazyLock;

use crate::config::{FlakyPolicy, GateArgs, GateSettings};
use crate::evidence::{self, Evidence};
use crate::exit::Exit;
use crate::gate::{self, GateDecision, GateFacts};
use crate::github::{self, GitHubClient, RecordOutcome, RecordRequest};
use crate::logscan::{Finding, Findings, RuleSet, Scanner, TextStream};
use crate::paths::{PathMapper, Workspace};
use crate::redact::Redactor;
use crate::report::{
    self, Outcome, ReportConfig, ReportSink, SecondHalf, Shard, Stats, Status, TestCase, TextKind,
    TextOrigin, TopLevelError,
};
use crate::runner::{self, Annotation, Level, OutputFile};
use crate::statusdoc;
use crate::summary::{self, SummaryView};
use crate::verdict::{SpecReport, Tallies, Verdict, VerdictRules, judge, label_disagreement};

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
    /// Top-level errors, first line each.
    pub top_level_errors: Vec<String>,
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

    fn test(&mut self, test: TestCase) {
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
        self.data
            .top_level_errors
            .push(format!("{}: {first_line}", self.report_label));
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

/// The verdict of every spec: required specs first in input order, then the report's others.
pub fn spec_reports(settings: &GateSettings, tallies: &Tallies) -> Vec<SpecReport> {
    let rules = VerdictRules {
        strict: settings.strict,
        allow_skip: settings.allow_skip.clone(),
        flaky_fails: settings.flaky == FlakyPolicy::Fail,
    };
    let mut reports: Vec<SpecReport> = settings
        .specs
        .iter()
        .map(|file| judge(file, tallies.specs().get(file), true, &rules))
        .collect();
    for (file, tally) in tallies.specs() {
        if !settings.specs.contains(file) {
            reports.push(judge(file, Some(tally), false, &rules));
        }
    }
    reports
}

/// Totals over every test: passed, failed, flaky, skipped.
fn totals(specs: &[SpecReport]) -> [u64; 4] {
    specs.iter().fold([0; 4], |[p, f, fl, s], spec| {
        [
            p + spec.passed,
            f + spec.failed,
            fl + spec.flaky,
            s + spec.skipped,
        ]
    })
}

/// The evidence notes: counts, flaky tests, skip reasons, log findings; one short line.
fn evidence_notes(
    totals: [u64; 4],
    specs: &[SpecReport],
    data: &RunData,
    decision: &GateDecision,
    findings: &Findings,
) -> String {
    let [passed, failed, flaky, skipped] = totals;
    let did_not_run: u64 = specs.iter().map(|s| s.did_not_run).sum();
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
    let flaky_titles: Vec<String> = data
        .tallies
        .specs()
        .values()
        .flat_map(|t| t.flaky_tests.iter())
        .take(3)
        .map(|t| note_text(&t.label(), 80))
        .collect();
    if !flaky_titles.is_empty() {
        parts.push(format!("flaky: {}", flaky_titles.join("; ")));
    }
    let mut reasons: Vec<(String, u64)> = Vec::new();
    for tally in data.tallies.specs().values() {
        for (reason, count) in &tally.skip_reasons {
            match reasons.iter_mut().find(|(r, _)| r == reason) {
                Some((_, n)) => *n += count,
                None => reasons.push((reason.clone(), *count)),
            }
        }
    }
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
    if let Some(first) = decision.reasons.first() {
        let more = decision.reasons.len() - 1;
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

/// One line of untrusted text for the evidence notes: ANSI codes and line breaks removed, cut,
/// and the characters that could start Markdown or HTML markup escaped (the block is read raw
/// in the status document too, so ordinary punctuation is left alone).
fn note_text(text: &str, max_chars: usize) -> String {
    let plain = crate::text::strip_ansi(text);
    let one_line: String = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let short = crate::text::truncate_chars(&one_line, max_chars);
    let mut out = String::with_capacity(short.len());
    for c in short.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Annotations in order of usefulness: the gate result, failing tests at their lines,
/// critical findings, flaky tests, warnings.
fn annotations(
    decision: &GateDecision,
    data: &RunData,
    findings: &Findings,
    redactor: &Redactor,
) -> Vec<Annotation> {
    let mut out = Vec::new();
    if decision.result == Verdict::Fail {
        let reasons = decision
            .reasons
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
    for (file, tally) in data.tallies.specs() {
        for failure in &tally.failures {
            let line = failure.error_line.unwrap_or(failure.test.line);
            let message = crate::text::truncate_chars(&failure.message, 1000).into_owned();
            out.push(
                Annotation::new(Level::Error, redactor.redact(&message).into_owned())
                    .with_title(
                        redactor
                            .redact(&format!("Test failed: {}", failure.test.label()))
                            .into_owned(),
                    )
                    .at(file.clone(), Some(u64::from(line.max(1)))),
            );
        }
    }
    for finding in findings.critical() {
        out.push(finding_annotation(Level::Error, finding));
    }
    for (file, tally) in data.tallies.specs() {
        for test in &tally.flaky_tests {
            out.push(
                Annotation::new(Level::Warning, "passed only on retry")
                    .with_title(
                        redactor
                            .redact(&format!("Flaky test: {}", test.label()))
                            .into_owned(),
                    )
                    .at(file.clone(), Some(u64::from(test.line.max(1)))),
            );
        }
    }
    for finding in findings.warnings() {
        out.push(finding_annotation(Level::Warning, finding));
    }
    out
}

fn finding_annotation(level: Level, finding: &Finding) -> Annotation {
    Annotation::new(
        level,
        format!("{} (at {})", finding.excerpt, finding.place()),
    )
    .with_title(format!("Log finding: {}", finding.rule))
}

/// Runs the `gate` command and returns its exit code.
pub fn run(args: GateArgs) -> Exit {
    let settings = match GateSettings::resolve(args) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("itm-gate: {err}");
            return Exit::Usage;
        }
    };
    let rules = match &settings.log_rules {
        None => RuleSet::builtin(),
        Some(path) => match RuleSet::builtin().with_rules_file(path) {
            Ok(rules) => rules,
            Err(err) => {
                eprintln!("itm-gate: input `log-rules`: {err}");
                return Exit::Usage;
            }
        },
    };
    let redactor = Redactor::from_env(settings.token.as_deref());
    let scanner = Scanner::new(rules, redactor.clone());
    let context = RunContext::from_env();

    // Read.
    let mut findings = Findings::new();
    let data = read_reports(&settings, &context, &scanner, &mut findings);
    scanner.scan_paths(&settings.logs, &settings.workspace, &mut findings);

    // Decide.
    let specs = spec_reports(&settings, &data.tallies);
    let totals = totals(&specs);
    let facts = GateFacts {
        reports_read: data.reports_read,
        report_problems: data.report_problems.clone(),
        top_level_errors: data.top_level_errors.clone(),
        tests_run: totals[0] + totals[1] + totals[2],
        specs: specs.clone(),
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
    decision.notes.extend(data.notes.iter().cloned());

    // Evidence.
    let evidence_specs: Vec<(String, Verdict)> = specs
        .iter()
        .filter(|s| s.required || s.verdict == Verdict::Fail)
        .map(|s| (s.file.clone(), s.verdict))
        .collect();
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
        notes: evidence_notes(totals, &specs, &data, &decision, &findings),
    };
    let block = redactor.redact(&evidence::render(&evidence)).into_owned();

    // Write what the runner shows; nothing below may lose the evidence.
    let mut exit = report_locally(
        &settings, &context, &redactor, &decision, &specs, &data, &findings, totals, &block,
    );

    // Record. `commit-sha` and `commit-url` are empty unless a commit is made.
    if let Some(mut outputs) = OutputFile::from_env() {
        for name in ["commit-sha", "commit-url"] {
            if let Err(err) = outputs.set(name, "") {
                eprintln!("itm-gate: cannot write output `{name}`: {err}");
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

/// Writes outputs, the job summary, annotations, the evidence file and the log lines.
#[allow(clippy::too_many_arguments)]
fn report_locally(
    settings: &GateSettings,
    context: &RunContext,
    redactor: &Redactor,
    decision: &GateDecision,
    specs: &[SpecReport],
    data: &RunData,
    findings: &Findings,
    totals: [u64; 4],
    block: &str,
) -> Exit {
    let mut exit = Exit::Success;
    let kept: Vec<Finding> = findings.iter().cloned().collect();

    // Log lines.
    println!("itm-gate: {}", decision.result);
    let mut lines = String::new();
    for reason in &decision.reasons {
        lines.push_str(&format!("  reason: {reason}\n"));
    }
    for note in &decision.notes {
        lines.push_str(&format!("  note: {note}\n"));
    }
    for spec in specs {
        lines.push_str(&format!(
            "  {} {}{}: {} passed, {} failed, {} flaky, {} skipped ({} did not run)\n",
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
        lines.push_str(&format!(
            "  finding: {} {} at {}: {}\n",
            finding.severity,
            finding.rule,
            finding.place(),
            finding.excerpt
        ));
    }
    runner::print_untrusted(&redactor.redact(&lines));
    runner::print_untrusted(&format!("\n{block}"));

    // Evidence file first: the cheapest place the evidence survives.
    if let Some(path) = &settings.evidence_file {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, block));
        if let Err(err) = written {
            eprintln!(
                "itm-gate: cannot write `evidence-file` {}: {err}",
                path.display()
            );
            exit = Exit::Internal;
        }
    }

    // Outputs.
    if let Some(mut outputs) = OutputFile::from_env() {
        let specs_json = serde_json::to_string(specs).unwrap_or_else(|_| "[]".to_string());
        let findings_json = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".to_string());
        let values = [
            ("result", decision.result.to_string()),
            ("reasons", decision.reasons.join("\n")),
            ("evidence", block.to_string()),
            ("specs", specs_json),
            ("passed", totals[0].to_string()),
            ("failed", totals[1].to_string()),
            ("flaky", totals[2].to_string()),
            ("skipped", totals[3].to_string()),
            ("findings", findings_json),
        ];
        for (name, value) in values {
            if let Err(err) = outputs.set(name, &redactor.redact(&value)) {
                eprintln!("itm-gate: cannot write output `{name}`: {err}");
                exit = Exit::Internal;
            }
        }
    }

    // Job summary.
    if let Some(path) = runner::summary_path_from_env() {
        let view = SummaryView {
            result: decision.result,
            reasons: &decision.reasons,
            notes: &decision.notes,
            specs,
            tallies: data.tallies.specs(),
            findings: &kept,
            findings_omitted: findings.omitted(),
            evidence: block,
            blob_base: context.blob_base(),
            totals,
        };
        let (full, fallback) = summary::render(&view);
        let full = redactor.redact(&full);
        let fallback = redactor.redact(&fallback);
        if let Err(err) = runner::write_summary(&path, &full, &fallback) {
            eprintln!("itm-gate: cannot write the job summary: {err}");
            exit = Exit::Internal;
        }
    }

    // Annotations.
    if runner::in_github_actions() {
        let dropped = runner::print_annotations(annotations(decision, data, findings, redactor));
        if dropped.total() > 0 {
            println!(
                "itm-gate: {} more annotations were left out (GitHub shows at most {} per kind and step); see the job summary",
                dropped.total(),
                runner::ANNOTATIONS_PER_LEVEL
            );
        }
    }
    exit
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
        println!(
            "itm-gate: evidence not committed (commit: {}, result: {})",
            settings.commit, decision.result
        );
        return None;
    }
    let update =
        |document: Option<&str>| statusdoc::apply_evidence(document.unwrap_or(""), block).0;
    let remote = settings.token.is_some() && context.repository.is_some();
    if !remote {
        if runner::in_github_actions() {
            eprintln!(
                "itm-gate: cannot commit the evidence: {} (set the `token` input, default `${{{{ github.token }}}}`)",
                if settings.token.is_none() {
                    "no token"
                } else {
                    "GITHUB_REPOSITORY is not set"
                }
            );
            return Some(Exit::GitHub);
        }
        // Local run without GitHub: show the change against the workspace copy.
        let local = settings.workspace.join(&settings.status_file);
        let current = std::fs::read_to_string(&local).ok();
        let new = update(current.as_deref());
        if current.as_deref() == Some(new.as_str()) {
            println!(
                "itm-gate: {} already holds this evidence",
                settings.status_file
            );
        } else {
            println!(
                "itm-gate: no token or repository, so nothing is committed; the change to {} would be:",
                settings.status_file
            );
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
    let branch = match github::resolve_branch(settings.branch.as_deref(), &|name| env(name)) {
        Ok(branch) => branch,
        Err(err) => {
            eprintln!("itm-gate: {}", redactor.redact(&err.to_string()));
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
            println!(
                "itm-gate: evidence committed to {} on {}: {url}",
                request.path, request.branch
            );
            if let Some(mut outputs) = OutputFile::from_env() {
                let written = outputs
                    .set("commit-sha", &sha)
                    .and_then(|()| outputs.set("commit-url", &url));
                if let Err(err) = written {
                    eprintln!("itm-gate: cannot write the commit outputs: {err}");
                    return Some(Exit::Internal);
                }
            }
            None
        }
        Ok(RecordOutcome::Unchanged) => {
            println!(
                "itm-gate: {} on {} already holds this evidence; nothing to commit",
                request.path, request.branch
            );
            None
        }
        Ok(RecordOutcome::DryRun { diff }) => {
            println!(
                "itm-gate: dry run: the evidence commit would change {} on {}:",
                request.path, request.branch
            );
            runner::print_untrusted(&redactor.redact(&diff));
            None
        }
        Err(err) => {
            eprintln!(
                "itm-gate: the gate result is {}, but the evidence was NOT committed: {}",
                decision.result,
                redactor.redact(&err.to_string())
            );
            Some(Exit::GitHub)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
