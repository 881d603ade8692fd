//! The gate decision (DESIGN.md section 3, "The gate"): `PASS` only when every rule holds.
//!
//! [`decide`] is a pure function of what the run produced, so the rules can be read here and
//! checked against DESIGN.md line by line.

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
    /// The `job-status` input: status of the job's steps before this one.
    pub job_status: Option<String>,
}

/// The gate's result and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateDecision {
    /// `PASS` or `FAIL`.
    pub result: Verdict,
    /// Why the gate failed, one line each (empty on PASS).
    pub reasons: Vec<String>,
    /// Things worth saying that did not decide anything (e.g. no job status locally).
    pub notes: Vec<String>,
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
    match facts.job_status.as_deref() {
        Some("success") => {}
        None => notes.push(
            "no job status given (`job-status`): a local run, so the workflow's own state was not checked".to_string(),
        ),
        Some(other) => reasons.push(format!(
            "the job's earlier steps ended with `{other}` (job-status), not `success`"
        )),
    }

    GateDecision {
        result: if reasons.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        reasons,
        notes,
    }
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
        assert_eq!(decision.result, Verdict::Pass);
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
        ];
        for (name, breaks) in cases {
            let mut facts = green();
            breaks(&mut facts);
            let decision = decide(&facts);
            assert_eq!(decision.result, Verdict::Fail, "{name}");
            assert!(!decision.reasons.is_empty(), "{name}");
        }
    }

    #[test]
    fn local_run_without_job_status_is_noted() {
        let mut facts = green();
        facts.job_status = None;
        let decision = decide(&facts);
        assert_eq!(decision.result, Verdict::Pass);
        assert!(decision.notes[0].contains("local run"));
    }
}
