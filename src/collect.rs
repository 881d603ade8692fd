//! Reading one run: the Playwright reports (streamed into per-spec tallies, their texts into
//! the log scanner) and the facts of the workflow run, gathered into [`RunData`].
//!
//! This is the gate's input edge: it opens the report files the `results` input names (only
//! regular files), maps report paths to repository paths ([`crate::paths`]), and checks each
//! report against itself (labels and `stats` against the attempts). It decides nothing.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;

use crate::config::GateSettings;
use crate::logscan::{Findings, Scanner, TextStream};
use crate::paths::{PathMapper, Workspace};
use crate::report::{
    self, Outcome, ReportConfig, ReportSink, SecondHalf, Shard, Stats, Status, TestCase, TextKind,
    TextOrigin, TopLevelError,
};
use crate::verdict::{Tallies, label_disagreement};

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

impl RunContext {
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
    let two_readers_from = report::two_readers_from_env();
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
