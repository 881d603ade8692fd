//! Per-spec verdicts: `PASS`, `FAIL` or `SKIP`, with counts and reasons (DESIGN.md section 3).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher, RandomState};
use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use crate::failure_groups::Place;
use crate::report::{Outcome, Status, TestCase, TestOutcome, label_fits};
use crate::text::{strip_ansi, truncate_chars};

/// The verdict of one spec file, or of the whole gate (`PASS` / `FAIL` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// Every test that ran passed and nothing disqualifying was seen.
    Pass,
    /// At least one rule of DESIGN.md section 3 failed the spec.
    Fail,
    /// Every test of the spec was skipped on purpose, and no rule failed it.
    Skip,
}

impl Verdict {
    /// The word used in the evidence block, outputs and summary.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "SKIP",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Most tests listed by name per spec and kind (failed, flaky, not run); the rest are counted.
pub const MAX_LISTED_TESTS: usize = 50;

/// Most tests listed by name over the whole run, so memory stays flat however large the
/// report: a job summary could not show more within GitHub's 1 MiB anyway.
pub const MAX_LISTED_TOTAL: usize = 500;

/// Most load-error messages kept over the whole run; further load errors are counted per file
/// (a broken helper imported by every spec file gives one load error per file).
pub const MAX_LOAD_ERRORS: usize = 100;

/// Longest error message kept per failed test, in characters.
pub const MAX_FAILURE_CHARS: usize = 1500;

/// The settings the verdict rules depend on (the `strict`, `allow-skip` and `flaky` inputs).
#[derive(Debug, Clone)]
pub struct VerdictRules {
    /// A skipped test in a required spec fails it, unless `allow_skip` matches its reason.
    pub strict: bool,
    /// Skip reasons acceptable even in strict mode.
    pub allow_skip: Vec<Regex>,
    /// `flaky: fail`: a test that passed only on retry fails its spec.
    pub flaky_fails: bool,
}

impl VerdictRules {
    /// Whether `allow-skip` accepts a skip reason.
    pub fn skip_allowed(&self, reason: &str) -> bool {
        self.allow_skip.iter().any(|re| re.is_match(reason))
    }
}

/// A test named in the summary and in reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestRef {
    /// Describe and test titles joined by ` › `.
    pub title: String,
    /// The project that ran it (empty for the default project).
    pub project: String,
    /// 1-based line in the spec file.
    pub line: u32,
}

impl TestRef {
    fn of(test: &TestCase) -> TestRef {
        TestRef {
            title: test.title(),
            project: test.project.clone(),
            line: test.line,
        }
    }

    /// `title [project]`, for one-line reasons.
    pub fn label(&self) -> String {
        if self.project.is_empty() {
            self.title.clone()
        } else {
            format!("{} [{}]", self.title, self.project)
        }
    }
}

/// A test that failed by the gate's rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedTest {
    /// Which test.
    pub test: TestRef,
    /// Status of its last attempt (`failed`, `timedOut`, …); when a retry skipped itself or
    /// was interrupted after a failure, both (`failed, then skipped on retry: "<reason>"`).
    pub status: String,
    /// How many attempts ran.
    pub attempts: usize,
    /// The first error message of the last failing attempt (ANSI codes stripped, capped).
    pub message: String,
    /// The line the error points at in the spec file, when it is in the spec file.
    pub error_line: Option<u32>,
    /// Where the error points (the top frame inside the repository), as a repository path;
    /// `None` when the report gives no location or it lies outside the repository.
    #[serde(skip)]
    pub location: Option<Place>,
}

/// Everything known about one spec file after reading the reports: what [`judge`] and the job
/// summary read. [`Tallies`] stores it more compactly and builds one on request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecTally {
    /// Tests whose outcome was expected.
    pub passed: u64,
    /// Tests whose outcome was unexpected.
    pub failed: u64,
    /// Tests that passed only on retry.
    pub flaky: u64,
    /// Tests with no attempt that ran (on purpose or not).
    pub skipped: u64,
    /// Skipped tests that were not skipped on purpose.
    pub did_not_run: u64,
    /// Reason → number of tests skipped on purpose with it.
    pub skip_reasons: BTreeMap<String, u64>,
    /// Failed tests, at most [`MAX_LISTED_TESTS`].
    pub failures: Vec<FailedTest>,
    /// Flaky tests, at most [`MAX_LISTED_TESTS`].
    pub flaky_tests: Vec<TestRef>,
    /// Tests that did not run, at most [`MAX_LISTED_TESTS`].
    pub not_run: Vec<TestRef>,
    /// Messages of errors that stopped the file from loading.
    pub load_errors: Vec<String>,
}

impl SpecTally {
    /// All tests of the spec.
    pub fn total(&self) -> u64 {
        self.passed + self.failed + self.flaky + self.skipped
    }
}

/// Tests counted over a run (or any set of spec files), by what they did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Tests that passed on their first attempt.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
    /// Tests that passed only on retry.
    pub flaky: u64,
    /// Tests skipped, on purpose or because they did not run.
    pub skipped: u64,
    /// Of the skipped tests, those that did not run (no attempt, or interrupted).
    pub did_not_run: u64,
}

impl Counts {
    /// Tests that ran: passed, failed and flaky.
    pub fn ran(&self) -> u64 {
        self.passed + self.failed + self.flaky
    }
}

/// The counts of one spec file as [`Tallies`] stores them: 20 bytes per file. A count stops at
/// `u32::MAX` (a report would need more than 400 GB to hold that many tests of one file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FileCounts {
    passed: u32,
    failed: u32,
    flaky: u32,
    skipped: u32,
    did_not_run: u32,
}

