//! Log rules: the built-in rules and exclusions, and the `log-rules` file that changes them.
//!
//! The rules file format is documented in `docs/log-rules.md`; a test keeps the built-in table
//! there in step with [`BUILTIN_RULES`] and [`BUILTIN_EXCLUSIONS`].

use std::collections::HashSet;
use std::path::Path;

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

/// How much a finding matters: a critical finding fails the gate, a warning goes to the notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the gate.
    Critical,
    /// Listed in the summary and the evidence notes.
    Warning,
}

impl Severity {
    /// The lowercase name used in rules files, output and the `findings` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
        }
    }

    /// Parses `critical` or `warning`.
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "critical" => Some(Severity::Critical),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A built-in rule: `(id, severity, pattern, description)`.
pub type BuiltinRule = (&'static str, Severity, &'static str, &'static str);

/// A built-in exclusion: `(id, rules it applies to (empty: all), pattern, description)`.
pub type BuiltinExclusion = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
);

/// The built-in rules: every message of DESIGN.md section 2 that means a broken back-end start-up
/// or auth-bypass bootstrap is critical; skip reasons that the spec verdicts already govern
/// through `strict` are warnings, so they reach the evidence notes without overriding `strict`.
pub const BUILTIN_RULES: &[BuiltinRule] = &[
    (
        "e2e-auth-bootstrap-failed",
        Severity::Critical,
        r"E2E auth bootstrap failed",
        "The backend could not bootstrap the E2E bypass user; every bypass-authenticated request fails with 500.",
    ),
    (
        "e2e-user-provisioning-failed",
        Severity::Critical,
        r"E2E user provisioning failed",
        "The backend failed to create or verify the E2E user behind the bypass token.",
    ),
    (
        "e2e-user-verify-failed",
        Severity::Critical,
        r"Failed to verify E2E user",
        "The backend could not look the E2E user up in Supabase (service role or database not ready).",
    ),
    (
        "e2e-user-create-failed",
        Severity::Critical,
        r"Failed to create E2E user",
        "The backend could not create the E2E user in Supabase.",
    ),
    (
        "e2e-bypass-token-invalid",
        Severity::Critical,
        r"Invalid E2E bypass token format",
        "The bypass token does not have the form `e2e:<uuid>` or `e2e:<secret>:<uuid>`: the `E2E_BYPASS_TOKEN` secret is wrong.",
    ),
    (
        "env-validation-failed",
        Severity::Critical,
        r"Environment validation failed:",
        "The backend refused to start because its environment is incomplete or invalid.",
    ),
    (
        "server-start-failed",
        Severity::Critical,
        r"Failed to start server",
        "The backend process did not start.",
    ),
    (
        "supabase-env-missing",
        Severity::Critical,
        r"Missing Supabase environment variables",
        "The backend or front end has no Supabase URL or key.",
    ),
    (
        "authentication-error",
        Severity::Critical,
        r"Authentication error",
        "The auth middleware threw an unexpected error (not a 401): token verification itself is broken.",
    ),
    (
        "authentication-failed-response",
        Severity::Critical,
        r#"\\?"message\\?"\s*:\s*\\?"Authentication failed\\?""#,
        "The backend answered `Authentication failed` (its 500 reply when the auth middleware breaks).",
    ),
    (
        "bypass-preflight-failed",
        Severity::Critical,
        r"Live auth bypass preflight failed:",
        "The suite's auth-bypass preflight failed, so authenticated live tests could not run.",
    ),
    (
        "webserver-not-started",
        Severity::Critical,
        r"Process from config\.webServer was not able to start",
        "Playwright could not start the configured web server.",
    ),
    (
        "webserver-timeout",
        Severity::Critical,
        r"Timed out waiting \d+ms from config\.webServer",
        "Playwright's web server did not become ready in time.",
    ),
    (
        "webserver-port-in-use",
        Severity::Critical,
        r"is already used, make sure that nothing is running on the port",
        "Playwright's web server port was taken by another process.",
    ),
    (
        "eaddrinuse",
        Severity::Critical,
        r"EADDRINUSE",
        "A server could not listen because its port was in use.",
    ),
    (
        "live-backend-unhealthy",
        Severity::Warning,
        r"Live backend not healthy at",
        "Live tests were skipped because the backend health check failed (the spec verdicts decide, through `strict`).",
    ),
    (
        "live-backend-prerequisites",
        Severity::Warning,
        r"Live backend database/service-role prerequisites are not ready",
        "Live tests were skipped because the backend's database or service role was not ready (the spec verdicts decide, through `strict`).",
    ),
    (
        "live-mode-off",
        Severity::Warning,
        r"Set E2E_AI_COACH_MODE=live to run",
        "Live tests were skipped because the run was not in live mode.",
    ),
];

