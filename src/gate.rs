//! The gate decision (DESIGN.md section 3, "The gate"): `PASS` only when every rule holds.
//!
//! [`decide`] is a pure function of what the run produced, so the rules can be read here and
//! checked against DESIGN.md line by line.

use crate::config::JobStatus;
use crate::report::Shard;
use crate::verdict::{SpecReport, Verdict};

/// Everything the gate decision depends on.
#[derive(Debug, Clone, Default)]
pub struct GateFacts {
    /// Reports read successfully, as valid Playwright reports.
    pub reports_read: usize,
    /// One message per report that was missing, empty, truncated, not JSON or not Playwright's.
    pub report_problems: Vec<String>,
    /// Top-level errors of the run (load errors, config errors, `No tests found`).
    pub top_level_errors: Vec<String>,
    /// Tests that ran: passed, failed and flaky.
    pub tests_run: u64,
    /// Every spec's verdict: required specs and the specs of the report.
    pub specs: Vec<SpecReport>,
    /// One line per critical log finding (rule id and place).
    pub critical_findings: Vec<String>,
    /// Where a report contradicts itself: a test's `status` label or the report's `stats`
    /// against what the tests' attempts show. One line each.
    pub inconsistencies: Vec<String>,
    /// The shard each report says it is (`config.shard`), by report; reports without one are
    /// not listed.
    pub shards: Vec<(String, Shard)>,
    /// The `job-status` input: status of the job's steps before this one (`success`,
    /// `failure`, `cancelled`, `skipped`), `None` when empty.
    pub job_status: Option<String>,
    /// Whether the gate runs inside GitHub Actions, where an empty `job-status` is a wiring
    /// mistake rather than a local run.
    pub in_actions: bool,
}

/// The gate's result and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateDecision {
    /// `PASS` or `FAIL`.
    pub result: GateResult,
    /// Why the gate failed, one line each (empty on PASS).
    pub reasons: Vec<String>,
    /// Things worth saying that did not decide anything (e.g. no job status locally).
    pub notes: Vec<String>,
}

/// The gate's result: the release is go or no-go. Unlike a spec's [`Verdict`] it has no
/// `SKIP`: a gate that could not see the required specs pass is `FAIL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GateResult {
    /// Every required spec passed and nothing disqualifying was seen.
    Pass,
    /// At least one gate rule (DESIGN.md section 4) failed.
    Fail,
}

impl GateResult {
    /// The word used in the evidence block, outputs and summary.
    pub fn as_str(self) -> &'static str {
        match self {
            GateResult::Pass => "PASS",
            GateResult::Fail => "FAIL",
        }
    }
}

impl std::fmt::Display for GateResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<GateResult> for Verdict {
    fn from(result: GateResult) -> Verdict {
        match result {
            GateResult::Pass => Verdict::Pass,
            GateResult::Fail => Verdict::Fail,
        }
    }
}

/// Decides the gate.
pub fn decide(facts: &GateFacts) -> GateDecision {
    let mut reasons = Vec::new();
    let mut notes = Vec::new();

    reasons.extend(facts.report_problems.iter().cloned());
    if facts.reports_read == 0 && facts.report_problems.is_empty() {
        reasons.push("no Playwright report was read (check the `results` input)".to_string());
    }
    for error in &facts.top_level_errors {
        reasons.push(format!("the run has a top-level error: {error}"));
    }
    if facts.reports_read > 0 && facts.tests_run == 0 {
        reasons.push("no test ran: every test was skipped or none was found".to_string());
    }
    for spec in &facts.specs {
        if spec.verdict == Verdict::Fail {
            let kind = if spec.required {
                "required spec"
            } else {
                "spec"
            };
            if spec.reasons.is_empty() {
                reasons.push(format!("{kind} {} is FAIL", spec.file));
            }
            for why in &spec.reasons {
                reasons.push(format!("{kind} {} is FAIL: {why}", spec.file));
            }
        } else if spec.required && spec.verdict != Verdict::Pass {
            reasons.push(format!(
                "required spec {} is {} (every test was skipped); a required spec must PASS",
                spec.file, spec.verdict
            ));
        }
    }
    for finding in &facts.critical_findings {
        reasons.push(format!("critical log finding: {finding}"));
    }
    for inconsistency in &facts.inconsistencies {
        reasons.push(format!("the report contradicts itself: {inconsistency}"));
    }
    reasons.extend(shard_problems(&facts.shards));
    match JobStatus::parse(facts.job_status.as_deref(), facts.in_actions) {
        Some(JobStatus::Success) => {}
        Some(JobStatus::NotGivenLocally) => notes.push(
            "no job status given (`job-status`): a local run, so the workflow's own state was not checked".to_string(),
        ),
        Some(JobStatus::EmptyInActions) => reasons.push(
            "`job-status` is empty inside GitHub Actions: a wiring mistake (the expression given, such as `${{ needs.<job>.result }}`, names no job this one needs); leave the default `${{ job.status }}` or name the test job in `needs`".to_string(),
        ),
        Some(JobStatus::Failure) => reasons.push(
            "the job's earlier steps ended with `failure` (job-status): a step before the gate failed".to_string(),
        ),
        Some(JobStatus::Cancelled) => reasons.push(
            "the job ended with `cancelled` (job-status): the run was cancelled before it finished".to_string(),
        ),
        Some(JobStatus::Skipped) => reasons.push(
            "the test job ended with `skipped` (job-status): the tests did not run, so there is nothing to vouch for".to_string(),
        ),
        None => reasons.push(format!(
            "`job-status` is `{}`, which is none of success, failure, cancelled or skipped",
            facts.job_status.as_deref().unwrap_or_default()
        )),
    }

    GateDecision {
        result: if reasons.is_empty() {
            GateResult::Pass
        } else {
            GateResult::Fail
        },
        reasons,
        notes,
    }
}

