//! Findings: what the scanner reports, kept within a bound so memory stays flat.

use std::collections::BTreeMap;

use super::rules::Severity;

/// Pseudo-rule of the finding for a `logs` pattern that matches no file.
pub const NO_MATCH_RULE: &str = "logs-no-match";
/// Pseudo-rule of the finding for a log that cannot be read (or stops being readable).
pub const UNREADABLE_RULE: &str = "log-unreadable";

/// How many findings of one rule are kept by default; the rest are only counted.
pub const DEFAULT_KEEP_PER_RULE: usize = 20;

/// One line of a log (or one text of the report) that a rule matched.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The rule id (or [`NO_MATCH_RULE`] / [`UNREADABLE_RULE`]).
    pub rule: String,
    /// Whether it fails the gate.
    pub severity: Severity,
    /// Where: the log file as given (relative to the workspace), or the report text's place
    /// (`e2e/specs/x.spec.ts › title (attempt 2)`); redacted.
    pub source: String,
    /// 1-based line number in the file; `None` for report texts and file-level findings.
    pub line: Option<u64>,
    /// The line, ANSI-stripped, redacted and cut to a window around the match.
    pub excerpt: String,
}

impl Finding {
    /// `source:line`, or `source` when there is no line number.
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.source),
            None => self.source.clone(),
        }
    }
}

/// Per-rule tally: the severity and how many findings there were in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule's severity.
    pub severity: Severity,
    /// Findings of the rule, kept or not.
    pub total: u64,
    /// Findings of the rule that were kept.
    pub kept: u64,
}

/// Collected findings, at most a fixed number kept per rule, the rest counted.
#[derive(Clone, Debug)]
pub struct Findings {
    kept: Vec<Finding>,
    counts: BTreeMap<String, RuleCount>,
    keep_per_rule: usize,
}

impl Default for Findings {
    fn default() -> Self {
        Findings::new()
    }
}

impl Findings {
    /// An empty collection keeping [`DEFAULT_KEEP_PER_RULE`] findings per rule.
    pub fn new() -> Findings {
        Findings::with_keep_per_rule(DEFAULT_KEEP_PER_RULE)
    }

    /// An empty collection keeping at most `keep` findings per rule (at least one).
    pub fn with_keep_per_rule(keep: usize) -> Findings {
        Findings {
            kept: Vec::new(),
            counts: BTreeMap::new(),
            keep_per_rule: keep.max(1),
        }
    }

    /// Adds the findings of another collection after this one's (kept ones first come first),
    /// counting the ones it only counted.
    pub fn merge(&mut self, other: Findings) {
        let mut only_counted: Vec<(String, RuleCount)> = Vec::new();
        for (rule, count) in &other.counts {
            if count.total > count.kept {
                only_counted.push((rule.clone(), *count));
            }
        }
        for finding in other.kept {
            self.push(finding);
        }
        for (rule, count) in only_counted {
            let mine = self.counts.entry(rule).or_insert(RuleCount {
                severity: count.severity,
                total: 0,
                kept: 0,
            });
            mine.total += count.total - count.kept;
            if count.severity == Severity::Critical {
                mine.severity = Severity::Critical;
            }
        }
    }

    /// Adds a finding: kept while its rule has fewer than the bound, counted in any case.
    pub fn push(&mut self, finding: Finding) {
        let count = self
            .counts
            .entry(finding.rule.clone())
            .or_insert(RuleCount {
                severity: finding.severity,
                total: 0,
                kept: 0,
            });
        count.total += 1;
        // A rule's severity is the worst seen (user rules cannot change it mid-scan, but a
        // pseudo-rule and a user rule could share an id).
        if finding.severity == Severity::Critical {
            count.severity = Severity::Critical;
        }
        if count.kept < self.keep_per_rule as u64 {
            count.kept += 1;
            self.kept.push(finding);
        }
    }

    /// The kept findings, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.kept.iter()
    }

    /// The kept critical findings, in the order found.
    pub fn critical(&self) -> impl Iterator<Item = &Finding> {
        self.kept
            .iter()
            .filter(|f| f.severity == Severity::Critical)
    }

    /// The kept warnings, in the order found.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.kept.iter().filter(|f| f.severity == Severity::Warning)
    }

    /// Whether any critical finding was seen (kept or not): the gate fails.
    pub fn has_critical(&self) -> bool {
        self.critical_count() > 0
    }

    /// Critical findings seen in all.
    pub fn critical_count(&self) -> u64 {
        self.count_of(Severity::Critical)
    }

    /// Warnings seen in all.
    pub fn warning_count(&self) -> u64 {
        self.count_of(Severity::Warning)
    }

    /// Findings seen in all.
    pub fn total(&self) -> u64 {
        self.counts.values().map(|c| c.total).sum()
    }

    /// Findings seen but not kept.
    pub fn omitted(&self) -> u64 {
        self.total() - self.kept.len() as u64
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Per-rule tallies, by rule id.
    pub fn counts(&self) -> impl Iterator<Item = (&str, RuleCount)> {
        self.counts.iter().map(|(id, c)| (id.as_str(), *c))
    }

    /// The kept findings, in the order found.
    pub fn into_vec(self) -> Vec<Finding> {
        self.kept
    }

    fn count_of(&self, severity: Severity) -> u64 {
        self.counts
            .values()
            .filter(|c| c.severity == severity)
            .map(|c| c.total)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            source: "b.log".into(),
            line: Some(3),
            excerpt: "x".into(),
        }
    }

    #[test]
    fn keeps_a_bounded_number_per_rule_and_counts_all() {
        let mut findings = Findings::with_keep_per_rule(2);
        for _ in 0..5 {
            findings.push(finding("eaddrinuse", Severity::Critical));
        }
        findings.push(finding("live-mode-off", Severity::Warning));
        assert_eq!(findings.iter().count(), 3);
        assert_eq!(findings.critical_count(), 5);
        assert_eq!(findings.warning_count(), 1);
        assert_eq!(findings.total(), 6);
        assert_eq!(findings.omitted(), 3);
        assert!(findings.has_critical());
        assert_eq!(findings.critical().count(), 2);
        assert_eq!(findings.warnings().count(), 1);
    }

    #[test]
    fn serializes_as_the_findings_output() {
        let json =
            serde_json::to_string(&finding("eaddrinuse", Severity::Critical)).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"rule":"eaddrinuse","severity":"critical","source":"b.log","line":3,"excerpt":"x"}"#
        );
    }
}