/// The built-in exclusions: look-alikes that contain a rule's text but are not failures.
///
/// The other look-alikes of DESIGN.md section 2 (expected 401 `Missing or invalid authorization
/// header` and `Unauthorized`, 429 rate-limit texts, 404 `Not found`, WebSocket `Forbidden
/// channel:` and close codes 4401/4403, `running without cache` Redis notices) match no rule by
/// construction; the green-run fixtures prove it.
pub const BUILTIN_EXCLUSIONS: &[BuiltinExclusion] = &[
    (
        "playwright-test-title",
        &[],
        r"^\s*(?:✓|✔|✘|✗|×|-|ok|x)\s+\d+\s+(?:\[[^\]]*\]\s+)?›\s",
        "A Playwright list-reporter result line: a test title that quotes a message is not the message.",
    ),
    (
        "expected-unauthorized",
        &["authentication-failed-response"],
        r#"\\?"(?:status|statusCode)\\?"\s*:\s*40[13]\b|\bHTTP(?:/\d(?:\.\d)?)?\s+40[13]\b"#,
        "`Authentication failed` sent with HTTP status 401 or 403 (a `status`/`statusCode` field of 401/403, or `HTTP 401`/`HTTP/1.1 403`) is the expected rejection of a bad token, not a broken middleware (which answers 500).",
    ),
    (
        "websocket-auth-close",
        &["authentication-failed-response"],
        r#"\\?"(?:closeCode|code)\\?"\s*:\s*440[13]\b"#,
        "`Authentication failed` on a WebSocket closed with code 4401 or 4403 (a `closeCode`/`code` field) is the expected refusal of an unauthenticated or unauthorised subscribe.",
    ),
];

/// Looser patterns the whole-buffer search uses for some built-in rules, whose own pattern
/// starts with text found on every line (`"message"`): the search skips ahead to the hint's
/// literal, and the rule's full pattern is then checked on that line alone. A hint must match
/// every line its rule matches; it is dropped when a rules file changes the rule's pattern.
pub const SEARCH_HINTS: &[(&str, &str)] =
    &[("authentication-failed-response", "Authentication failed")];

/// A rule: lines that match `pattern` are findings of `severity`.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Identifier, lowercase letters, digits and hyphens (`e2e-auth-bootstrap-failed`).
    pub id: String,
    /// What a match means for the gate.
    pub severity: Severity,
    /// The regular expression (Rust `regex` syntax), matched against each line.
    pub pattern: String,
    /// What a match means, for people.
    pub description: String,
    pub(crate) regex: Regex,
    /// What the whole-buffer search looks for instead of `pattern` (see [`SEARCH_HINTS`]).
    pub(crate) search_hint: Option<&'static str>,
}

/// An exclusion: a line that matches `pattern` is not a finding of the rules in `rules`.
#[derive(Clone, Debug)]
pub struct Exclusion {
    /// Identifier, in the same namespace as rule ids.
    pub id: String,
    /// Rule ids it applies to; empty means every rule.
    pub rules: Vec<String>,
    /// The regular expression, matched against the line a rule matched.
    pub pattern: String,
    /// Why such lines are not failures.
    pub description: String,
    pub(crate) regex: Regex,
}

impl Exclusion {
    /// Whether this exclusion applies to the rule `id`.
    pub fn applies_to(&self, id: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| r == id)
    }
}

/// A problem with the `log-rules` file, or with a rule in it; always a usage error.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("cannot read the log rules file {path}: {source}; check the `log-rules` input")]
    Read {
        /// The rules file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON of the documented shape.
    #[error(
        "the log rules file {path} is not valid: {source}; see docs/log-rules.md for the format"
    )]
    Parse {
        /// The rules file.
        path: String,
        /// Where and why the JSON did not parse.
        source: serde_json::Error,
    },
    /// A rule or exclusion is wrong in a way its message says.
    #[error("rule `{id}` in the log rules file {path}: {problem}")]
    Rule {
        /// The rules file.
        path: String,
        /// The rule or exclusion id (or `(all rules combined)`).
        id: String,
        /// What is wrong and what to do.
        problem: String,
    },
}

/// The rules file (`log-rules` input), as documented in `docs/log-rules.md`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rules: Vec<RuleEntry>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    exclusions: Vec<ExclusionEntry>,
}