impl FileCounts {
    fn count(&mut self, class: TestClass, delta: i32) {
        let slot = match class {
            TestClass::Passed => &mut self.passed,
            TestClass::Failed => &mut self.failed,
            TestClass::Flaky => &mut self.flaky,
            TestClass::SkippedOnPurpose => &mut self.skipped,
            TestClass::DidNotRun => {
                self.did_not_run = self.did_not_run.saturating_add_signed(delta);
                &mut self.skipped
            }
        };
        *slot = slot.saturating_add_signed(delta);
    }

    fn absorb(&mut self, other: FileCounts) {
        self.passed = self.passed.saturating_add(other.passed);
        self.failed = self.failed.saturating_add(other.failed);
        self.flaky = self.flaky.saturating_add(other.flaky);
        self.skipped = self.skipped.saturating_add(other.skipped);
        self.did_not_run = self.did_not_run.saturating_add(other.did_not_run);
    }
}

/// What a spec file has beyond its counts: tests listed by name and load errors. Only files
/// with something to list have one, and the run lists at most [`MAX_LISTED_TOTAL`] tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Listed {
    failures: Vec<FailedTest>,
    flaky_tests: Vec<TestRef>,
    not_run: Vec<TestRef>,
    load_errors: Vec<String>,
}

impl Listed {
    fn tests(&self) -> usize {
        self.failures.len() + self.flaky_tests.len() + self.not_run.len()
    }
}

/// Most distinct skip reasons kept over the run; tests skipped for a further reason count under
/// [`OTHER_SKIP_REASONS`], so memory stays bounded even when every test gives its own reason.
pub const MAX_SKIP_REASONS: usize = 1000;

/// The skip reason counted for tests whose reason was not kept (see [`MAX_SKIP_REASONS`]).
/// `allow-skip` patterns are not meant to match it: in strict mode it fails a required spec,
/// since the real reason can no longer be checked.
pub const OTHER_SKIP_REASONS: &str =
    "(one of more than 1000 different skip reasons in this run; not kept)";

/// Strings stored once each, numbered in order of arrival: one shared buffer and an offset per
/// string, found again through a hash of the text (texts whose hashes collide are kept apart).
#[derive(Debug, Default)]
struct Interner {
    text: String,
    ends: Vec<usize>,
    by_hash: HashMap<u64, u32>,
    collided: HashMap<Box<str>, u32>,
    hasher: RandomState,
}

impl Interner {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.text[start..self.ends[id]]
    }

    fn find(&self, text: &str) -> Option<u32> {
        let id = *self.by_hash.get(&self.hasher.hash_one(text))?;
        if self.get(id) == text {
            Some(id)
        } else {
            self.collided.get(text).copied()
        }
    }

    fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.find(text) {
            return id;
        }
        let id = u32::try_from(self.ends.len()).expect("fewer than 4 billion distinct strings");
        self.text.push_str(text);
        self.ends.push(self.text.len());
        match self.by_hash.entry(self.hasher.hash_one(text)) {
            Entry::Vacant(slot) => {
                slot.insert(id);
            }
            Entry::Occupied(_) => {
                self.collided.insert(text.into(), id);
            }
        }
        id
    }
}

fn failed_test(test: &TestCase) -> FailedTest {
    let last_failing = test
        .attempts
        .iter()
        .rev()
        .find(|a| !a.errors.is_empty())
        .or(test.attempts.last());
    let message = last_failing
        .and_then(|a| a.errors.first())
        .map(|m| truncate_chars(strip_ansi(m).trim(), MAX_FAILURE_CHARS).into_owned())
        .unwrap_or_else(|| "(no error message)".to_string());
    let error_line = last_failing
        .and_then(|a| a.error_location.as_ref())
        .filter(|loc| loc.file.ends_with(&test.file))
        .map(|loc| loc.line);
    // The reader of the run maps error locations to repository paths; what stays absolute,
    // climbs out or sits in node_modules is not the repository's code.
    let location = last_failing
        .and_then(|a| a.error_location.as_ref())
        .filter(|loc| {
            !loc.file.is_empty()
                && !loc.file.starts_with('/')
                && !loc.file.starts_with("..")
                && !loc.file.contains(':')
                && !loc.file.contains("node_modules/")
        })
        .map(|loc| Place {
            file: loc.file.clone(),
            line: loc.line,
        });
    FailedTest {
        test: TestRef::of(test),
        status: failed_status(test),
        attempts: test.attempts.len(),
        message,
        error_line,
        location,
    }
}

/// The status of a failed test's last attempt; when that attempt was skipped or interrupted
/// after a failure, both (`failed, then skipped on retry: "<skip reason>"`), so that a retry
/// that skipped itself is seen.
fn failed_status(test: &TestCase) -> String {
    let word = |a: &crate::report::Attempt| a.status.map_or("unknown", Status::as_str);
    let Some(last) = test.attempts.last() else {
        return "no attempt".to_string();
    };
    if !matches!(last.status, Some(Status::Skipped | Status::Interrupted)) {
        return word(last).to_string();
    }
    let failed = test.attempts.iter().rev().find(|a| {
        !matches!(a.status, Some(Status::Skipped | Status::Interrupted))
            && a.status != Some(test.expected_status)
    });
    let Some(failed) = failed else {
        return word(last).to_string();
    };
    let mut status = format!("{}, then {} on retry", word(failed), word(last));
    if last.status == Some(Status::Skipped)
        && let Some(reason) = test.skip_reasons().first()
    {
        status.push_str(&format!(": \"{}\"", truncate_chars(reason, 200)));
    }
    status
}

/// How one test counts, from best to worst for the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TestClass {
    Passed,
    SkippedOnPurpose,
    Flaky,
    DidNotRun,
    Failed,
}

impl TestClass {
    fn from_outcome(outcome: TestOutcome) -> TestClass {
        match outcome {
            TestOutcome::Passed => TestClass::Passed,
            TestOutcome::Skipped => TestClass::SkippedOnPurpose,
            TestOutcome::Flaky => TestClass::Flaky,
            TestOutcome::DidNotRun => TestClass::DidNotRun,
            TestOutcome::Failed => TestClass::Failed,
        }
    }

