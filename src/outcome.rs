//! What the gate says about a decided run, as pure functions: the verdict of every spec file in
//! the orders the outputs need ([`SpecVerdicts`]), the evidence notes, the annotations, the
//! step outputs within GitHub's limit and the spec files the job summary shows. No I/O: the
//! `gate` command ([`crate::cmd::gate`]) writes what these return.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use crate::collect::{RunContext, RunData};
use crate::config::{FlakyPolicy, GateSettings};
use crate::evidence::{self, Evidence};
use crate::failure_groups::{self, FailureGroup};
use crate::gate::{self, GateDecision, GateFacts, GateResult};
use crate::logscan::{Finding, Findings};
use crate::outputs::{self, OutputsInput, PlannedOutputs};
use crate::reasons;
use crate::redact::Redactor;
use crate::runner::{Annotation, Level};
use crate::verdict::{Counts, SpecReport, SpecTally, Tallies, Verdict, VerdictRules, judge};

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
pub fn evidence_notes(
    totals: Counts,
    unnamed_failing_specs: u64,
    data: &RunData,
    short_reasons: &[String],
    findings: &Findings,
) -> String {
    let Counts {
        passed,
        failed,
        flaky,
        skipped,
        did_not_run,
    } = totals;
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
pub fn note_text(text: &str, max_chars: usize) -> String {
    evidence::escape_field(text, max_chars)
}

/// Annotations in order of usefulness: the gate result with its short reasons, one per
/// failure group at the place it failed (not one per test), critical findings one per rule,
/// flaky tests, warnings one per rule. The runner keeps GitHub's 10 per kind.
pub fn annotations(
    decision: &GateDecision,
    short_reasons: &[String],
    groups: &[FailureGroup],
    data: &RunData,
    findings: &Findings,
    redactor: &Redactor,
) -> Vec<Annotation> {
    let mut out = Vec::new();
    if decision.result == GateResult::Fail {
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
pub fn group_annotation(group: &FailureGroup, redactor: &Redactor) -> Annotation {
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
pub fn findings_by_rule<'a>(
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

/// What the gate decided about a run, built once by [`GateOutcome::decide`] and handed to
/// every writer (log lines, outputs, job summary, annotations, evidence).
pub struct GateOutcome<'a> {
    /// The verdict of every spec file.
    pub verdicts: SpecVerdicts<'a>,
    /// The counts over every test of the run.
    pub totals: Counts,
    /// The gate decision, with the reasons past the itemized ones counted and the reading notes.
    pub decision: GateDecision,
    /// Its reasons, one per cause ([`crate::reasons`]).
    pub short_reasons: Vec<String>,
    /// The failures grouped by where they failed.
    pub groups: Vec<FailureGroup>,
    /// The evidence block's content (rendered and redacted by the caller).
    pub evidence: Evidence,
}

impl<'a> GateOutcome<'a> {
    /// Decides the run from what its reports and logs yielded: `in_actions` is whether it runs
    /// in GitHub Actions, `now` the evidence date when no report gives a start time.
    pub fn decide(
        settings: &'a GateSettings,
        data: &'a RunData,
        findings: &Findings,
        context: &RunContext,
        in_actions: bool,
        now: DateTime<Utc>,
    ) -> GateOutcome<'a> {
        let verdicts = SpecVerdicts::new(settings, &data.tallies);
        let totals = data.tallies.totals();
        let (gate_specs, more_failing_specs) = verdicts.for_gate();
        let facts = GateFacts {
            reports_read: data.reports_read,
            report_problems: data.report_problems.clone(),
            top_level_errors: data.top_level_errors.clone(),
            tests_run: totals.ran(),
            specs: gate_specs,
            critical_findings: findings
                .critical()
                .map(|f| format!("{} at {}", f.rule, f.place()))
                .collect(),
            inconsistencies: data.inconsistency_lines(),
            shards: data.shards.clone(),
            job_status: settings.job_status.clone(),
            in_actions,
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
        let groups = failure_groups::group_failures(&listed, &|file| {
            settings.specs.iter().any(|s| s == file)
        });
        let short_reasons =
            reasons::short_reasons(&decision.reasons, &facts.specs, &groups, findings);

        // Evidence: the required specs and the first failing others.
        let mut evidence_specs: Vec<(String, Verdict)> = Vec::new();
        let mut unnamed_failing_specs = more_failing_specs;
        for spec in &facts.specs {
            if spec.required
                || evidence_specs.len() < settings.specs.len() + MAX_EVIDENCE_FAILING_SPECS
            {
                evidence_specs.push((spec.file.clone(), spec.verdict));
            } else {
                unnamed_failing_specs += 1;
            }
        }
        let evidence = Evidence {
            date: evidence::format_date(data.start_time.unwrap_or(now), settings.timezone),
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
            notes: evidence_notes(
                totals,
                unnamed_failing_specs,
                data,
                &short_reasons,
                findings,
            ),
        };
        GateOutcome {
            verdicts,
            totals,
            decision,
            short_reasons,
            groups,
            evidence,
        }
    }
}

/// Plans the step outputs within GitHub's limit: every text redacted before it is measured and
/// cut, specs in [`SpecVerdicts::by_priority`] order.
pub fn plan_outputs(
    outcome: &GateOutcome<'_>,
    kept: &[Finding],
    findings: &Findings,
    block: &str,
    redactor: &Redactor,
) -> PlannedOutputs {
    let reasons: Vec<String> = outcome
        .short_reasons
        .iter()
        .map(|r| redactor.redact(r).into_owned())
        .collect();
    outputs::plan(
        OutputsInput {
            result: outcome.decision.result.as_str(),
            reasons: &reasons,
            evidence: block,
            specs: outcome.verdicts.by_priority(),
            findings: kept,
            findings_not_kept: findings.omitted(),
            totals: outcome.totals,
        },
        |spec| spec_json(spec, redactor),
        |finding| finding_json(finding, redactor),
    )
}

/// One element of the `specs` output: its texts redacted before it is serialized, so a secret
/// is found as written (not in its JSON-escaped form) and the redaction cannot break the JSON.
pub fn spec_json(spec: &SpecReport, redactor: &Redactor) -> String {
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
pub fn finding_json(finding: &Finding, redactor: &Redactor) -> String {
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
pub fn outputs_note(planned: &PlannedOutputs) -> Option<String> {
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
pub struct SummarySpecs {
    /// The spec files in the table, in display order.
    pub specs: Vec<SpecReport>,
    /// The tallies of those and of every file with tests listed by name.
    pub tallies: BTreeMap<String, SpecTally>,
    /// Spec files left out of the table.
    pub omitted: u64,
}

impl SummarySpecs {
    /// Chooses the spec files of the job summary.
    pub fn choose(verdicts: &SpecVerdicts<'_>, tallies: &Tallies) -> SummarySpecs {
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

    /// What the table leaves out, as a note; `None` when nothing.
    pub fn note(&self) -> Option<String> {
        (self.omitted > 0).then(|| {
            format!(
                "the job summary lists {} of {} spec files (required first, then failing, then the rest); the step log lists every one",
                self.specs.len(),
                self.specs.len() as u64 + self.omitted
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Attempt, Outcome, Status, TestCase};

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

    fn test_case(file: &str, title: &str, status: Status, outcome: Outcome) -> TestCase {
        TestCase {
            file: file.into(),
            line: 3,
            title_path: vec![title.into()],
            project: "chromium".into(),
            expected_status: Status::Passed,
            status: Some(outcome),
            attempts: vec![Attempt {
                status: Some(status),
                retry: 0,
                errors: if status == Status::Failed {
                    vec!["expected 200\nreceived 503".into()]
                } else {
                    vec![]
                },
                error_location: None,
            }],
            annotations: vec![],
        }
    }

    /// [`GateOutcome::decide`] on a small run: one required spec fails, another passes; the
    /// decision, its short reasons, the counts, the failure groups and the evidence agree.
    #[test]
    fn an_outcome_is_decided_from_the_run_data() {
        let settings = GateSettings {
            workspace: "/home/runner/work/ITM-gd/ITM-gd".into(),
            results: vec![],
            specs: vec!["e2e/a.spec.ts".into()],
            test_dir: None,
            strict: true,
            allow_skip: vec![],
            flaky: FlakyPolicy::Pass,
            logs: vec![],
            log_rules: None,
            backend_url: Some("https://user:pw@api.example.com/v1?key=1".into()),
            job_status: None,
            status_file: "docs/status.md".into(),
            commit: crate::github::CommitMode::OnSuccess,
            branch: None,
            token: None,
            timezone: chrono_tz::America::New_York,
            fail_on_gate: true,
            evidence_file: None,
            dry_run: false,
            report_url: None,
        };
        let mut data = RunData {
            reports_read: 1,
            ..RunData::default()
        };
        data.tallies.add(
            "e2e/a.spec.ts",
            &test_case(
                "e2e/a.spec.ts",
                "health",
                Status::Failed,
                Outcome::Unexpected,
            ),
        );
        data.tallies.add(
            "e2e/b.spec.ts",
            &test_case("e2e/b.spec.ts", "home", Status::Passed, Outcome::Expected),
        );
        let context = RunContext {
            sha: Some("abc123".into()),
            ..RunContext::default()
        };
        let now = DateTime::parse_from_rfc3339("2026-01-02T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let outcome = GateOutcome::decide(&settings, &data, &Findings::new(), &context, true, now);

        assert_eq!(outcome.decision.result, GateResult::Fail);
        assert_eq!(outcome.totals.passed, 1);
        assert_eq!(outcome.totals.failed, 1);
        assert!(!outcome.short_reasons.is_empty());
        assert!(
            outcome
                .short_reasons
                .iter()
                .any(|r| r.contains("e2e/a.spec.ts")),
            "{:?}",
            outcome.short_reasons
        );
        assert_eq!(outcome.groups.len(), 1);
        assert_eq!(outcome.evidence.result, GateResult::Fail);
        assert_eq!(outcome.evidence.commit, "abc123");
        assert_eq!(
            outcome.evidence.specs,
            vec![("e2e/a.spec.ts".to_string(), Verdict::Fail)]
        );
        assert!(
            !outcome
                .evidence
                .backend_url
                .as_deref()
                .unwrap()
                .contains("pw")
        );
        assert!(
            outcome.evidence.date.starts_with("2026-01-02"),
            "{}",
            outcome.evidence.date
        );
    }
}
