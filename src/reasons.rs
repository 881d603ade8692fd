//! Short reasons: each cause of a `FAIL` said once, most important first (DESIGN.md section 3,
//! "Reasons a person can act on"). They are the `reasons` output and the top of the job summary;
//! the details (every test, every attempt, every finding) stay below, in the summary.
//!
//! [`short_reasons`] is pure. It takes the gate's full list of reasons (which decided the
//! result) and says the same causes shorter, in this order:
//! 1. the failing specs (required first) in one line each kind, with what failed in each, then
//!    the failure groups (see [`crate::failure_groups`]) and the specs' other causes, merged
//!    across specs (strict-mode skips by reason, files that failed to load);
//! 2. every other reason of the gate as it is (reports, shards, top-level errors, no test ran);
//! 3. critical log findings grouped by rule: count and first place;
//! 4. the job status.
//!
//! A reason of the gate this module does not recognise is never dropped: it is kept as is in
//! the second part.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::failure_groups::FailureGroup;
use crate::logscan::{Finding, Findings, Severity};
use crate::text::truncate_chars;
use crate::verdict::{SpecReport, Verdict};

/// Most failure groups named; the rest are counted in one line.
pub const MAX_GROUPS: usize = 5;
/// Most spec files named in the line of failing specs; the rest are counted.
const MAX_SPECS_NAMED: usize = 5;
/// Most per-spec causes said one by one (a file that failed to load, …); the rest are counted.
const MAX_SPEC_CAUSES: usize = 10;
/// Longest finding excerpt in a reason, in characters.
const EXCERPT_CHARS: usize = 120;

/// What the gate says of a critical finding (see [`crate::gate::decide`]).
const FINDING_PREFIX: &str = "critical log finding: ";

/// `strict mode: 4 tests skipped: "reason" (not allowed by `allow-skip`)` of a spec.
static STRICT_SKIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^strict mode: (\d+) tests? skipped: "(.*)" \(not allowed by `allow-skip`\)$"#)
        .expect("strict-skip pattern is valid")
});

/// Spec reasons the per-spec counts already say (`4 failed`, `1 did not run`, `2 flaky`).
fn said_by_counts(why: &str) -> bool {
    why.starts_with("test failed ")
        || why.starts_with("test did not run ")
        || why.starts_with("test passed only on retry ")
        || why.starts_with("… and ")
        || why.starts_with("required spec is absent ")
}

/// The short reasons of a failed gate; empty when `gate_reasons` is empty (a `PASS`).
pub fn short_reasons(
    gate_reasons: &[String],
    specs: &[SpecReport],
    groups: &[FailureGroup],
    findings: &Findings,
) -> Vec<String> {
    if gate_reasons.is_empty() {
        return Vec::new();
    }
    let by_file: HashMap<&str, &SpecReport> = specs.iter().map(|s| (s.file.as_str(), s)).collect();
    let failing: Vec<&SpecReport> = specs
        .iter()
        .filter(|s| s.verdict == Verdict::Fail)
        .collect();

    let mut spec_part = Vec::new();
    let mut other = Vec::new();
    let mut job = Vec::new();
    for reason in gate_reasons {
        if reason.starts_with(FINDING_PREFIX) {
            continue;
        }
        if failing_spec_of(reason, &by_file).is_some() {
            // Said below from the spec's own report.
            continue;
        }
        if reason.contains("(job-status)") || reason.contains("`job-status`") {
            job.push(reason.clone());
        } else if reason.starts_with("required spec ") {
            spec_part.push(reason.clone());
        } else {
            other.push(reason.clone());
        }
    }

    let mut out = Vec::new();
    for required in [true, false] {
        let these: Vec<&&SpecReport> = failing.iter().filter(|s| s.required == required).collect();
        if these.is_empty() {
            continue;
        }
        let named: Vec<String> = these
            .iter()
            .take(MAX_SPECS_NAMED)
            .map(|s| format!("`{}` ({})", s.file, what_failed(s)))
            .collect();
        let more = these.len().saturating_sub(MAX_SPECS_NAMED);
        out.push(format!(
            "{} FAIL: {}{}",
            if required {
                "required specs"
            } else {
                "other specs"
            },
            named.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        ));
    }
    for group in groups.iter().take(MAX_GROUPS) {
        out.push(group.sentence());
    }
    if groups.len() > MAX_GROUPS {
        let tests: usize = groups[MAX_GROUPS..].iter().map(|g| g.tests.len()).sum();
        out.push(format!(
            "… and {tests} more failed tests in {} other ways (see the job summary)",
            groups.len() - MAX_GROUPS
        ));
    }
    out.extend(spec_causes(&failing));
    out.extend(spec_part);
    out.extend(other);
    out.extend(finding_lines(findings));
    out.extend(job);
    dedup_keep_order(&mut out);
    out
}