    /// How a test counts: the gate's outcome from its attempts, or what its `status` label
    /// says when that is worse (DESIGN.md section 3: the worse counts).
    fn of(test: &TestCase) -> TestClass {
        let outcome = test.outcome();
        let from_attempts = TestClass::from_outcome(outcome);
        let from_label = match test.status {
            None => return from_attempts,
            Some(Outcome::Expected) => TestClass::Passed,
            Some(Outcome::Unexpected) => TestClass::Failed,
            Some(Outcome::Flaky) => TestClass::Flaky,
            Some(Outcome::Skipped) => match outcome {
                TestOutcome::Skipped | TestOutcome::DidNotRun => from_attempts,
                _ if test.expected_status == Status::Skipped => TestClass::SkippedOnPurpose,
                _ => TestClass::DidNotRun,
            },
        };
        from_attempts.max(from_label)
    }
}

/// When a test's `status` label contradicts its attempts (it is neither what Playwright writes
/// for them nor the gate's own outcome), the reason that says so; `None` when they agree or
/// the report has no label. `file` is the test's repository path.
pub fn label_disagreement(file: &str, test: &TestCase) -> Option<String> {
    let label = test.status?;
    if label_fits(label, test.expected_status, &test.attempts) {
        return None;
    }
    let shown = if test.attempts.is_empty() {
        "it has no attempt at all".to_string()
    } else {
        format!(
            "its attempts show {} ({})",
            test.outcome().as_str(),
            attempt_statuses(test)
        )
    };
    Some(format!(
        "test {file} › {} is labelled `{}` but {shown}",
        TestRef::of(test).label(),
        label.as_str()
    ))
}

