//! The job summary: the result and its reasons first, then the spec table, failing tests with
//! links to their lines, flaky tests, skip reasons, log findings and the evidence block.
//!
//! [`render`] is pure. It returns the full summary and a shorter fallback (result, reasons,
//! failing specs and the evidence) for when the full one would pass GitHub's 1 MiB limit;
//! [`crate::runner::write_summary`] chooses. Every piece of report or log text is escaped.

use std::collections::BTreeMap;

use crate::logscan::Finding;
use crate::markdown::{code_block, details, escape_inline, table};
use crate::verdict::{SpecReport, SpecTally, Verdict};

/// Longest title or reason shown on one line.
const LINE_CHARS: usize = 300;
/// Longest error message shown in a code block.
const MESSAGE_CHARS: usize = 1500;

/// What the summary shows.
#[derive(Debug)]
pub struct SummaryView<'a> {
    /// The gate result.
    pub result: Verdict,
    /// Why the gate failed.
    pub reasons: &'a [String],
    /// Notes that did not decide anything.
    pub notes: &'a [String],
    /// Spec verdicts in display order.
    pub specs: &'a [SpecReport],
    /// Tallies by repository path (failed, flaky and not-run tests by name).
    pub tallies: &'a BTreeMap<String, SpecTally>,
    /// Log findings that were kept.
    pub findings: &'a [Finding],
    /// Findings counted but not kept.
    pub findings_omitted: u64,
    /// The evidence block (Markdown).
    pub evidence: &'a str,
    /// `<server>/<owner>/<repo>/blob/<sha>`, for links to test lines; `None` locally.
    pub blob_base: Option<String>,
    /// Totals: passed, failed, flaky, skipped.
    pub totals: [u64; 4],
}

/// Renders the full summary and its shorter fallback.
pub fn render(view: &SummaryView<'_>) -> (String, String) {
    let head = head(view);
    let evidence = evidence_section(view.evidence);

    let mut full = head.clone();
    full.push_str(&spec_table(view.specs, false));
    full.push_str(&failing_tests(view));
    full.push_str(&flaky_tests(view));
    full.push_str(&skip_reasons(view));
    full.push_str(&findings(view));
    full.push_str(&evidence);

    let mut fallback = head;
    fallback.push_str(&spec_table(view.specs, true));
    fallback.push_str(&evidence);
    (full, fallback)
}

fn head(view: &SummaryView<'_>) -> String {
    let mut out = String::new();
    let icon = if view.result == Verdict::Pass {
        "✅"
    } else {
        "❌"
    };
    out.push_str(&format!("## {icon} itm-gate: {}\n\n", view.result));
    let [passed, failed, flaky, skipped] = view.totals;
    out.push_str(&format!(
        "{passed} passed, {failed} failed, {flaky} flaky, {skipped} skipped\n\n"
    ));
    if !view.reasons.is_empty() {
        out.push_str("**Why the gate failed:**\n\n");
        for reason in view.reasons {
            out.push_str(&format!("- {}\n", escape_inline(reason, LINE_CHARS)));
        }
        out.push('\n');
    }
    for note in view.notes {
        out.push_str(&format!("> {}\n", escape_inline(note, LINE_CHARS)));
    }
    if !view.notes.is_empty() {
        out.push('\n');
    }
    out
}