/// The failing spec a reason of the gate is about (`required spec <file> is FAIL…` or
/// `spec <file> is FAIL…`), when that spec is in `by_file` and failed.
fn failing_spec_of<'a>(
    reason: &str,
    by_file: &HashMap<&str, &'a SpecReport>,
) -> Option<&'a SpecReport> {
    let rest = reason
        .strip_prefix("required spec ")
        .or_else(|| reason.strip_prefix("spec "))?;
    rest.match_indices(" is FAIL").find_map(|(at, _)| {
        by_file
            .get(&rest[..at])
            .copied()
            .filter(|s| s.verdict == Verdict::Fail)
    })
}

/// `4 failed, 1 did not run`: what made a spec fail, by count.
fn what_failed(spec: &SpecReport) -> String {
    let has = |prefix: &str| spec.reasons.iter().any(|r| r.starts_with(prefix));
    let mut parts = Vec::new();
    if has("required spec is absent ") {
        parts.push("absent from the report".to_string());
    }
    if has("the file failed to load") {
        parts.push("failed to load".to_string());
    }
    if spec.failed > 0 {
        parts.push(format!("{} failed", spec.failed));
    }
    if spec.did_not_run > 0 {
        parts.push(format!("{} did not run", spec.did_not_run));
    }
    if spec.flaky > 0 && has("test passed only on retry") {
        parts.push(format!("{} flaky", spec.flaky));
    }
    let strict: u64 = spec
        .reasons
        .iter()
        .filter_map(|r| STRICT_SKIP.captures(r))
        .filter_map(|c| c[1].parse::<u64>().ok())
        .sum();
    if strict > 0 {
        parts.push(format!("{strict} skipped in strict mode"));
    }
    if parts.is_empty() {
        parts.push("FAIL".to_string());
    }
    parts.join(", ")
}

/// The failing specs' causes that counts do not say, merged across specs: strict-mode skips
/// by reason (`6 tests in 2 required specs`), and every other reason once per spec.
fn spec_causes(failing: &[&SpecReport]) -> Vec<String> {
    // reason → (tests, specs)
    let mut skips: Vec<(String, u64, usize)> = Vec::new();
    let mut out = Vec::new();
    for spec in failing {
        let kind = if spec.required {
            "required spec"
        } else {
            "spec"
        };
        for why in &spec.reasons {
            if let Some(c) = STRICT_SKIP.captures(why) {
                let count: u64 = c[1].parse().unwrap_or(0);
                match skips.iter_mut().find(|(r, _, _)| r == &c[2]) {
                    Some((_, tests, specs)) => {
                        *tests += count;
                        *specs += 1;
                    }
                    None => skips.push((c[2].to_string(), count, 1)),
                }
            } else if !said_by_counts(why) {
                out.push(format!("{kind} `{}`: {why}", spec.file));
            }
        }
    }
    let total = out.len();
    if total > MAX_SPEC_CAUSES {
        out.truncate(MAX_SPEC_CAUSES);
        out.push(format!(
            "… and {} more causes in failing specs (see the `specs` output)",
            total - MAX_SPEC_CAUSES
        ));
    }
    let mut lines: Vec<String> = skips
        .into_iter()
        .map(|(reason, tests, specs)| {
            format!(
                "strict mode: {tests} test{} in {specs} spec{} skipped: \"{reason}\" (not allowed by `allow-skip`)",
                if tests == 1 { "" } else { "s" },
                if specs == 1 { "" } else { "s" },
            )
        })
        .collect();
    lines.extend(out);
    lines
}

/// One line per rule with critical findings: count, first place and what it said.
fn finding_lines(findings: &Findings) -> Vec<String> {
    let mut firsts: Vec<&Finding> = Vec::new();
    for finding in findings.critical() {
        if !firsts.iter().any(|f| f.rule == finding.rule) {
            firsts.push(finding);
        }
    }
    let totals: HashMap<&str, u64> = findings
        .counts()
        .filter(|(_, c)| c.severity == Severity::Critical)
        .map(|(rule, c)| (rule, c.total))
        .collect();
    firsts
        .into_iter()
        .map(|first| {
            let total = totals.get(first.rule.as_str()).copied().unwrap_or(1);
            let excerpt: String = first
                .excerpt
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                "critical log finding `{}` ×{total}, first at {}: {}",
                first.rule,
                first.place(),
                truncate_chars(&excerpt, EXCERPT_CHARS)
            )
        })
        .collect()
}

