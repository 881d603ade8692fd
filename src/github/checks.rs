//! The report of the `preflight` and `readiness` commands: `PASS:` / `FAIL:` / `WARN:` /
//! `INFO:` lines, a summary line, then `READY` or `NOT READY`; plus a job-summary rendering.

use std::fmt;

use crate::exit::Exit;
use crate::text::{Spaces, one_line};
use crate::{markdown, runner};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckLevel {
    /// The condition holds.
    Pass,
    /// The condition does not hold: not ready.
    Fail,
    /// Worth a look, but not blocking.
    Warn,
    /// For information.
    Info,
}

impl fmt::Display for CheckLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Warn => "WARN",
            Self::Info => "INFO",
        })
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// How it came out.
    pub level: CheckLevel,
    /// What was checked and found, one line.
    pub text: String,
}

/// The checks of one command, in the order they ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The command (`preflight` or `readiness`).
    pub command: String,
    /// The checks.
    pub checks: Vec<Check>,
}

impl CheckReport {
    /// An empty report for `command`.
    pub fn new(command: &str) -> Self {
        Self {
            command: command.to_string(),
            checks: Vec::new(),
        }
    }

    /// Adds a line; `text` is made one line (control characters become spaces).
    pub fn add(&mut self, level: CheckLevel, text: impl AsRef<str>) {
        self.checks.push(Check {
            level,
            text: one_line(text.as_ref(), Spaces::Collapse, 500),
        });
    }

    /// Adds a `PASS:` line.
    pub fn pass(&mut self, text: impl AsRef<str>) {
        self.add(CheckLevel::Pass, text);
    }

    /// Adds a `FAIL:` line.
    pub fn fail(&mut self, text: impl AsRef<str>) {
        self.add(CheckLevel::Fail, text);
    }

    /// Adds a `WARN:` line.
    pub fn warn(&mut self, text: impl AsRef<str>) {
        self.add(CheckLevel::Warn, text);
    }

    /// Adds an `INFO:` line.
    pub fn info(&mut self, text: impl AsRef<str>) {
        self.add(CheckLevel::Info, text);
    }

    /// Ready when no check failed.
    pub fn ready(&self) -> bool {
        !self.checks.iter().any(|c| c.level == CheckLevel::Fail)
    }

    /// How many lines have `level`.
    pub fn count(&self, level: CheckLevel) -> usize {
        self.checks.iter().filter(|c| c.level == level).count()
    }

    /// The lines of the `FAIL:` checks' texts.
    pub fn failures(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| c.level == CheckLevel::Fail)
            .map(|c| c.text.as_str())
            .collect()
    }

    /// `READY` or `NOT READY`.
    pub fn verdict(&self) -> &'static str {
        if self.ready() { "READY" } else { "NOT READY" }
    }

    /// The summary line: counts per level.
    pub fn summary_line(&self) -> String {
        format!(
            "{}: {} passed, {} failed, {} warnings, {} notes",
            self.command,
            self.count(CheckLevel::Pass),
            self.count(CheckLevel::Fail),
            self.count(CheckLevel::Warn),
            self.count(CheckLevel::Info),
        )
    }

    /// The plain-text report: one `LEVEL: text` line per check, the summary line, the verdict.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            out.push_str(&format!("{}: {}\n", check.level, check.text));
        }
        out.push_str(&self.summary_line());
        out.push('\n');
        out.push_str(self.verdict());
        out.push('\n');
        out
    }

    /// The job-summary Markdown: a heading with the verdict and a table of the checks.
    pub fn render_markdown(&self) -> String {
        let icon = if self.ready() { "✅" } else { "❌" };
        let rows: Vec<Vec<String>> = self
            .checks
            .iter()
            .map(|c| {
                vec![
                    format!("**{}**", c.level),
                    markdown::escape_inline(&c.text, 500),
                ]
            })
            .collect();
        format!(
            "## {icon} itm-gate {}: {}\n\n{}\n{}\n",
            self.command,
            self.verdict(),
            markdown::table(&["Result", "Check"], &rows),
            markdown::escape_inline(&self.summary_line(), 200),
        )
    }

    /// Prints the report (safe from workflow-command injection inside Actions), appends the job
    /// summary when `GITHUB_STEP_SUMMARY` is set, and returns the exit code: 0 when ready,
    /// 1 when not.
    pub fn emit(&self) -> Exit {
        runner::print_untrusted(&self.render_text());
        if let Some(path) = runner::summary_path_from_env() {
            let markdown = self.render_markdown();
            if let Err(err) = runner::write_summary(&path, &markdown, &markdown) {
                crate::runner::eprint_line(&format!(
                    "itm-gate: could not write the job summary: {err}"
                ));
            }
        }
        if self.ready() {
            Exit::Success
        } else {
            Exit::GateFailed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_prints_lines_summary_and_verdict() {
        let mut report = CheckReport::new("preflight");
        report.pass("token works");
        report.warn("workflow not on main");
        report.info("2 branch-only migrations");
        assert!(report.ready());
        assert_eq!(
            report.render_text(),
            "PASS: token works\nWARN: workflow not on main\nINFO: 2 branch-only migrations\n\
             preflight: 1 passed, 0 failed, 1 warnings, 1 notes\nREADY\n"
        );
        report.fail("secret `E2E_BYPASS_TOKEN` is missing");
        assert!(!report.ready());
        assert!(report.render_text().ends_with("\nNOT READY\n"));
        assert_eq!(
            report.failures(),
            vec!["secret `E2E_BYPASS_TOKEN` is missing"]
        );
    }

    #[test]
    fn untrusted_text_cannot_forge_lines() {
        let mut report = CheckReport::new("readiness");
        report.fail("issue #1 Title\nPASS: fake\r\nREADY");
        let text = report.render_text();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.starts_with("FAIL: issue #1 Title PASS: fake READY\n"));
    }

    #[test]
    fn markdown_escapes_cells() {
        let mut report = CheckReport::new("readiness");
        report.fail("issue #2 <script>|x");
        let md = report.render_markdown();
        assert!(
            md.starts_with("## ❌ itm-gate readiness: NOT READY\n"),
            "{md}"
        );
        assert!(md.contains("&lt;script&gt;\\|x"), "{md}");
    }
}
