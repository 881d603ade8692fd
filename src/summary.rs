//! The job summary, laid out so the first screen answers "why": the result, the short reasons
//! (each cause once, see [`crate::reasons`]) and the spec table; then the failure groups, each
//! with its tests and one error in full; flaky tests; skips grouped by reason; log findings;
//! the evidence block.
//!
//! [`render`] is pure. It returns the full summary and a shorter fallback (result, reasons,
//! failing specs, failure groups and the evidence) for when the full one would pass GitHub's
//! 1 MiB limit; [`crate::runner::write_summary`] chooses.
//!
//! Report and log text is untrusted. Paths, rule ids and places are shown in code spans
//! ([`code_span`]: only backticks need care there, so nothing shows a stray backslash); other
//! text is escaped with [`escape_inline`]; text inside HTML (`<summary>`) with [`html_text`].

use std::collections::{BTreeMap, HashMap};

use crate::failure_groups::{FailureGroup, Place};
use crate::gate::GateResult;
use crate::logscan::Finding;
use crate::markdown::{
    code_block, code_span, code_span_in_cell, details, escape_inline, html_text, table,
};
use crate::verdict::{Counts, SpecReport, SpecTally, Verdict};

/// Longest title or reason shown on one line.
const LINE_CHARS: usize = 300;
/// Longest error message shown in a code block.
const MESSAGE_CHARS: usize = 1500;
/// Most tests listed by name under one failure group.
const TESTS_PER_GROUP: usize = 50;
/// Link text of the `report-url` input.
const REPORT_LINK_TEXT: &str = "Playwright report and traces";

/// What the summary shows.
#[derive(Debug)]
pub struct SummaryView<'a> {
    /// The gate result.
    pub result: GateResult,
    /// Why the gate failed: the short reasons, each cause once.
    pub reasons: &'a [String],
    /// Notes that did not decide anything.
    pub notes: &'a [String],
    /// Spec verdicts in display order.
    pub specs: &'a [SpecReport],
    /// Tallies by repository path (failed, flaky and not-run tests by name).
    pub tallies: &'a BTreeMap<String, SpecTally>,
    /// Failing tests grouped by how and where they failed, most important first.
    pub groups: &'a [FailureGroup],
    /// Log findings that were kept.
    pub findings: &'a [Finding],
    /// Findings counted but not kept.
    pub findings_omitted: u64,
    /// The evidence block (Markdown).
    pub evidence: &'a str,
    /// `<server>/<owner>/<repo>/blob/<sha>`, for links to test lines; `None` locally.
    pub blob_base: Option<String>,
    /// The `report-url` input: the HTML report and traces of the run.
    pub report_url: Option<&'a str>,
    /// Totals: passed, failed, flaky, skipped.
    pub totals: Counts,
}

/// Renders the full summary and its shorter fallback.
pub fn render(view: &SummaryView<'_>) -> (String, String) {
    let head = head(view);
    let evidence = evidence_section(view.evidence);

    let mut full = head.clone();
    full.push_str(&spec_table(view, false));
    full.push_str(&failure_groups(view, true));
    full.push_str(&flaky_tests(view));
    full.push_str(&skip_reasons(view));
    full.push_str(&findings(view));
    full.push_str(&evidence);

    let mut fallback = head;
    fallback.push_str(&spec_table(view, true));
    fallback.push_str(&failure_groups(view, false));
    fallback.push_str(&evidence);
    (full, fallback)
}