fn dedup_keep_order(lines: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    lines.retain(|l| seen.insert(l.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure_groups::{GroupedTest, Place};
    use crate::gate::{GateFacts, decide};
    use crate::verdict::{FailedTest, TestRef};

    fn spec(file: &str, failed: u64, reasons: &[&str]) -> SpecReport {
        SpecReport {
            file: file.into(),
            verdict: Verdict::Fail,
            required: true,
            passed: 0,
            failed,
            flaky: 0,
            skipped: 2,
            did_not_run: 0,
            skip_reasons: vec![],
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn finding(rule: &str, attempt: u32) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Critical,
            source: format!("e2e/specs/a.spec.ts › t [chromium] (attempt {attempt})"),
            line: None,
            excerpt: "Live auth bypass preflight failed: status 500".into(),
        }
    }

    /// The users' bootstrap failure: 25 reasons before, each cause once now.
    #[test]
    fn the_bootstrap_failure_fits_in_a_few_lines_with_the_500() {
        let test_failed = "test failed (failed, 3 attempts): T [chromium]: Error: expect(received).toBe(expected) // Object.is equality";
        let specs = vec![
            spec(
                "e2e/specs/ai-coach/ai-coach-api.spec.ts",
                4,
                &[test_failed; 4],
            ),
            spec(
                "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts",
                2,
                &[test_failed; 2],
            ),
        ];
        let mut findings = Findings::new();
        for attempt in 1..=18 {
            findings.push(finding("bypass-preflight-failed", attempt));
        }
        let facts = GateFacts {
            reports_read: 1,
            tests_run: 6,
            specs: specs.clone(),
            critical_findings: findings
                .critical()
                .map(|f| format!("{} at {}", f.rule, f.place()))
                .collect(),
            job_status: Some("success".into()),
            ..GateFacts::default()
        };
        let decision = decide(&facts);
        assert!(decision.reasons.len() >= 24, "{:#?}", decision.reasons);
        let message = "Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 500";
        let tests = (0..6)
            .map(|i| GroupedTest {
                spec: specs[i / 4].file.clone(),
                test: FailedTest {
                    test: TestRef {
                        title: format!("t{i}"),
                        project: String::new(),
                        line: 1,
                    },
                    status: "failed".into(),
                    attempts: 3,
                    message: message.into(),
                    error_line: None,
                    location: None,
                },
            })
            .collect();
        let groups = vec![FailureGroup {
            place: Some(Place {
                file: "e2e/support/backend.ts".into(),
                line: 36,
            }),
            headline: "Expected 200, Received 500".into(),
            matcher: Some("toBe".into()),
            tests,
            specs: specs.iter().map(|s| s.file.clone()).collect(),
            required_specs: 2,
        }];
        let short = short_reasons(&decision.reasons, &specs, &groups, &findings);
        assert_eq!(
            short,
            [
                "required specs FAIL: `e2e/specs/ai-coach/ai-coach-api.spec.ts` (4 failed), `e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts` (2 failed)",
                "6 tests in 2 required specs failed at `e2e/support/backend.ts:36`: Expected 200, Received 500",
                "critical log finding `bypass-preflight-failed` ×18, first at e2e/specs/a.spec.ts › t [chromium] (attempt 1): Live auth bypass preflight failed: status 500",
            ]
        );
    }

    #[test]
    fn strict_skips_merge_across_specs_and_other_reasons_stay_in_order() {
        let skip = "strict mode: 4 tests skipped: \"Live backend not healthy at http://x\" (not allowed by `allow-skip`)";
        let skip2 = "strict mode: 2 tests skipped: \"Live backend not healthy at http://x\" (not allowed by `allow-skip`)";
        let specs = vec![
            spec("e2e/a.spec.ts", 0, &[skip]),
            spec("e2e/b.spec.ts", 0, &[skip2]),
        ];
        let facts = GateFacts {
            reports_read: 1,
            report_problems: vec!["shard 2 of 2 is missing".into()],
            specs: specs.clone(),
            job_status: Some("failure".into()),
            ..GateFacts::default()
        };
        let decision = decide(&facts);
        let short = short_reasons(&decision.reasons, &specs, &[], &Findings::new());
        assert_eq!(
            short[0],
            "required specs FAIL: `e2e/a.spec.ts` (4 skipped in strict mode), `e2e/b.spec.ts` (2 skipped in strict mode)"
        );
        assert_eq!(
            short[1],
            "strict mode: 6 tests in 2 specs skipped: \"Live backend not healthy at http://x\" (not allowed by `allow-skip`)"
        );
        assert_eq!(short[2], "shard 2 of 2 is missing");
        assert!(short[3].starts_with("no test ran"), "{short:?}");
        assert!(short.last().unwrap().contains("job-status"), "{short:?}");
    }

    #[test]
    fn a_pass_has_no_reasons() {
        assert!(short_reasons(&[], &[], &[], &Findings::new()).is_empty());
    }
}