/// A rule entry: a new rule (with `pattern` and `severity`) or changes to a built-in one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    id: String,
    severity: Option<String>,
    pattern: Option<String>,
    description: Option<String>,
}

/// An exclusion entry: a new exclusion, or changes to a built-in one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionEntry {
    id: String,
    pattern: Option<String>,
    rules: Option<Vec<String>>,
    description: Option<String>,
}

/// The rules and exclusions the scanner applies, with the combined search expression.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    exclusions: Vec<Exclusion>,
    /// The compiled search; `None` without rules.
    pub(crate) search: Option<Search>,
}

/// The two matchers built from all the rules.
#[derive(Clone, Debug)]
pub(crate) struct Search {
    /// One alternation of every rule pattern (or its search hint), searched over whole buffers.
    pub(crate) any: Regex,
    /// Every rule pattern, in rule order: which rules match a line, in one pass over it.
    pub(crate) which: RegexSet,
}

/// Flags every rule pattern is compiled with: `^`/`$` at line ends, CRLF-aware.
const FLAGS: &str = "(?mR)";

/// Compiles one pattern with the scanner's flags.
fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&format!("{FLAGS}(?:{pattern})")).build()
}

/// Whether `id` is a valid rule or exclusion id.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && id.bytes().next().is_some_and(|b| b != b'-')
}

impl RuleSet {
    /// The built-in rules and exclusions.
    pub fn builtin() -> RuleSet {
        let rules = BUILTIN_RULES
            .iter()
            .filter_map(|&(id, severity, pattern, description)| {
                Some(Rule {
                    id: id.to_string(),
                    severity,
                    pattern: pattern.to_string(),
                    description: description.to_string(),
                    regex: compile(pattern).ok()?,
                    search_hint: SEARCH_HINTS
                        .iter()
                        .find(|(rule, _)| *rule == id)
                        .map(|(_, hint)| *hint),
                })
            })
            .collect();
        let exclusions = BUILTIN_EXCLUSIONS
            .iter()
            .filter_map(|&(id, rules, pattern, description)| {
                Some(Exclusion {
                    id: id.to_string(),
                    rules: rules.iter().map(|r| r.to_string()).collect(),
                    pattern: pattern.to_string(),
                    description: description.to_string(),
                    regex: compile(pattern).ok()?,
                })
            })
            .collect();
        let mut set = RuleSet {
            rules,
            exclusions,
            search: None,
        };
        set.search = combine(&set.rules).ok().flatten();
        set
    }

    /// The rules, in the order they are tried on a line.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The exclusions.
    pub fn exclusions(&self) -> &[Exclusion] {
        &self.exclusions
    }