/// The attempts' statuses, comma-separated (`failed, skipped`).
fn attempt_statuses(test: &TestCase) -> String {
    test.attempts
        .iter()
        .map(|a| a.status.map_or("unknown", Status::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Tallies tests per spec file across every report of a run (shards add up).
///
/// The same test (file, titles, project, line) seen twice, in two shard files or in a merged
/// report given together with its shards, counts once, with the worse of its outcomes: a
/// duplicate can never hide a failure.
///
/// Memory stays small per spec file, so 100,000 files fit in a few MB (DESIGN.md section 9):
/// each path is stored once, in one shared buffer; counts take 20 bytes per file; skip reasons
/// are stored once per run ([`MAX_SKIP_REASONS`] at most) and counted per file by number; tests
/// listed by name ([`MAX_LISTED_TOTAL`] over the run) are kept only for the files they belong to.
/// [`SpecTally`] values are built on request.
#[derive(Debug)]
pub struct Tallies {
    /// Spec file paths; a file's number indexes `counts`.
    files: Interner,
    counts: Vec<FileCounts>,
    listed: BTreeMap<u32, Listed>,
    reasons: Interner,
    /// (file, reason) → tests skipped on purpose with that reason.
    skips: BTreeMap<(u32, u32), u64>,
    /// Load errors kept by message over the run, and per file those counted without it.
    load_errors_kept: usize,
    load_errors_not_kept: BTreeMap<u32, u64>,
    /// Every test seen: its class and its file.
    seen: HashMap<u64, (TestClass, u32)>,
    duplicates: u64,
    listing_budget: usize,
    /// File numbers in path order, computed on first use after a change.
    sorted: OnceLock<Vec<u32>>,
}

impl Default for Tallies {
    fn default() -> Self {
        Tallies {
            files: Interner::default(),
            counts: Vec::new(),
            listed: BTreeMap::new(),
            reasons: Interner::default(),
            skips: BTreeMap::new(),
            load_errors_kept: 0,
            load_errors_not_kept: BTreeMap::new(),
            seen: HashMap::new(),
            duplicates: 0,
            listing_budget: MAX_LISTED_TOTAL,
            sorted: OnceLock::new(),
        }
    }
}

impl Tallies {
    fn file_id(&mut self, file: &str) -> u32 {
        if let Some(last) = self.files.len().checked_sub(1) {
            let last = last as u32;
            if self.files.get(last) == file {
                return last;
            }
        }
        let id = self.files.intern(file);
        if id as usize == self.counts.len() {
            self.counts.push(FileCounts::default());
            self.sorted = OnceLock::new();
        }
        id
    }

    fn reason_id(&mut self, reason: &str) -> u32 {
        match self.reasons.find(reason) {
            Some(id) => id,
            None if self.reasons.len() < MAX_SKIP_REASONS => self.reasons.intern(reason),
            None => self.reasons.intern(OTHER_SKIP_REASONS),
        }
    }

    /// Adds the tallies of the rest of the same run, read separately (the second half of a
    /// large report): counts add up, a test seen by both counts once with the worse outcome,
    /// and tests are listed by name in report order, within the same bounds as [`Tallies::add`].
    pub fn merge(&mut self, other: Tallies) {
        let ids: Vec<u32> = (0..other.files.len() as u32)
            .map(|theirs| self.file_id(other.files.get(theirs)))
            .collect();
        for (theirs, counts) in other.counts.iter().enumerate() {
            self.counts[ids[theirs] as usize].absorb(*counts);
        }
        for (theirs, listed) in other.listed {
            let mine = self.listed.entry(ids[theirs as usize]).or_default();
            fn take<T>(mine: &mut Vec<T>, theirs: Vec<T>, budget: &mut usize) {
                for item in theirs {
                    if mine.len() >= MAX_LISTED_TESTS || *budget == 0 {
                        break;
                    }
                    *budget -= 1;
                    mine.push(item);
                }
            }
            take(
                &mut mine.failures,
                listed.failures,
                &mut self.listing_budget,
            );
            take(
                &mut mine.flaky_tests,
                listed.flaky_tests,
                &mut self.listing_budget,
            );
            take(&mut mine.not_run, listed.not_run, &mut self.listing_budget);
            for error in listed.load_errors {
                if self.load_errors_kept < MAX_LOAD_ERRORS {
                    self.load_errors_kept += 1;
                    mine.load_errors.push(error);
                } else {
                    *self
                        .load_errors_not_kept
                        .entry(ids[theirs as usize])
                        .or_default() += 1;
                }
            }
        }
        for (theirs, count) in other.load_errors_not_kept {
            *self
                .load_errors_not_kept
                .entry(ids[theirs as usize])
                .or_default() += count;
        }
        self.listed
            .retain(|_, listed| listed.tests() > 0 || !listed.load_errors.is_empty());
        for ((file, reason), count) in other.skips {
            let reason = self.reason_id(other.reasons.get(reason));
            *self.skips.entry((ids[file as usize], reason)).or_default() += count;
        }
        self.duplicates += other.duplicates;
        for (key, (class, theirs)) in other.seen {
            let Some(&mine) = ids.get(theirs as usize) else {
                continue;
            };
            match self.seen.get(&key).copied() {
                None => {
                    self.seen.insert(key, (class, mine));
                }
                Some((previous, _)) => {
                    // Counted by both halves: drop the better of the two.
                    self.duplicates += 1;
                    self.counts[mine as usize].count(previous.min(class), -1);
                    if class > previous {
                        self.seen.insert(key, (class, mine));
                    }
                }
            }
        }
    }

    /// FileCounts one test; `file` is its repository path.
    pub fn add(&mut self, file: &str, test: &TestCase) {
        let class = TestClass::of(test);
        let key = test_key(file, test);
        let id = self.file_id(file);
        match self.seen.get(&key).copied() {
            None => {
                self.seen.insert(key, (class, id));
                self.counts[id as usize].count(class, 1);
                self.describe(id, class, test);
            }
            Some((previous, _)) => {
                self.duplicates += 1;
                if class > previous {
                    self.seen.insert(key, (class, id));
                    let counts = &mut self.counts[id as usize];
                    counts.count(previous, -1);
                    counts.count(class, 1);
                    self.describe(id, class, test);
                }
            }
        }
    }

    /// Keeps what the summary shows about a test, within the listing bounds.
    fn describe(&mut self, id: u32, class: TestClass, test: &TestCase) {
        if class == TestClass::SkippedOnPurpose {
            let mut reasons = test.skip_reasons();
            if reasons.is_empty() {
                reasons.push("(no reason given)".to_string());
            }
            for reason in reasons {
                let reason = self.reason_id(&reason);
                *self.skips.entry((id, reason)).or_default() += 1;
            }
            return;
        }
        if !matches!(
            class,
            TestClass::Failed | TestClass::Flaky | TestClass::DidNotRun
        ) || self.listing_budget == 0
        {
            return;
        }
        let listed = self.listed.entry(id).or_default();
        let room = |listed: usize| listed < MAX_LISTED_TESTS;
        let added = match class {
            TestClass::Failed if room(listed.failures.len()) => {
                listed.failures.push(failed_test(test));
                true
            }
            TestClass::Flaky if room(listed.flaky_tests.len()) => {
                listed.flaky_tests.push(TestRef::of(test));
                true
            }
            TestClass::DidNotRun if room(listed.not_run.len()) => {
                listed.not_run.push(TestRef::of(test));
                true
            }
            _ => false,
        };
        if added {
            self.listing_budget -= 1;
        }
    }

    /// Records an error that stopped a spec file from loading: its first line, while the run
    /// has kept fewer than [`MAX_LOAD_ERRORS`], else only counted.
    pub fn add_load_error(&mut self, file: &str, message: &str) {
        let id = self.file_id(file);
        if self.load_errors_kept >= MAX_LOAD_ERRORS {
            *self.load_errors_not_kept.entry(id).or_default() += 1;
            return;
        }
        let first_line = strip_ansi(message)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        self.load_errors_kept += 1;
        self.listed
            .entry(id)
            .or_default()
            .load_errors
            .push(truncate_chars(&first_line, 300).into_owned());
    }

    /// How many duplicate test entries were merged.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// How many spec files were seen.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no spec file was seen.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The tally of one spec file, by repository path.
    pub fn get(&self, file: &str) -> Option<SpecTally> {
        self.files.find(file).map(|id| self.tally(id))
    }

    /// Every spec file and its tally, in path order; each tally is built as it is reached.
    pub fn iter(&self) -> impl Iterator<Item = (&str, SpecTally)> + '_ {
        self.sorted_ids()
            .iter()
            .map(|&id| (self.files.get(id), self.tally(id)))
    }

    /// The spec files with tests listed by name or load-error messages kept, in path order: the
    /// only ones with something to show beyond counts (at most [`MAX_LISTED_TOTAL`] plus
    /// [`MAX_LOAD_ERRORS`]).
    pub fn iter_listed(&self) -> impl Iterator<Item = (&str, SpecTally)> + '_ {
        let mut ids: Vec<u32> = self.listed.keys().copied().collect();
        ids.sort_unstable_by(|a, b| self.files.get(*a).cmp(self.files.get(*b)));
        ids.into_iter()
            .map(|id| (self.files.get(id), self.tally(id)))
    }

    /// Totals over every spec file.
    pub fn totals(&self) -> Counts {
        self.counts.iter().fold(Counts::default(), |mut sum, c| {
            sum.passed += u64::from(c.passed);
            sum.failed += u64::from(c.failed);
            sum.flaky += u64::from(c.flaky);
            sum.skipped += u64::from(c.skipped);
            sum.did_not_run += u64::from(c.did_not_run);
            sum
        })
    }

    /// Every skip reason with the tests skipped on purpose for it over the run, in the order
    /// the spec files show them (files in path order, each file's reasons in text order).
    pub fn skip_reasons(&self) -> Vec<(&str, u64)> {
        let mut totals: Vec<(&str, u64)> = Vec::new();
        let mut index: HashMap<u32, usize> = HashMap::new();
        for &id in self.sorted_ids() {
            let mut reasons: Vec<(u32, u64)> = self
                .skips
                .range((id, 0)..=(id, u32::MAX))
                .map(|(&(_, reason), &count)| (reason, count))
                .collect();
            reasons.sort_unstable_by(|a, b| self.reasons.get(a.0).cmp(self.reasons.get(b.0)));
            for (reason, count) in reasons {
                match index.entry(reason) {
                    Entry::Occupied(slot) => totals[*slot.get()].1 += count,
                    Entry::Vacant(slot) => {
                        slot.insert(totals.len());
                        totals.push((self.reasons.get(reason), count));
                    }
                }
            }
        }
        totals
    }

    fn sorted_ids(&self) -> &[u32] {
        self.sorted.get_or_init(|| {
            let mut ids: Vec<u32> = (0..self.counts.len() as u32).collect();
            ids.sort_unstable_by(|a, b| self.files.get(*a).cmp(self.files.get(*b)));
            ids
        })
    }

    fn tally(&self, id: u32) -> SpecTally {
        let c = self.counts[id as usize];
        let skip_reasons = self
            .skips
            .range((id, 0)..=(id, u32::MAX))
            .map(|(&(_, reason), &count)| (self.reasons.get(reason).to_string(), count))
            .collect();
        let mut listed = self.listed.get(&id).cloned().unwrap_or_default();
        if let Some(&n) = self.load_errors_not_kept.get(&id) {
            listed.load_errors.push(format!(
                "{n} load error{} (message not kept: the run has more than {MAX_LOAD_ERRORS})",
                if n == 1 { "" } else { "s" }
            ));
        }
        SpecTally {
            passed: c.passed.into(),
            failed: c.failed.into(),
            flaky: c.flaky.into(),
            skipped: c.skipped.into(),
            did_not_run: c.did_not_run.into(),
            skip_reasons,
            failures: listed.failures,
            flaky_tests: listed.flaky_tests,
            not_run: listed.not_run,
            load_errors: listed.load_errors,
        }
    }
}

fn test_key(file: &str, test: &TestCase) -> u64 {
    let mut hasher = DefaultHasher::new();
    file.hash(&mut hasher);
    test.title_path.hash(&mut hasher);
    test.project.hash(&mut hasher);
    test.line.hash(&mut hasher);
    hasher.finish()
}

/// One spec file's verdict with its counts and reasons: an element of the `specs` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecReport {
    /// Repository-relative path.
    pub file: String,
    /// `PASS`, `FAIL` or `SKIP`.
    pub verdict: Verdict,
    /// Listed in the `specs` input.
    pub required: bool,
    /// Tests whose outcome was expected.
    pub passed: u64,
    /// Tests whose outcome was unexpected.
    pub failed: u64,
    /// Tests that passed only on retry.
    pub flaky: u64,
    /// Tests that did not run.
    pub skipped: u64,
    /// Skipped tests that were not skipped on purpose.
    pub did_not_run: u64,
    /// Distinct reasons given for skipping.
    pub skip_reasons: Vec<String>,
    /// Why the spec failed (empty unless `FAIL`).
    pub reasons: Vec<String>,
}