fn head(view: &SummaryView<'_>) -> String {
    let mut out = String::new();
    let icon = if view.result == GateResult::Pass {
        "✅"
    } else {
        "❌"
    };
    out.push_str(&format!("## {icon} itm-gate: {}\n\n", view.result));
    let Counts {
        passed,
        failed,
        flaky,
        skipped,
        ..
    } = view.totals;
    out.push_str(&format!(
        "{passed} passed, {failed} failed, {flaky} flaky, {skipped} skipped"
    ));
    if let Some(url) = view.report_url {
        out.push_str(&format!(" · 📦 {}", report_link(url)));
    }
    out.push_str("\n\n");
    if !view.reasons.is_empty() {
        out.push_str("**Why the gate failed:**\n\n");
        for reason in view.reasons {
            out.push_str(&format!("- {}\n", reason_markdown(reason, view)));
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

/// A reason line: text in backticks becomes a code span (a link when it names a place or a
/// spec file of the commit under test), the rest is escaped. Reasons quote report and log
/// text too: backticks around text with spaces (a quoted line of code) stay plain backticks,
/// since the spans the gate itself writes hold paths, places and ids.
fn reason_markdown(reason: &str, view: &SummaryView<'_>) -> String {
    let parts: Vec<&str> = reason.split('`').collect();
    let mut out = escape_inline(parts[0], LINE_CHARS);
    // Whether the backtick before the current part closes a span just written.
    let mut closing = false;
    for (i, part) in parts.iter().enumerate().skip(1) {
        if closing {
            closing = false;
            out.push_str(&escape_inline(part, LINE_CHARS));
            continue;
        }
        let is_span =
            i + 1 < parts.len() && !part.is_empty() && !part.contains(char::is_whitespace);
        if is_span {
            let span = code_span(part, LINE_CHARS);
            match link_for(part, view) {
                Some(url) => out.push_str(&format!("[{span}]({url})")),
                None => out.push_str(&span),
            }
            closing = true;
        } else {
            // A backtick that opens no span is text.
            out.push_str("\\`");
            out.push_str(&escape_inline(part, LINE_CHARS));
        }
    }
    out
}

/// The link of a code span of a reason: a failure group's place, or a spec file.
fn link_for(text: &str, view: &SummaryView<'_>) -> Option<String> {
    let base = view.blob_base.as_deref()?;
    if let Some(place) = view
        .groups
        .iter()
        .filter_map(|g| g.place.as_ref())
        .find(|p| p.to_string() == text)
    {
        return Some(blob_url(base, &place.file, Some(place.line)));
    }
    view.specs
        .iter()
        .find(|s| s.file == text)
        .map(|s| blob_url(base, &s.file, None))
}

fn blob_url(base: &str, file: &str, line: Option<u32>) -> String {
    match line {
        Some(line) => format!("{base}/{}#L{line}", url_path(file)),
        None => format!("{base}/{}", url_path(file)),
    }
}

/// `` [`file:line`](url) `` with a link to the commit under test, or the code span alone.
fn place_link(view: &SummaryView<'_>, file: &str, line: u32) -> String {
    let span = code_span(&format!("{file}:{line}"), LINE_CHARS);
    match &view.blob_base {
        Some(base) => format!("[{span}]({})", blob_url(base, file, Some(line))),
        None => span,
    }
}

fn report_link(url: &str) -> String {
    format!("[{REPORT_LINK_TEXT}](<{url}>)")
}

fn spec_table(view: &SummaryView<'_>, failing_only: bool) -> String {
    let rows: Vec<Vec<String>> = view
        .specs
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
                    "{}{}",
                    code_span_in_cell(&s.file, LINE_CHARS),
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

/// Each failure group once: where and how, its tests with links to their lines, and (in the
/// full summary) the first test's error in full inside `<details>`.
fn failure_groups(view: &SummaryView<'_>, with_errors: bool) -> String {
    let mut out = String::new();
    for group in view.groups {
        out.push_str(&format!("#### ❌ {}\n\n", group_title(view, group)));
        if let Some(url) = view.report_url {
            out.push_str(&format!("📦 {}\n\n", report_link(url)));
        }
        for member in group.tests.iter().take(TESTS_PER_GROUP) {
            let failure = &member.test;
            let line = failure.error_line.unwrap_or(failure.test.line);
            out.push_str(&format!(
                "- {} {} ({}, {} attempt{})\n",
                place_link(view, &member.spec, line),
                escape_inline(&failure.test.label(), LINE_CHARS),
                failure.status,
                failure.attempts,
                if failure.attempts == 1 { "" } else { "s" }
            ));
        }
        if group.tests.len() > TESTS_PER_GROUP {
            out.push_str(&format!(
                "- … and {} more tests that failed the same way\n",
                group.tests.len() - TESTS_PER_GROUP
            ));
        }
        out.push('\n');
        if with_errors && let Some(first) = group.tests.first() {
            out.push_str(&details(
                &html_text(
                    &format!("Error of {} (in full)", first.test.test.label()),
                    LINE_CHARS,
                ),
                &code_block(&first.test.message, MESSAGE_CHARS),
            ));
            out.push_str("\n\n");
        }
    }
    let mut unlisted = String::new();
    for (file, tally) in view.tallies {
        let more = tally.failed.saturating_sub(tally.failures.len() as u64);
        if more > 0 {
            unlisted.push_str(&format!(
                "- {more} more failed tests in {} (counted, not listed)\n",
                code_span(file, LINE_CHARS)
            ));
        }
    }
    if !unlisted.is_empty() {
        out.push_str(&unlisted);
        out.push('\n');
    }
    if out.is_empty() {
        return out;
    }
    format!("### How the tests failed\n\n{out}")
}

/// The group's sentence with its place linked and its text escaped.
fn group_title(view: &SummaryView<'_>, group: &FailureGroup) -> String {
    let tests = group.tests.len();
    let noun = if tests == 1 { "test" } else { "tests" };
    let specs = match (group.specs.as_slice(), group.required_specs) {
        ([only], 1) => format!("required spec {}", code_span(only, LINE_CHARS)),
        ([only], _) => format!("spec {}", code_span(only, LINE_CHARS)),
        (all, required) if required == all.len() => format!("{} required specs", all.len()),
        (all, 0) => format!("{} specs", all.len()),
        (all, required) => format!("{} specs ({required} required)", all.len()),
    };
    let at = match &group.place {
        Some(Place { file, line }) => format!(" at {}", place_link(view, file, *line)),
        None => String::new(),
    };
    format!(
        "{tests} {noun} in {specs} failed{at}: {}",
        escape_inline(&group.headline, LINE_CHARS)
    )
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
    .add(b')')
    .add(b'[')
    .add(b']')
    .add(b'|')
    .add(b'\\');

fn flaky_tests(view: &SummaryView<'_>) -> String {
    let mut out = String::new();
    for (file, tally) in view.tallies {
        for test in &tally.flaky_tests {
            out.push_str(&format!(
                "- {} {}\n",
                place_link(view, file, test.line),
                escape_inline(&test.label(), LINE_CHARS)
            ));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("### Flaky tests (passed on retry)\n\n{out}\n")
}

/// Skips grouped by reason across spec files: the reason, how many tests, which files.
fn skip_reasons(view: &SummaryView<'_>) -> String {
    const NOT_RUN: &str = "did not run (interrupted, not reached, or listed only)";
    const FILES_NAMED: usize = 5;
    /// One reason: its tests, the first files, how many files.
    struct Row<'a> {
        reason: &'a str,
        tests: u64,
        files: Vec<&'a str>,
        file_count: usize,
    }
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (file, tally) in view.tallies {
        let entries = tally
            .skip_reasons
            .iter()
            .map(|(r, c)| (r.as_str(), *c))
            .chain((tally.did_not_run > 0).then_some((NOT_RUN, tally.did_not_run)));
        for (reason, count) in entries {
            let at = *index.entry(reason).or_insert_with(|| {
                rows.push(Row {
                    reason,
                    tests: 0,
                    files: Vec::new(),
                    file_count: 0,
                });
                rows.len() - 1
            });
            let row = &mut rows[at];
            row.tests += count;
            row.file_count += 1;
            if row.files.len() < FILES_NAMED {
                row.files.push(file);
            }
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let named: Vec<String> = row
                .files
                .iter()
                .map(|f| code_span_in_cell(f, LINE_CHARS))
                .collect();
            let more = row.file_count - row.files.len();
            vec![
                escape_inline(row.reason, LINE_CHARS),
                row.tests.to_string(),
                if more > 0 {
                    format!("{}, and {more} more", named.join(", "))
                } else {
                    named.join(", ")
                },
            ]
        })
        .collect();
    let mut out = String::from("### Skipped tests\n\n");
    out.push_str(&table(&["Reason", "Tests", "Spec files"], &cells));
    out.push('\n');
    out
}

/// Findings grouped by rule (count, first place, what it said); every kept finding below,
/// collapsed.
fn findings(view: &SummaryView<'_>) -> String {
    if view.findings.is_empty() {
        return String::new();
    }
    let mut by_rule: Vec<(&Finding, u64)> = Vec::new();
    for finding in view.findings {
        match by_rule.iter_mut().find(|(f, _)| f.rule == finding.rule) {
            Some((_, count)) => *count += 1,
            None => by_rule.push((finding, 1)),
        }
    }
    let rows: Vec<Vec<String>> = by_rule
        .iter()
        .map(|(f, count)| {
            vec![
                f.severity.to_string(),
                code_span_in_cell(&f.rule, LINE_CHARS),
                count.to_string(),
                escape_inline(&f.place(), LINE_CHARS),
                escape_inline(&f.excerpt, LINE_CHARS),
            ]
        })
        .collect();
    let mut out = String::from("### Log findings\n\n");
    out.push_str(&table(
        &["Severity", "Rule", "Kept", "First place", "Excerpt"],
        &rows,
    ));
    if view.findings_omitted > 0 {
        out.push_str(&format!(
            "\n… and {} more findings of the same rules (counted, not listed).\n",
            view.findings_omitted
        ));
    }
    out.push('\n');
    let all: Vec<Vec<String>> = view
        .findings
        .iter()
        .map(|f| {
            vec![
                f.severity.to_string(),
                code_span_in_cell(&f.rule, LINE_CHARS),
                escape_inline(&f.place(), LINE_CHARS),
                escape_inline(&f.excerpt, LINE_CHARS),
            ]
        })
        .collect();
    out.push_str(&details(
        &html_text(
            &format!("Every kept finding ({})", view.findings.len()),
            LINE_CHARS,
        ),
        &table(&["Severity", "Rule", "Where", "Excerpt"], &all),
    ));
    out.push_str("\n\n");
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
    use crate::failure_groups::group_failures;
    use crate::verdict::{FailedTest, TestRef};

    fn view_with<'a>(
        specs: &'a [SpecReport],
        tallies: &'a BTreeMap<String, SpecTally>,
        groups: &'a [FailureGroup],
        reasons: &'a [String],
    ) -> SummaryView<'a> {
        SummaryView {
            result: GateResult::Fail,
            reasons,
            notes: &[],
            specs,
            tallies,
            groups,
            findings: &[],
            findings_omitted: 0,
            evidence: "### Staging Live Gate Evidence\n- Result: FAIL\n",
            blob_base: Some("https://github.com/n8kahl/ITM-gd/blob/abc".into()),
            report_url: Some("https://github.com/n8kahl/ITM-gd/actions/runs/1/artifacts/2"),
            totals: Counts {
                passed: 1,
                failed: 1,
                ..Counts::default()
            },
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
        let groups = group_failures(&tallies, &|_| false);
        let reasons = vec!["spec `e2e/a.spec.ts` is FAIL: console.error(`a b`) `c".to_string()];
        let (full, _) = render(&view_with(&[], &tallies, &groups, &reasons));
        assert!(!full.contains("<img"));
        assert!(full.contains("x \\| &lt;img"));
        assert!(
            full.contains("````\n```\n</details><script>\n````"),
            "{full}"
        );
        assert!(full.contains("(https://github.com/n8kahl/ITM-gd/blob/abc/e2e/a.spec.ts#L4)"));
        assert!(
            full.contains("- spec `e2e/a.spec.ts` is FAIL: console.error\\(\\`a b\\`\\) \\`c\n"),
            "{full}"
        );
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
        let (_, fallback) = render(&view_with(&specs, &tallies, &[], &reasons));
        assert!(fallback.starts_with("## ❌ itm-gate: FAIL"));
        assert!(fallback.contains("e2e/bad.spec.ts"));
        assert!(!fallback.contains("e2e/ok.spec.ts"));
        assert!(fallback.contains("Staging Live Gate Evidence"));
    }
}