    /// Applies the `log-rules` file at `path`: adds rules, changes built-in ones, disables some.
    pub fn with_rules_file(self, path: &Path) -> Result<RuleSet, RulesError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            path: shown.clone(),
            source,
        })?;
        self.with_rules_json(&text, &shown)
    }

    /// Applies a rules file given as JSON text; `origin` names it in errors.
    pub fn with_rules_json(mut self, json: &str, origin: &str) -> Result<RuleSet, RulesError> {
        let file: RulesFile = serde_json::from_str(json).map_err(|source| RulesError::Parse {
            path: origin.to_string(),
            source,
        })?;
        let bad = |id: &str, problem: String| RulesError::Rule {
            path: origin.to_string(),
            id: id.to_string(),
            problem,
        };
        let mut seen = HashSet::new();
        for id in file
            .rules
            .iter()
            .map(|r| &r.id)
            .chain(file.exclusions.iter().map(|e| &e.id))
        {
            if !valid_id(id) {
                return Err(bad(id, "ids are 1 to 64 lowercase letters, digits and hyphens, not starting with a hyphen".into()));
            }
            if !seen.insert(id.as_str()) {
                return Err(bad(
                    id,
                    "the id appears more than once; give each rule and exclusion once".into(),
                ));
            }
        }
        for entry in file.rules {
            let severity = match entry.severity.as_deref() {
                None => None,
                Some(s) => Some(Severity::parse(s).ok_or_else(|| {
                    bad(
                        &entry.id,
                        format!("severity is `{s}`; use `critical` or `warning`"),
                    )
                })?),
            };
            let regex = match entry.pattern.as_deref() {
                None => None,
                Some(p) => Some(checked_regex(p).map_err(|problem| bad(&entry.id, problem))?),
            };
            match self.rules.iter_mut().find(|r| r.id == entry.id) {
                Some(rule) => {
                    if let (Some(p), Some(re)) = (entry.pattern, regex) {
                        rule.pattern = p;
                        rule.regex = re;
                        rule.search_hint = None;
                    }
                    rule.severity = severity.unwrap_or(rule.severity);
                    if let Some(d) = entry.description {
                        rule.description = d;
                    }
                }
                None => {
                    let (Some(pattern), Some(regex)) = (entry.pattern, regex) else {
                        return Err(bad(
                            &entry.id,
                            "a new rule needs a `pattern` (and a `severity`)".into(),
                        ));
                    };
                    let Some(severity) = severity else {
                        return Err(bad(
                            &entry.id,
                            "a new rule needs a `severity`: `critical` or `warning`".into(),
                        ));
                    };
                    if self.exclusions.iter().any(|e| e.id == entry.id) {
                        return Err(bad(
                            &entry.id,
                            "this id belongs to a built-in exclusion; choose another".into(),
                        ));
                    }
                    let description = entry
                        .description
                        .unwrap_or_else(|| format!("Lines matching `{pattern}`."));
                    self.rules.push(Rule {
                        id: entry.id,
                        severity,
                        pattern,
                        description,
                        regex,
                        search_hint: None,
                    });
                }
            }
        }
        for entry in file.exclusions {
            let regex = match entry.pattern.as_deref() {
                None => None,
                Some(p) => Some(checked_regex(p).map_err(|problem| bad(&entry.id, problem))?),
            };
            match self.exclusions.iter_mut().find(|e| e.id == entry.id) {
                Some(exclusion) => {
                    if let (Some(p), Some(re)) = (entry.pattern, regex) {
                        exclusion.pattern = p;
                        exclusion.regex = re;
                    }
                    if let Some(rules) = entry.rules {
                        exclusion.rules = rules;
                    }
                    if let Some(d) = entry.description {
                        exclusion.description = d;
                    }
                }
                None => {
                    let (Some(pattern), Some(regex)) = (entry.pattern, regex) else {
                        return Err(bad(&entry.id, "a new exclusion needs a `pattern`".into()));
                    };
                    if self.rules.iter().any(|r| r.id == entry.id) {
                        return Err(bad(
                            &entry.id,
                            "this id belongs to a rule; choose another".into(),
                        ));
                    }
                    let description = entry
                        .description
                        .unwrap_or_else(|| format!("Lines matching `{pattern}`."));
                    let rules = entry.rules.unwrap_or_default();
                    self.exclusions.push(Exclusion {
                        id: entry.id,
                        rules,
                        pattern,
                        description,
                        regex,
                    });
                }
            }
        }
        for exclusion in &self.exclusions {
            if let Some(unknown) = exclusion
                .rules
                .iter()
                .find(|id| !self.rules.iter().any(|r| &r.id == *id))
            {
                return Err(bad(
                    &exclusion.id,
                    format!("`rules` names `{unknown}`, which is not a rule"),
                ));
            }
        }
        for id in &file.disable {
            let before = self.rules.len() + self.exclusions.len();
            self.rules.retain(|r| &r.id != id);
            self.exclusions.retain(|e| &e.id != id);
            if self.rules.len() + self.exclusions.len() == before {
                let known = self
                    .rules
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(bad(
                    id,
                    format!(
                        "`disable` names an id that is neither a rule nor an exclusion (rules: {known})"
                    ),
                ));
            }
        }
        self.search =
            combine(&self.rules).map_err(|problem| bad("(all rules combined)", problem))?;
        Ok(self)
    }
}

/// Compiles a pattern from a rules file, refusing one that matches an empty line (it would make
/// every line a finding).
fn checked_regex(pattern: &str) -> Result<Regex, String> {
    let regex = compile(pattern).map_err(|e| format!("invalid regular expression: {e}"))?;
    if regex.is_match(b"") {
        return Err(format!(
            "the pattern `{pattern}` matches an empty line, so every line would be a finding"
        ));
    }
    Ok(regex)
}