fn spec_table(specs: &[SpecReport], failing_only: bool) -> String {
    let rows: Vec<Vec<String>> = specs
        .iter()
        .filter(|s| !failing_only || s.verdict == Verdict::Fail)
        .map(|s| {
            let icon = match s.verdict {
                Verdict::Pass => "✅",
                Verdict::Fail => "❌",
                Verdict::Skip => "⏭️",
            };
            vec![
                format!(
                    "`{}`{}",
                    code_text(&s.file),
                    if s.required { " (required)" } else { "" }
                ),
                format!("{icon} {}", s.verdict),
                s.passed.to_string(),
                s.failed.to_string(),
                s.flaky.to_string(),
                s.skipped.to_string(),
                s.did_not_run.to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(if failing_only {
        "### Failing spec files\n\n"
    } else {
        "### Spec files\n\n"
    });
    out.push_str(&table(
        &[
            "Spec file",
            "Verdict",
            "Passed",
            "Failed",
            "Flaky",
            "Skipped",
            "Did not run",
        ],
        &rows,
    ));
    out.push('\n');
    out
}

/// A path inside a code span: backticks cannot occur in it, so it cannot end the span.
fn code_text(text: &str) -> String {
    escape_inline(text, LINE_CHARS).replace("\\`", "'")
}

fn failing_tests(view: &SummaryView<'_>) -> String {
    let mut out = String::new();
    for (file, tally) in view.tallies {
        for failure in &tally.failures {
            let line = failure.error_line.unwrap_or(failure.test.line);
            let place = match &view.blob_base {
                Some(base) => format!(
                    "[`{}:{line}`]({base}/{}#L{line})",
                    code_text(file),
                    url_path(file)
                ),
                None => format!("`{}:{line}`", code_text(file)),
            };
            out.push_str(&format!(
                "- {place} {} ({}, {} attempt{})\n\n",
                escape_inline(&failure.test.label(), LINE_CHARS),
                failure.status,
                failure.attempts,
                if failure.attempts == 1 { "" } else { "s" }
            ));
            out.push_str(&indent(&code_block(&failure.message, MESSAGE_CHARS)));
            out.push('\n');
        }
        let more = tally.failed.saturating_sub(tally.failures.len() as u64);
        if more > 0 {
            out.push_str(&format!(
                "- … and {more} more failed tests in `{}`\n\n",
                code_text(file)
            ));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("### Failing tests\n\n{out}")
}

fn indent(block: &str) -> String {
    block.lines().map(|l| format!("  {l}\n")).collect()
}

/// Percent-encodes what a URL path cannot hold as is.
fn url_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, URL_PATH).to_string()
}

const URL_PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%')
    .add(b'(')
    .add(b')');

fn flaky_tests(view: &SummaryView<'_>) -> String {
    let mut out = String::new();
    for (file, tally) in view.tallies {
        for test in &tally.flaky_tests {
            out.push_str(&format!(
                "- `{}:{}` {}\n",
                code_text(file),
                test.line,
                escape_inline(&test.label(), LINE_CHARS)
            ));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("### Flaky tests (passed on retry)\n\n{out}\n")
}

fn skip_reasons(view: &SummaryView<'_>) -> String {
    let mut rows = Vec::new();
    for (file, tally) in view.tallies {
        for (reason, count) in &tally.skip_reasons {
            rows.push(vec![
                escape_inline(reason, LINE_CHARS),
                count.to_string(),
                format!("`{}`", code_text(file)),
            ]);
        }
        if tally.did_not_run > 0 {
            rows.push(vec![
                "did not run (interrupted, not reached, or listed only)".to_string(),
                tally.did_not_run.to_string(),
                format!("`{}`", code_text(file)),
            ]);
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from("### Skipped tests\n\n");
    out.push_str(&table(&["Reason", "Tests", "Spec file"], &rows));
    out.push('\n');
    out
}

fn findings(view: &SummaryView<'_>) -> String {
    if view.findings.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = view
        .findings
        .iter()
        .map(|f| {
            vec![
                f.severity.to_string(),
                format!("`{}`", code_text(&f.rule)),
                escape_inline(&f.place(), LINE_CHARS),
                escape_inline(&f.excerpt, LINE_CHARS),
            ]
        })
        .collect();
    let mut out = String::from("### Log findings\n\n");
    out.push_str(&table(&["Severity", "Rule", "Where", "Excerpt"], &rows));
    if view.findings_omitted > 0 {
        out.push_str(&format!(
            "\n… and {} more findings of the same rules (counted, not listed).\n",
            view.findings_omitted
        ));
    }
    out.push('\n');
    out
}

fn evidence_section(evidence: &str) -> String {
    let mut out = String::from("### Evidence block\n\n");
    out.push_str(&details(
        "Evidence block for the status document (Markdown)",
        &code_block(evidence, usize::MAX),
    ));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{FailedTest, TestRef};

    fn view_with<'a>(
        specs: &'a [SpecReport],
        tallies: &'a BTreeMap<String, SpecTally>,
        reasons: &'a [String],
    ) -> SummaryView<'a> {
        SummaryView {
            result: Verdict::Fail,
            reasons,
            notes: &[],
            specs,
            tallies,
            findings: &[],
            findings_omitted: 0,
            evidence: "### Staging Live Gate Evidence\n- Result: FAIL\n",
            blob_base: Some("https://github.com/n8kahl/ITM-gd/blob/abc".into()),
            totals: [1, 1, 0, 0],
        }
    }

    #[test]
    fn untrusted_text_cannot_break_the_markdown() {
        let mut tally = SpecTally {
            failed: 1,
            ..SpecTally::default()
        };
        tally.failures.push(FailedTest {
            test: TestRef {
                title: "x | <img src=x onerror=alert(1)> `code`".into(),
                project: "p".into(),
                line: 4,
            },
            status: "failed".into(),
            attempts: 1,
            message: "```\n</details><script>".into(),
            error_line: None,
            location: None,
        });
        let tallies = BTreeMap::from([("e2e/a.spec.ts".to_string(), tally)]);
        let reasons = vec!["spec e2e/a.spec.ts is FAIL".to_string()];
        let (full, _) = render(&view_with(&[], &tallies, &reasons));
        assert!(!full.contains("<img"));
        assert!(full.contains("x \\| &lt;img"));
        assert!(
            full.contains("````\n  ```\n  </details><script>\n  ````"),
            "{full}"
        );
        assert!(full.contains("(https://github.com/n8kahl/ITM-gd/blob/abc/e2e/a.spec.ts#L4)"));
    }

    #[test]
    fn fallback_keeps_result_reasons_failing_specs_and_evidence() {
        let spec = |file: &str, verdict| SpecReport {
            file: file.into(),
            verdict,
            required: true,
            passed: 1,
            failed: 0,
            flaky: 0,
            skipped: 0,
            did_not_run: 0,
            skip_reasons: vec![],
            reasons: vec![],
        };
        let specs = [
            spec("e2e/ok.spec.ts", Verdict::Pass),
            spec("e2e/bad.spec.ts", Verdict::Fail),
        ];
        let reasons = vec!["spec e2e/bad.spec.ts is FAIL".to_string()];
        let tallies = BTreeMap::new();
        let (_, fallback) = render(&view_with(&specs, &tallies, &reasons));
        assert!(fallback.starts_with("## ❌ itm-gate: FAIL"));
        assert!(fallback.contains("e2e/bad.spec.ts"));
        assert!(!fallback.contains("e2e/ok.spec.ts"));
        assert!(fallback.contains("Staging Live Gate Evidence"));
    }
}