/// Applies DESIGN.md section 3's spec rules to one spec file.
///
/// `tally` is `None` for a required spec that is absent from the report.
pub fn judge(
    file: &str,
    tally: Option<&SpecTally>,
    required: bool,
    rules: &VerdictRules,
) -> SpecReport {
    let empty = SpecTally::default();
    let t = tally.unwrap_or(&empty);
    let mut reasons = Vec::new();

    if required && tally.is_none_or(|t| t.total() == 0 && t.load_errors.is_empty()) {
        reasons.push(
            "required spec is absent from the report (no test of this file ran or was listed)"
                .to_string(),
        );
    }
    for error in &t.load_errors {
        reasons.push(format!("the file failed to load: {error}"));
    }
    for failure in &t.failures {
        reasons.push(format!(
            "test failed ({}, {} attempt{}): {}: {}",
            failure.status,
            failure.attempts,
            if failure.attempts == 1 { "" } else { "s" },
            failure.test.label(),
            first_line(&failure.message)
        ));
    }
    more(&mut reasons, t.failed, t.failures.len(), "failed tests");
    for test in &t.not_run {
        reasons.push(format!(
            "test did not run (interrupted, not reached, or listed only): {}",
            test.label()
        ));
    }
    more(
        &mut reasons,
        t.did_not_run,
        t.not_run.len(),
        "tests that did not run",
    );
    if rules.flaky_fails {
        for test in &t.flaky_tests {
            reasons.push(format!(
                "test passed only on retry (`flaky: fail`): {}",
                test.label()
            ));
        }
        more(&mut reasons, t.flaky, t.flaky_tests.len(), "flaky tests");
    }
    if rules.strict && required {
        for (reason, count) in &t.skip_reasons {
            if !rules.skip_allowed(reason) {
                reasons.push(format!(
                    "strict mode: {count} test{} skipped: \"{reason}\" (not allowed by `allow-skip`)",
                    if *count == 1 { "" } else { "s" }
                ));
            }
        }
    }

    let verdict = if !reasons.is_empty() {
        Verdict::Fail
    } else if t.total() > 0 && t.skipped == t.total() {
        Verdict::Skip
    } else {
        Verdict::Pass
    };
    SpecReport {
        file: file.to_string(),
        verdict,
        required,
        passed: t.passed,
        failed: t.failed,
        flaky: t.flaky,
        skipped: t.skipped,
        did_not_run: t.did_not_run,
        skip_reasons: t.skip_reasons.keys().cloned().collect(),
        reasons,
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

fn more(reasons: &mut Vec<String>, total: u64, listed: usize, what: &str) {
    if total > listed as u64 {
        reasons.push(format!("… and {} more {what}", total - listed as u64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Attempt, TestAnnotation};

    fn test_case(title: &str, expected: Status, statuses: &[Status], outcome: Outcome) -> TestCase {
        TestCase {
            file: "specs/a.spec.ts".into(),
            line: 3,
            title_path: vec!["AI Coach — Backend API Health".into(), title.into()],
            project: "chromium".into(),
            expected_status: expected,
            status: Some(outcome),
            attempts: statuses
                .iter()
                .map(|s| Attempt {
                    status: Some(*s),
                    retry: 0,
                    errors: if *s == Status::Failed {
                        vec!["\u{1b}[31mexpected 200\u{1b}[39m\nreceived 503".into()]
                    } else {
                        vec![]
                    },
                    error_location: None,
                })
                .collect(),
            annotations: vec![],
        }
    }

    fn skipped(reason: &str) -> TestCase {
        let mut t = test_case(
            "skipped",
            Status::Skipped,
            &[Status::Skipped],
            Outcome::Skipped,
        );
        t.annotations.push(TestAnnotation {
            kind: "skip".into(),
            description: Some(reason.into()),
        });
        t
    }

    fn rules(strict: bool, flaky_fails: bool) -> VerdictRules {
        VerdictRules {
            strict,
            allow_skip: vec![Regex::new("^Live backend websocket").unwrap()],
            flaky_fails,
        }
    }

    fn verdict_of(tests: &[TestCase], required: bool, rules: &VerdictRules) -> SpecReport {
        let mut tallies = Tallies::default();
        for t in tests {
            tallies.add("e2e/specs/a.spec.ts", t);
        }
        judge(
            "e2e/specs/a.spec.ts",
            tallies.get("e2e/specs/a.spec.ts").as_ref(),
            required,
            rules,
        )
    }

    #[test]
    fn passing_spec_passes() {
        let pass = test_case("ok", Status::Passed, &[Status::Passed], Outcome::Expected);
        let report = verdict_of(&[pass], true, &rules(true, false));
        assert_eq!(report.verdict, Verdict::Pass);
        assert_eq!(report.passed, 1);
    }

    #[test]
    fn a_failed_test_fails_with_its_message() {
        let fail = test_case(
            "health",
            Status::Passed,
            &[Status::Failed, Status::Failed],
            Outcome::Unexpected,
        );
        let report = verdict_of(&[fail], false, &rules(true, false));
        assert_eq!(report.verdict, Verdict::Fail);
        assert_eq!(
            report.reasons,
            vec![
                "test failed (failed, 2 attempts): AI Coach — Backend API Health › health [chromium]: expected 200"
            ]
        );
    }

    #[test]
    fn strict_skips_fail_required_specs_unless_allowed() {
        let pass = test_case("ok", Status::Passed, &[Status::Passed], Outcome::Expected);
        let tests = [
            pass.clone(),
            skipped("Live backend not healthy at https://staging"),
        ];
        let strict = verdict_of(&tests, true, &rules(true, false));
        assert_eq!(strict.verdict, Verdict::Fail);
        assert!(
            strict.reasons[0].contains("Live backend not healthy"),
            "{:?}",
            strict.reasons
        );
        assert_eq!(
            verdict_of(&tests, true, &rules(false, false)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            verdict_of(&tests, false, &rules(true, false)).verdict,
            Verdict::Pass
        );
        let probe = [
            pass,
            skipped("Live backend websocket auth gate is not yet enforced at https://x"),
        ];
        assert_eq!(
            verdict_of(&probe, true, &rules(true, false)).verdict,
            Verdict::Pass
        );
    }

    #[test]
    fn all_skipped_on_purpose_is_skip() {
        let report = verdict_of(
            &[skipped("Set E2E_AI_COACH_MODE=live")],
            false,
            &rules(true, false),
        );
        assert_eq!(report.verdict, Verdict::Skip);
        assert_eq!(report.skip_reasons, vec!["Set E2E_AI_COACH_MODE=live"]);
    }

    #[test]
    fn flaky_follows_the_flaky_input() {
        let flaky = test_case(
            "retry",
            Status::Passed,
            &[Status::Failed, Status::Passed],
            Outcome::Flaky,
        );
        assert_eq!(
            verdict_of(std::slice::from_ref(&flaky), true, &rules(true, false)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            verdict_of(&[flaky], true, &rules(true, true)).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn tests_that_did_not_run_fail() {
        let not_run = test_case("later", Status::Passed, &[], Outcome::Skipped);
        let report = verdict_of(&[not_run], false, &rules(false, false));
        assert_eq!(report.verdict, Verdict::Fail);
        assert_eq!((report.skipped, report.did_not_run), (1, 1));
    }

    #[test]
    fn expected_failure_passes() {
        let fail_expected = test_case(
            "known bug",
            Status::Failed,
            &[Status::Failed],
            Outcome::Expected,
        );
        assert_eq!(
            verdict_of(&[fail_expected], true, &rules(true, false)).verdict,
            Verdict::Pass
        );
    }

    #[test]
    fn absent_required_spec_fails() {
        let report = judge(
            "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts",
            None,
            true,
            &rules(true, false),
        );
        assert_eq!(report.verdict, Verdict::Fail);
        assert!(report.reasons[0].contains("absent"));
    }

    #[test]
    fn duplicates_count_once_with_the_worse_outcome() {
        let pass = test_case("ok", Status::Passed, &[Status::Passed], Outcome::Expected);
        let fail = test_case("ok", Status::Passed, &[Status::Failed], Outcome::Unexpected);
        let report = verdict_of(&[pass.clone(), fail, pass], true, &rules(true, false));
        assert_eq!((report.passed, report.failed), (0, 1));
        assert_eq!(report.verdict, Verdict::Fail);
    }

    /// A test that passed and one that failed.
    fn pass_and_fail() -> (TestCase, TestCase) {
        (
            test_case("ok", Status::Passed, &[Status::Passed], Outcome::Expected),
            test_case(
                "bad",
                Status::Passed,
                &[Status::Failed],
                Outcome::Unexpected,
            ),
        )
    }

    fn in_file(mut test: TestCase, file: &str) -> TestCase {
        test.file = file.to_string();
        test
    }

    #[test]
    fn the_interner_keeps_texts_whose_hashes_collide_apart() {
        let mut interner = Interner::default();
        assert_eq!(interner.intern("e2e/a.spec.ts"), 0);
        // Make "e2e/b.spec.ts" hash to the slot of "e2e/a.spec.ts", as a collision would.
        let hash = interner.hasher.hash_one("e2e/b.spec.ts");
        interner.by_hash.insert(hash, 0);
        assert_eq!(interner.intern("e2e/b.spec.ts"), 1);
        assert_eq!(interner.intern("e2e/b.spec.ts"), 1);
        assert_eq!(interner.find("e2e/a.spec.ts"), Some(0));
        assert_eq!(interner.find("e2e/b.spec.ts"), Some(1));
        assert_eq!(interner.find("e2e/c.spec.ts"), None);
        assert_eq!(
            (interner.get(0), interner.get(1)),
            ("e2e/a.spec.ts", "e2e/b.spec.ts")
        );
    }

    /// 100,000 spec files: every path stored once, counts and order right, tallies built on
    /// request (issue 11, point 6).
    #[test]
    fn a_hundred_thousand_spec_files_are_tallied_compactly() {
        let (pass, fail) = pass_and_fail();
        let mut tallies = Tallies::default();
        for k in (0..100_000).rev() {
            let file = format!("e2e/specs/f{k:06}.spec.ts");
            let test = if k % 10 == 0 { &fail } else { &pass };
            tallies.add(&file, &in_file(test.clone(), &file));
        }
        assert_eq!(tallies.len(), 100_000);
        assert_eq!(
            tallies.totals(),
            Counts {
                passed: 90_000,
                failed: 10_000,
                ..Counts::default()
            }
        );
        // One buffer of paths, no copy per map or list.
        assert_eq!(
            tallies.files.text.len(),
            100_000 * "e2e/specs/f000000.spec.ts".len()
        );
        let first: Vec<&str> = tallies.iter().take(2).map(|(f, _)| f).collect();
        assert_eq!(
            first,
            ["e2e/specs/f000000.spec.ts", "e2e/specs/f000001.spec.ts"]
        );
        // At most MAX_LISTED_TOTAL failed tests are kept by name over the run.
        let listed: usize = tallies.iter_listed().map(|(_, t)| t.failures.len()).sum();
        assert_eq!(listed, MAX_LISTED_TOTAL);
        assert_eq!(tallies.listed.len(), MAX_LISTED_TOTAL);
        let tally = tallies.get("e2e/specs/f000010.spec.ts").unwrap();
        assert_eq!((tally.passed, tally.failed), (0, 1));
    }

    #[test]
    fn skip_reasons_are_stored_once_and_bounded() {
        let mut tallies = Tallies::default();
        for k in 0..MAX_SKIP_REASONS + 5 {
            let file = format!("e2e/f{k}.spec.ts");
            // Every file skips twice with the same reason, and once with its own.
            for reason in ["Set E2E_AI_COACH_MODE=live", &format!("reason {k}")] {
                let mut test = in_file(skipped(reason), &file);
                test.line = if reason.starts_with("Set") { 1 } else { 2 };
                tallies.add(&file, &test);
            }
        }
        let totals = tallies.skip_reasons();
        assert_eq!(totals.len(), MAX_SKIP_REASONS + 1);
        assert_eq!(
            totals.iter().map(|(_, n)| n).sum::<u64>(),
            2 * (MAX_SKIP_REASONS as u64 + 5)
        );
        let other = totals
            .iter()
            .find(|(r, _)| *r == OTHER_SKIP_REASONS)
            .unwrap();
        assert_eq!(other.1, 6, "reasons past the bound are counted together");
        let last = tallies
            .get(&format!("e2e/f{}.spec.ts", MAX_SKIP_REASONS + 4))
            .unwrap();
        assert_eq!(
            last.skip_reasons.keys().collect::<Vec<_>>(),
            [OTHER_SKIP_REASONS, "Set E2E_AI_COACH_MODE=live"]
        );
        // In strict mode an unknown reason fails a required spec.
        let report = judge("e2e/x.spec.ts", Some(&last), true, &rules(true, false));
        assert_eq!(report.verdict, Verdict::Fail);
    }

    #[test]
    fn merged_halves_add_up_and_count_a_shared_test_once() {
        let (pass, fail) = pass_and_fail();
        let mut first = Tallies::default();
        first.add("e2e/a.spec.ts", &in_file(pass.clone(), "e2e/a.spec.ts"));
        first.add("e2e/b.spec.ts", &in_file(fail.clone(), "e2e/b.spec.ts"));
        let mut second = Tallies::default();
        second.add("e2e/c.spec.ts", &in_file(skipped("later"), "e2e/c.spec.ts"));
        second.add("e2e/b.spec.ts", &in_file(fail.clone(), "e2e/b.spec.ts"));
        second.add_load_error("e2e/d.spec.ts", "\u{1b}[31mError: boom\u{1b}[39m\nstack");
        first.merge(second);
        assert_eq!(first.duplicates(), 1);
        let files: Vec<&str> = first.iter().map(|(f, _)| f).collect();
        assert_eq!(
            files,
            [
                "e2e/a.spec.ts",
                "e2e/b.spec.ts",
                "e2e/c.spec.ts",
                "e2e/d.spec.ts"
            ]
        );
        let b = first.get("e2e/b.spec.ts").unwrap();
        assert_eq!(b.failed, 1);
        let c = first.get("e2e/c.spec.ts").unwrap();
        assert_eq!(c.skip_reasons, BTreeMap::from([("later".to_string(), 1)]));
        let d = first.get("e2e/d.spec.ts").unwrap();
        assert_eq!(d.load_errors, ["Error: boom"]);
        assert_eq!(
            first.totals(),
            Counts {
                passed: 1,
                failed: 1,
                skipped: 1,
                ..Counts::default()
            }
        );
    }

    /// A broken helper imported by every spec file gives one load error per file: the messages
    /// kept are bounded, every file still fails to load.
    #[test]
    fn load_errors_are_bounded_and_each_file_still_fails() {
        let mut tallies = Tallies::default();
        for k in 0..MAX_LOAD_ERRORS + 3 {
            tallies.add_load_error(
                &format!("e2e/f{k:04}.spec.ts"),
                "Error: helper broken\n  at x",
            );
        }
        assert_eq!(tallies.len(), MAX_LOAD_ERRORS + 3);
        assert_eq!(tallies.iter_listed().count(), MAX_LOAD_ERRORS);
        let first = tallies.get("e2e/f0000.spec.ts").unwrap();
        assert_eq!(first.load_errors, ["Error: helper broken"]);
        let last_file = format!("e2e/f{:04}.spec.ts", MAX_LOAD_ERRORS + 2);
        let last = tallies.get(&last_file).unwrap();
        assert_eq!(last.load_errors.len(), 1);
        assert!(last.load_errors[0].contains("message not kept"));
        let report = judge(&last_file, Some(&last), false, &rules(true, false));
        assert_eq!(report.verdict, Verdict::Fail);
        assert!(report.reasons[0].starts_with("the file failed to load"));
    }

    /// Issue 10: a required test whose first attempt failed and whose retry skipped itself
    /// (`test.skip(!healthy, ...)`) was counted as passed on retry; it is failed, and its
    /// reason shows the skip.
    #[test]
    fn a_failure_then_a_skipped_retry_is_failed() {
        let mut test = test_case(
            "health",
            Status::Skipped,
            &[Status::Failed, Status::Skipped],
            Outcome::Flaky,
        );
        test.annotations.push(TestAnnotation {
            kind: "skip".into(),
            description: Some("Live backend not healthy at https://staging".into()),
        });
        let report = verdict_of(&[test.clone()], true, &rules(true, false));
        assert_eq!(report.verdict, Verdict::Fail);
        assert_eq!((report.passed, report.flaky, report.failed), (0, 0, 1));
        assert_eq!(
            report.reasons,
            vec![
                "test failed (failed, then skipped on retry: \"Live backend not healthy at https://staging\", 2 attempts): AI Coach — Backend API Health › health [chromium]: expected 200"
            ]
        );
        // Playwright's `flaky` label for it is what Playwright writes: no contradiction.
        assert_eq!(label_disagreement("e2e/specs/a.spec.ts", &test), None);
        let interrupted = test_case(
            "health",
            Status::Passed,
            &[Status::Failed, Status::Interrupted],
            Outcome::Flaky,
        );
        let report = verdict_of(&[interrupted], false, &rules(false, false));
        assert_eq!((report.flaky, report.failed), (0, 1));
    }

    /// Issue 10: a test whose `status` says `expected` over a failed result, or over no result
    /// at all, counted as passed.
    #[test]
    fn a_label_that_contradicts_the_attempts_counts_the_worse_and_is_named() {
        let over_failure = test_case(
            "health",
            Status::Passed,
            &[Status::Failed],
            Outcome::Expected,
        );
        let report = verdict_of(
            std::slice::from_ref(&over_failure),
            false,
            &rules(true, false),
        );
        assert_eq!((report.passed, report.failed), (0, 1));
        assert_eq!(report.verdict, Verdict::Fail);
        assert_eq!(
            label_disagreement("e2e/specs/a.spec.ts", &over_failure).as_deref(),
            Some(
                "test e2e/specs/a.spec.ts › AI Coach — Backend API Health › health [chromium] is labelled `expected` but its attempts show failed (failed)"
            )
        );
        let over_nothing = test_case("health", Status::Passed, &[], Outcome::Expected);
        let report = verdict_of(
            std::slice::from_ref(&over_nothing),
            false,
            &rules(true, false),
        );
        assert_eq!((report.passed, report.did_not_run), (0, 1));
        assert_eq!(
            label_disagreement("e2e/specs/a.spec.ts", &over_nothing).as_deref(),
            Some(
                "test e2e/specs/a.spec.ts › AI Coach — Backend API Health › health [chromium] is labelled `expected` but it has no attempt at all"
            )
        );
        // A label worse than the attempts counts too.
        let over_pass = test_case(
            "health",
            Status::Passed,
            &[Status::Passed],
            Outcome::Unexpected,
        );
        let report = verdict_of(std::slice::from_ref(&over_pass), false, &rules(true, false));
        assert_eq!((report.passed, report.failed), (0, 1));
        assert!(label_disagreement("f", &over_pass).is_some());
        // Labels that fit raise nothing.
        let pass = test_case("ok", Status::Passed, &[Status::Passed], Outcome::Expected);
        assert_eq!(label_disagreement("f", &pass), None);
        let mut unlabelled = over_failure;
        unlabelled.status = None;
        assert_eq!(label_disagreement("f", &unlabelled), None);
    }
}