/// The matchers of all the rules: the alternation searched over whole buffers, and the set
/// that tells which rules match a candidate line.
fn combine(rules: &[Rule]) -> Result<Option<Search>, String> {
    if rules.is_empty() {
        return Ok(None);
    }
    let too_large =
        |e: regex::Error| format!("the rules together are too large to search at once: {e}");
    let alternation = rules
        .iter()
        .map(|r| format!("(?:{})", r.search_hint.unwrap_or(&r.pattern)))
        .collect::<Vec<_>>()
        .join("|");
    let any = RegexBuilder::new(&format!("{FLAGS}(?:{alternation})"))
        .size_limit(32 << 20)
        .build()
        .map_err(too_large)?;
    let which = RegexSetBuilder::new(rules.iter().map(|r| format!("{FLAGS}(?:{})", r.pattern)))
        .size_limit(32 << 20)
        .build()
        .map_err(too_large)?;
    Ok(Some(Search { any, which }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_compiles() {
        let set = RuleSet::builtin();
        assert_eq!(set.rules().len(), BUILTIN_RULES.len());
        assert_eq!(set.exclusions().len(), BUILTIN_EXCLUSIONS.len());
        assert!(set.search.is_some());
        for rule in set.rules() {
            assert!(
                !rule.regex.is_match(b""),
                "{} matches an empty line",
                rule.id
            );
        }
    }

    #[test]
    fn search_hints_cover_their_rules() {
        for (id, hint) in SEARCH_HINTS {
            let rule = RuleSet::builtin()
                .rules()
                .iter()
                .find(|r| r.id == *id)
                .cloned();
            let rule = rule.unwrap_or_else(|| panic!("hint for unknown rule {id}"));
            // The hint is a literal the rule's every match contains.
            assert!(
                regex::escape(hint) == *hint && rule.pattern.contains(hint),
                "{id}"
            );
        }
        let changed = RuleSet::builtin()
            .with_rules_json(
                r#"{"rules":[{"id":"authentication-failed-response","pattern":"auth broke"}]}"#,
                "r.json",
            )
            .expect("valid");
        assert!(changed.rules().iter().all(|r| r.search_hint.is_none()));
    }

    #[test]
    fn file_adds_changes_and_disables() {
        let json = r#"{
          "rules": [
            {"id": "redis-without-cache", "severity": "warning", "pattern": "running without cache"},
            {"id": "eaddrinuse", "severity": "warning"}
          ],
          "disable": ["authentication-error", "playwright-test-title"]
        }"#;
        let set = RuleSet::builtin()
            .with_rules_json(json, "rules.json")
            .expect("valid file");
        let find = |id: &str| set.rules().iter().find(|r| r.id == id);
        assert_eq!(
            find("redis-without-cache").map(|r| r.severity),
            Some(Severity::Warning)
        );
        assert_eq!(
            find("eaddrinuse").map(|r| r.severity),
            Some(Severity::Warning)
        );
        assert!(find("authentication-error").is_none());
        assert!(
            !set.exclusions()
                .iter()
                .any(|e| e.id == "playwright-test-title")
        );
    }

    #[test]
    fn errors_name_the_rule_and_the_file() {
        let cases = [
            (
                r#"{"rules":[{"id":"x","severity":"critical","pattern":"(unclosed"}]}"#,
                "rule `x`",
                "invalid regular expression",
            ),
            (
                r#"{"rules":[{"id":"x","severity":"fatal","pattern":"a"}]}"#,
                "rule `x`",
                "`fatal`",
            ),
            (
                r#"{"rules":[{"id":"x","pattern":"a"}]}"#,
                "rule `x`",
                "needs a `severity`",
            ),
            (
                r#"{"rules":[{"id":"x","severity":"warning"}]}"#,
                "rule `x`",
                "needs a `pattern`",
            ),
            (
                r#"{"rules":[{"id":"x","severity":"warning","pattern":".*"}]}"#,
                "rule `x`",
                "empty line",
            ),
            (
                r#"{"rules":[{"id":"Bad Id","severity":"warning","pattern":"a"}]}"#,
                "rule `Bad Id`",
                "lowercase",
            ),
            (
                r#"{"disable":["no-such-rule"]}"#,
                "rule `no-such-rule`",
                "neither a rule",
            ),
            (
                r#"{"exclusions":[{"id":"e","pattern":"a","rules":["nope"]}]}"#,
                "rule `e`",
                "`nope`",
            ),
            (r#"{"rule":[]}"#, "rules.json is not valid", "unknown field"),
            (r#"not json"#, "rules.json is not valid", "expected"),
        ];
        for (json, who, what) in cases {
            let err = RuleSet::builtin()
                .with_rules_json(json, "rules.json")
                .expect_err(json)
                .to_string();
            assert!(err.contains(who) && err.contains(what), "{json}: {err}");
            assert!(err.contains("rules.json"), "{err}");
        }
    }

    #[test]
    fn missing_file_is_a_read_error_naming_it() {
        let err = RuleSet::builtin()
            .with_rules_file(Path::new("/nonexistent/rules.json"))
            .expect_err("missing");
        assert!(matches!(err, RulesError::Read { .. }));
        assert!(err.to_string().contains("/nonexistent/rules.json"));
    }
}
