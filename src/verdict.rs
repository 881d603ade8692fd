//! Per-spec verdicts: `PASS`, `FAIL` or `SKIP`, with counts and reasons (DESIGN.md section 3).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

use regex::Regex;
use serde::Serialize;

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
}

/// Everything known about one spec file after reading the reports.
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

    fn count(&mut self, class: TestClass, delta: i64) {
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

    /// Adds another tally of the same spec file, read after this one.
    fn absorb(&mut self, other: SpecTally, budget: &mut usize) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.flaky += other.flaky;
        self.skipped += other.skipped;
        self.did_not_run += other.did_not_run;
        for (reason, count) in other.skip_reasons {
            *self.skip_reasons.entry(reason).or_default() += count;
        }
        fn take<T>(mine: &mut Vec<T>, theirs: Vec<T>, budget: &mut usize) {
            for item in theirs {
                if mine.len() >= MAX_LISTED_TESTS || *budget == 0 {
                    break;
                }
                *budget -= 1;
                mine.push(item);
            }
        }
        take(&mut self.failures, other.failures, budget);
        take(&mut self.flaky_tests, other.flaky_tests, budget);
        take(&mut self.not_run, other.not_run, budget);
        self.load_errors.extend(other.load_errors);
    }

    /// Keeps what the summary shows about a test; `budget` is what the run may still list.
    fn describe(&mut self, class: TestClass, test: &TestCase, budget: &mut usize) {
        let listable = |listed: usize, budget: &mut usize| {
            let ok = listed < MAX_LISTED_TESTS && *budget > 0;
            if ok {
                *budget -= 1;
            }
            ok
        };
        match class {
            TestClass::Failed if listable(self.failures.len(), budget) => {
                self.failures.push(failed_test(test))
            }
            TestClass::Flaky if listable(self.flaky_tests.len(), budget) => {
                self.flaky_tests.push(TestRef::of(test))
            }
            TestClass::DidNotRun if listable(self.not_run.len(), budget) => {
                self.not_run.push(TestRef::of(test))
            }
            TestClass::SkippedOnPurpose => {
                let mut reasons = test.skip_reasons();
                if reasons.is_empty() {
                    reasons.push("(no reason given)".to_string());
                }
                for reason in reasons {
                    *self.skip_reasons.entry(reason).or_default() += 1;
                }
            }
            _ => {}
        }
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
    FailedTest {
        test: TestRef::of(test),
        status: failed_status(test),
        attempts: test.attempts.len(),
        message,
        error_line,
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
#[derive(Debug)]
pub struct Tallies {
    specs: BTreeMap<String, SpecTally>,
    /// Every test seen: its class and (an index into `files`) its spec file.
    seen: HashMap<u64, (TestClass, u32)>,
    files: Vec<String>,
    file_ids: HashMap<String, u32>,
    duplicates: u64,
    listing_budget: usize,
}

impl Default for Tallies {
    fn default() -> Self {
        Tallies {
            specs: BTreeMap::new(),
            seen: HashMap::new(),
            files: Vec::new(),
            file_ids: HashMap::new(),
            duplicates: 0,
            listing_budget: MAX_LISTED_TOTAL,
        }
    }
}

impl Tallies {
    fn file_id(&mut self, file: &str) -> u32 {
        if let Some(last) = self.files.last()
            && last == file
        {
            return (self.files.len() - 1) as u32;
        }
        if let Some(id) = self.file_ids.get(file) {
            return *id;
        }
        let id = self.files.len() as u32;
        self.files.push(file.to_string());
        self.file_ids.insert(file.to_string(), id);
        id
    }

    /// Adds the tallies of the rest of the same run, read separately (the second half of a
    /// large report): counts add up, a test seen by both counts once with the worse outcome,
    /// and tests are listed by name in report order, within the same bounds as [`Tallies::add`].
    pub fn merge(&mut self, other: Tallies) {
        let Tallies {
            specs,
            seen,
            files,
            duplicates,
            ..
        } = other;
        for (file, theirs) in specs {
            self.specs
                .entry(file)
                .or_default()
                .absorb(theirs, &mut self.listing_budget);
        }
        self.duplicates += duplicates;
        for (key, (class, id)) in seen {
            let Some(file) = files.get(id as usize) else {
                continue;
            };
            let my_id = self.file_id(file);
            match self.seen.get(&key).copied() {
                None => {
                    self.seen.insert(key, (class, my_id));
                }
                Some((previous, _)) => {
                    // Counted by both halves: drop the better of the two.
                    self.duplicates += 1;
                    if let Some(tally) = self.specs.get_mut(file) {
                        tally.count(previous.min(class), -1);
                    }
                    if class > previous {
                        self.seen.insert(key, (class, my_id));
                    }
                }
            }
        }
    }

    /// Counts one test; `file` is its repository path.
    pub fn add(&mut self, file: &str, test: &TestCase) {
        let class = TestClass::of(test);
        let key = test_key(file, test);
        let id = self.file_id(file);
        if !self.specs.contains_key(file) {
            self.specs.insert(file.to_string(), SpecTally::default());
        }
        let Some(tally) = self.specs.get_mut(file) else {
            return;
        };
        match self.seen.get(&key).copied() {
            None => {
                self.seen.insert(key, (class, id));
                tally.count(class, 1);
                tally.describe(class, test, &mut self.listing_budget);
            }
            Some((previous, _)) => {
                self.duplicates += 1;
                if class > previous {
                    self.seen.insert(key, (class, id));
                    tally.count(previous, -1);
                    tally.count(class, 1);
                    tally.describe(class, test, &mut self.listing_budget);
                }
            }
        }
    }

    /// Records an error that stopped a spec file from loading.
    pub fn add_load_error(&mut self, file: &str, message: &str) {
        let first_line = strip_ansi(message)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        self.specs
            .entry(file.to_string())
            .or_default()
            .load_errors
            .push(truncate_chars(&first_line, 300).into_owned());
    }

    /// How many duplicate test entries were merged.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// The tallies by repository path.
    pub fn specs(&self) -> &BTreeMap<String, SpecTally> {
        &self.specs
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
    use crate::report::{Annotation, Attempt};

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
        t.annotations.push(Annotation {
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
            tallies.specs().get("e2e/specs/a.spec.ts"),
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
        test.annotations.push(Annotation {
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