/// Shard reports must form one complete set: one `total`, every shard `1..=total` exactly once.
/// One reason per problem, naming the shard and the reports.
pub fn shard_problems(shards: &[(String, Shard)]) -> Vec<String> {
    let mut reasons = Vec::new();
    if shards.is_empty() {
        return reasons;
    }
    let mut totals: Vec<u32> = shards.iter().map(|(_, s)| s.total).collect();
    totals.sort_unstable();
    totals.dedup();
    if totals.len() > 1 {
        let listed: Vec<String> = shards
            .iter()
            .map(|(report, s)| format!("{report} is shard {}/{}", s.current, s.total))
            .collect();
        reasons.push(format!(
            "the shard reports are not one set: they disagree on the number of shards ({})",
            listed.join(", ")
        ));
        return reasons;
    }
    let total = totals[0];
    for (report, shard) in shards {
        if shard.total == 0 || shard.current == 0 || shard.current > shard.total {
            reasons.push(format!(
                "{report}: `config.shard` says shard {} of {}, which is not a shard of a set",
                shard.current, shard.total
            ));
        }
    }
    if !reasons.is_empty() {
        return reasons;
    }
    for current in 1..=total {
        let given: Vec<&str> = shards
            .iter()
            .filter(|(_, s)| s.current == current)
            .map(|(report, _)| report.as_str())
            .collect();
        match given.len() {
            0 => reasons.push(format!(
                "shard {current} of {total} is missing: the reports given are not the whole run (give every shard's report, or the merged report alone)"
            )),
            1 => {}
            n => reasons.push(format!(
                "shard {current} of {total} was given {n} times ({}): each shard's report must be given once",
                given.join(", ")
            )),
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(file: &str, verdict: Verdict, required: bool) -> SpecReport {
        SpecReport {
            file: file.to_string(),
            verdict,
            required,
            passed: 1,
            failed: 0,
            flaky: 0,
            skipped: 0,
            did_not_run: 0,
            skip_reasons: vec![],
            reasons: vec![],
        }
    }

    fn green() -> GateFacts {
        GateFacts {
            reports_read: 1,
            tests_run: 4,
            specs: vec![
                spec(
                    "e2e/specs/ai-coach/ai-coach-api.spec.ts",
                    Verdict::Pass,
                    true,
                ),
                spec("e2e/specs/other.spec.ts", Verdict::Skip, false),
            ],
            job_status: Some("success".to_string()),
            ..GateFacts::default()
        }
    }

    #[test]
    fn green_run_passes() {
        let decision = decide(&green());
        assert_eq!(decision.result, GateResult::Pass);
        assert!(decision.reasons.is_empty());
    }

    #[test]
    fn every_rule_can_fail_the_gate() {
        type Breaks = Box<dyn Fn(&mut GateFacts)>;
        let cases: Vec<(&str, Breaks)> = vec![
            ("no report", Box::new(|f| f.reports_read = 0)),
            (
                "bad report",
                Box::new(|f| f.report_problems.push("x.json: truncated".into())),
            ),
            (
                "top-level error",
                Box::new(|f| f.top_level_errors.push("No tests found".into())),
            ),
            ("no test ran", Box::new(|f| f.tests_run = 0)),
            (
                "required FAIL",
                Box::new(|f| f.specs[0].verdict = Verdict::Fail),
            ),
            (
                "required SKIP",
                Box::new(|f| f.specs[0].verdict = Verdict::Skip),
            ),
            (
                "other FAIL",
                Box::new(|f| f.specs[1].verdict = Verdict::Fail),
            ),
            (
                "finding",
                Box::new(|f| f.critical_findings.push("startup-failed at log:3".into())),
            ),
            (
                "job failed",
                Box::new(|f| f.job_status = Some("failure".into())),
            ),
            (
                "job cancelled",
                Box::new(|f| f.job_status = Some("cancelled".into())),
            ),
            (
                "job skipped",
                Box::new(|f| f.job_status = Some("skipped".into())),
            ),
            (
                "job status empty inside Actions",
                Box::new(|f| {
                    f.job_status = None;
                    f.in_actions = true;
                }),
            ),
            (
                "report contradicts itself",
                Box::new(|f| {
                    f.inconsistencies
                        .push("stats say 3 unexpected, the tests show 0".into())
                }),
            ),
            (
                "one shard of two",
                Box::new(|f| {
                    f.shards.push((
                        "shard-1.json".into(),
                        Shard {
                            current: 1,
                            total: 2,
                        },
                    ))
                }),
            ),
        ];
        for (name, breaks) in cases {
            let mut facts = green();
            breaks(&mut facts);
            let decision = decide(&facts);
            assert_eq!(decision.result, GateResult::Fail, "{name}");
            assert!(!decision.reasons.is_empty(), "{name}");
        }
    }

    #[test]
    fn local_run_without_job_status_is_noted() {
        let mut facts = green();
        facts.job_status = None;
        let decision = decide(&facts);
        assert_eq!(decision.result, GateResult::Pass);
        assert!(decision.notes[0].contains("local run"));
    }

    /// Issue 10: an empty `job-status` inside Actions (a wrong `needs` name) passed as "a
    /// local run".
    #[test]
    fn empty_job_status_inside_actions_is_a_wiring_mistake() {
        let mut facts = green();
        facts.job_status = None;
        facts.in_actions = true;
        let decision = decide(&facts);
        assert_eq!(decision.result, GateResult::Fail);
        assert!(
            decision.reasons[0].contains("wiring mistake"),
            "{decision:?}"
        );
        assert!(decision.notes.is_empty());
    }

    fn shard(report: &str, current: u32, total: u32) -> (String, Shard) {
        (report.to_string(), Shard { current, total })
    }

    /// Issue 10: one shard of two given alone, or the same shard twice, was combined without a
    /// word.
    #[test]
    fn shards_must_form_one_complete_set() {
        assert!(shard_problems(&[]).is_empty());
        assert!(shard_problems(&[shard("a.json", 1, 2), shard("b.json", 2, 2)]).is_empty());
        assert!(shard_problems(&[shard("a.json", 1, 1)]).is_empty());
        assert_eq!(
            shard_problems(&[shard("a.json", 1, 2)]),
            vec![
                "shard 2 of 2 is missing: the reports given are not the whole run (give every shard's report, or the merged report alone)"
            ]
        );
        let twice = shard_problems(&[shard("a.json", 1, 2), shard("b.json", 1, 2)]);
        assert_eq!(twice.len(), 2, "{twice:?}");
        assert!(twice[0].starts_with("shard 1 of 2 was given 2 times (a.json, b.json)"));
        assert!(twice[1].starts_with("shard 2 of 2 is missing"));
        let mixed = shard_problems(&[shard("a.json", 1, 2), shard("b.json", 2, 3)]);
        assert_eq!(mixed.len(), 1);
        assert!(
            mixed[0].contains("a.json is shard 1/2, b.json is shard 2/3"),
            "{mixed:?}"
        );
        let out_of_range = shard_problems(&[shard("a.json", 3, 2), shard("b.json", 0, 2)]);
        assert_eq!(out_of_range.len(), 2, "{out_of_range:?}");
        assert!(out_of_range[0].contains("a.json: `config.shard` says shard 3 of 2"));
    }
}
